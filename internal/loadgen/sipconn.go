package loadgen

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// sipConn carries the signalling of every call of a run: one UDP socket
// connected to the target, or one TCP connection. It hands each message to
// the call with its Call-ID, and answers requests for no known call with
// 481 (RFC 3261 section 12.2.2).
type sipConn struct {
	transport string // "UDP" or "TCP", as in Via
	local     string // our host:port, for Via and Contact
	conn      net.Conn
	udp       bool

	wmu sync.Mutex // serializes writes on the TCP stream

	// mu guards calls.
	mu    sync.Mutex
	calls map[string]chan *message

	// refusedAt is when the target last answered with ICMP port
	// unreachable, in Unix nanoseconds; 0 if never.
	refusedAt atomic.Int64

	dead chan struct{} // closed when the read loop ends
	err  error         // why it ended; read after dead is closed
	wg   sync.WaitGroup
}

// dialSIP connects to target and starts reading.
func dialSIP(ctx context.Context, transport string, target netip.AddrPort) (*sipConn, error) {
	network := transport + "4"
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, target.String())
	if err != nil {
		return nil, fmt.Errorf("connect sip %s: %w", transport, err)
	}
	c := &sipConn{
		transport: strings.ToUpper(transport),
		local:     conn.LocalAddr().String(),
		conn:      conn,
		udp:       transport == "udp",
		calls:     map[string]chan *message{},
		dead:      make(chan struct{}),
	}
	if u, ok := conn.(*net.UDPConn); ok {
		// Many calls answered at once arrive as a burst.
		_ = u.SetReadBuffer(4 << 20)
	}
	c.wg.Go(c.readLoop)
	return c, nil
}

// Close stops the read loop and waits for it.
func (c *sipConn) Close() error {
	err := c.conn.Close()
	c.wg.Wait()
	return err
}

// send writes one message.
func (c *sipConn) send(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err := c.conn.Write(b)
	if errors.Is(err, syscall.ECONNREFUSED) {
		c.refusedAt.Store(time.Now().UnixNano())
		return errRefused
	}
	return err
}

// errRefused is the target refusing UDP: one socket carries every call,
// so whichever call reads the error, all calls waiting learn of it.
var errRefused = errors.New("connection refused: nothing listens at the target")

// refusedSince reports whether the target refused anything after t.
func (c *sipConn) refusedSince(t time.Time) bool {
	return c.refusedAt.Load() > t.UnixNano()
}

// register returns the channel that receives the messages of a call.
func (c *sipConn) register(callID string) <-chan *message {
	ch := make(chan *message, 16)
	c.mu.Lock()
	c.calls[callID] = ch
	c.mu.Unlock()
	return ch
}

func (c *sipConn) unregister(callID string) {
	c.mu.Lock()
	delete(c.calls, callID)
	c.mu.Unlock()
}

func (c *sipConn) readLoop() {
	defer close(c.dead)
	var next func() ([]byte, error)
	if c.udp {
		buf := make([]byte, 65535)
		next = func() ([]byte, error) {
			n, err := c.conn.Read(buf)
			return buf[:n], err
		}
	} else {
		r := bufio.NewReaderSize(c.conn, 64<<10)
		next = func() ([]byte, error) { return readFramed(r) }
	}
	for {
		b, err := next()
		if c.udp && errors.Is(err, syscall.ECONNREFUSED) {
			c.refusedAt.Store(time.Now().UnixNano())
			continue
		}
		if err != nil {
			c.err = err
			return
		}
		m, err := parseMessage(b)
		if err != nil {
			continue // not ours to judge; a call that needed it times out
		}
		c.deliver(m)
	}
}

// deliver hands m to its call without blocking: a call that is not
// reading has what it needs already, and UDP retransmits the rest.
func (c *sipConn) deliver(m *message) {
	c.mu.Lock()
	ch, ok := c.calls[m.get("call-id")]
	c.mu.Unlock()
	if ok {
		select {
		case ch <- m:
		default:
		}
		return
	}
	if m.method != "" && m.method != "ACK" {
		_ = c.send(response(m, 481, "Call/Transaction Does Not Exist", "", nil, nil))
	}
}

// errClosed is returned once the connection is gone.
var errClosed = errors.New("loadgen: sip connection closed")

// readFramed reads one message off a stream: headers to the empty line,
// then Content-Length bytes of body (RFC 3261 section 18.3). CRLF
// keep-alives between messages are skipped.
func readFramed(r *bufio.Reader) ([]byte, error) {
	var head strings.Builder
	length := 0
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(line) == "" {
			if head.Len() == 0 {
				continue
			}
			break
		}
		name, value, _ := strings.Cut(line, ":")
		if canonicalHeader(name) == "content-length" {
			length, err = strconv.Atoi(strings.TrimSpace(value))
			if err != nil || length < 0 || length > 1<<20 {
				return nil, errMalformed
			}
		}
		head.WriteString(strings.TrimRight(line, "\r\n") + "\r\n")
	}
	msg := make([]byte, head.Len()+2+length)
	n := copy(msg, head.String()+"\r\n")
	if _, err := io.ReadFull(r, msg[n:]); err != nil {
		return nil, err
	}
	return msg, nil
}
