package main

import (
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"earshot/internal/rtpgen"
	"earshot/storage"
	"earshot/storage/catalog"
)

// The parties of testdata/sipp/siprec.xml, as its metadata names them:
// Alice is flagged as the calling party and sends the stream labelled 1.
var sippParties = []storage.Participant{
	{Channel: 0, Name: "Alice Caller", SIPAddress: "sip:alice.caller@atlanta.example.com",
		Role: "caller"},
	{Channel: 1, Name: "Bob Agent", SIPAddress: "sip:bob.agent@biloxi.example.com",
		Role: "callee"},
}

// What the test sends on the streams labelled 1 and 2: a tone each, and
// clicks at the same instants on both, before the hold.
var (
	sippTones  = [2]float64{440, 1000}
	sippClicks = []time.Duration{
		500 * time.Millisecond, 1500 * time.Millisecond, 2500 * time.Millisecond,
	}
	sippBeforeHold  = 3 * time.Second
	sippAfterResume = time.Second
)

// TestSIPpSIPRECCall records a SIPREC session signalled by SIPp as an SBC
// would: an OPTIONS ping, an INVITE with two streams and metadata, a hold
// (both streams inactive), a resume and a BYE. The test sends the two
// streams itself, since SIPp sends media only to the first m-line of an
// answer. It then checks what a reviewer gets from the API and what the
// store keeps.
func TestSIPpSIPRECCall(t *testing.T) {
	sipp := lookSIPp(t)
	sipPort := freeSIPPort(t)
	p := startEarshot(t, fmt.Sprintf("EARSHOT_SIP_LISTEN=127.0.0.1:%d", sipPort),
		"EARSHOT_RTP_PORTS=41000-41999", "EARSHOT_RTP_BIND=127.0.0.1", "EARSHOT_RTP_TIMEOUT=10s")
	senders, ports := rtpSenders(t, 2)
	run := startSIPp(t, sipp, sipPort, ports)

	clicks, sent := sendSIPpCallAudio(t, run, senders)
	run.wait(t, 30*time.Second)
	wire := readSIPpWire(t, filepath.Join(run.dir, "messages.log"))

	listed := waitForCall(t, p, run.callID, 30*time.Second)
	resp, body := p.apiGet(t, "/api/v1/calls/"+listed.ID, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET call %s = %d: %s", listed.ID, resp.StatusCode, body)
	}
	var call catalog.Call
	decodeJSON(t, "GET call", body, &call)
	checkSIPpCall(t, &call, sent)
	checkDuration(t, &call, wire)

	ch, wav := fetchAudio(t, p, call.ID)
	checkSIPpChannels(t, ch)
	checkClicksAligned(t, ch, clicks)
	sc := readSidecar(t, filepath.Join(p.cmd.Dir, "earshot-data"), call.ID)
	if diff := cmp.Diff(sippParties, sc.Participants); diff != "" {
		t.Errorf("sidecar participants (-want +got):\n%s", diff)
	}
	checkHoldPaused(t, sc, wire, ch)
	checkRangeRequest(t, p, call.ID, wav)
	stopEarshot(t, p)
}

// sendSIPpCallAudio sends the two streams as the scenario goes: 3 s of
// tones once the call is answered, nothing while it is held, 1 s more
// once it is resumed. Both streams keep one RTP clock that runs through
// the hold, as a sender's does. It returns the clicks' times on that clock
// and the number of packets sent per stream.
func sendSIPpCallAudio(t *testing.T, r *sippRun, senders []*net.UDPConn) ([]time.Duration, int) {
	t.Helper()
	f := r.waitLog(t, "answered", 15*time.Second) // answered PORT1 PORT2 call-id ID
	if len(f) != 5 {
		t.Fatalf("sipp logged %q, want: answered PORT1 PORT2 call-id ID", f)
	}
	r.callID = f[4]
	for _, s := range f[1:3] {
		port, _ := strconv.Atoi(s)
		r.answered = append(r.answered, port)
	}
	legs := make([]rtpgen.Leg, 2)
	for i := range legs {
		legs[i] = rtpgen.Leg{
			ToneHz: sippTones[i], Clicks: slices.Clone(sippClicks),
			SSRC: uint32(0x5150 + i), Seed: uint64(i + 1),
			HoldFrom: sippBeforeHold, HoldTo: time.Hour, // until resumed
		}
	}
	start := time.Now()
	before := [][]rtpgen.Packet{legs[0].Packets(sippBeforeHold), legs[1].Packets(sippBeforeHold)}
	sendStreams(t, senders, r.answered, start, before)

	r.waitLog(t, "resumed", 20*time.Second)
	resume := time.Since(start).Truncate(rtpgen.PacketTime) + rtpgen.PacketTime
	click := resume + 500*time.Millisecond
	after := make([][]rtpgen.Packet, 2)
	for i := range legs {
		legs[i].HoldTo = resume
		legs[i].Clicks = append(legs[i].Clicks, click)
		all := legs[i].Packets(resume + sippAfterResume)
		after[i] = slices.DeleteFunc(all, func(p rtpgen.Packet) bool { return p.At < resume })
	}
	sendStreams(t, senders, r.answered, start, after)
	return append(slices.Clone(sippClicks), click), len(before[0]) + len(after[0])
}

// checkSIPpCall checks the call as the API describes it.
func checkSIPpCall(t *testing.T, call *catalog.Call, sentPerStream int) {
	t.Helper()
	if call.Interrupted || call.Audio.Channels != 2 {
		t.Errorf("call interrupted=%v channels=%d, want a complete stereo recording",
			call.Interrupted, call.Audio.Channels)
	}
	if diff := cmp.Diff(sippParties, call.Participants); diff != "" {
		t.Errorf("API participants (-want +got):\n%s", diff)
	}
	if len(call.Streams) != 2 {
		t.Fatalf("call has %d streams, want 2: %+v", len(call.Streams), call.Streams)
	}
	for _, s := range call.Streams {
		wantCh := map[string]int{"1": 0, "2": 1}[s.Label]
		if s.Channel != wantCh || s.PacketsReceived != int64(sentPerStream) || s.PacketsLost != 0 {
			t.Errorf("stream label %s: channel %d, %d packets received, %d lost; "+
				"want channel %d, %d received, none lost", s.Label, s.Channel, s.PacketsReceived,
				s.PacketsLost, wantCh, sentPerStream)
		}
	}
}

// checkSIPpChannels checks that the caller's tone fills the left channel
// and the callee's the right, with no bleed between them.
func checkSIPpChannels(t *testing.T, ch [2][]int16) {
	t.Helper()
	sent := (sippBeforeHold + sippAfterResume).Seconds()
	for i, name := range []string{"left", "right"} {
		own, other := sippTones[i], sippTones[1-i]
		got := toneSeconds(ch[i], own, other)
		t.Logf("%s channel: %.2fs of %v Hz in %.2fs", name, got, own, float64(len(ch[i]))/8000)
		if got < sent-0.2 {
			t.Errorf("%s channel carries %.2fs of %v Hz, want about %.1fs", name, got, own, sent)
		}
		if got := toneSeconds(ch[i], other, own); got > 0 {
			t.Errorf("%s channel carries %.2fs of the other party's %v Hz, want none",
				name, got, other)
		}
	}
}

// checkClicksAligned checks that the clicks sent at the same instant on
// both streams sit at the same point of both channels, within one packet
// (20 ms), and as far apart in the file as they were sent, across the hold.
func checkClicksAligned(t *testing.T, ch [2][]int16, sent []time.Duration) {
	t.Helper()
	const tolerance = 160 // samples: 20 ms
	left, right := rtpgen.Clicks(ch[0], 8000), rtpgen.Clicks(ch[1], 8000)
	if len(left) != len(sent) || len(right) != len(sent) {
		t.Fatalf("clicks at samples %v (left) and %v (right), want %d on each",
			left, right, len(sent))
	}
	t.Logf("clicks at samples %v (left), %v (right); sent at %v", left, right, sent)
	for i := range sent {
		if d := left[i] - right[i]; d < -tolerance || d > tolerance {
			t.Errorf("click %d: left at sample %d, right at %d: %d ms apart, want within 20 ms",
				i, left[i], right[i], d/8)
		}
		want := int((sent[i] - sent[0]).Seconds() * 8000)
		if d := left[i] - left[0] - want; d < -tolerance || d > tolerance {
			t.Errorf("click %d is %d ms after the first, want %d ms",
				i, (left[i]-left[0])/8, want/8)
		}
	}
}

// checkHoldPaused checks that the hold shows in the sidecar as one pause
// as long as the hold was on the wire, and that it is silent in the file.
func checkHoldPaused(t *testing.T, sc *storage.Sidecar, w sippWire, ch [2][]int16) {
	t.Helper()
	if len(sc.Pauses) != 1 {
		t.Fatalf("sidecar pauses %+v, want one for the hold", sc.Pauses)
	}
	p := sc.Pauses[0]
	got := time.Duration(p.EndMS-p.StartMS) * time.Millisecond
	least, most := w.span(t, "3 INVITE", "4 INVITE")
	t.Logf("pause %+v lasts %s; on the wire %s to %s", p, got, least, most)
	if got < time.Second-100*time.Millisecond || got < least || got > most {
		t.Errorf("pause %+v lasts %s; the hold lasted %s to %s on the wire, at least the "+
			"scenario's 1s", p, got, least, most)
	}
	from, to := int(p.StartMS+100)*8, int(p.EndMS-100)*8
	for i, name := range []string{"left", "right"} {
		if to > len(ch[i]) || from >= to {
			t.Errorf("pause %+v is not inside the %d-sample recording", p, len(ch[i]))
			return
		}
		peak := 0
		for _, v := range ch[i][from:to] {
			peak = max(peak, int(v), -int(v))
		}
		if peak > 100 {
			t.Errorf("%s channel peaks at %d during the pause, want silence", name, peak)
		}
	}
}

// checkDuration checks that the call lasts from the INVITE to the BYE. The
// recorder stamps the end once it has closed and synced the streams' spool,
// some milliseconds after the BYE (about 10 to 45 here): allow for a busy
// disk.
func checkDuration(t *testing.T, call *catalog.Call, w sippWire) {
	t.Helper()
	least, most := w.span(t, "2 INVITE", "5 BYE")
	most += 250 * time.Millisecond
	if got := time.Duration(call.DurationMS) * time.Millisecond; got < least || got > most {
		t.Errorf("call lasts %s, want %s to %s as on the wire from INVITE to BYE", got, least, most)
	}
}

// checkRangeRequest asks for 100 bytes of the audio, as the player does
// when it seeks.
func checkRangeRequest(t *testing.T, p *earshotProcess, id string, wav []byte) {
	t.Helper()
	resp, body := p.apiGet(t, "/api/v1/calls/"+id+"/audio", http.Header{"Range": {"bytes=100-199"}})
	if resp.StatusCode != http.StatusPartialContent || len(body) != 100 {
		t.Fatalf("ranged GET = %d with %d bytes, want 206 with 100", resp.StatusCode, len(body))
	}
	if want := fmt.Sprintf("bytes 100-199/%d", len(wav)); resp.Header.Get("Content-Range") != want {
		t.Errorf("Content-Range = %q, want %q", resp.Header.Get("Content-Range"), want)
	}
	if string(body) != string(wav[100:200]) {
		t.Errorf("ranged GET returned other bytes than the whole file holds at 100-199")
	}
}
