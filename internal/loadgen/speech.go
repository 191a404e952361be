package loadgen

import (
	"embed"
	"fmt"
	"time"

	"earshot/recorder/audio"
)

// The speech clips are 8 kHz mono G.711 mu-law without a header, made
// with espeak-ng by clips/make.sh (see clips/README.md).
//
//go:embed clips/*.ul
var clipFiles embed.FS

// The legs of a call as the speech plays them: the first stream is the
// caller's, recorded on the first channel, and an inbound contact-center
// call's caller is the customer; the agent is the called party.
const (
	customerLeg = 0
	agentLeg    = 1
)

// turn is one line of the conversation: which leg says it, and its clip.
type turn struct {
	leg  int
	clip string
}

// conversation is the call both legs play, from the start, over and
// over: the agent answers, and each exchange is the agent, then the
// customer.
var conversation = []turn{
	{agentLeg, "agent-1"}, {customerLeg, "customer-1"},
	{agentLeg, "agent-2"}, {customerLeg, "customer-2"},
	{agentLeg, "agent-3"}, {customerLeg, "customer-3"},
}

// The silences of the conversation: between two turns, and after the
// last before it starts over.
const (
	turnGap  = 400 * time.Millisecond
	cycleGap = 1500 * time.Millisecond
)

// script is the conversation laid out in packets, the same for every
// call: where each turn starts and how long the whole takes.
type script struct {
	starts  []int     // the first packet of each turn of conversation
	packets int       // the length of one round of the conversation
	pcm     [][]int16 // each turn's samples, padded to whole packets
}

// loadScript decodes the clips and places the turns one after another.
func loadScript() (*script, error) {
	s := &script{}
	for _, t := range conversation {
		ul, err := clipFiles.ReadFile("clips/" + t.clip + ".ul")
		if err != nil {
			return nil, fmt.Errorf("read speech clip %s: %w", t.clip, err)
		}
		pcm := audio.DecodeULaw(nil, ul)
		n := (len(pcm) + samplesPerPacket - 1) / samplesPerPacket
		pcm = append(pcm, make([]int16, n*samplesPerPacket-len(pcm))...)
		s.starts = append(s.starts, s.packets)
		s.pcm = append(s.pcm, pcm)
		s.packets += n + int(turnGap/packetTime)
	}
	s.packets += int((cycleGap - turnGap) / packetTime)
	return s, nil
}

// exchangeStart is the packet where exchange i of the conversation (an
// agent's turn and the customer's answer) begins, i taken modulo the
// exchanges there are: calls start at different exchanges so that a
// short call still has both parties speaking.
func (s *script) exchangeStart(i int) int {
	return s.starts[2*(i%(len(s.starts)/2))]
}

// newSpeechAudio lays out one leg of the conversation: its own turns,
// encoded for payload type pt, and silence while the other leg speaks.
// Packets of silence share one payload.
func newSpeechAudio(s *script, leg int, pt uint8) *legAudio {
	silence := encode(pt, make([]int16, samplesPerPacket))
	a := &legAudio{cycle: make([][]byte, s.packets)}
	for k := range a.cycle {
		a.cycle[k] = silence
	}
	for i, t := range conversation {
		if t.leg != leg {
			continue
		}
		pcm := s.pcm[i]
		for j := 0; j < len(pcm); j += samplesPerPacket {
			a.cycle[s.starts[i]+j/samplesPerPacket] = encode(pt, pcm[j:j+samplesPerPacket])
		}
	}
	return a
}
