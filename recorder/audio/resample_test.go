package audio

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestResample8kTo16k(t *testing.T) {
	tests := []struct {
		name string
		src  []int16
		want []int16
	}{
		{name: "empty", src: nil, want: nil},
		{name: "one sample", src: []int16{100}, want: []int16{100, 100}},
		{name: "ramp", src: []int16{0, 10, 20, 30}, want: []int16{0, 0, 5, 10, 15, 20, 25, 30}},
		{name: "constant", src: []int16{-7, -7, -7}, want: []int16{-7, -7, -7, -7, -7, -7}},
		{
			name: "extremes do not overflow",
			src:  []int16{32767, -32768, 32767},
			want: []int16{32767, 32767, -1, -32768, -1, 32767},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Resample8kTo16k(nil, tt.src)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Resample8kTo16k (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUpsamplerPackets resamples a stream in 20 ms packets and whole: the
// results must match, since the Upsampler carries the last sample over.
func TestUpsamplerPackets(t *testing.T) {
	src := make([]int16, 8000)
	for i := range src {
		src[i] = int16(10000 * math.Sin(2*math.Pi*1000*float64(i)/8000))
	}
	want := Resample8kTo16k(nil, src)

	var u Upsampler
	var got []int16
	for i := 0; i < len(src); i += 160 {
		got = u.Resample8kTo16k(got, src[i:i+160])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("packet by packet differs from whole (-whole +packets):\n%s", diff)
	}

	u.Reset()
	if diff := cmp.Diff(want[:320], u.Resample8kTo16k(nil, src[:160])); diff != "" {
		t.Errorf("after Reset (-want +got):\n%s", diff)
	}
}

// TestUpsamplerResponse checks the documented response, cos^2(pi*f/16000)
// for a tone at f and its image at 8 kHz - f, by measuring the amplitude
// of the output at one frequency.
func TestUpsamplerResponse(t *testing.T) {
	tests := []struct {
		name    string
		tone    float64 // Hz, at 8 kHz
		measure float64 // Hz, at 16 kHz
	}{
		{name: "1 kHz passes", tone: 1000, measure: 1000},
		{name: "3.4 kHz is 4 dB down", tone: 3400, measure: 3400},
		{name: "3.4 kHz image at 4.6 kHz", tone: 3400, measure: 4600},
		{name: "500 Hz image at 7.5 kHz", tone: 500, measure: 7500},
	}
	const amp = 20000.0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := make([]int16, 8000)
			for i := range src {
				src[i] = int16(math.Round(amp * math.Sin(2*math.Pi*tt.tone*float64(i)/8000)))
			}
			got := amplitudeAt(Resample8kTo16k(nil, src), tt.measure, 16000)
			want := amp * math.Pow(math.Cos(math.Pi*tt.measure/16000), 2)
			if math.Abs(got-want) > 0.005*amp {
				t.Errorf("amplitude at %.0f Hz %.0f, want %.0f", tt.measure, got, want)
			}
		})
	}
}

// amplitudeAt measures the amplitude of the component of s at freq by
// correlating with a sine and a cosine over a whole number of periods.
func amplitudeAt(s []int16, freq, rate float64) float64 {
	var re, im float64
	for i, v := range s {
		ph := 2 * math.Pi * freq * float64(i) / rate
		re += float64(v) * math.Sin(ph)
		im += float64(v) * math.Cos(ph)
	}
	return 2 * math.Hypot(re, im) / float64(len(s))
}
