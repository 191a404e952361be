package loadgen

import (
	"slices"
	"testing"

	"earshot/internal/rtpgen"
	"earshot/recorder/audio"
)

// TestLegAudio decodes the first three seconds of each stream as a
// recorder would and checks the tone and where the clicks fall.
func TestLegAudio(t *testing.T) {
	for codec, pt := range codecPT {
		for leg, hz := range LegTones {
			a := newLegAudio(hz, pt)
			var pcm []int16
			for k := range 150 {
				p := a.payload(k)
				if len(p) != samplesPerPacket {
					t.Fatalf("%s leg %d packet %d: %d bytes", codec, leg, k, len(p))
				}
				if pt == 8 {
					pcm = audio.DecodeALaw(pcm, p)
				} else {
					pcm = audio.DecodeULaw(pcm, p)
				}
			}
			want := []int{4000, 12000, 20000} // 0.5 s, 1.5 s, 2.5 s at 8 kHz
			if got := rtpgen.Clicks(pcm, sampleRate); !slices.Equal(got, want) {
				t.Errorf("%s leg %d: clicks at samples %v, want %v", codec, leg, got, want)
			}
			frame := pcm[8000:8160] // a packet with no click
			own := rtpgen.ToneLevel(frame, float64(hz), sampleRate)
			other := rtpgen.ToneLevel(frame, float64(LegTones[1-leg]), sampleRate)
			if own < 1e10 || own < 100*other {
				t.Errorf("%s leg %d: %d Hz at %.3g, the other tone at %.3g", codec, leg, hz, own, other)
			}
		}
	}
}

func TestIsClick(t *testing.T) {
	var got []int
	for k := range 200 {
		if isClick(k) {
			got = append(got, k)
		}
	}
	if want := []int{25, 75, 125, 175}; !slices.Equal(got, want) {
		t.Errorf("clicks in packets %v, want %v", got, want)
	}
}
