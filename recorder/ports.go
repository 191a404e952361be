package recorder

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"

	"earshot/internal/sockbuf"
)

// ErrNoPorts is returned when every RTP port of the range is in use.
var ErrNoPorts = errors.New("recorder: no free RTP port")

// portPool hands out even UDP ports from a range (RFC 3550 section 11: RTP
// on an even port, the odd one above it left for RTCP).
type portPool struct {
	ip netip.Addr

	mu   sync.Mutex // guards the fields below
	free []int
	used map[int]bool
}

func newPortPool(ip netip.Addr, low, high int) (*portPool, error) {
	if low < 1 || high > 65535 || high < low {
		return nil, fmt.Errorf("recorder: invalid RTP port range %d-%d", low, high)
	}
	p := &portPool{ip: ip, used: map[int]bool{}}
	if low%2 == 1 {
		low++
	}
	for port := high &^ 1; port >= low; port -= 2 {
		p.free = append(p.free, port) // popped from the end: lowest first
	}
	if len(p.free) == 0 {
		return nil, fmt.Errorf("recorder: RTP port range %d-%d holds no even port", low, high)
	}
	return p, nil
}

// listen binds a socket on the next free port. A port that some other
// program holds is skipped and put back at the front, to be tried last.
func (p *portPool) listen() (*net.UDPConn, int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for tries := len(p.free); tries > 0; tries-- {
		port := p.free[len(p.free)-1]
		p.free = p.free[:len(p.free)-1]
		conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(p.ip, uint16(port))))
		if err != nil {
			p.free = append([]int{port}, p.free...)
			continue
		}
		p.used[port] = true
		sockbuf.Grow(conn, rtpReadBuffer)
		return conn, port, nil
	}
	return nil, 0, ErrNoPorts
}

// release returns a port to the pool.
func (p *portPool) release(port int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.used[port] {
		delete(p.used, port)
		p.free = append(p.free, port)
	}
}

// inUse reports how many ports are taken.
func (p *portPool) inUse() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.used)
}

// rtpReadBuffer is the kernel receive buffer of each RTP socket. The
// default (about 200 KiB) overflows under a burst, such as a flood from a
// wrong source, and the kernel then drops the stream's own packets too;
// 2 MiB rode out a 20,000-packet burst in our fault test. It is a limit,
// not memory taken up front.
const rtpReadBuffer = 2 << 20
