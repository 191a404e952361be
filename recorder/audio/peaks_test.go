package audio

import (
	"bytes"
	"math"
	"testing"
)

// TestPeaks: a recording that is silent on the left for its first half
// and loud on the right for its last quarter has peaks that say so, one
// per bin, at the level of the samples.
func TestPeaks(t *testing.T) {
	const frames = 20_000 // more than one read buffer
	s := make([]int16, 2*frames)
	for i := range frames {
		if i >= frames/2 {
			s[2*i] = int16(8000 * math.Sin(float64(i)/3))
		}
		if i >= 3*frames/4 {
			s[2*i+1] = -30000
		}
	}
	for _, tt := range []struct {
		name   string
		stored []byte
		tol    float64
	}{
		{"pcm16", finalFile(pcm16Stereo, pcmToBytes(s)), 0.001},
		{"ulaw", finalFile(ulawStereo, EncodeULaw(nil, s)), 0.04},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v, err := NewPCM16View(bytes.NewReader(tt.stored), int64(len(tt.stored)))
			if err != nil {
				t.Fatal(err)
			}
			p, err := Peaks(v, 8)
			if err != nil {
				t.Fatal(err)
			}
			want := [2][]float64{{0, 0, 0, 0, 0.244, 0.244, 0.244, 0.244}, {0, 0, 0, 0, 0, 0, 0.916, 0.916}}
			for ch := range 2 {
				if len(p[ch]) != 8 {
					t.Fatalf("channel %d: %d bins, want 8", ch, len(p[ch]))
				}
				for b, w := range want[ch] {
					if math.Abs(float64(p[ch][b])-w) > tt.tol {
						t.Errorf("channel %d bin %d: %.3f, want %.3f", ch, b, p[ch][b], w)
					}
				}
			}
		})
	}
}

// TestPeaksShort: more bins than frames gives one bin a frame; an empty
// recording gives none.
func TestPeaksShort(t *testing.T) {
	stored := finalFile(pcm16Stereo, pcmToBytes([]int16{100, -200, 300, 400, -16384, 0}))
	v, err := NewPCM16View(bytes.NewReader(stored), int64(len(stored)))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Peaks(v, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(p[0]) != 3 || p[0][2] != 0.5 || p[1][1] != 400.0/32768 {
		t.Errorf("peaks %v", p)
	}
	empty := finalFile(pcm16Stereo, nil)
	v, err = NewPCM16View(bytes.NewReader(empty), int64(len(empty)))
	if err != nil {
		t.Fatal(err)
	}
	if p, err := Peaks(v, 100); err != nil || len(p) != 2 || len(p[0]) != 0 {
		t.Errorf("empty recording: %v, %v", p, err)
	}
}
