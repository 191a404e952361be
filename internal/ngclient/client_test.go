package ngclient

import (
	"bytes"
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeNG is a stand-in for rtpengine's ng port: it answers each command
// with reply(command dictionary), ignoring the first drop datagrams.
type fakeNG struct {
	conn  *net.UDPConn
	reply func(Dict) Dict
	drop  int

	mu       sync.Mutex
	received []Dict
	cookies  []string
	wg       sync.WaitGroup
}

func startFakeNG(t *testing.T, drop int, reply func(Dict) Dict) *fakeNG {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeNG{conn: conn, reply: reply, drop: drop}
	f.wg.Go(f.serve)
	t.Cleanup(func() {
		conn.Close()
		f.wg.Wait()
	})
	return f
}

func (f *fakeNG) serve() {
	buf := make([]byte, maxReply)
	for {
		n, from, err := f.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		cookie, body, _ := bytes.Cut(buf[:n], []byte(" "))
		v, err := Decode(body)
		if err != nil {
			continue
		}
		f.mu.Lock()
		f.received = append(f.received, v.(Dict))
		f.cookies = append(f.cookies, string(cookie))
		skip := len(f.received) <= f.drop
		f.mu.Unlock()
		if skip {
			continue
		}
		out, _ := Encode(f.reply(v.(Dict)))
		_, _ = f.conn.WriteToUDP(append(append(cookie, ' '), out...), from)
	}
}

func (f *fakeNG) addr() string { return f.conn.LocalAddr().String() }

func newClient(t *testing.T, addr string) *Client {
	t.Helper()
	c, err := New(Config{Addr: addr, Retry: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestOfferSendsSessionAndReturnsSDP(t *testing.T) {
	ng := startFakeNG(t, 0, func(cmd Dict) Dict {
		return Dict{"result": "ok", "sdp": "rewritten " + cmd["sdp"].(string)}
	})
	c := newClient(t, ng.addr())
	s := Session{CallID: "c1", FromTag: "f1"}
	sdp, err := c.Offer(t.Context(), s, "v=0", Dict{"record call": "yes"})
	if err != nil {
		t.Fatal(err)
	}
	if sdp != "rewritten v=0" {
		t.Errorf("sdp = %q", sdp)
	}
	want := Dict{"command": "offer", "call-id": "c1", "from-tag": "f1", "sdp": "v=0",
		"record call": "yes"}
	ng.mu.Lock()
	defer ng.mu.Unlock()
	if diff := cmp.Diff([]Dict{want}, ng.received); diff != "" {
		t.Errorf("command sent (-want +got):\n%s", diff)
	}
}

func TestLostCommandIsSentAgainWithItsCookie(t *testing.T) {
	ng := startFakeNG(t, 2, func(Dict) Dict { return Dict{"result": "pong"} })
	c := newClient(t, ng.addr())
	if err := c.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := c.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	ng.mu.Lock()
	defer ng.mu.Unlock()
	if len(ng.cookies) != 4 {
		t.Fatalf("received %d datagrams, want 3 of the first ping and 1 of the second",
			len(ng.cookies))
	}
	if ng.cookies[0] != ng.cookies[2] || ng.cookies[1] != ng.cookies[0] {
		t.Errorf("resent ping changed its cookie: %q", ng.cookies[:3])
	}
	if ng.cookies[3] == ng.cookies[0] {
		t.Errorf("second ping reused the cookie %q", ng.cookies[3])
	}
}

func TestErrorResult(t *testing.T) {
	ng := startFakeNG(t, 0, func(Dict) Dict {
		return Dict{"result": "error", "error-reason": "Unknown call-id"}
	})
	c := newClient(t, ng.addr())
	err := c.Delete(t.Context(), Session{CallID: "gone", FromTag: "f"})
	var ngErr *Error
	if !errors.As(err, &ngErr) || ngErr.Reason != "Unknown call-id" || ngErr.Command != "delete" {
		t.Fatalf("Delete = %v, want *Error with the reason", err)
	}
}

func TestMalformedReply(t *testing.T) {
	ng := startFakeNG(t, 0, func(Dict) Dict { return Dict{"result": "maybe"} })
	c := newClient(t, ng.addr())
	if err := c.Ping(t.Context()); err == nil {
		t.Fatal("Ping accepted a reply with an unknown result")
	}
}

func TestContextEndsWait(t *testing.T) {
	ng := startFakeNG(t, 1000, func(Dict) Dict { return Dict{"result": "pong"} })
	c := newClient(t, ng.addr())
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if err := c.Ping(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Ping = %v, want the deadline", err)
	}
}

func TestCloseEndsCommandsAndIsIdempotent(t *testing.T) {
	ng := startFakeNG(t, 1000, func(Dict) Dict { return Dict{"result": "pong"} })
	c := newClient(t, ng.addr())
	errc := make(chan error, 1)
	go func() { errc <- c.Ping(context.Background()) }()
	time.Sleep(50 * time.Millisecond)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; !errors.Is(err, ErrClosed) {
		t.Errorf("Ping during Close = %v, want ErrClosed", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if err := c.Ping(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Ping after Close = %v, want ErrClosed", err)
	}
}
