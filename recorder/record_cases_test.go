package recorder_test

import (
	"testing"
	"time"

	"earshot/internal/rtpgen"
	"earshot/storage"
)

// alignTolerance is how far apart a sound made at the same instant on both
// legs may land in the recording: one packet.
const alignTolerance = 160 // samples at 8 kHz: 20 ms

const (
	leftHz  = 440
	rightHz = 1000
)

func TestRecordsAlignedStereo(t *testing.T) {
	tests := []struct {
		name        string
		d           time.Duration
		left, right rtpgen.Leg
		check       func(t *testing.T, ch [2][]int16, sc *storage.Sidecar)
	}{
		{
			name:  "clean",
			d:     3 * time.Second,
			left:  rtpgen.Leg{Clicks: secs(1, 2.5), Seed: 1},
			right: rtpgen.Leg{Clicks: secs(1, 2.5), Seed: 2},
		},
		{
			name:  "loss reordering and jitter",
			d:     6 * time.Second,
			left:  rtpgen.Leg{Clicks: secs(1.5, 3, 4.5), Loss: 0.05, Reorder: 0.05, Jitter: 40 * time.Millisecond, Seed: 11},
			right: rtpgen.Leg{Clicks: secs(1.5, 3, 4.5), Loss: 0.05, Reorder: 0.05, Jitter: 40 * time.Millisecond, Seed: 12},
			check: checkLoss,
		},
		{
			name:  "ssrc change",
			d:     4 * time.Second,
			left:  rtpgen.Leg{Clicks: secs(1, 2.5, 3.5), SSRCChangeAt: 2 * time.Second, Seed: 21},
			right: rtpgen.Leg{Clicks: secs(1, 2.5, 3.5), SSRCChangeAt: 3 * time.Second, Seed: 22},
			check: checkSSRCs,
		},
		{
			name: "ten second hold",
			d:    14 * time.Second,
			left: rtpgen.Leg{Clicks: secs(1, 13), HoldFrom: 2 * time.Second, HoldTo: 12 * time.Second, Seed: 31},
			right: rtpgen.Leg{Clicks: secs(1, 13), HoldFrom: 2 * time.Second, HoldTo: 12 * time.Second,
				HoldFreezesTimestamp: true, Seed: 32},
			check: checkHoldSilent,
		},
		{
			name: "dtmf",
			d:    3 * time.Second,
			left: rtpgen.Leg{Clicks: secs(0.5, 2.5), Seed: 41, DTMF: []rtpgen.DTMF{
				{Digit: 5, At: time.Second, Duration: 200 * time.Millisecond},
				{Digit: 11, At: 2 * time.Second, Duration: 100 * time.Millisecond},
			}},
			right: rtpgen.Leg{Clicks: secs(0.5, 2.5), Seed: 42},
			check: checkDTMF,
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sink := newMemSink()
			m := newManager(t, sink, 32000+200*i)
			tt.left.ToneHz, tt.right.ToneHz = leftHz, rightHz
			tt.left.SSRC, tt.right.SSRC = 0x1000, 0x2000
			t0 := time.Now()
			ch, sc := placeCall(t, m, sink, tt.d, tt.left, tt.right)
			wall := time.Since(t0)
			checkDuration(t, ch, sc, wall)
			checkTones(t, ch)
			checkClicks(t, ch, len(tt.left.Clicks))
			if tt.check != nil {
				tt.check(t, ch, sc)
			}
		})
	}
}

func secs(s ...float64) []time.Duration {
	out := make([]time.Duration, len(s))
	for i, v := range s {
		out[i] = time.Duration(v * float64(time.Second))
	}
	return out
}

// checkDuration: the file is as long as the sidecar says, and the call
// lasted that long by the wall clock (which also counts finalizing, so it
// is an upper bound).
func checkDuration(t *testing.T, ch [2][]int16, sc *storage.Sidecar, wall time.Duration) {
	t.Helper()
	fileMS := int64(len(ch[0])) * 1000 / 8000
	if diff := fileMS - sc.DurationMS; diff < -20 || diff > 20 {
		t.Errorf("file holds %d ms, sidecar says %d ms", fileMS, sc.DurationMS)
	}
	callMS := sc.EndedAt.Sub(sc.StartedAt).Milliseconds()
	if diff := fileMS - callMS; diff < -20 || diff > 20 {
		t.Errorf("file holds %d ms, call lasted %d ms (start to BYE)", fileMS, callMS)
	}
	if callMS > wall.Milliseconds() {
		t.Errorf("call lasted %d ms by the sidecar, longer than the %v the test took", callMS, wall)
	}
}

// checkTones: each channel carries its own leg's tone, the other's at
// least 20 dB down.
func checkTones(t *testing.T, ch [2][]int16) {
	t.Helper()
	seg := func(x []int16) []int16 { return x[len(x)/10 : len(x)/10+4000] }
	for i, want := range []float64{leftHz, rightHz} {
		other := []float64{rightHz, leftHz}[i]
		p, q := goertzel(seg(ch[i]), want), goertzel(seg(ch[i]), other)
		if p < 100*q || p == 0 {
			t.Errorf("channel %d: %v Hz power %.3g vs %v Hz %.3g; want its own tone dominant", i, want, p, other, q)
		}
	}
}

// checkClicks: every click is in both channels, at the same place within
// one packet.
func checkClicks(t *testing.T, ch [2][]int16, want int) {
	t.Helper()
	l, r := clicks(ch[0]), clicks(ch[1])
	if len(l) != want || len(r) != want {
		t.Fatalf("found clicks at %v (left) and %v (right); want %d in each", l, r, want)
	}
	t.Logf("clicks at %v (left) and %v (right), in samples", l, r)
	for i := range l {
		if d := l[i] - r[i]; d < -alignTolerance || d > alignTolerance {
			t.Errorf("click %d: left at %.1f ms, right at %.1f ms: %d ms apart, want within 20",
				i, float64(l[i])/8, float64(r[i])/8, d/8)
		}
	}
}

func checkLoss(t *testing.T, _ [2][]int16, sc *storage.Sidecar) {
	for _, s := range sc.Streams {
		if s.PacketsLost == 0 || s.PacketsLost > 40 {
			t.Errorf("stream %d: %d packets lost, want about 5%% of 300", s.Channel, s.PacketsLost)
		}
		if s.JitterMS < 1 {
			t.Errorf("stream %d: jitter %.2f ms, want the 40 ms impairment to show", s.Channel, s.JitterMS)
		}
	}
}

func checkSSRCs(t *testing.T, _ [2][]int16, sc *storage.Sidecar) {
	for _, s := range sc.Streams {
		if len(s.SSRCs) != 2 || s.PacketsLost != 0 {
			t.Errorf("stream %d: SSRCs %v, %d lost; want two SSRCs and no loss", s.Channel, s.SSRCs, s.PacketsLost)
		}
	}
}

func checkHoldSilent(t *testing.T, ch [2][]int16, sc *storage.Sidecar) {
	// Both parties were silent for the 10 s hold, and talked over each
	// other (two steady tones) the rest of the time.
	if sc.Talk == nil || abs(sc.Talk.LongestSilenceMS-10000) > 100 {
		t.Errorf("talk metrics %+v, want the longest silence to be the 10 s hold", sc.Talk)
	} else if abs(sc.Talk.OvertalkMS-(sc.DurationMS-10000)) > 300 {
		t.Errorf("overtalk %d ms, want about %d (the call less the hold)", sc.Talk.OvertalkMS, sc.DurationMS-10000)
	}
	first := clicks(ch[0])[0]
	// The first click is 1 s into the audio; the hold runs from 2 s to 12 s.
	from, to := first+8000*3/2, first+8000*21/2
	for i := range ch {
		for _, v := range ch[i][from:to] {
			if v > 64 || v < -64 {
				t.Errorf("channel %d is not silent during the hold", i)
				break
			}
		}
	}
}

func checkDTMF(t *testing.T, ch [2][]int16, sc *storage.Sidecar) {
	if len(sc.DTMF) != 2 {
		t.Fatalf("DTMF = %+v, want 5 and #", sc.DTMF)
	}
	// The first click is 0.5 s into the audio; the digits at 1 s and 2 s.
	base := int64(clicks(ch[0])[0]) * 1000 / 8000
	want := []struct {
		digit  string
		at, ms int64
	}{{"5", base + 500, 200}, {"#", base + 1500, 100}}
	for i, w := range want {
		got := sc.DTMF[i]
		if got.Digit != w.digit || abs(got.AtMS-w.at) > 20 || abs(got.DurationMS-w.ms) > 20 {
			t.Errorf("DTMF %d = %+v, want digit %s at %d ms for %d ms", i, got, w.digit, w.at, w.ms)
		}
	}
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
