//go:build ignore

// Command gen makes the G.722 reference vectors in this folder. It needs
// ffmpeg on the PATH and is run by hand, never by the tests:
//
//	cd recorder/audio/testdata/g722 && go run gen.go
//
// See README.md for what each file holds.
package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
)

const rate = 16000

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run() error {
	// Two signals go through ffmpeg's encoder, then its decoder.
	for name, pcm := range map[string][]int16{"mix": mix(), "loud": loud()} {
		if err := writePCM(name+".in.s16le", pcm); err != nil {
			return err
		}
		err := ffmpeg("-f", "s16le", "-ar", "16000", "-ac", "1", "-i", name+".in.s16le",
			"-c:a", "g722", "-f", "g722", name+".g722")
		if err != nil {
			return err
		}
		os.Remove(name + ".in.s16le")
		if err := decode(name); err != nil {
			return err
		}
	}

	// Random octets are not what an encoder makes, but a decoder must take
	// them: they reach every code, including the lower-band codes 0 to 3
	// that a conforming encoder never sends.
	rng := rand.New(rand.NewPCG(722, 3))
	raw := make([]byte, rate/2)
	for i := range raw {
		raw[i] = byte(rng.Uint32())
	}
	if err := os.WriteFile("random.g722", raw, 0o644); err != nil {
		return err
	}
	return decode("random")
}

// mix is 2.5 s of a quarter second of silence, then a chirp from 50 Hz to
// 7.5 kHz with three steady tones and some white noise under it.
func mix() []int16 {
	rng := rand.New(rand.NewPCG(1, 2))
	n := rate * 5 / 2
	out := make([]int16, n)
	for i := rate / 4; i < n; i++ {
		t := float64(i) / rate
		f0, f1, dur := 50.0, 7500.0, 2.5
		phase := 2 * math.Pi * (f0*t + (f1-f0)*t*t/(2*dur))
		v := 0.35*math.Sin(phase) +
			0.1*math.Sin(2*math.Pi*440*t) +
			0.1*math.Sin(2*math.Pi*1000*t) +
			0.08*math.Sin(2*math.Pi*3100*t) +
			0.05*(2*rng.Float64()-1)
		out[i] = int16(math.Round(v * 32767))
	}
	return out
}

// loud is 1 s of full-scale signals that push both scale factors to their
// limits: a 500 Hz square wave, then full-scale white noise, then a
// 6 kHz square wave that loads the higher band.
func loud() []int16 {
	rng := rand.New(rand.NewPCG(3, 4))
	out := make([]int16, rate)
	for i := range out {
		switch {
		case i < rate/3:
			out[i] = square(i, 500)
		case i < 2*rate/3:
			out[i] = int16(rng.IntN(65536) - 32768)
		default:
			out[i] = square(i, 6000)
		}
	}
	return out
}

func square(i, freq int) int16 {
	if (2*i*freq/rate)%2 == 0 {
		return 32767
	}
	return -32768
}

func decode(name string) error {
	return ffmpeg("-f", "g722", "-i", name+".g722", "-c:a", "pcm_s16le", "-f", "s16le",
		name+".ffmpeg.s16le")
}

func writePCM(path string, pcm []int16) error {
	buf := make([]byte, 2*len(pcm))
	for i, v := range pcm {
		binary.LittleEndian.PutUint16(buf[2*i:], uint16(v))
	}
	return os.WriteFile(path, buf, 0o644)
}

func ffmpeg(args ...string) error {
	cmd := exec.Command("ffmpeg", append([]string{"-hide_banner", "-loglevel", "error",
		"-nostdin", "-y"}, args...)...)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("ffmpeg %v: %w", args, err)
	}
	return nil
}
