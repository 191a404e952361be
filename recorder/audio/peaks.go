package audio

import (
	"encoding/binary"
	"fmt"
	"io"
)

// Peaks reads the whole of v and returns, per channel, the loudest sample
// of each of bins equal spans of the recording as a fraction of full
// scale (0 to 1). A waveform drawn from them looks as one drawn from the
// audio itself, without the browser downloading and decoding the file.
func Peaks(v *PCM16View, bins int) ([][]float32, error) {
	f := v.Format()
	frame := int64(2 * f.Channels)
	frames := (v.Size() - int64(len(v.header))) / frame
	if bins < 1 || frames == 0 || f.Channels == 0 {
		return make([][]float32, f.Channels), nil
	}
	bins = int(min(int64(bins), frames))
	out := make([][]float32, f.Channels)
	peak := make([]int32, f.Channels)
	for ch := range out {
		out[ch] = make([]float32, 0, bins)
	}
	buf := make([]byte, 64<<10-(64<<10)%frame)
	off, n := int64(len(v.header)), int64(0)
	for n < frames {
		got, err := v.ReadAt(buf, off)
		if got == 0 && err != nil {
			return nil, fmt.Errorf("read audio for peaks: %w", err)
		}
		got -= got % int(frame)
		for i := 0; i < got; i += int(frame) {
			for ch := range peak {
				s := int32(int16(binary.LittleEndian.Uint16(buf[i+2*ch:])))
				peak[ch] = max(peak[ch], s, -s)
			}
			n++
			// Frame n closes bin b when it is the last frame of b.
			if b := len(out[0]); n*int64(bins)/frames > int64(b) {
				for ch := range out {
					out[ch] = append(out[ch], float32(peak[ch])/32768)
					peak[ch] = 0
				}
			}
		}
		off += int64(got)
		if err == io.EOF {
			break
		}
	}
	return out, nil
}
