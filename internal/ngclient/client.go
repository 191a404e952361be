// Package ngclient speaks rtpengine's ng control protocol: commands and
// replies are bencoded dictionaries, each datagram prefixed by a cookie
// and a space, over UDP. The benchmarks use it to set up and tear down
// calls on an rtpengine they run beside earshot.
package ngclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Error is a reply whose result is "error": rtpengine refused the
// command, for the reason it gives.
type Error struct {
	Command string
	Reason  string
}

// Error returns the command and rtpengine's reason.
func (e *Error) Error() string { return "ngclient: " + e.Command + ": " + e.Reason }

// ErrClosed is returned by commands on a closed Client.
var ErrClosed = errors.New("ngclient: client closed")

// maxReply is the largest reply read; rtpengine's replies carry an SDP
// body and stay far below it.
const maxReply = 65535

// Client sends ng commands to one rtpengine and matches the replies to
// them by cookie. It is safe for concurrent use.
type Client struct {
	conn   *net.UDPConn
	prefix string
	retry  time.Duration
	seq    atomic.Uint64

	// mu guards waiting and closed.
	mu      sync.Mutex
	waiting map[string]chan []byte
	closed  bool

	readerDone chan struct{}
}

// Config is how a Client talks to rtpengine.
type Config struct {
	// Addr is rtpengine's ng address (its --listen-ng), host:port.
	Addr string
	// Retry is how long a command waits for its reply before it is sent
	// again, doubling each time up to 2 s (default 200 ms). rtpengine
	// answers a repeated cookie from its cache, so a command sent again
	// is not carried out twice.
	Retry time.Duration
}

// New opens a UDP socket to cfg.Addr. It sends nothing: use Ping to
// check that rtpengine answers.
func New(cfg Config) (*Client, error) {
	raddr, err := net.ResolveUDPAddr("udp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("ngclient: resolve %s: %w", cfg.Addr, err)
	}
	conn, err := net.DialUDP("udp", nil, raddr)
	if err != nil {
		return nil, fmt.Errorf("ngclient: dial %s: %w", cfg.Addr, err)
	}
	c := &Client{
		conn:       conn,
		prefix:     strconv.FormatUint(rand.Uint64(), 36) + "_",
		retry:      cfg.Retry,
		waiting:    map[string]chan []byte{},
		readerDone: make(chan struct{}),
	}
	if c.retry <= 0 {
		c.retry = 200 * time.Millisecond
	}
	go c.read()
	return c, nil
}

// Close closes the socket and waits for the reader; commands in
// progress return ErrClosed. It is safe to call more than once.
func (c *Client) Close() error {
	c.mu.Lock()
	already := c.closed
	c.closed = true
	c.mu.Unlock()
	if already {
		<-c.readerDone
		return nil
	}
	err := c.conn.Close()
	<-c.readerDone
	return err
}

// read hands each reply to the command waiting for its cookie. A reply
// nobody waits for (an answer to a resent command) is dropped.
func (c *Client) read() {
	defer close(c.readerDone)
	buf := make([]byte, maxReply)
	for {
		n, err := c.conn.Read(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// An ICMP error (rtpengine not yet listening) surfaces as a
			// read error on a connected socket: keep reading, the
			// command's retry sends again.
			continue
		}
		cookie, body, ok := bytes.Cut(buf[:n], []byte(" "))
		if !ok {
			continue
		}
		c.mu.Lock()
		ch := c.waiting[string(cookie)]
		delete(c.waiting, string(cookie))
		c.mu.Unlock()
		if ch != nil {
			ch <- bytes.Clone(body)
		}
	}
}

// Do sends command with args (which it does not change) and returns the
// reply. A reply whose result is "error" is returned as *Error. It sends
// the command again until a reply comes or ctx ends.
func (c *Client) Do(ctx context.Context, command string, args Dict) (Dict, error) {
	msg := make(Dict, len(args)+1)
	for k, v := range args {
		msg[k] = v
	}
	msg["command"] = command
	body, err := Encode(msg)
	if err != nil {
		return nil, err
	}
	cookie := c.prefix + strconv.FormatUint(c.seq.Add(1), 10)
	ch := make(chan []byte, 1)
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, ErrClosed
	}
	c.waiting[cookie] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.waiting, cookie)
		c.mu.Unlock()
	}()

	reply, err := c.exchange(ctx, append([]byte(cookie+" "), body...), ch)
	if errors.Is(err, ErrClosed) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("ngclient: %s: %w", command, err)
	}
	return parseReply(command, reply)
}

// exchange sends dgram, again after each retry interval, until ch
// delivers the reply.
func (c *Client) exchange(ctx context.Context, dgram []byte, ch chan []byte) ([]byte, error) {
	wait := c.retry
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case reply := <-ch:
			return reply, nil
		case <-c.readerDone:
			return nil, ErrClosed
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-timer.C:
			if _, err := c.conn.Write(dgram); err != nil && errors.Is(err, net.ErrClosed) {
				return nil, ErrClosed
			}
			timer.Reset(wait)
			wait = min(2*wait, 2*time.Second)
		}
	}
}

// parseReply decodes a reply and turns an error result into *Error.
func parseReply(command string, body []byte) (Dict, error) {
	v, err := Decode(body)
	if err != nil {
		return nil, fmt.Errorf("ngclient: %s reply: %w", command, err)
	}
	d, ok := v.(Dict)
	if !ok {
		return nil, fmt.Errorf("ngclient: %s reply is a %T, not a dictionary", command, v)
	}
	switch result, _ := d["result"].(string); result {
	case "ok", "pong":
		return d, nil
	case "error":
		reason, _ := d["error-reason"].(string)
		return nil, &Error{Command: command, Reason: reason}
	default:
		return nil, fmt.Errorf("ngclient: %s reply has result %q", command, result)
	}
}
