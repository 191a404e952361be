package loadgen

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
)

// Bare is the baseline of the recorder benchmarks: a SIP UAS over UDP
// that answers each INVITE with one socket per audio stream and reads
// every socket in its own goroutine, parsing the RTP header and
// discarding the packet, the least any recorder does per packet. It
// records nothing, keeps no dialog state beyond the sockets, and is not
// meant to face anything but the generator.
type Bare struct {
	conn  *net.UDPConn
	ip    netip.Addr
	local string

	// mu guards calls.
	mu    sync.Mutex
	calls map[string]*bareCall

	packets atomic.Int64
	wg      sync.WaitGroup
}

type bareCall struct {
	answer  []byte // the 200, sent again for a retransmitted INVITE
	sockets []*net.UDPConn
}

// NewBare serves SIP on conn and opens media sockets on mediaIP.
func NewBare(conn *net.UDPConn, mediaIP netip.Addr) *Bare {
	return &Bare{conn: conn, ip: mediaIP, local: conn.LocalAddr().String(),
		calls: map[string]*bareCall{}}
}

// Packets is how many RTP packets the calls that ended received.
func (b *Bare) Packets() int64 { return b.packets.Load() }

// Serve answers requests until ctx ends, then closes conn and every
// call's sockets and waits for their readers.
func (b *Bare) Serve(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { b.conn.Close() })
	defer stop()
	buf := make([]byte, 65535)
	var err error
	for {
		var n int
		var from *net.UDPAddr
		n, from, err = b.conn.ReadFromUDP(buf)
		if err != nil {
			break
		}
		m, perr := parseMessage(buf[:n])
		if perr != nil || m.method == "" {
			continue
		}
		if reply := b.handle(m); reply != nil {
			_, _ = b.conn.WriteToUDP(reply, from)
		}
	}
	b.mu.Lock()
	for id, c := range b.calls {
		b.hangUp(c)
		delete(b.calls, id)
	}
	b.mu.Unlock()
	b.wg.Wait()
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// handle answers one request; nil means no answer (ACK).
func (b *Bare) handle(m *message) []byte {
	id := m.get("call-id")
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.calls[id]
	switch m.method {
	case "ACK":
		return nil
	case "INVITE":
		if c == nil {
			var err error
			if c, err = b.answer(m); err != nil {
				return response(m, 488, "Not Acceptable Here", "bare", nil, nil)
			}
			b.calls[id] = c
		}
		return c.answer
	case "BYE":
		if c == nil {
			return response(m, 481, "Call/Transaction Does Not Exist", "", nil, nil)
		}
		b.hangUp(c)
		delete(b.calls, id)
	}
	return response(m, 200, "OK", "bare", nil, nil)
}

// answer opens a socket per offered audio stream and builds the 200.
func (b *Bare) answer(m *message) (*bareCall, error) {
	pts := audioFormats(m.body)
	if len(pts) == 0 {
		return nil, errors.New("no audio offered")
	}
	c := &bareCall{}
	var sdp strings.Builder
	fmt.Fprintf(&sdp, "v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n", b.ip, b.ip)
	for _, pt := range pts {
		conn, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(b.ip, 0)))
		if err != nil {
			b.hangUp(c)
			return nil, err
		}
		c.sockets = append(c.sockets, conn)
		b.wg.Go(func() { b.read(conn) })
		fmt.Fprintf(&sdp, "m=audio %d RTP/AVP %s\r\na=recvonly\r\n",
			conn.LocalAddr().(*net.UDPAddr).Port, pt)
	}
	extra := []header{
		{"Contact", "<sip:bare@" + b.local + ">;+sip.srs"},
		{"Content-Type", "application/sdp"},
	}
	c.answer = response(m, 200, "OK", "bare", extra, []byte(sdp.String()))
	return c, nil
}

// read is the receive loop being measured: read, parse the header,
// count, discard.
func (b *Bare) read(conn *net.UDPConn) {
	defer conn.Close()
	buf := make([]byte, 1500)
	var n int64
	for {
		size, _, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			break
		}
		var h rtp.Header
		if _, err := h.Unmarshal(buf[:size]); err == nil && h.Version == 2 {
			n++
		}
	}
	b.packets.Add(n)
}

// hangUp ends a call's readers once they have read what the kernel
// already holds for them, as a recorder drains a stream it stops.
func (b *Bare) hangUp(c *bareCall) {
	for _, s := range c.sockets {
		_ = s.SetReadDeadline(time.Now().Add(drainGrace))
	}
}

// drainGrace is how long a call's sockets are read after its BYE.
const drainGrace = 20 * time.Millisecond

// audioFormats returns the first payload type of each m=audio line.
func audioFormats(sdp []byte) []string {
	var pts []string
	for _, line := range strings.Split(string(sdp), "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "m=audio ")
		if f := strings.Fields(rest); ok && len(f) >= 3 {
			pts = append(pts, f[2])
		}
	}
	return pts
}
