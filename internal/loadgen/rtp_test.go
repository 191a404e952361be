package loadgen

import (
	"bytes"
	"context"
	"encoding/binary"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// startSender runs a sender on loopback for the test.
func startSender(t *testing.T, loss float64) (*sender, *atomic.Int64, *atomic.Int64) {
	t.Helper()
	var sent, unsent atomic.Int64
	s, err := newSender(netip.MustParseAddr("127.0.0.1"), loss, 7, &sent, &unsent)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { s.run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	return s, &sent, &unsent
}

// receiver is a loopback socket that collects what a stream sends.
func receiver(t *testing.T) (*net.UDPConn, *net.UDPAddr) {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, c.LocalAddr().(*net.UDPAddr)
}

type got struct {
	at  time.Time
	pkt []byte
}

// readAll reads until the socket has been quiet for 200 ms.
func readAll(c *net.UDPConn) []got {
	var out []got
	buf := make([]byte, 1500)
	for {
		_ = c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		n, err := c.Read(buf)
		if err != nil {
			return out
		}
		out = append(out, got{time.Now(), bytes.Clone(buf[:n])})
	}
}

// TestSenderPacesAndNumbers sends three streams that start at different
// times, one with its sequence number and timestamp about to wrap, and
// checks every packet's header, payload and that none left early.
func TestSenderPacesAndNumbers(t *testing.T) {
	s, sent, _ := startSender(t, 0)
	a := newLegAudio(LegTones[0], 0)
	start := time.Now()
	var streams []*rtpStream
	var conns []*net.UDPConn
	for i, offset := range []time.Duration{0, 7 * time.Millisecond, 13 * time.Millisecond} {
		c, dst := receiver(t)
		st := &rtpStream{dst: dst, start: start.Add(offset), total: 30, audio: a, pt: 0,
			seq: 65530, ts: 0xffffff00, ssrc: uint32(100 + i), done: make(chan struct{})}
		streams, conns = append(streams, st), append(conns, c)
		s.add(st)
	}
	for i, st := range streams {
		pkts := readAll(conns[i])
		<-st.done
		if len(pkts) != 30 || st.sent != 30 || st.unsent != 0 {
			t.Fatalf("stream %d: %d received, %d sent, %d unsent; want 30, 30, 0",
				i, len(pkts), st.sent, st.unsent)
		}
		for k, p := range pkts {
			checkPacket(t, st, k, p)
		}
	}
	if sent.Load() != 90 {
		t.Errorf("sender counted %d sent, want 90", sent.Load())
	}
}

func checkPacket(t *testing.T, st *rtpStream, k int, p got) {
	t.Helper()
	b := p.pkt
	wantPT := st.pt
	if k == 0 {
		wantPT |= 0x80
	}
	seq := binary.BigEndian.Uint16(b[2:])
	ts, ssrc := binary.BigEndian.Uint32(b[4:]), binary.BigEndian.Uint32(b[8:])
	switch {
	case b[0] != 0x80 || b[1] != wantPT:
		t.Errorf("ssrc %d packet %d: first bytes %#x %#x, want 0x80 %#x", st.ssrc, k, b[0], b[1], wantPT)
	case seq != uint16(65530+k) || ts != uint32(0xffffff00+160*k) || ssrc != st.ssrc:
		t.Errorf("ssrc %d packet %d: seq %d ts %d ssrc %d", st.ssrc, k, seq, ts, ssrc)
	case !bytes.Equal(b[rtpHeaderLen:], st.audio.payload(st.from+k)):
		t.Errorf("ssrc %d packet %d: wrong payload", st.ssrc, k)
	case p.at.Before(st.due(k)):
		t.Errorf("ssrc %d packet %d arrived %s before it was due", st.ssrc, k, st.due(k).Sub(p.at))
	}
}

// TestSenderLoss leaves packets out on purpose and checks that the gaps
// are where the counts say, with the sequence moving on past them.
func TestSenderLoss(t *testing.T) {
	s, sent, unsent := startSender(t, 0.3)
	c, dst := receiver(t)
	st := &rtpStream{dst: dst, start: time.Now(), total: 100, audio: newLegAudio(1000, 8), pt: 8,
		ssrc: 1, done: make(chan struct{})}
	s.add(st)
	pkts := readAll(c)
	<-st.done
	if st.unsent == 0 || st.sent+st.unsent != 100 || int64(len(pkts)) != st.sent {
		t.Fatalf("%d received, %d sent, %d unsent; want some unsent and the rest received",
			len(pkts), st.sent, st.unsent)
	}
	if sent.Load() != st.sent || unsent.Load() != st.unsent {
		t.Errorf("sender totals %d and %d, stream's %d and %d",
			sent.Load(), unsent.Load(), st.sent, st.unsent)
	}
	last := binary.BigEndian.Uint16(pkts[len(pkts)-1].pkt[2:])
	first := binary.BigEndian.Uint16(pkts[0].pkt[2:])
	if gaps := int64(last-first) + 1 - int64(len(pkts)); gaps > st.unsent {
		t.Errorf("sequence has %d gaps, more than the %d left unsent", gaps, st.unsent)
	}
}

// TestSenderStopsStream ends a long stream early, as a call cut short does.
func TestSenderStopsStream(t *testing.T) {
	s, _, _ := startSender(t, 0)
	_, dst := receiver(t)
	st := &rtpStream{dst: dst, start: time.Now(), total: 3000, audio: newLegAudio(440, 0),
		done: make(chan struct{})}
	s.add(st)
	time.Sleep(50 * time.Millisecond)
	st.stop.Store(true)
	select {
	case <-st.done:
	case <-time.After(2 * time.Second):
		t.Fatal("a stopped stream was not let go within 2s")
	}
	if st.sent == 0 || st.sent >= 3000 {
		t.Errorf("stopped stream sent %d packets", st.sent)
	}
}
