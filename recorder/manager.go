package recorder

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"earshot/storage"
)

// ErrTooManyCalls is returned when the recorder already records MaxCalls.
var ErrTooManyCalls = errors.New("recorder: call limit reached")

// ErrShuttingDown is returned for calls offered while the recorder drains.
var ErrShuttingDown = errors.New("recorder: shutting down")

// ErrSpoolFull is returned when the spool disk has too little space for a
// new call: refusing it lets the SBC send it to another recorder.
var ErrSpoolFull = errors.New("recorder: spool disk full")

// Sink takes finished recordings. Enqueue moves the WAV at wavPath away (it
// must be on the same file system as the spool) and keeps it until stored.
type Sink interface {
	Enqueue(wavPath string, s *storage.Sidecar) error
}

// Config configures a Manager.
type Config struct {
	// SpoolDir holds the calls being recorded; required.
	SpoolDir string
	// BindIP is the address RTP sockets bind to; the zero value binds all
	// IPv4 addresses.
	BindIP netip.Addr
	// PortLow and PortHigh bound the RTP ports; required.
	PortLow, PortHigh int
	// MaxCalls caps concurrent calls; zero means no cap.
	MaxCalls int
	// RTPTimeout ends a call whose active streams have all been silent
	// this long; zero means 60s.
	RTPTimeout time.Duration
	// LatchSource accepts a stream's packets from the first source seen
	// rather than only from the address in the SDP (SBCs behind NAT).
	LatchSource bool
	// MinFreeBytes is the free spool space below which new calls are
	// refused; zero means 256 MiB.
	MinFreeBytes uint64
	// Recorder names this node in sidecars; empty means the host name.
	Recorder string
	// Registerer receives the recorder's metrics; nil registers none.
	Registerer prometheus.Registerer
}

// Manager records calls: it owns the RTP ports, the spool and the calls in
// progress, and finalizes ended calls into the Sink.
type Manager struct {
	cfg     Config
	sink    Sink
	log     *slog.Logger
	now     func() time.Time
	ports   *portPool
	metrics metrics

	mu         sync.Mutex // guards calls, closed, finalizing and starting
	calls      map[string]*Call
	closed     bool
	finalizing int // finalizations running
	starting   int // calls admitted, not yet added

	// finalizers bounds the finalizations running at once: rendering a
	// recording is CPU and disk work that, when hundreds of calls end
	// together, would otherwise crowd out the goroutines receiving the
	// packets of the calls still running.
	finalizers chan struct{}

	stop      chan struct{}
	stopOnce  sync.Once
	onTimeout atomic.Pointer[func(*Call)]
	loops     sync.WaitGroup
}

// NewManager prepares the spool and the port range. Call Recover before
// taking calls, to finalize what a previous run left in the spool.
func NewManager(cfg Config, sink Sink, log *slog.Logger) (*Manager, error) {
	if cfg.SpoolDir == "" {
		return nil, errors.New("recorder: no spool folder configured")
	}
	if !cfg.BindIP.IsValid() {
		cfg.BindIP = netip.IPv4Unspecified()
	}
	if cfg.RTPTimeout <= 0 {
		cfg.RTPTimeout = 60 * time.Second
	}
	if cfg.MinFreeBytes == 0 {
		cfg.MinFreeBytes = 256 << 20
	}
	if cfg.Recorder == "" {
		cfg.Recorder, _ = os.Hostname()
	}
	ports, err := newPortPool(cfg.BindIP, cfg.PortLow, cfg.PortHigh)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.SpoolDir, 0o750); err != nil {
		return nil, fmt.Errorf("create spool folder: %w", err)
	}
	m := &Manager{
		cfg: cfg, sink: sink, log: log, now: time.Now, ports: ports,
		calls: map[string]*Call{}, stop: make(chan struct{}),
		finalizers: make(chan struct{}, max(1, runtime.GOMAXPROCS(0))),
	}
	m.metrics = newMetrics(cfg.Registerer, func() float64 { return float64(m.ActiveCalls()) })
	m.loops.Add(1)
	go m.watchTimeouts()
	return m, nil
}

// OnTimeout sets what is called after a call was ended for RTP silence,
// so that the signalling can hang up; nil calls nothing.
func (m *Manager) OnTimeout(fn func(c *Call)) {
	if fn == nil {
		m.onTimeout.Store(nil)
		return
	}
	m.onTimeout.Store(&fn)
}

// ActiveCalls returns the number of calls being recorded.
func (m *Manager) ActiveCalls() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.calls)
}

// StartCall opens a port per stream and starts recording. A stream whose
// Channel is negative is refused (no port) and reported as port 0.
func (m *Manager) StartCall(p CallParams) (*Call, error) {
	if err := m.admit(); err != nil {
		m.metrics.calls.WithLabelValues(refusal(err)).Inc()
		return nil, err
	}
	started := false
	defer func() {
		if !started {
			m.release()
		}
	}()
	t0 := m.now()
	id := storage.NewRecordingID(t0)
	dir := filepath.Join(m.cfg.SpoolDir, id)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create call spool: %w", err)
	}
	c := &Call{m: m, dir: dir, t0: t0, state: callState{
		RecordingID: id, SIPCallID: p.SIPCallID, StartedAt: t0,
		Participants: p.Participants, Extra: p.Extra, MetadataXML: p.MetadataXML,
		Warnings: p.Warnings,
	}}
	if err := c.open(p.Streams); err != nil {
		c.abort()
		m.metrics.calls.WithLabelValues(refusal(err)).Inc()
		return nil, err
	}
	m.mu.Lock()
	m.calls[id] = c
	m.starting--
	m.mu.Unlock()
	started = true
	m.metrics.calls.WithLabelValues("started").Inc()
	m.log.Info("recording started", "recording_id", id, "sip_call_id", p.SIPCallID,
		"streams", len(p.Streams))
	return c, nil
}

func refusal(err error) string {
	switch {
	case errors.Is(err, ErrTooManyCalls):
		return "refused_limit"
	case errors.Is(err, ErrNoPorts):
		return "refused_ports"
	case errors.Is(err, ErrSpoolFull):
		return "refused_disk"
	}
	return "failed"
}

// admit checks the spool's free space and the call limit, and reserves a
// place under the limit for a call being started: the check and the
// reservation are one step, so calls offered together cannot all pass.
// A caller that admits must add the call or release the place.
func (m *Manager) admit() error {
	free, err := freeBytes(m.cfg.SpoolDir)
	if err == nil && free < m.cfg.MinFreeBytes {
		return fmt.Errorf("%w: %d MiB free, %d MiB needed", ErrSpoolFull, free>>20, m.cfg.MinFreeBytes>>20)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case m.closed:
		return ErrShuttingDown
	case m.cfg.MaxCalls > 0 && len(m.calls)+m.starting >= m.cfg.MaxCalls:
		return ErrTooManyCalls
	}
	m.starting++
	return nil
}

// release gives back a place reserved by admit for a call that did not
// start.
func (m *Manager) release() {
	m.mu.Lock()
	m.starting--
	m.mu.Unlock()
}

// open starts the streams of a new call and saves its state.
func (c *Call) open(params []StreamParams) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, p := range params {
		c.state.Streams = append(c.state.Streams, newStreamState(i, p))
		if p.Channel < 0 {
			c.streams = append(c.streams, nil)
			continue
		}
		s, err := c.openStream(i, p)
		if err != nil {
			return err
		}
		c.streams = append(c.streams, s)
	}
	return c.state.save(c.dir)
}

// abort undoes a call that failed to start: nothing was recorded.
func (c *Call) abort() {
	c.mu.Lock()
	_ = c.stopLocked("failed to start", c.m.now())
	c.mu.Unlock()
	os.RemoveAll(c.dir)
}

// Call returns the call being recorded under a recording id.
func (m *Manager) Call(id string) (*Call, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.calls[id]
	return c, ok
}

// End stops recording the call and finalizes it in the background; the
// recording is then handed to the Sink. Ending an ended call does nothing.
func (c *Call) End(reason string) { c.EndAt(reason, c.m.now()) }

// EndAt is End for a call that ended at a known moment, such as when its
// BYE arrived: the recording lasts until then, however long stopping takes.
func (c *Call) EndAt(reason string, at time.Time) {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return
	}
	err := c.stopLocked(reason, at)
	c.mu.Unlock()
	if err != nil {
		c.m.log.Error("save call end", "recording_id", c.ID(), "err", err)
	}
	m := c.m
	m.mu.Lock()
	delete(m.calls, c.ID())
	m.finalizing++
	m.mu.Unlock()
	go func() {
		m.finalizers <- struct{}{}
		m.finalizeDir(c.dir)
		<-m.finalizers
		m.mu.Lock()
		m.finalizing--
		m.mu.Unlock()
	}()
}

// watchTimeouts ends calls whose streams have gone silent.
func (m *Manager) watchTimeouts() {
	defer m.loops.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
		}
		for _, c := range m.snapshot() {
			if silent, ok := c.silentFor(m.now()); ok && silent > m.cfg.RTPTimeout {
				m.log.Info("rtp stream timed out", "recording_id", c.ID(), "silent", silent)
				c.End("rtp timeout")
				if fn := m.onTimeout.Load(); fn != nil {
					(*fn)(c)
				}
			}
		}
	}
}

func (m *Manager) snapshot() []*Call {
	m.mu.Lock()
	defer m.mu.Unlock()
	calls := make([]*Call, 0, len(m.calls))
	for _, c := range m.calls {
		calls = append(calls, c)
	}
	return calls
}

// Drain refuses new calls and waits until the calls in progress have
// ended or ctx ends; it returns how many are still in progress.
func (m *Manager) Drain(ctx context.Context) int {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		n := m.ActiveCalls()
		if n == 0 {
			return 0
		}
		select {
		case <-ctx.Done():
			return n
		case <-t.C:
		}
	}
}

// Close refuses new calls, ends the calls in progress (their recordings are
// finalized with what was received), and waits for every finalization, or
// for ctx to end. Safe to call twice.
func (m *Manager) Close(ctx context.Context) error {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	m.stopOnce.Do(func() { close(m.stop) })
	m.loops.Wait()
	for _, c := range m.snapshot() {
		c.End("recorder shutdown")
	}
	// Polled rather than waited on: a BYE may still end a call, and so
	// start a finalization, while Close waits.
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		m.mu.Lock()
		busy := m.finalizing > 0 || len(m.calls) > 0
		m.mu.Unlock()
		if !busy {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("finalize recordings: %w (the spool keeps them for the next start)", ctx.Err())
		case <-t.C:
		}
	}
}
