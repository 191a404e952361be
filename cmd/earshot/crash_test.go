package main

import (
	"fmt"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"earshot/internal/rtpgen"
	"earshot/internal/siptest"
)

// TestKillDashNineKeepsCallsInProgress kills earshot with SIGKILL while
// five calls are being recorded, starts it again on the same data folder,
// and checks that every call is stored, flagged interrupted, with the audio
// received before the crash (the spool is flushed every 250 ms).
func TestKillDashNineKeepsCallsInProgress(t *testing.T) {
	const calls, talk = 5, 2 * time.Second
	cc := placeCrashCalls(t, calls, "42000-42999", "crash")
	first, env, dataDir := cc.first, cc.env, cc.dataDir
	callIDs, senders, dst := cc.callIDs, cc.senders, cc.dst
	sendCrashTones(t, senders, dst, talk)
	if n := activeCalls(t, first.base); n != calls {
		t.Fatalf("/readyz says %d calls in progress before the kill, want %d", n, calls)
	}
	killNow(t, first)

	second := startEarshot(t, env...)
	for _, id := range callIDs {
		checkRecovered(t, second, dataDir, id, talk)
	}
	stopEarshot(t, second)
}

// crashCalls are calls in progress on an earshot that a test will kill.
type crashCalls struct {
	first   *earshotProcess
	env     []string // to start earshot again on the same folder and port
	dataDir string
	callIDs []string
	senders [][]*net.UDPConn // per call, the two RTP senders
	dst     [][]int          // per call, the two answered RTP ports
}

// placeCrashCalls starts earshot with its own data folder, SIP port and
// RTP ports, and places n SIPREC calls on it without sending RTP yet.
func placeCrashCalls(t *testing.T, n int, rtpPorts, prefix string) crashCalls {
	t.Helper()
	raw := storedInvite(t)
	cc := crashCalls{dataDir: t.TempDir()}
	sipAddr := fmt.Sprintf("127.0.0.1:%d", freeSIPPort(t))
	// startEarshot appends these after its own settings, and exec keeps the
	// last of a repeated variable: both runs share the data folder and port.
	cc.env = []string{"EARSHOT_DATA_DIR=" + cc.dataDir, "EARSHOT_SIP_LISTEN=" + sipAddr,
		"EARSHOT_RTP_PORTS=" + rtpPorts, "EARSHOT_RTP_BIND=127.0.0.1", "EARSHOT_RTP_TIMEOUT=60s"}
	cc.first = startEarshot(t, cc.env...)
	cc.callIDs = make([]string, n)
	cc.senders, cc.dst = make([][]*net.UDPConn, n), make([][]int, n)
	for i := range n {
		var ports []int
		cc.senders[i], ports = rtpSenders(t, 2)
		cc.callIDs[i] = fmt.Sprintf("%s-%d-%d@test", prefix, i, time.Now().UnixNano())
		cc.dst[i] = placeCall(t, sipAddr, raw, cc.callIDs[i], ports)
	}
	return cc
}

// activeCalls returns how many calls earshot says it is recording.
func activeCalls(t *testing.T, base string) int {
	t.Helper()
	_, body := get(t, base+"/readyz", nil)
	var ready struct {
		Detail struct {
			ActiveCalls int `json:"active_calls"`
		} `json:"detail"`
	}
	decodeJSON(t, "GET /readyz", body, &ready)
	return ready.Detail.ActiveCalls
}

// killNow kills earshot with SIGKILL, by its pid, and waits for it to go.
func killNow(t *testing.T, p *earshotProcess) {
	t.Helper()
	if err := syscall.Kill(p.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.exited:
		p.exited <- err // for the cleanup
	case <-time.After(10 * time.Second):
		t.Fatal("earshot still running 10s after SIGKILL")
	}
}

// checkRecovered checks that a call cut off by the crash is listed,
// flagged interrupted in the catalog and the sidecar, and holds at least
// all but 0.5 s of what was sent: 440 Hz on the left, 1000 Hz on the right.
func checkRecovered(t *testing.T, p *earshotProcess, dataDir, sipCallID string, talk time.Duration) {
	t.Helper()
	call := waitForCall(t, p, sipCallID, 30*time.Second)
	if !call.Interrupted {
		t.Errorf("call %s: catalog says interrupted=false, want true", sipCallID)
	}
	if sc := readSidecar(t, dataDir, call.ID); !sc.Interrupted {
		t.Errorf("call %s: sidecar says interrupted=false, want true", sipCallID)
	}
	ch, _ := fetchAudio(t, p, call.ID)
	least := talk.Seconds() - 0.5
	for i, tone := range []float64{440, 1000} {
		got := toneSeconds(ch[i], tone, 1440-tone)
		t.Logf("call %s channel %d: %.2fs of %v Hz", sipCallID, i, got, tone)
		if got < least {
			t.Errorf("call %s channel %d holds %.2fs of %v Hz, want at least %.1fs of the %s sent",
				sipCallID, i, got, tone, least, talk)
		}
		if bleed := toneSeconds(ch[i], 1440-tone, tone); bleed > 0 {
			t.Errorf("call %s channel %d holds %.2fs of the other stream's tone",
				sipCallID, i, bleed)
		}
	}
}

// placeCall opens a SIPREC session from the stored INVITE under callID,
// with the streams coming from ports; it returns the RTP ports the
// recorder answered. The session is left open: no BYE.
func placeCall(t *testing.T, sipAddr string, raw []byte, callID string, ports []int) []int {
	t.Helper()
	uac, err := siptest.Dial(sipAddr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { uac.Close() })
	invite := siptest.PrepareInvite(raw, siptest.Rewrite{
		Server: sipAddr, UAC: uac.Addr(), CallID: callID, MediaIP: "127.0.0.1", MediaPorts: ports,
	})
	if err := uac.Send(invite); err != nil {
		t.Fatal(err)
	}
	ok, err := uac.Final(10 * time.Second)
	if err != nil || ok.Code != 200 {
		t.Fatalf("INVITE %s: got %+v (%v), want 200", callID, ok, err)
	}
	answered := siptest.AnswerPorts(ok.Body)
	if len(answered) != 2 || answered[0] == 0 || answered[1] == 0 {
		t.Fatalf("INVITE %s: answered ports %v, want both streams taken", callID, answered)
	}
	if err := uac.Send(siptest.InDialog("ACK", invite, ok, 0, "", nil)); err != nil {
		t.Fatal(err)
	}
	return answered
}

// sendCrashTones sends d of 440 Hz on every call's first stream and
// 1000 Hz on its second, all calls at once.
func sendCrashTones(t *testing.T, senders [][]*net.UDPConn, dst [][]int, d time.Duration) {
	t.Helper()
	start := time.Now().Add(50 * time.Millisecond)
	var wg sync.WaitGroup
	for i := range senders {
		pkts := make([][]rtpgen.Packet, 2)
		for j, tone := range []float64{440, 1000} {
			leg := rtpgen.Leg{ToneHz: tone, SSRC: uint32(1000*i + j), Seed: uint64(10*i + j)}
			pkts[j] = leg.Packets(d)
		}
		wg.Go(func() { sendStreams(t, senders[i], dst[i], start, pkts) })
	}
	wg.Wait()
}
