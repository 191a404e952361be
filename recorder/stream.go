package recorder

import (
	"bufio"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
)

// flushInterval bounds what a crash of earshot can lose: the spool is
// handed to the kernel at least this often. Each flush is a write system
// call per stream; at 2,000 streams and 250 ms they were 17% of the
// recorder's CPU under load, so it is half a second, well within the
// second of audio a kill -9 may cost (TestKillDashNineWithTwentyCalls).
// The recording is made durable on disk when it is committed, not here.
const flushInterval = 500 * time.Millisecond

// stream receives one RTP stream on its own socket and appends every
// accepted packet to its spool log.
type stream struct {
	index int
	conn  *net.UDPConn
	port  int
	file  *os.File
	w     *bufio.Writer
	t0    time.Time
	now   func() time.Time
	call  *Call
	log   *slog.Logger

	// remote is the address the SDP announced; packets from elsewhere are
	// dropped unless latch is set and nothing has been accepted yet.
	remote atomic.Pointer[netip.AddrPort]
	latch  bool
	// latched is set once a source was taken by latching; only run uses it.
	latched bool
	active  atomic.Bool // false while the stream is held or inactive
	// lastUS is the arrival of the latest accepted packet, in
	// microseconds since t0; -1 before the first.
	lastUS atomic.Int64

	seg segmenter
	rec []byte // scratch for one encoded record
	// clocks holds each payload type's clock rate, the one thing the
	// packet path needs of the codecs; a re-offer replaces it while the
	// stream runs. An array, not the codec map: a map lookup per packet
	// was 5% of the receive path's CPU at 100,000 packets a second.
	clocks atomic.Pointer[clockTable]

	stopping atomic.Bool
	wg       sync.WaitGroup

	// buffered counts the bytes handed to w, flushed those known to be in
	// the file; only run touches them. spoolErrs counts failed writes.
	buffered, flushed int64
	spoolErrs         atomic.Int64
}

// beginStop asks run to read what is queued for a short grace and end.
func (s *stream) beginStop() {
	s.stopping.Store(true)
	_ = s.conn.SetReadDeadline(time.Now().Add(drainGrace))
}

// finishStop waits for run to end and closes the socket.
func (s *stream) finishStop() {
	s.wg.Wait()
	s.conn.Close()
}

// drainGrace is how long a stopping stream keeps reading: packets the
// kernel already holds when the call ends, or that were in flight with
// the BYE, are recorded, not discarded. Streams drain in parallel.
const drainGrace = 100 * time.Millisecond

// run reads packets until the stream is stopped (or its socket closed),
// then flushes the spool log.
//
// One socket and one goroutine per stream: every packet is a wakeup and a
// recvfrom of its own, which at 2,000 streams is most of the recorder's
// CPU (docs/benchmarks.md, "What the profiles showed"). Reading many
// streams per wakeup would need one socket for all of them, demultiplexed
// by port, or recvmmsg across sockets; neither is done.
func (s *stream) run() {
	defer s.wg.Done()
	buf := make([]byte, 1500)
	nextFlush := s.now().Add(flushInterval)
	_ = s.conn.SetReadDeadline(nextFlush)
	for {
		n, from, err := s.conn.ReadFromUDPAddrPort(buf)
		now := s.now()
		if err == nil {
			s.handle(buf[:n], from, now)
		} else if !isTimeout(err) || s.stopping.Load() {
			break
		}
		if !now.Before(nextFlush) && !s.stopping.Load() {
			s.flush()
			nextFlush = now.Add(flushInterval)
			_ = s.conn.SetReadDeadline(nextFlush)
		}
	}
	if s.stopping.Load() {
		s.drainQueued(buf)
	}
	// No fsync: the recording is rendered from this file right away and
	// synced as a WAV; see callState.save for what survives what.
	s.flush()
}

// clockTable maps the 128 RTP payload types to their clock rates; 0 for
// a type the SDP did not offer.
type clockTable [128]uint32

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func (s *stream) flush() {
	if err := s.w.Flush(); err != nil {
		s.spoolFailed(err)
		return
	}
	s.flushed = s.buffered
}

// spoolFailed recovers from a failed write, such as a full disk: the log
// is cut back to its last whole record and the buffer emptied, so that
// recording resumes, after a gap, as soon as the disk takes writes again.
// (A bufio.Writer keeps failing once a write has failed.) What was in the
// buffer is lost; the gap shows as lost packets and a warning.
func (s *stream) spoolFailed(err error) {
	s.call.m.metrics.spoolErrors.Inc()
	s.spoolErrs.Add(1)
	if s.spoolErrs.Load() == 1 || s.spoolErrs.Load()%100 == 0 {
		s.log.Error("spool write failed; recording resumes when the disk takes writes again",
			"port", s.port, "failures", s.spoolErrs.Load(), "err", err)
	}
	if terr := s.file.Truncate(s.flushed); terr != nil {
		s.log.Error("cut spool back to its last whole record", "port", s.port, "err", terr)
	}
	s.w.Reset(s.file)
	s.buffered = s.flushed
}

// handle checks one datagram and spools it. Nothing here logs per packet:
// problems are counted.
func (s *stream) handle(b []byte, from netip.AddrPort, now time.Time) {
	m := s.call.m.metrics
	if !s.acceptSource(from) {
		m.dropped.WithLabelValues("wrong_source").Inc()
		return
	}
	// RTCP multiplexed on the RTP port (RFC 5761 section 4): payload
	// types 64-95 with the marker bit are RTCP packet types 192-223.
	if len(b) > 1 && b[1] >= 192 && b[1] <= 223 {
		m.dropped.WithLabelValues("rtcp").Inc()
		return
	}
	var h rtp.Header
	hlen, err := h.Unmarshal(b)
	if err != nil || h.Version != 2 {
		m.dropped.WithLabelValues("malformed").Inc()
		return
	}
	payload := b[hlen:]
	if h.Padding && len(payload) > 0 {
		pad := int(payload[len(payload)-1])
		if pad > len(payload) {
			m.dropped.WithLabelValues("malformed").Inc()
			return
		}
		payload = payload[:len(payload)-pad]
	}
	if s.call.paused.Load() {
		m.dropped.WithLabelValues("paused").Inc()
		return
	}
	s.spool(&h, payload, now.Sub(s.t0).Microseconds())
	m.packets.Inc()
}

// acceptSource reports whether a packet from this address belongs to the
// stream: the address the SDP announced, or, when latching is on or the SDP
// announced none, the first source seen (an SBC behind NAT sends from an
// address it cannot know).
func (s *stream) acceptSource(from netip.AddrPort) bool {
	from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
	want := s.remote.Load()
	if want != nil && *want == from {
		return true
	}
	if (s.latch || want == nil) && !s.latched {
		s.latched = true
		s.remote.Store(&from)
		return true
	}
	return false
}

func (s *stream) spool(h *rtp.Header, payload []byte, arrivalUS int64) {
	clock := s.clocks.Load()[h.PayloadType&0x7f]
	if clock == 0 {
		clock = 8000 // unknown formats are kept; their timing is a guess
	}
	seg, changed := s.seg.place(h.SSRC, h.Timestamp, clock, arrivalUS)
	rec := s.rec[:0]
	if changed {
		rec = appendSegment(rec, &seg)
	}
	if len(payload) > maxRecordBody-packetFixedLen {
		payload = payload[:maxRecordBody-packetFixedLen]
	}
	rec = appendPacket(rec, &packetRecord{
		Seq: h.SequenceNumber, TS: h.Timestamp, SSRC: h.SSRC,
		ArrivalUS: arrivalUS, Seg: seg.Seg, PT: h.PayloadType, Payload: payload,
	})
	s.rec = rec
	if s.w.Available() < len(rec) {
		s.flush() // whole records only, so a failure cuts at a record boundary
	}
	if _, err := s.w.Write(rec); err != nil {
		s.spoolFailed(err)
	} else {
		s.buffered += int64(len(rec))
	}
	s.lastUS.Store(arrivalUS)
}
