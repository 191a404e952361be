package recorder

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"earshot/storage"
)

// talkFrame is the unit of the talk metrics.
const talkFrameMS = 20

// talkThreshold is the mean absolute amplitude above which a frame counts
// as speech: about -45 dBFS, above line noise and comfort noise, below
// quiet speech. A plain energy gate, not a voice activity detector: music
// on hold counts as talk.
const talkThreshold = 180

// talkMetrics measures who spoke when, frame by frame, from the two
// rendered channels (the same length, 16-bit PCM at the same rate).
func talkMetrics(left, right *channelFile) (*storage.TalkMetrics, error) {
	frame := left.rate * talkFrameMS / 1000
	lr, rr := newFrameReader(left.f, frame), newFrameReader(right.f, frame)
	var t storage.TalkMetrics
	var run int64
	for {
		l, errL := lr.next()
		r, errR := rr.next()
		if errL == io.EOF || errR == io.EOF {
			break
		}
		if errL != nil || errR != nil {
			return nil, fmt.Errorf("read channels: %w", firstErr(errL, errR))
		}
		switch {
		case l && r:
			t.TalkMS[0] += talkFrameMS
			t.TalkMS[1] += talkFrameMS
			t.OvertalkMS += talkFrameMS
			run = 0
		case l || r:
			if l {
				t.TalkMS[0] += talkFrameMS
			} else {
				t.TalkMS[1] += talkFrameMS
			}
			run = 0
		default:
			t.SilenceMS += talkFrameMS
			run += talkFrameMS
			t.LongestSilenceMS = max(t.LongestSilenceMS, run)
		}
	}
	return &t, nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// frameReader reads a channel file frame by frame and tells whether each
// frame is speech.
type frameReader struct {
	r   *bufio.Reader
	buf []byte
}

func newFrameReader(f *os.File, samples int) *frameReader {
	return &frameReader{r: bufio.NewReaderSize(io.NewSectionReader(f, 0, 1<<62), 64<<10), buf: make([]byte, samples*2)}
}

func (fr *frameReader) next() (bool, error) {
	if _, err := io.ReadFull(fr.r, fr.buf); err != nil {
		if err == io.ErrUnexpectedEOF {
			return false, io.EOF // a partial last frame is not measured
		}
		return false, err
	}
	var sum int64
	for i := 0; i < len(fr.buf); i += 2 {
		s := int64(int16(uint16(fr.buf[i]) | uint16(fr.buf[i+1])<<8))
		if s < 0 {
			s = -s
		}
		sum += s
	}
	return sum/int64(len(fr.buf)/2) > talkThreshold, nil
}
