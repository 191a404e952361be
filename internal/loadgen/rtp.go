package loadgen

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/ipv4"
)

const (
	// slot is the pacing step: a sender wakes once a slot and sends what
	// is due. A stream is visited in one slot of every packet time.
	slot  = time.Millisecond
	slots = int(packetTime / slot)
	// maxBatch is how many datagrams one sendmmsg takes at most.
	maxBatch = 256
	// rtpHeaderLen is the fixed RTP header (RFC 3550 section 5.1).
	rtpHeaderLen = 12
)

// rtpStream is one direction of a call as its sender sends it. The
// sender owns next, sent and unsent until done is closed.
type rtpStream struct {
	dst   *net.UDPAddr
	start time.Time // when packet 0 is due
	total int       // packets to send
	audio *legAudio
	from  int // the packet of audio that packet 0 plays
	pt    uint8
	seq   uint16
	ts    uint32
	ssrc  uint32

	next         int
	sent, unsent int64
	done         chan struct{}
	stop         atomic.Bool // set by the call to end the stream early
}

// errNoProgress is a batch write that wrote nothing and said nothing.
var errNoProgress = errors.New("loadgen: sendmmsg wrote no datagram")

// due is when packet k is to be sent.
func (s *rtpStream) due(k int) time.Time { return s.start.Add(time.Duration(k) * packetTime) }

// sender sends the streams of many calls from one socket, in one
// goroutine: every slot it writes the packets due with one sendmmsg.
type sender struct {
	conn *net.UDPConn
	pc   *ipv4.PacketConn
	port int
	loss float64
	rng  *rand.Rand

	// mu guards incoming, the streams added since the last slot.
	mu       sync.Mutex
	incoming []*rtpStream
	wake     chan struct{}

	// Owned by run.
	wheel    [slots][]*rtpStream
	streams  int
	msgs     []ipv4.Message
	owners   []*rtpStream // the stream of each queued message
	queued   int          // messages queued in msgs
	finished []*rtpStream

	sentTotal, unsentTotal *atomic.Int64
	errs                   atomic.Int64
	firstErr               atomic.Pointer[string]
}

func newSender(
	ip netip.Addr,
	loss float64,
	seed uint64,
	sent, unsent *atomic.Int64,
) (*sender, error) {
	conn, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, 0)))
	if err != nil {
		return nil, fmt.Errorf("open rtp socket: %w", err)
	}
	_ = conn.SetWriteBuffer(4 << 20)
	s := &sender{
		conn: conn, pc: ipv4.NewPacketConn(conn), port: conn.LocalAddr().(*net.UDPAddr).Port,
		loss: loss, rng: rand.New(rand.NewPCG(seed, seed^0x5eed)),
		wake: make(chan struct{}, 1), sentTotal: sent, unsentTotal: unsent,
		msgs: make([]ipv4.Message, maxBatch), owners: make([]*rtpStream, maxBatch),
	}
	for i := range s.msgs {
		s.msgs[i].Buffers = [][]byte{make([]byte, 0, 1500)}
	}
	return s, nil
}

// add hands a stream to the sender; its first packet goes out in the
// first slot at or after its start.
func (s *sender) add(st *rtpStream) {
	s.mu.Lock()
	s.incoming = append(s.incoming, st)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// run sends until ctx ends, then closes the socket. Streams still held
// are closed done, their remaining packets neither sent nor counted.
func (s *sender) run(ctx context.Context) {
	defer s.conn.Close()
	epoch := time.Now()
	last := int64(-1) // the last slot visited, in slots since epoch
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		s.admit(epoch)
		if s.streams == 0 {
			select {
			case <-ctx.Done():
				return
			case <-s.wake:
				continue
			}
		}
		now := time.Now()
		tick := int64(now.Sub(epoch) / slot)
		// Visiting a slot sends everything due, so one round of the wheel
		// catches up however late the wakeup.
		for t := max(last+1, tick-int64(slots)+1); t <= tick; t++ {
			s.visit(int(t%int64(slots)), now)
		}
		s.flush()
		last = tick
		// Sleep to the next slot that holds a stream: a light load does
		// not wake the sender every slot.
		timer.Reset(time.Until(epoch.Add(time.Duration(tick+s.nextBusy(tick)) * slot)))
		select {
		case <-ctx.Done():
			s.drop()
			return
		case <-s.wake:
			timer.Stop()
		case <-timer.C:
		}
	}
}

// nextBusy is how many slots after tick the next one holding a stream
// comes, from 1 to slots.
func (s *sender) nextBusy(tick int64) int64 {
	for d := int64(1); d < int64(slots); d++ {
		if len(s.wheel[(tick+d)%int64(slots)]) > 0 {
			return d
		}
	}
	return int64(slots)
}

// admit moves the streams added since the last slot onto the wheel, in
// the slot where their packets fall due.
func (s *sender) admit(epoch time.Time) {
	s.mu.Lock()
	in := s.incoming
	s.incoming = nil
	s.mu.Unlock()
	for _, st := range in {
		at := max(st.start.Sub(epoch), 0)
		k := int(((at + slot - 1) / slot) % time.Duration(slots))
		s.wheel[k] = append(s.wheel[k], st)
		s.streams++
	}
}

// visit queues the due packets of the streams of one slot, and takes
// finished and stopped streams off the wheel.
func (s *sender) visit(k int, now time.Time) {
	list := s.wheel[k]
	for i := 0; i < len(list); {
		st := list[i]
		for !st.stop.Load() && st.next < st.total && !st.due(st.next).After(now) {
			s.queue(st)
		}
		if st.next < st.total && !st.stop.Load() {
			i++
			continue
		}
		s.finished = append(s.finished, st)
		list[i] = list[len(list)-1]
		list[len(list)-1] = nil
		list = list[:len(list)-1]
		s.streams--
	}
	s.wheel[k] = list
}

// queue adds the stream's next packet to the batch, or counts it unsent
// when the deliberate loss takes it. Either way the sequence number and
// timestamp move on, as they do when a network drops a packet.
func (s *sender) queue(st *rtpStream) {
	k := st.next
	st.next++
	seq, ts := st.seq+uint16(k), st.ts+uint32(k*samplesPerPacket)
	if s.loss > 0 && s.rng.Float64() < s.loss {
		st.unsent++
		s.unsentTotal.Add(1)
		return
	}
	if s.queued == maxBatch {
		s.flush()
	}
	n := s.queued
	s.queued++
	b := s.msgs[n].Buffers[0][:rtpHeaderLen]
	b[0] = 0x80 // version 2, no padding, extension or CSRC
	b[1] = st.pt
	if k == 0 {
		b[1] |= 0x80 // marker: the start of a talkspurt (RFC 3551 section 4.1)
	}
	binary.BigEndian.PutUint16(b[2:], seq)
	binary.BigEndian.PutUint32(b[4:], ts)
	binary.BigEndian.PutUint32(b[8:], st.ssrc)
	s.msgs[n].Buffers[0] = append(b, st.audio.payload(st.from+k)...)
	s.msgs[n].Addr = st.dst
	s.owners[n] = st
}

// flush sends the batch. A datagram the kernel refuses is counted unsent
// and skipped; the rest still go. Then the streams that finished are told.
func (s *sender) flush() {
	n := s.queued
	for off := 0; off < n; {
		k, err := s.pc.WriteBatch(s.msgs[off:n], 0)
		if k <= 0 && err == nil {
			err = errNoProgress
		}
		k = max(k, 0)
		for _, st := range s.owners[off : off+k] {
			st.sent++
		}
		s.sentTotal.Add(int64(k))
		off += k
		if err != nil && off < n {
			s.owners[off].unsent++
			s.unsentTotal.Add(1)
			s.noteErr(err)
			off++
		}
	}
	clear(s.owners[:n])
	s.queued = 0
	for _, st := range s.finished {
		close(st.done)
	}
	clear(s.finished)
	s.finished = s.finished[:0]
}

func (s *sender) noteErr(err error) {
	if s.errs.Add(1) == 1 {
		msg := err.Error()
		s.firstErr.Store(&msg)
	}
}

// drop ends every stream still held when the run stops.
func (s *sender) drop() {
	s.admit(time.Now())
	s.flush()
	for k := range s.wheel {
		for _, st := range s.wheel[k] {
			close(st.done)
		}
		s.wheel[k] = nil
	}
	s.streams = 0
}
