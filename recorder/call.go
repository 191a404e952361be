package recorder

import (
	"bufio"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"earshot/storage"
)

// StreamParams describes one negotiated media stream of a call.
type StreamParams struct {
	// Label is the SDP a=label (RFC 4574), which SIPREC metadata refers to.
	Label string
	// Channel is 0 (left) or 1 (right) of the stereo recording.
	Channel int
	// Codecs maps the payload types offered to their formats.
	Codecs map[uint8]Codec
	// EventPT is the telephone-event payload type (RFC 4733), or -1.
	EventPT int
	// Remote is where the SDP says the packets come from; the zero value
	// takes the first source.
	Remote netip.AddrPort
	// Active is false for a held, paused or inactive stream: it is not
	// expected to send, so its silence does not end the call.
	Active bool
}

// CallParams describes a call to record.
type CallParams struct {
	SIPCallID    string
	Streams      []StreamParams
	Participants []storage.Participant
	Extra        map[string]string
	MetadataXML  string
	Warnings     []string
}

// Call is a call being recorded. Its methods are safe for concurrent use.
type Call struct {
	m      *Manager
	dir    string
	t0     time.Time
	paused atomic.Bool

	mu      sync.Mutex // guards the fields below
	state   callState
	streams []*stream
	ended   bool
}

// ID returns the recording id.
func (c *Call) ID() string { return c.state.RecordingID }

// Ports returns the local RTP port of each stream, in order; 0 for a stream
// that was refused.
func (c *Call) Ports() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	ports := make([]int, len(c.streams))
	for i, s := range c.streams {
		if s != nil {
			ports[i] = s.port
		}
	}
	return ports
}

// openStream binds a port and starts receiving stream i.
func (c *Call) openStream(i int, p StreamParams) (*stream, error) {
	conn, port, err := c.m.ports.listen()
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(streamFile(c.dir, i), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		conn.Close()
		c.m.ports.release(port)
		return nil, fmt.Errorf("create spool log: %w", err)
	}
	s := &stream{
		index: i, conn: conn, port: port, file: f,
		w:  bufio.NewWriterSize(f, 8<<10),
		t0: c.t0, now: c.m.now, call: c,
		log:   c.m.log.With("recording_id", c.state.RecordingID),
		latch: c.m.cfg.LatchSource,
		rec:   make([]byte, 0, 256),
	}
	s.lastUS.Store(-1)
	s.setParams(p)
	s.wg.Add(1)
	go s.run()
	return s, nil
}

// setParams applies negotiated parameters; safe while the stream runs.
func (s *stream) setParams(p StreamParams) {
	if p.Remote.IsValid() && !p.Remote.Addr().IsUnspecified() {
		r := netip.AddrPortFrom(p.Remote.Addr().Unmap(), p.Remote.Port())
		s.remote.Store(&r)
	}
	s.active.Store(p.Active)
	var clocks clockTable
	for pt, c := range p.Codecs {
		if pt < 128 {
			clocks[pt] = uint32(c.Clock)
		}
	}
	s.clocks.Store(&clocks)
}

// Update applies a re-negotiation (re-INVITE or UPDATE, RFC 3261 section
// 14): streams keep their ports and spool logs; new streams get new ones;
// a stream no longer offered stops receiving but keeps what it recorded.
func (c *Call) Update(params []StreamParams) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended {
		return fmt.Errorf("recorder: call %s has ended", c.state.RecordingID)
	}
	held := c.heldLocked()
	for i, p := range params {
		if i < len(c.streams) {
			c.updateStreamLocked(i, p)
			continue
		}
		c.state.Streams = append(c.state.Streams, newStreamState(i, p))
		if p.Channel < 0 {
			c.streams = append(c.streams, nil) // refused: no port
			continue
		}
		s, err := c.openStream(i, p)
		if err != nil {
			return err
		}
		c.streams = append(c.streams, s)
	}
	c.noteHoldsLocked(held)
	return c.state.save(c.dir)
}

func (c *Call) updateStreamLocked(i int, p StreamParams) {
	st := &c.state.Streams[i]
	st.Label = p.Label
	if p.Channel >= 0 {
		st.Channel = p.Channel
	}
	for pt, codec := range p.Codecs {
		st.Codecs[pt] = codec
	}
	if p.EventPT >= 0 {
		st.EventPT = p.EventPT
	}
	if s := c.streams[i]; s != nil {
		merged := maps.Clone(st.Codecs)
		p.Codecs = merged
		s.setParams(p)
	}
}

func newStreamState(i int, p StreamParams) streamState {
	return streamState{Index: i, Label: p.Label, Channel: p.Channel, Codecs: maps.Clone(p.Codecs), EventPT: p.EventPT}
}

// SetMetadata records what the signalling says about the call's parties.
// Participants and extra replace what was known; warnings add to it.
func (c *Call) SetMetadata(participants []storage.Participant, extra map[string]string,
	rawXML string, warnings []string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.state.Participants = slices.Clone(participants)
	c.state.Extra = extra
	if rawXML != "" {
		c.state.MetadataXML = rawXML
	}
	c.state.Warnings = append(c.state.Warnings, warnings...)
	return c.state.save(c.dir)
}

// Pause stops recording audio on both channels until Resume, for privacy
// (a card number read out, say); the interval is written in the sidecar.
// Pausing a paused call does nothing.
func (c *Call) Pause(reason string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.paused.Swap(true) {
		return nil
	}
	at := c.m.now().Sub(c.t0).Milliseconds()
	c.state.Pauses = append(c.state.Pauses, storage.Interval{StartMS: at, EndMS: -1, Reason: reason})
	return c.state.save(c.dir)
}

// Resume ends a pause. Resuming a call that is not paused does nothing.
func (c *Call) Resume() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.paused.Swap(false) {
		return nil
	}
	last := &c.state.Pauses[len(c.state.Pauses)-1]
	last.EndMS = c.m.now().Sub(c.t0).Milliseconds()
	return c.state.save(c.dir)
}

// Paused reports whether the call is paused.
func (c *Call) Paused() bool { return c.paused.Load() }

// silentFor returns how long every active stream has been silent, and
// false when no stream is active (held: silence is expected).
func (c *Call) silentFor(now time.Time) (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended || c.paused.Load() {
		return 0, false
	}
	latest, any := int64(0), false
	for _, s := range c.streams {
		if s == nil || !s.active.Load() {
			continue
		}
		any = true
		latest = max(latest, s.lastUS.Load())
	}
	if !any {
		return 0, false
	}
	return now.Sub(c.t0) - time.Duration(latest)*time.Microsecond, true
}

// stopLocked closes the sockets, waits for the receivers to flush, and
// writes the end into the state: end, the moment the call was asked to
// end (the BYE), not when the spool has been synced, which a busy disk
// can delay.
func (c *Call) stopLocked(reason string, end time.Time) error {
	for _, s := range c.streams {
		if s != nil {
			s.beginStop()
		}
	}
	for _, s := range c.streams {
		if s == nil {
			continue
		}
		s.finishStop()
		s.file.Close()
		c.m.ports.release(s.port)
		if n := s.spoolErrs.Load(); n > 0 {
			c.state.Warnings = append(c.state.Warnings, fmt.Sprintf("stream %d: %d writes to the spool "+
				"failed (disk full?); the audio of those moments is missing", s.index, n))
		}
	}
	c.ended = true
	if c.paused.Load() {
		c.state.Pauses[len(c.state.Pauses)-1].EndMS = end.Sub(c.t0).Milliseconds()
	}
	c.endHoldsLocked(end.Sub(c.t0).Milliseconds())
	c.state.EndedAt = end
	c.state.EndReason = reason
	return c.state.save(c.dir)
}
