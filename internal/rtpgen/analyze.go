package rtpgen

import (
	"bytes"
	"fmt"
	"math"

	"earshot/recorder/audio"
)

// DecodeStereo reads a two-channel WAV (G.711 or 16-bit PCM) into one
// slice of samples per channel, and returns its sample rate.
func DecodeStereo(wav []byte) ([2][]int16, int, error) {
	var ch [2][]int16
	f, off, n, err := audio.ReadHeader(bytes.NewReader(wav))
	if err != nil {
		return ch, 0, err
	}
	if f.Channels != 2 {
		return ch, 0, fmt.Errorf("rtpgen: %d channels, want 2", f.Channels)
	}
	data := wav[off : off+n]
	var pcm []int16
	switch f.Encoding {
	case audio.ULaw:
		pcm = audio.DecodeULaw(nil, data)
	case audio.ALaw:
		pcm = audio.DecodeALaw(nil, data)
	default:
		for i := 0; i+1 < len(data); i += 2 {
			pcm = append(pcm, int16(uint16(data[i])|uint16(data[i+1])<<8))
		}
	}
	for i := 0; i+1 < len(pcm); i += 2 {
		ch[0], ch[1] = append(ch[0], pcm[i]), append(ch[1], pcm[i+1])
	}
	return ch, f.SampleRate, nil
}

// ToneLevel returns the power of freq in x sampled at rate (the Goertzel
// algorithm): enough to tell which leg's tone a channel carries.
func ToneLevel(x []int16, freq float64, rate int) float64 {
	w := 2 * math.Pi * freq / float64(rate)
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range x {
		s0 := float64(v) + c*s1 - s2
		s2, s1 = s1, s0
	}
	return s1*s1 + s2*s2 - c*s1*s2
}

// Clicks returns the sample index of each click in x: the first sample of
// each run far louder than the tones, at least 100 ms after the previous.
func Clicks(x []int16, rate int) []int {
	var out []int
	for i := 0; i < len(x); i++ {
		if x[i] > 16000 {
			out = append(out, i)
			i += rate / 10
		}
	}
	return out
}
