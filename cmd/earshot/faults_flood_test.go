package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"earshot/internal/rtpgen"
	"earshot/internal/siptest"
)

// floodPackets is the size of each flood: RTP from a wrong source, and SIP
// garbage.
const floodPackets = 20000

// intruderHz is the tone the RTP flood carries: it must never be heard.
const intruderHz = 2200

// TestFloodsAreIgnoredAndCounted floods a live call's RTP ports from a
// source its SDP did not name, with packets that copy its SSRC, and floods
// the SIP port with garbage. The recording must come out as if neither had
// happened, the drops must be counted, earshot's CPU time per flood packet
// must stay within a generous bound, earshot must go quiet once the floods
// are over, and SIP must still answer afterwards.
func TestFloodsAreIgnoredAndCounted(t *testing.T) {
	const talk = 5 * time.Second
	clicks := []time.Duration{500 * time.Millisecond, 1500 * time.Millisecond,
		4500 * time.Millisecond}
	sipAddr := fmt.Sprintf("127.0.0.1:%d", freeSIPPort(t))
	p := startEarshot(t, "EARSHOT_DATA_DIR="+t.TempDir(), "EARSHOT_SIP_LISTEN="+sipAddr,
		"EARSHOT_RTP_PORTS=45400-45499", "EARSHOT_RTP_BIND=127.0.0.1")
	raw := storedInvite(t)
	// Rendered ahead: the floods must fall within the call.
	rtpFlood, sipFlood := rtpFloodPackets(), sipGarbage(raw, sipAddr)

	s := openSession(t, sipAddr, raw, fmt.Sprintf("flood-%d@test", time.Now().UnixNano()))
	start := time.Now().Add(50 * time.Millisecond)
	lc := sendLive(t, s.senders, s.answered, start, tonePackets(0, talk, clicks...))
	time.Sleep(time.Until(start.Add(600 * time.Millisecond)))
	f := runFloods(t, p, s.answered, sipAddr, rtpFlood, sipFlood)
	if ended := time.Since(start); ended > talk {
		t.Errorf("the floods ended %.2fs into a %s call, want them while it is live",
			ended.Seconds(), talk)
	}
	checkAfterFloods(t, p, sipAddr, f)

	lc.wait()
	time.Sleep(100 * time.Millisecond)
	s.hangUp(t)
	call := waitForCall(t, p, s.callID, 30*time.Second)
	for i, st := range call.Streams {
		want := lc.sent[st.Channel].Load()
		clean := st.PacketsLost == 0 && st.PacketsDup == 0 && len(st.SSRCs) == 1
		if st.PacketsReceived != want || !clean {
			t.Errorf("stream %d: %d received, %d lost, %d duplicated, SSRCs %v; want the %d sent, "+
				"none lost or duplicated, one SSRC", i, st.PacketsReceived, st.PacketsLost,
				st.PacketsDup, st.SSRCs, want)
		}
	}
	ch, _ := fetchAudio(t, p, call.ID)
	checkUnharmed(t, ch, talk, len(clicks))
	stopEarshot(t, p)
	checkLogBounded(t, p, f.sipIn)
}

// floodResult is what the floods did: how many datagrams the kernel
// dropped in front of the call's RTP ports, and how many of each flood
// reached earshot.
type floodResult struct {
	rtpKernel    int64
	rtpIn, sipIn int64
}

// runFloods floods the call's RTP ports, then the SIP port, and logs and
// bounds what each cost earshot in CPU time.
func runFloods(
	t *testing.T,
	p *earshotProcess,
	rtpPorts []int,
	sipAddr string,
	rtpFlood [2][]rtpgen.Packet,
	sipFlood [][]byte,
) floodResult {
	t.Helper()
	pid := p.cmd.Process.Pid
	sipPort := []int{int(netip.MustParseAddrPort(sipAddr).Port())}
	rtpBefore, sipBefore := udpDrops(t, rtpPorts), udpDrops(t, sipPort)
	rtpCost := floodCPU(t, pid, func() { floodRTP(t, rtpFlood, rtpPorts) })
	sipCost := floodCPU(t, pid, func() { floodSIP(t, sipFlood, sipAddr) })

	// The kernel drops what does not fit in a socket's receive buffer: the
	// flood's datagrams and the call's alike.
	var f floodResult
	f.rtpKernel = udpDrops(t, rtpPorts) - rtpBefore
	f.rtpIn = floodPackets - f.rtpKernel
	f.sipIn = floodPackets - (udpDrops(t, sipPort) - sipBefore)
	// Generous bounds. A bare receive loop costs about 0.1 CPU-s per 10,000
	// packets on these machines, and earshot's drop path measured well below
	// that. The SIP flood's cost is mostly the parser's, 0.15 measured, which
	// the race detector multiplies: 2 (200 us a datagram) catches garbage
	// that costs far more than a parse. A busy loop would add only about 1
	// at this pace (one core for the flood's 2 s), too little to tell from
	// the race detector's slowdown: checkQuietAfterFloods catches it.
	if per := logFloodCPU(t, "RTP", rtpCost, f.rtpIn); per > 2 {
		t.Errorf("RTP flood cost earshot %.2f CPU-s per 10,000 packets received, want under 2", per)
	}
	if per := logFloodCPU(t, "SIP", sipCost, f.sipIn); per > 2 {
		t.Errorf("SIP flood cost earshot %.2f CPU-s per 10,000 datagrams received, want under 2",
			per)
	}
	return f
}

// quietWindow is how long earshot's CPU time is read once the floods are
// over; quietMax is the share of one core it may use meanwhile, with the
// one call live (about 0.01 measured, without the race detector).
//
// quietSettle comes first: what the kernel still queued when the senders
// stopped (up to 16 MiB on the SIP socket) is parsed after the flood, and
// more slowly under the race detector. A busy loop takes a whole core
// however long it is watched, so a window of a few seconds at half a core
// still catches one.
const (
	quietSettle = 2 * time.Second
	quietWindow = 2 * time.Second
	quietMax    = 0.5
)

// checkQuietAfterFloods requires earshot to be close to idle once the
// floods are over: a busy loop the garbage left behind (a read loop that
// spins on an error, a parse that never ends) takes a whole core.
func checkQuietAfterFloods(t *testing.T, p *earshotProcess) {
	t.Helper()
	pid := p.cmd.Process.Pid
	time.Sleep(quietSettle)
	before := cpuSeconds(t, pid)
	time.Sleep(quietWindow)
	used := cpuSeconds(t, pid) - before
	t.Logf("after the floods, earshot used %.2f CPU-s in %s", used, quietWindow)
	if used > quietMax*quietWindow.Seconds() {
		t.Errorf("earshot used %.2f CPU-s in the %s after the floods, want under %.2f: "+
			"something still runs", used, quietWindow, quietMax*quietWindow.Seconds())
	}
}

// checkAfterFloods requires earshot to go quiet, SIP to answer, no call
// opened by the garbage, and both floods counted.
func checkAfterFloods(t *testing.T, p *earshotProcess, sipAddr string, f floodResult) {
	t.Helper()
	checkQuietAfterFloods(t, p)
	if code, err := sipOptionsRetried(t, sipAddr); code != 200 {
		t.Errorf("OPTIONS after the SIP flood: %d (%v), want 200", code, err)
	}
	if n := activeCalls(t, p.base); n != 1 {
		t.Errorf("/readyz says %d calls in progress after the floods, want the one live call", n)
	}
	if got := metricValue(t, p, `earshot_calls_total{outcome="started"}`); got != 1 {
		t.Errorf(`earshot_calls_total{outcome="started"} = %v, want 1: the SIP flood opened calls`,
			got)
	}
	wrong := metricValue(t, p, `earshot_rtp_dropped_total{reason="wrong_source"}`)
	t.Logf(`earshot_rtp_dropped_total{reason="wrong_source"} = %v of %d sent; the kernel `+
		`dropped %d datagrams on the call's ports, before earshot could read them`,
		wrong, floodPackets, f.rtpKernel)
	// Earshot must count every flood datagram it read; those the kernel
	// dropped on a full receive buffer never reached it. At least half
	// must reach it, or the test floods the kernel and not earshot.
	if f.rtpIn < floodPackets/2 {
		t.Errorf("only %d of the %d flood datagrams reached earshot's sockets", f.rtpIn,
			floodPackets)
	}
	if wrong < float64(f.rtpIn-100) {
		t.Errorf(`earshot_rtp_dropped_total{reason="wrong_source"} = %v, want at least %d: `+
			`the %d that reached its sockets, less 100`, wrong, f.rtpIn-100, f.rtpIn)
	}
	checkSIPGarbageCounted(t, p, f.sipIn)
}

// checkSIPGarbageCounted requires earshot_sip_malformed_total, the SIP
// messages dropped because they could not be parsed, to count the garbage
// datagrams that reached the SIP socket, less 100: a few cut INVITEs may
// parse.
func checkSIPGarbageCounted(t *testing.T, p *earshotProcess, garbageIn int64) {
	t.Helper()
	got := metricValue(t, p, "earshot_sip_malformed_total")
	t.Logf("earshot_sip_malformed_total = %v of the %d garbage datagrams that reached earshot",
		got, garbageIn)
	if got < float64(garbageIn)-100 {
		t.Errorf("earshot_sip_malformed_total = %v, want at least %d: the %d garbage datagrams "+
			"that reached the SIP socket, less 100", got, garbageIn-100, garbageIn)
	}
}

// logFloodCPU logs what a flood cost earshot, per 10,000 datagrams sent and
// per 10,000 that reached its socket (the kernel drops the rest when the
// socket's receive buffer is full); it returns the latter.
func logFloodCPU(t *testing.T, name string, c floodCost, in int64) float64 {
	t.Helper()
	per := func(cpu float64, n int64) float64 { return cpu / float64(max(n, 1)) * 1e4 }
	t.Logf("%s flood: %d datagrams sent in %.3fs, %d reached earshot; it used %.3f CPU-s "+
		"(%.4f by schedstat): %.3f per 10,000 sent, %.3f per 10,000 received (%.4f by schedstat)",
		name, floodPackets, c.took.Seconds(), in, c.cpu, c.precise, per(c.cpu, floodPackets),
		per(c.cpu, in), per(c.precise, in))
	return per(c.cpu, in)
}

// rtpFloodPackets renders the RTP flood ahead of the test: half copies the
// first stream's SSRC and half the second's, carrying the intruder tone.
func rtpFloodPackets() [2][]rtpgen.Packet {
	var out [2][]rtpgen.Packet
	for j := range out {
		leg := rtpgen.Leg{ToneHz: intruderHz, SSRC: uint32(0x7000 + j), Seed: uint64(77 + j)}
		out[j] = leg.Packets(floodPackets / 2 * rtpgen.PacketTime)
	}
	return out
}

// floodRTP sends the flood from a socket of its own, alternating between
// the call's two ports, as fast as the loop goes.
func floodRTP(t *testing.T, pkts [2][]rtpgen.Packet, ports []int) {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	dst := [2]netip.AddrPort{}
	for j := range dst {
		dst[j] = netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(ports[j]))
	}
	for i := range pkts[0] {
		for j := range dst {
			if _, err := conn.WriteToUDPAddrPort(pkts[j][i].Data, dst[j]); err != nil {
				t.Fatalf("rtp flood: %v", err)
			}
		}
	}
}

// sipGarbage renders the SIP flood: random bytes of random lengths, and
// INVITEs cut short at random places, each under a Call-ID of its own.
func sipGarbage(raw []byte, sipAddr string) [][]byte {
	rng := rand.New(rand.NewPCG(7, 11))
	const marker = "garbage-XXXXXXXX@flood"
	invite := siptest.PrepareInvite(raw, siptest.Rewrite{Server: sipAddr, UAC: "127.0.0.1:9",
		CallID: marker, MediaIP: "127.0.0.1", MediaPorts: []int{9, 9}})
	out := make([][]byte, floodPackets)
	for i := range out {
		if i%2 == 0 {
			b := make([]byte, 1+rng.IntN(1400))
			for k := range b {
				b[k] = byte(rng.UintN(256))
			}
			out[i] = b
			continue
		}
		inv := bytes.ReplaceAll(invite, []byte(marker), fmt.Appendf(nil, "garbage-%08d@flood", i))
		out[i] = inv[:1+rng.IntN(len(inv)-1)]
	}
	return out
}

// sipFloodRate is the SIP flood's pace, in datagrams per second. Sent as
// fast as a loop goes, most of the garbage is dropped by the kernel in
// front of the SIP socket (about 1,300 of 20,000 reached it when measured),
// and the parser sees little of it.
const sipFloodRate = 10000

// floodSIP sends the garbage from one socket at sipFloodRate, in bursts
// of 20.
func floodSIP(t *testing.T, garbage [][]byte, sipAddr string) {
	t.Helper()
	conn, err := net.Dial("udp4", sipAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	began := time.Now()
	for i, b := range garbage {
		if i%20 == 0 {
			time.Sleep(time.Until(began.Add(time.Duration(i) * time.Second / sipFloodRate)))
		}
		// The answers to the cut INVITEs come back to this socket, and
		// ICMP errors may too: a write error is not the flood's end.
		_, _ = conn.Write(b)
	}
}

// floodCost is what a flood cost earshot, from its start until 300 ms
// after it (time to read the backlog it left).
type floodCost struct {
	took    time.Duration // to send the flood
	cpu     float64       // CPU-s from /proc/PID/stat, in 10 ms ticks
	precise float64       // CPU-s from the threads' schedstat
}

// floodCPU runs flood and measures what it cost earshot.
func floodCPU(t *testing.T, pid int, flood func()) floodCost {
	t.Helper()
	before, beforeNS := cpuSeconds(t, pid), cpuNanos(t, pid)
	began := time.Now()
	flood()
	took := time.Since(began)
	time.Sleep(300 * time.Millisecond)
	return floodCost{took: took, cpu: cpuSeconds(t, pid) - before,
		precise: float64(cpuNanos(t, pid)-beforeNS) / 1e9}
}

// sipOptionsRetried sends OPTIONS up to five times, a second apart, as an
// SBC's keepalive would retransmit over UDP.
func sipOptionsRetried(t *testing.T, sipAddr string) (int, error) {
	t.Helper()
	var code int
	var err error
	for try := 1; try <= 5; try++ {
		if code, err = sipOptions(t, sipAddr, time.Second); err == nil {
			if try > 1 {
				t.Logf("OPTIONS answered at try %d", try)
			}
			return code, nil
		}
	}
	return code, err
}

// checkUnharmed checks the flooded call's audio: each channel its own tone
// and nothing of the other's or the intruder's, and every click in both
// channels at the same place.
func checkUnharmed(t *testing.T, ch [2][]int16, talk time.Duration, clicks int) {
	t.Helper()
	for i, tone := range faultTones {
		if got := toneSeconds(ch[i], tone, 1440-tone); got < talk.Seconds()-0.2 {
			t.Errorf("channel %d holds %.2fs of %v Hz, want about %s", i, got, tone, talk)
		}
		if got := toneSeconds(ch[i], 1440-tone, tone); got > 0 {
			t.Errorf("channel %d holds %.2fs of the other party's %v Hz", i, got, 1440-tone)
		}
		if got := toneSeconds(ch[i], intruderHz, tone); got > 0 {
			t.Errorf("channel %d holds %.2fs of the flood's %v Hz", i, got, float64(intruderHz))
		}
	}
	left, right := rtpgen.Clicks(ch[0], 8000), rtpgen.Clicks(ch[1], 8000)
	if len(left) != clicks || len(right) != clicks {
		t.Fatalf("clicks at samples %v (left) and %v (right), want %d in each", left, right, clicks)
	}
	for i := range left {
		if d := left[i] - right[i]; d < -160 || d > 160 {
			t.Errorf("click %d: left at %.1f ms, right at %.1f ms, want within 20 ms",
				i, float64(left[i])/8, float64(right[i])/8)
		}
	}
}

// checkLogBounded requires the floods to leave the log readable: garbage is
// not logged a line per datagram. Call it once earshot has exited.
func checkLogBounded(t *testing.T, p *earshotProcess, garbageIn int64) {
	t.Helper()
	lines := bytes.Split(p.stderr.Bytes(), []byte("\n"))
	var parse [][]byte
	for _, l := range lines {
		if bytes.Contains(l, []byte("parse")) {
			parse = append(parse, l)
		}
	}
	t.Logf("earshot logged %d lines (%d bytes), %d of them about parsing, for %d garbage "+
		"datagrams received", len(lines), p.stderr.Len(), len(parse), garbageIn)
	if len(parse) > 100 {
		t.Errorf("earshot logged %d lines about parsing for %d garbage datagrams received, "+
			"want a bounded (rate-limited) record; the first reads: %.240q",
			len(parse), garbageIn, parse[0])
	}
}

// udpDrops sums the kernel's drop counters of the loopback UDP sockets on
// ports, from /proc/net/udp: datagrams that never reached earshot because
// its receive buffer was full.
func udpDrops(t *testing.T, ports []int) int64 {
	t.Helper()
	data, err := os.ReadFile("/proc/net/udp")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, port := range ports {
		want[fmt.Sprintf("0100007F:%04X", port)] = true
	}
	var sum int64
	for _, line := range strings.Split(string(data), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) < 13 || !want[f[1]] {
			continue
		}
		n, err := strconv.ParseInt(f[len(f)-1], 10, 64)
		if err != nil {
			t.Fatalf("/proc/net/udp: %q", line)
		}
		sum += n
	}
	return sum
}
