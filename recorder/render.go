package recorder

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"earshot/recorder/audio"
)

// spoolFile reads payloads back from a stream's spool log.
type spoolFile struct{ f *os.File }

func (s *spoolFile) readAt(b []byte, off int64) error {
	_, err := s.f.ReadAt(b, off)
	return err
}

// decodable lists the codecs rendered as audio, by their SDP names
// (RFC 3551 section 4.5), upper-cased.
var decodable = map[string]bool{"PCMU": true, "PCMA": true, "G722": true}

// outputRate returns the rate a codec's audio has once decoded: G.722
// carries 16 kHz audio on an 8 kHz RTP clock (RFC 3551 section 4.5.2).
func outputRate(c Codec) int {
	if strings.EqualFold(c.Name, "G722") {
		return 16000
	}
	return int(c.Clock)
}

// channelFile is one channel of the call as 16-bit PCM at the output rate,
// in a temporary file that starts all zeros (silence) and is written at
// each packet's place.
type channelFile struct {
	f       *os.File
	rate    int
	samples int64
	run     []byte // pending bytes to write at runAt
	runAt   int64
}

func newChannelFile(path string, rate int, samples int64) (*channelFile, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return nil, fmt.Errorf("create channel file: %w", err)
	}
	if err := f.Truncate(samples * 2); err != nil {
		f.Close()
		return nil, fmt.Errorf("size channel file: %w", err)
	}
	return &channelFile{f: f, rate: rate, samples: samples}, nil
}

// put writes samples starting at sample index at, clipped to the file.
// Consecutive writes are gathered into one.
func (c *channelFile) put(at int64, pcm []int16) error {
	if at < 0 {
		if -at >= int64(len(pcm)) {
			return nil
		}
		pcm, at = pcm[-at:], 0
	}
	if end := at + int64(len(pcm)); end > c.samples {
		if at >= c.samples {
			return nil
		}
		pcm = pcm[:c.samples-at]
	}
	if len(c.run) > 0 && c.runAt+int64(len(c.run)) != at*2 || len(c.run) > 64<<10 {
		if err := c.flush(); err != nil {
			return err
		}
	}
	if len(c.run) == 0 {
		c.runAt = at * 2
	}
	for _, s := range pcm {
		c.run = append(c.run, byte(s), byte(s>>8))
	}
	return nil
}

func (c *channelFile) flush() error {
	if len(c.run) == 0 {
		return nil
	}
	_, err := c.f.WriteAt(c.run, c.runAt)
	c.run = c.run[:0]
	return err
}

// silence zeroes samples [from, to).
func (c *channelFile) silence(from, to int64) error {
	if err := c.flush(); err != nil {
		return err
	}
	from, to = max(from, 0), min(to, c.samples)
	zeros := make([]byte, 32<<10)
	for at := from * 2; at < to*2; at += int64(len(zeros)) {
		n := min(int64(len(zeros)), to*2-at)
		if _, err := c.f.WriteAt(zeros[:n], at); err != nil {
			return err
		}
	}
	return nil
}

// renderStream decodes a stream's audio packets into its channel file.
// Packets are taken segment by segment in timestamp order, so that a later
// segment overwrites an earlier one it overlaps, and a stateful decoder
// (G.722) sees packets in the order they were sent.
func renderStream(sl *streamLog, ch *channelFile) (undecoded map[string]int, err error) {
	if len(sl.packets) == 0 {
		return nil, nil
	}
	f, err := os.Open(sl.path)
	if err != nil {
		return nil, fmt.Errorf("open spool log: %w", err)
	}
	defer f.Close()
	order := make([]int, 0, len(sl.packets))
	for i := range sl.packets {
		order = append(order, i)
	}
	sort.SliceStable(order, func(a, b int) bool {
		pa, pb := &sl.packets[order[a]], &sl.packets[order[b]]
		if pa.seg != pb.seg {
			return pa.seg < pb.seg
		}
		return int32(pa.ts-pb.ts) < 0
	})
	d := newDecoder(ch.rate)
	payload := make([]byte, 0, 1500)
	undecoded = map[string]int{}
	for _, i := range order {
		p := &sl.packets[i]
		codec, ok := sl.codec(p.pt)
		if sl.isEvent(p.pt) || p.pt == ptComfortNoise {
			continue
		}
		if !ok || !decodable[strings.ToUpper(codec.Name)] {
			undecoded[codecName(codec, p.pt)]++
			continue
		}
		pos, ok := sl.positionUS(p)
		if !ok {
			continue
		}
		payload = payload[:p.n]
		if _, err := f.ReadAt(payload, p.off); err != nil {
			return nil, fmt.Errorf("read spooled payload: %w", err)
		}
		pcm := d.decode(codec, payload)
		if err := ch.put(pos*int64(ch.rate)/1_000_000, pcm); err != nil {
			return nil, fmt.Errorf("write channel: %w", err)
		}
	}
	return undecoded, ch.flush()
}

func codecName(c Codec, pt uint8) string {
	if c.Name == "" {
		return fmt.Sprintf("payload type %d", pt)
	}
	return c.Name
}

// decoder turns payloads into 16-bit PCM at one output rate.
type decoder struct {
	rate int
	g722 *audio.G722Decoder
	pcm  []int16
	up   []int16
	ups  audio.Upsampler
}

func newDecoder(rate int) *decoder {
	return &decoder{rate: rate, g722: audio.NewG722Decoder()}
}

func (d *decoder) decode(c Codec, payload []byte) []int16 {
	switch strings.ToUpper(c.Name) {
	case "PCMU":
		d.pcm = audio.DecodeULaw(d.pcm[:0], payload)
	case "PCMA":
		d.pcm = audio.DecodeALaw(d.pcm[:0], payload)
	case "G722":
		return d.g722.Decode(d.pcm[:0], payload)
	}
	if d.rate == 16000 {
		d.up = d.ups.Resample8kTo16k(d.up[:0], d.pcm)
		return d.up
	}
	return d.pcm
}
