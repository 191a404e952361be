package main

import (
	"testing"
	"time"

	"earshot/internal/rtpgen"
)

// TestKillDashNineWithTwentyCalls kills earshot with SIGKILL while twenty
// calls are sending audio, starts it again on the same data folder, and
// requires every call in the store, flagged interrupted, with all but at
// most a second of the audio sent before the kill.
func TestKillDashNineWithTwentyCalls(t *testing.T) {
	const calls = 20
	// The streams are rendered longer than they run: the kill cuts them
	// mid-flow, at a moment unrelated to the spool's flush.
	const planned, killAfter = 10 * time.Second, 2500 * time.Millisecond
	const mostLost = time.Second

	cc := placeCrashCalls(t, calls, "45000-45199", "kill9")
	first, env, dataDir := cc.first, cc.env, cc.dataDir
	callIDs, senders, dst := cc.callIDs, cc.senders, cc.dst
	// The streams start together once every call is set up: started
	// earlier, the last calls' first packets would go out in one late
	// burst, which the recorder rightly treats as a network stall.
	live := make([]*liveCall, calls)
	start := time.Now().Add(50 * time.Millisecond)
	for i := range calls {
		live[i] = sendLive(t, senders[i], dst[i], start, tonePackets(i, planned))
	}
	time.Sleep(time.Until(start.Add(killAfter)))
	if n := activeCalls(t, first.base); n != calls {
		t.Fatalf("/readyz says %d calls in progress before the kill, want %d", n, calls)
	}

	// What went out before the kill is what the recordings must hold.
	sent := make([][2]int64, calls)
	for i, lc := range live {
		sent[i] = [2]int64{lc.sent[0].Load(), lc.sent[1].Load()}
	}
	killNow(t, first)
	for _, lc := range live {
		lc.stop()
	}

	second := startEarshot(t, env...)
	worst := 0.0
	for i, id := range callIDs {
		worst = max(worst, checkKilledCall(t, second, dataDir, id, sent[i], mostLost))
	}
	t.Logf("at most %.2fs of audio lost per channel by the kill (%d calls, %.1fs sent each)",
		worst, calls, float64(sent[0][0])*rtpgen.PacketTime.Seconds())
	stopEarshot(t, second)
}

// checkKilledCall checks one call cut off by the kill: listed once,
// interrupted in the catalog and the sidecar, each channel holding its own
// tone for all but mostLost of what was sent. It returns the seconds lost
// on its worse channel.
func checkKilledCall(
	t *testing.T,
	p *earshotProcess,
	dataDir, sipCallID string,
	sent [2]int64,
	mostLost time.Duration,
) float64 {
	t.Helper()
	call := waitForCall(t, p, sipCallID, 30*time.Second)
	if !call.Interrupted {
		t.Errorf("call %s: catalog says interrupted=false, want true", sipCallID)
	}
	if sc := readSidecar(t, dataDir, call.ID); !sc.Interrupted {
		t.Errorf("call %s: sidecar says interrupted=false, want true", sipCallID)
	}
	ch, _ := fetchAudio(t, p, call.ID)
	worst := 0.0
	for i, tone := range faultTones {
		sentS := float64(sent[i]) * rtpgen.PacketTime.Seconds()
		got := toneSeconds(ch[i], tone, 1440-tone)
		lost := sentS - got
		worst = max(worst, lost)
		if lost > mostLost.Seconds() {
			t.Errorf("call %s channel %d holds %.2fs of %v Hz of the %.2fs sent before the kill: "+
				"%.2fs lost, want at most %s", sipCallID, i, got, tone, sentS, lost, mostLost)
		}
		if bleed := toneSeconds(ch[i], 1440-tone, tone); bleed > 0 {
			t.Errorf("call %s channel %d holds %.2fs of the other stream's tone",
				sipCallID, i, bleed)
		}
	}
	return worst
}
