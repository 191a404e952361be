package loadgen

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// startBare serves the baseline recorder on a loopback port for the test.
func startBare(t *testing.T) (*Bare, string) {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	b := NewBare(conn, netip.MustParseAddr("127.0.0.1"))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := b.Serve(ctx); err != nil {
			t.Errorf("bare: %v", err)
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait() })
	return b, conn.LocalAddr().String()
}

// TestRunAgainstBare places calls in every dialect on the baseline
// recorder and checks the report and what arrived.
func TestRunAgainstBare(t *testing.T) {
	bare, addr := startBare(t)
	var doneCalls atomic.Int64
	r, err := New(Config{
		Target: addr, Calls: 12, Concurrency: 6, Duration: 500 * time.Millisecond,
		Rate: 50, Dialect: DialectMix, OnCallDone: func(*CallResult) { doneCalls.Add(1) },
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := r.Run(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Err(); err != nil {
		t.Fatalf("%v; failures %v", err, rep.Failures())
	}
	const perCall = 2 * 25 // two streams of 500 ms in 20 ms packets
	if rep.PacketsSent != 12*perCall || rep.PacketsUnsent != 0 {
		t.Errorf("sent %d, unsent %d; want %d and 0", rep.PacketsSent, rep.PacketsUnsent, 12*perCall)
	}
	seen := map[string]bool{}
	for _, c := range rep.Calls {
		seen[c.Dialect] = true
		if c.Sent != perCall || c.Setup() <= 0 || c.ByeAnswered.Before(c.ByeSent) {
			t.Errorf("call %d: sent %d, setup %s, BYE %s to %s", c.Index, c.Sent, c.Setup(),
				c.ByeSent, c.ByeAnswered)
		}
	}
	if len(seen) != 10 {
		t.Errorf("calls went as %d dialects, want all 10 with mix", len(seen))
	}
	if got := doneCalls.Load(); got != 12 {
		t.Errorf("OnCallDone called %d times, want 12", got)
	}
	p := r.Progress()
	if p.Done != 12 || p.Active != 0 || p.Failed != 0 || p.PacketsSent != rep.PacketsSent {
		t.Errorf("progress at the end %+v", p)
	}
	waitFor(t, func() bool { return bare.Packets() == 12*perCall })
}

// TestRunCountsRefusals places calls on a port where nothing answers SIP
// but an ICMP error, and checks that they fail fast with the reason.
func TestRunCountsRefusals(t *testing.T) {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	addr := conn.LocalAddr().String()
	conn.Close()
	r, err := New(Config{Target: addr, Calls: 3, Concurrency: 3, Duration: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rep, err := r.Run(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Succeeded() != 0 || rep.Err() == nil {
		t.Fatalf("%d succeeded, err %v; want all refused", rep.Succeeded(), rep.Err())
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("refused calls took %s to fail, want well under timer B", took)
	}
	want := []Count{{"send INVITE: " + errRefused.Error(), 3}}
	if got := rep.Failures(); !slices.Equal(got, want) {
		t.Errorf("failures %v, want %v", got, want)
	}
}

// TestRunStopsWhenCancelled cancels a run of long calls and checks that it
// ends at once, with the calls cut short and the rest not placed.
func TestRunStopsWhenCancelled(t *testing.T) {
	_, addr := startBare(t)
	r, err := New(Config{Target: addr, Calls: 10, Concurrency: 2, Duration: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		waitFor(t, func() bool { return r.Progress().Active == 2 })
		cancel()
	}()
	start := time.Now()
	rep, err := r.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("cancelled run took %s to end", took)
	}
	failures := map[string]int{}
	for _, f := range rep.Failures() {
		failures[f.What] = f.N
	}
	if failures["cut short when the run stopped"] != 2 ||
		failures["not placed before the run stopped"] != 8 {
		t.Errorf("failures %v, want 2 cut short and 8 not placed", rep.Failures())
	}
	if rep.Stopped == "" {
		t.Error("report does not say the run stopped early")
	}
}

// waitFor polls cond for up to five seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Error("condition not met within 5s")
}
