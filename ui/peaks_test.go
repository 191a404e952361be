package ui

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
)

// TestCallPeaks: the player's peaks cover the call at 25 a second per
// channel, follow the audio (the fixture's speech-like bursts are not
// flat), and are shown only to those who may play the call.
func TestCallPeaks(t *testing.T) {
	f := newWebFixture(t)
	resp, body := f.signIn(t, "rita").get(t, "/api/v1/calls/"+f.callID+"/peaks")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var p callPeaksOut
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	if p.DurationS != 8 || len(p.Channels) != 2 {
		t.Fatalf("duration %v s, %d channels; want 8 s, 2", p.DurationS, len(p.Channels))
	}
	for ch, peaks := range p.Channels {
		if len(peaks) != 200 {
			t.Errorf("channel %d: %d peaks, want 200", ch, len(peaks))
		}
		lo, hi := slices.Min(peaks), slices.Max(peaks)
		if lo < 0 || hi > 1 || hi-lo < 0.1 {
			t.Errorf("channel %d: peaks from %.3f to %.3f, want speech and pauses within 0..1", ch, lo, hi)
		}
	}
	// Anna may see her own call's peaks; an agent of no call may not.
	if resp, _ := f.signIn(t, "anna").get(t, "/api/v1/calls/"+f.callID+"/peaks"); resp.StatusCode != http.StatusOK {
		t.Errorf("the call's agent: %d, want 200", resp.StatusCode)
	}
	f.webUser(t, "otto", "Otto Other", nil, "agent")
	if resp, _ := f.signIn(t, "otto").get(t, "/api/v1/calls/"+f.callID+"/peaks"); resp.StatusCode == http.StatusOK {
		t.Error("an agent unlinked to the call got its peaks")
	}
}
