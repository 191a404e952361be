package audio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
)

// PCM16View presents a stored WAV file as a 16-bit PCM WAV file: a fresh
// 44-byte header followed by the audio, G.711 decoded on the fly. Any byte
// range of the converted file can be read without reading the rest, so it
// can back HTTP range requests for the web player:
//
//	v, err := audio.NewPCM16View(obj, objSize)
//	...
//	http.ServeContent(w, r, name, modTime, io.NewSectionReader(v, 0, v.Size()))
//
// It is safe for concurrent use if the underlying io.ReaderAt is.
type PCM16View struct {
	src      io.ReaderAt
	in       Format // format of the stored file
	inOffset int64  // offset of the stored audio in src
	inBytes  int64  // stored audio bytes, whole frames only
	header   []byte // header of the converted file
	size     int64  // size of the converted file
}

var _ io.ReaderAt = (*PCM16View)(nil)

// NewPCM16View reads the header of the WAV file of the given size in src
// (mu-law, A-law or PCM16, any channel count) and returns a view of it as
// PCM16. If the file is shorter than its header says, as a file cut off by
// a crash or written as a stream is, the view holds the whole frames that
// are present.
//
// A G.711 file doubles in size; one whose PCM16 form would reach 4 GiB (at
// 8 kHz stereo, a recording over about 37 hours) is refused with
// ErrTooLarge.
func NewPCM16View(src io.ReaderAt, size int64) (*PCM16View, error) {
	h, err := readHeader(io.NewSectionReader(src, 0, size))
	if err != nil {
		return nil, fmt.Errorf("open pcm16 view: %w", err)
	}
	v := &PCM16View{
		src:      src,
		in:       h.format,
		inOffset: h.dataOffset,
		inBytes:  min(h.dataBytes, max(size-h.dataOffset, 0)),
	}
	v.inBytes -= v.inBytes % int64(h.format.BlockAlign())

	out := v.Format()
	outBytes := v.inBytes * int64(2/h.format.SampleBytes())
	if err := checkDataBytes(out, outBytes); err != nil {
		return nil, fmt.Errorf("open pcm16 view: %w", err)
	}
	v.header = appendHeader(nil, out, outBytes)
	v.size = int64(len(v.header)) + outBytes
	return v, nil
}

// Format returns the format of the converted file: PCM16 with the stored
// file's sample rate and channels.
func (v *PCM16View) Format() Format {
	return Format{Encoding: PCM16, SampleRate: v.in.SampleRate, Channels: v.in.Channels}
}

// Size returns the size in bytes of the converted file.
func (v *PCM16View) Size() int64 {
	return v.size
}

// ReadAt reads len(p) bytes of the converted file starting at off, as
// io.ReaderAt specifies: fewer only at the end of the file (with io.EOF)
// or on an error reading the stored file.
func (v *PCM16View) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("audio: pcm16 view: negative offset")
	}
	if off >= v.size {
		return 0, io.EOF
	}
	want := len(p)
	p = p[:min(int64(len(p)), v.size-off)]

	n := 0
	hs := int64(len(v.header))
	if off < hs {
		n = copy(p, v.header[off:])
	}
	if n < len(p) {
		m, err := v.readData(p[n:], off+int64(n)-hs)
		n += m
		if err != nil {
			return n, err
		}
	}
	if n < want {
		return n, io.EOF
	}
	return n, nil
}

// readData fills p with converted audio starting at offset off of the
// converted data; p does not reach past its end.
func (v *PCM16View) readData(p []byte, off int64) (int, error) {
	if v.in.Encoding == PCM16 {
		return v.readStored(p, off)
	}
	table := ulawTable
	if v.in.Encoding == ALaw {
		table = alawTable
	}

	bufp := scratchPool.Get().(*[scratchSize]byte)
	defer scratchPool.Put(bufp)
	in := bufp[:scratchSize/3]
	out := bufp[scratchSize/3:]

	n := 0
	for n < len(p) {
		o := off + int64(n)
		// Output byte o is in sample o/2; a range may start or end in
		// the middle of a sample.
		first, skip := o/2, int(o%2)
		count := min(len(in), (skip+len(p)-n+1)/2)
		if _, err := v.readStored(in[:count], first); err != nil {
			return n, err
		}
		for i, c := range in[:count] {
			binary.LittleEndian.PutUint16(out[2*i:], uint16(table[c]))
		}
		n += copy(p[n:], out[skip:2*count])
	}
	return n, nil
}

// readStored fills p from the stored audio at offset off, which the
// caller keeps inside it.
func (v *PCM16View) readStored(p []byte, off int64) (int, error) {
	n, err := v.src.ReadAt(p, v.inOffset+off)
	if n == len(p) {
		return n, nil // io.ReaderAt may report io.EOF with a full read
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return n, fmt.Errorf("read stored audio: %w", err)
}

// scratchSize is the conversion buffer: a third for G.711 input, two
// thirds for the PCM16 it becomes.
const scratchSize = 12 << 10

var scratchPool = sync.Pool{New: func() any { return new([scratchSize]byte) }}
