package loadgen

import (
	"io/fs"
	"math"
	"net"
	"strings"
	"testing"
	"time"

	"earshot/recorder/audio"
)

// TestClipsDecode checks every embedded clip: the conversation plays
// each one, each is a few seconds of loud enough speech, and together
// they stay small.
func TestClipsDecode(t *testing.T) {
	files, err := fs.Glob(clipFiles, "clips/*.ul")
	if err != nil {
		t.Fatal(err)
	}
	played := map[string]bool{}
	for _, turn := range conversation {
		played["clips/"+turn.clip+".ul"] = true
	}
	total := 0
	for _, name := range files {
		if !played[name] {
			t.Errorf("%s is embedded but no turn plays it", name)
		}
		ul, _ := clipFiles.ReadFile(name)
		total += len(ul)
		pcm := audio.DecodeULaw(nil, ul)
		secs := float64(len(pcm)) / sampleRate
		peak := 0
		for _, v := range pcm {
			peak = max(peak, abs(int(v)))
		}
		if secs < 1.5 || secs > 4.5 || peak < 16000 {
			t.Errorf("%s: %.2f s, peak %d; want 1.5 to 4.5 s peaking near -4 dBFS",
				name, secs, peak)
		}
	}
	if len(files) != len(played) {
		t.Errorf("%d clips embedded, the conversation plays %d", len(files), len(played))
	}
	if total > 300<<10 {
		t.Errorf("the clips take %d bytes, want at most 300 KiB", total)
	}
}

// TestSpeechTurns decodes one round of the conversation on both legs, in
// each codec, as a recorder would: each turn is speech on its speaker's
// leg while the other is silent, and the gaps are silent on both.
func TestSpeechTurns(t *testing.T) {
	if customerLeg != 0 || agentLeg != 1 {
		t.Fatal("the customer is the caller, on the first stream; the agent on the second")
	}
	s, err := loadScript()
	if err != nil {
		t.Fatal(err)
	}
	for codec, pt := range codecPT {
		var legs [2][]int16
		for leg := range legs {
			a := newSpeechAudio(s, leg, pt)
			for k := range s.packets {
				legs[leg] = decode(pt, legs[leg], a.payload(k))
			}
		}
		speaking := make([]int, s.packets) // the leg speaking in each packet, or -1
		for k := range speaking {
			speaking[k] = -1
		}
		for i, turn := range conversation {
			if strings.HasPrefix(turn.clip, "agent-") != (turn.leg == agentLeg) {
				t.Errorf("turn %d plays %s on leg %d", i, turn.clip, turn.leg)
			}
			for k := range len(s.pcm[i]) / samplesPerPacket {
				speaking[s.starts[i]+k] = turn.leg
			}
			speech := speechShare(legs[turn.leg], s.starts[i], len(s.pcm[i])/samplesPerPacket)
			if speech < 0.6 {
				t.Errorf("%s turn %d (%s): %.0f%% of its packets are speech on leg %d, want 60%%",
					codec, i, turn.clip, 100*speech, turn.leg)
			}
		}
		for leg := range legs {
			for k, who := range speaking {
				pkt := legs[leg][k*samplesPerPacket:][:samplesPerPacket]
				if who != leg && !silent(pkt) {
					t.Errorf("%s leg %d packet %d: sound while leg %d has the turn",
						codec, leg, k, who)
					break
				}
			}
		}
	}
}

// speechShare is the share of the n packets from packet k whose level is
// that of speech, not of the pauses between words.
func speechShare(pcm []int16, k, n int) float64 {
	loud := 0
	for p := k; p < k+n; p++ {
		var sum float64
		for _, v := range pcm[p*samplesPerPacket:][:samplesPerPacket] {
			sum += float64(v) * float64(v)
		}
		if math.Sqrt(sum/samplesPerPacket) > 300 {
			loud++
		}
	}
	return float64(loud) / float64(n)
}

// silent reports whether a packet decodes to G.711 silence: A-law has no
// zero, its quietest codes decode to plus or minus 8.
func silent(pcm []int16) bool {
	for _, v := range pcm {
		if abs(int(v)) > 8 {
			return false
		}
	}
	return true
}

func decode(pt uint8, dst []int16, p []byte) []int16 {
	if pt == codecPT["pcma"] {
		return audio.DecodeALaw(dst, p)
	}
	return audio.DecodeULaw(dst, p)
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// TestSpeechPayloads checks what a call of --audio speech sends, packet
// by packet: as many packets as the duration holds, each a whole packet
// of audio, starting at the call's exchange with the agent speaking
// first and the customer answering after the agent's clip and a gap.
func TestSpeechPayloads(t *testing.T) {
	r, err := New(Config{Target: "127.0.0.1:5060", Audio: AudioSpeech, Duration: 8 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	s := r.speech
	gap := int(turnGap / packetTime)
	for i := range 4 {
		ex := 2 * (i % 3) // the exchange's agent turn; the customer's is next
		from := r.audioFrom(i)
		if from != s.starts[ex] {
			t.Errorf("call %d starts at packet %d, want %d (turn %d)", i, from, s.starts[ex], ex)
		}
		agentPkts := len(s.pcm[ex]) / samplesPerPacket
		answer := agentPkts + gap // where the customer starts, from the call's start
		total := int(r.cfg.Duration / packetTime)
		var first [2]int
		for leg := range first {
			first[leg] = -1
			for k := range total {
				p := r.audio[leg].payload(from + k)
				if len(p) != samplesPerPacket {
					t.Fatalf("call %d leg %d packet %d: %d bytes", i, leg, k, len(p))
				}
				pcm := audio.DecodeULaw(nil, p)
				if first[leg] < 0 && !silent(pcm) {
					first[leg] = k
				}
			}
		}
		if first[agentLeg] != 0 || first[customerLeg] < answer || first[customerLeg] > answer+5 {
			t.Errorf("call %d: agent speaks from packet %d, customer from %d; want 0 and %d",
				i, first[agentLeg], first[customerLeg], answer)
		}
	}
	if r.audio[0].click != nil || r.audio[1].click != nil {
		t.Error("speech has clicks")
	}
}

// TestSenderSendsSpeech sends both legs of a call that starts at the
// second exchange through a sender and checks every packet's header,
// payload and pacing.
func TestSenderSendsSpeech(t *testing.T) {
	r, err := New(Config{Target: "127.0.0.1:5060", Audio: AudioSpeech, Codec: "pcma"})
	if err != nil {
		t.Fatal(err)
	}
	snd, sent, _ := startSender(t, 0)
	start := time.Now()
	var streams []*rtpStream
	var conns []*net.UDPConn
	for leg := range 2 {
		c, dst := receiver(t)
		st := &rtpStream{dst: dst, start: start, total: 40, audio: r.audio[leg],
			from: r.audioFrom(1), pt: 8, seq: 65530, ts: 0xffffff00, ssrc: uint32(200 + leg),
			done: make(chan struct{})}
		streams, conns = append(streams, st), append(conns, c)
		snd.add(st)
	}
	for leg, st := range streams {
		pkts := readAll(conns[leg])
		<-st.done
		if len(pkts) != 40 || st.sent != 40 {
			t.Fatalf("leg %d: %d received, %d sent; want 40", leg, len(pkts), st.sent)
		}
		for k, p := range pkts {
			checkPacket(t, st, k, p)
		}
	}
	if sent.Load() != 80 {
		t.Errorf("sender counted %d sent, want 80", sent.Load())
	}
}

// TestRunSpeechAgainstBare places calls with speech on the baseline
// recorder: every packet of both streams goes out.
func TestRunSpeechAgainstBare(t *testing.T) {
	_, addr := startBare(t)
	r, err := New(Config{Target: addr, Calls: 3, Concurrency: 3, Audio: AudioSpeech,
		Duration: 400 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := r.Run(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Err(); err != nil {
		t.Fatalf("%v; failures %v", err, rep.Failures())
	}
	if rep.PacketsSent != 3*2*20 {
		t.Errorf("sent %d packets, want %d", rep.PacketsSent, 3*2*20)
	}
}

func TestAudioSetting(t *testing.T) {
	for _, tt := range []struct {
		name, audio, want string
	}{
		{name: "default", audio: "", want: AudioTone},
		{name: "speech", audio: "speech", want: AudioSpeech},
		{name: "unknown", audio: "music", want: "want tone or speech"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := Config{Target: "127.0.0.1:5060", Audio: tt.audio}
			err := c.Validate()
			switch {
			case err != nil && !strings.Contains(err.Error(), tt.want):
				t.Errorf("Validate: %v, want it to say %q", err, tt.want)
			case err == nil && c.Audio != tt.want:
				t.Errorf("Audio %q after Validate, want %q", c.Audio, tt.want)
			}
		})
	}
}
