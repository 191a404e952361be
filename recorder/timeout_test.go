package recorder_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"earshot/internal/rtpgen"
	"earshot/recorder"
)

// TestSilentCallEndsAfterRTPTimeout: a call whose streams stop without a
// BYE is ended and stored once the timeout passes.
func TestSilentCallEndsAfterRTPTimeout(t *testing.T) {
	sink := newMemSink()
	m, err := recorder.NewManager(recorder.Config{
		SpoolDir: t.TempDir(), BindIP: netip.MustParseAddr("127.0.0.1"),
		PortLow: 33400, PortHigh: 33499, MinFreeBytes: 1, RTPTimeout: 2 * time.Second,
	}, sink, testLog())
	if err != nil {
		t.Fatal(err)
	}
	// Not t.Context(): it is canceled before cleanups run, and Close must
	// wait for the finalizations writing into the spool folder.
	t.Cleanup(func() { m.Close(context.Background()) })
	conn := udpSender(t)
	call, err := m.StartCall(recorder.CallParams{SIPCallID: "timeout", Streams: []recorder.StreamParams{{
		Channel: 0, Codecs: pcmu, EventPT: 101, Remote: conn.LocalAddr().(*net.UDPAddr).AddrPort(), Active: true,
	}}})
	if err != nil {
		t.Fatal(err)
	}
	leg := rtpgen.Leg{ToneHz: 440, SSRC: 7}
	dst := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(call.Ports()[0]))
	if err := rtpgen.Send(t.Context(), conn, dst, time.Now(), leg.Packets(time.Second)); err != nil {
		t.Fatal(err)
	}
	_, sc := sink.wait(t, call.ID())
	if sc.DurationMS < 900 || sc.DurationMS > 5000 {
		t.Errorf("recording lasts %d ms; want the second of audio plus at most the timeout", sc.DurationMS)
	}
}

// TestPacketsFromElsewhereAreDroppedAndCounted: a flood from a source the
// SDP did not announce leaves the recording as sent, and is counted.
func TestPacketsFromElsewhereAreDroppedAndCounted(t *testing.T) {
	sink := newMemSink()
	reg := prometheus.NewRegistry()
	m, err := recorder.NewManager(recorder.Config{
		SpoolDir: t.TempDir(), BindIP: netip.MustParseAddr("127.0.0.1"),
		PortLow: 33500, PortHigh: 33599, MinFreeBytes: 1, Registerer: reg,
	}, sink, testLog())
	if err != nil {
		t.Fatal(err)
	}
	// Not t.Context(): it is canceled before cleanups run, and Close must
	// wait for the finalizations writing into the spool folder.
	t.Cleanup(func() { m.Close(context.Background()) })
	good, bad := udpSender(t), udpSender(t)
	call, err := m.StartCall(recorder.CallParams{SIPCallID: "intruder", Streams: []recorder.StreamParams{{
		Channel: 0, Codecs: pcmu, EventPT: 101, Remote: good.LocalAddr().(*net.UDPAddr).AddrPort(), Active: true,
	}}})
	if err != nil {
		t.Fatal(err)
	}
	dst := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(call.Ports()[0]))
	start := time.Now()
	real, noise := rtpgen.Leg{ToneHz: 440, SSRC: 1}, rtpgen.Leg{ToneHz: 1000, SSRC: 1}
	done := make(chan error, 1)
	go func() { done <- rtpgen.Send(t.Context(), bad, dst, start, noise.Packets(time.Second)) }()
	if err := rtpgen.Send(t.Context(), good, dst, start, real.Packets(time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	call.End("bye")
	wav, sc := sink.wait(t, call.ID())
	ch := decodeWAV(t, wav)
	if own, other := goertzel(ch[0], 440), goertzel(ch[0], 1000); own < 1000*other {
		t.Errorf("the intruder's tone is in the recording (%.3g vs %.3g)", other, own)
	}
	if got := sc.Streams[0].PacketsReceived; got != 50 {
		t.Errorf("stream received %d packets, want the 50 sent from the announced address", got)
	}
	dropped := droppedWrongSource(t, reg)
	if dropped != 50 {
		t.Errorf("wrong-source drops counted %v, want 50", dropped)
	}
}

// droppedWrongSource reads the wrong-source drop counter from reg.
func droppedWrongSource(t *testing.T, reg *prometheus.Registry) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "earshot_rtp_dropped_total" {
			continue
		}
		for _, metric := range mf.GetMetric() {
			for _, l := range metric.GetLabel() {
				if l.GetName() == "reason" && l.GetValue() == "wrong_source" {
					return metric.GetCounter().GetValue()
				}
			}
		}
	}
	t.Fatal("no wrong_source drop counter registered")
	return 0
}

func udpSender(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestCallLimitHoldsForCallsOfferedTogether: calls offered at the same
// moment cannot all slip under the limit.
func TestCallLimitHoldsForCallsOfferedTogether(t *testing.T) {
	m, err := recorder.NewManager(recorder.Config{
		SpoolDir: t.TempDir(), BindIP: netip.MustParseAddr("127.0.0.1"),
		PortLow: 33700, PortHigh: 33799, MinFreeBytes: 1, MaxCalls: 1,
	}, newMemSink(), testLog())
	if err != nil {
		t.Fatal(err)
	}
	// Not t.Context(): it is canceled before cleanups run, and Close must
	// wait for the finalizations writing into the spool folder.
	t.Cleanup(func() { m.Close(context.Background()) })
	results := make(chan error, 8)
	for range 8 {
		go func() {
			_, err := m.StartCall(recorder.CallParams{
				Streams: []recorder.StreamParams{{Channel: 0, Codecs: pcmu, EventPT: 101}}})
			results <- err
		}()
	}
	started := 0
	for range 8 {
		if err := <-results; err == nil {
			started++
		} else if !errors.Is(err, recorder.ErrTooManyCalls) {
			t.Errorf("refusal %v, want ErrTooManyCalls", err)
		}
	}
	if started != 1 || m.ActiveCalls() != 1 {
		t.Errorf("%d calls started (%d active) under a limit of 1", started, m.ActiveCalls())
	}
}
