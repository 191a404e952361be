package loadgen

import (
	"math"
	"time"

	"earshot/recorder/audio"
)

// What every call sends: G.711 at 8 kHz in packets of 20 ms (RFC 3551
// section 4.5.14). By default that is a steady tone per stream, and a
// click on both streams at the same instants; with Config.Audio "speech"
// it is a conversation instead (speech.go).
const (
	packetTime       = 20 * time.Millisecond
	samplesPerPacket = 160
	sampleRate       = 8000

	toneAmplitude  = 6000
	clickAmplitude = 24000
	clickSamples   = 40 // 5 ms
)

// LegTones are the tones, in Hz, of every call's first and second stream.
var LegTones = [2]int{440, 1000}

// Every stream clicks at ClickFirst into the call, then every ClickEvery:
// a recording of both streams shows the clicks at the same instants.
const (
	ClickFirst = 500 * time.Millisecond
	ClickEvery = time.Second
)

// legAudio holds the payloads of one stream: a cycle of packets played
// over and over, and, for the tones, the same cycle with the click. A
// tone of a whole number of Hz repeats every few packets, so a call of
// any length is built from a handful of payloads.
type legAudio struct {
	cycle [][]byte
	click [][]byte // nil for no clicks
}

func newLegAudio(hz int, pt uint8) *legAudio {
	period := sampleRate / samplesPerPacket / gcd(hz, sampleRate/samplesPerPacket)
	a := &legAudio{}
	pcm := make([]int16, samplesPerPacket)
	for k := range period {
		for _, withClick := range []bool{false, true} {
			for i := range pcm {
				t := float64(k*samplesPerPacket+i) / sampleRate
				pcm[i] = int16(toneAmplitude * math.Sin(2*math.Pi*float64(hz)*t))
				if withClick && i < clickSamples {
					pcm[i] = clickAmplitude
				}
			}
			p := encode(pt, pcm)
			if withClick {
				a.click = append(a.click, p)
			} else {
				a.cycle = append(a.cycle, p)
			}
		}
	}
	return a
}

func encode(pt uint8, pcm []int16) []byte {
	if pt == codecPT["pcma"] {
		return audio.EncodeALaw(nil, pcm)
	}
	return audio.EncodeULaw(nil, pcm)
}

// payload is the audio of packet k of the stream, from 0.
func (a *legAudio) payload(k int) []byte {
	if a.click != nil && isClick(k) {
		return a.click[k%len(a.click)]
	}
	return a.cycle[k%len(a.cycle)]
}

// isClick reports whether packet k starts with a click.
func isClick(k int) bool {
	at := time.Duration(k) * packetTime
	return at >= ClickFirst && (at-ClickFirst)%ClickEvery == 0
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
