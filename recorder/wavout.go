package recorder

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"earshot/recorder/audio"
	"earshot/storage"
)

// renderCall renders both channels, measures them, and writes the stereo
// WAV at wavPath, completing sc.
func renderCall(dir, wavPath string, st *callState, logs []*streamLog, sc *storage.Sidecar) error {
	format, err := callFormat(logs)
	if err != nil {
		return err
	}
	samples := callSamples(sc, logs, format.SampleRate)
	var chans [2]*channelFile
	for i := range chans {
		chans[i], err = newChannelFile(filepath.Join(dir, fmt.Sprintf("ch%d.pcm", i)), format.SampleRate, samples)
		if err != nil {
			return err
		}
		defer chans[i].f.Close()
	}
	if err := renderStreams(dir, logs, chans, sc); err != nil {
		return err
	}
	for _, p := range sc.Pauses {
		for _, ch := range chans {
			from, to := p.StartMS*int64(ch.rate)/1000, p.EndMS*int64(ch.rate)/1000
			if err := ch.silence(from, to); err != nil {
				return fmt.Errorf("silence paused audio: %w", err)
			}
		}
	}
	if sc.Talk, err = talkMetrics(chans[0], chans[1]); err != nil {
		return err
	}
	sc.DurationMS = samples * 1000 / int64(format.SampleRate)
	sc.Audio, err = writeWAV(wavPath, format, chans)
	return err
}

// callSamples is the recording's length: the call's duration, or longer
// if audio was placed past its end.
func callSamples(sc *storage.Sidecar, logs []*streamLog, rate int) int64 {
	endUS := sc.EndedAt.Sub(sc.StartedAt).Microseconds()
	for _, sl := range logs {
		for i := range sl.packets {
			p := &sl.packets[i]
			if pos, ok := sl.positionUS(p); ok && !sl.isEvent(p.pt) {
				// Every codec rendered carries 8000 payload bytes a second.
				endUS = max(endUS, pos+int64(p.n)*125)
			}
		}
	}
	return max(endUS, 0) * int64(rate) / 1_000_000
}

// renderStreams decodes every stream into its channel and records its
// statistics and DTMF in the sidecar.
func renderStreams(dir string, logs []*streamLog, chans [2]*channelFile, sc *storage.Sidecar) error {
	for _, sl := range logs {
		if sl.state.Channel < 0 {
			continue // refused in the SDP answer: never received
		}
		ch := min(sl.state.Channel, 1)
		undecoded, err := renderStream(sl, chans[ch])
		if err != nil {
			return err
		}
		stats := streamStats(sl)
		stats.Channel = ch
		stats.Codec, stats.Decoded = streamCodec(sl), len(undecoded) == 0
		sc.Streams = append(sc.Streams, stats)
		if len(undecoded) > 0 {
			if err := keepUndecoded(dir, sl, undecoded, sc); err != nil {
				return err
			}
		}
		if err := addDTMF(sl, sc); err != nil {
			return err
		}
	}
	return nil
}

// keepUndecoded stores a stream whose codec cannot be decoded as a packet
// capture beside the WAV, so that its audio is kept, not dropped; the WAV
// holds silence in its place.
func keepUndecoded(dir string, sl *streamLog, undecoded map[string]int, sc *storage.Sidecar) error {
	name := fmt.Sprintf("s%d.pcap", sl.state.Index)
	a, err := writePCAP(filepath.Join(dir, sc.RecordingID+"."+name), sl, sc.StartedAt)
	if err != nil {
		return err
	}
	a.Name = name
	a.Description = fmt.Sprintf("stream %d (label %q) as received, for codecs the recorder cannot decode",
		sl.state.Index, sl.state.Label)
	sc.Attachments = append(sc.Attachments, a)
	for codec, n := range undecoded {
		sc.Warnings = append(sc.Warnings, fmt.Sprintf("stream %d: %d packets of %s could not be decoded; "+
			"the WAV holds silence there and the packets are kept in %s", sl.state.Index, n, codec, name))
	}
	return nil
}

func addDTMF(sl *streamLog, sc *storage.Sidecar) error {
	if sl.state.EventPT < 0 || len(sl.packets) == 0 {
		return nil
	}
	f, err := os.Open(sl.path)
	if err != nil {
		return fmt.Errorf("open spool log: %w", err)
	}
	defer f.Close()
	sc.DTMF = append(sc.DTMF, dtmfEvents(sl, &spoolFile{f})...)
	return nil
}

// streamCodec names the audio codec a stream used most.
func streamCodec(sl *streamLog) string {
	count := map[string]int{}
	best := ""
	for i := range sl.packets {
		c, ok := sl.codec(sl.packets[i].pt)
		if !ok || sl.isEvent(sl.packets[i].pt) {
			continue
		}
		name := strings.ToUpper(c.Name)
		count[name]++
		if count[name] > count[best] {
			best = name
		}
	}
	return best
}

// writeWAV interleaves the channels into a WAV file in the given format,
// syncs it, and describes it.
func writeWAV(path string, format audio.Format, chans [2]*channelFile) (storage.Audio, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return storage.Audio{}, fmt.Errorf("create recording: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	w := bufio.NewWriterSize(io.MultiWriter(f, h), 64<<10)
	dataBytes := chans[0].samples * 2 * int64(format.SampleBytes())
	if err := audio.WriteHeader(w, format, dataBytes); err != nil {
		return storage.Audio{}, fmt.Errorf("write wav header: %w", err)
	}
	if err := interleave(w, format, chans); err != nil {
		return storage.Audio{}, err
	}
	if err := w.Flush(); err != nil {
		return storage.Audio{}, fmt.Errorf("write recording: %w", err)
	}
	if err := f.Sync(); err != nil {
		return storage.Audio{}, fmt.Errorf("sync recording: %w", err)
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return storage.Audio{}, fmt.Errorf("size recording: %w", err)
	}
	return storage.Audio{
		Encoding: encodingName(format.Encoding), SampleRate: format.SampleRate, Channels: 2,
		Bytes: size, SHA256: hex.EncodeToString(h.Sum(nil)),
	}, nil
}

func encodingName(e audio.Encoding) string {
	switch e {
	case audio.ULaw:
		return "pcmu"
	case audio.ALaw:
		return "pcma"
	}
	return "pcm16"
}

// interleave reads both channel files in blocks and writes them as stereo
// frames in the output encoding.
func interleave(w io.Writer, format audio.Format, chans [2]*channelFile) error {
	const block = 4096
	var raw [2][]byte
	var pcm [2][]int16
	for i := range raw {
		raw[i] = make([]byte, block*2)
		pcm[i] = make([]int16, block)
	}
	frame := make([]int16, 0, block*2)
	out := make([]byte, 0, block*4)
	for at := int64(0); at < chans[0].samples; at += block {
		n := int(min(block, chans[0].samples-at))
		for i, ch := range chans {
			if _, err := ch.f.ReadAt(raw[i][:n*2], at*2); err != nil {
				return fmt.Errorf("read channel %d: %w", i, err)
			}
			for j := range n {
				pcm[i][j] = int16(uint16(raw[i][2*j]) | uint16(raw[i][2*j+1])<<8)
			}
		}
		frame = frame[:0]
		for j := range n {
			frame = append(frame, pcm[0][j], pcm[1][j])
		}
		out = encodeFrames(out[:0], format.Encoding, frame)
		if _, err := w.Write(out); err != nil {
			return fmt.Errorf("write recording: %w", err)
		}
	}
	return nil
}

func encodeFrames(dst []byte, e audio.Encoding, pcm []int16) []byte {
	switch e {
	case audio.ULaw:
		return audio.EncodeULaw(dst, pcm)
	case audio.ALaw:
		return audio.EncodeALaw(dst, pcm)
	}
	for _, s := range pcm {
		dst = append(dst, byte(s), byte(s>>8))
	}
	return dst
}
