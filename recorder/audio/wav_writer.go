package audio

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
)

// writerBufferSize is the Writer's buffer: about half a second of 16 kHz
// stereo PCM16, so that a recorder writing one packet at a time makes a
// system call every few dozen packets, not every packet.
const writerBufferSize = 32 << 10

// errWriterClosed is returned by a Writer used after Close.
var errWriterClosed = errors.New("audio: write to closed wav writer")

// Writer writes a WAV file whose length is not known when it starts, as a
// recorder's is: NewWriter writes a header for no data, Write appends
// interleaved frames, and Close pads the data to an even length and
// patches the sizes in the header.
//
// If the process dies before Close, the file holds a valid header that
// declares no data followed by the audio; PatchSizes repairs it.
//
// A Writer buffers; Flush pushes the buffer to the underlying writer. It
// is not safe for concurrent use.
type Writer struct {
	ws     io.WriteSeeker
	buf    *bufio.Writer
	format Format
	start  int64 // offset of the header in ws
	n      int64 // data bytes written
	limit  int64 // data bytes allowed
	closed bool
}

// NewWriter writes a WAV header for format f at the current offset of ws
// and returns a Writer for the audio that follows. Close patches the header
// by seeking back to it, so ws must not be a file opened with O_APPEND;
// PatchSizes, for its part, expects the header at the start of the file.
func NewWriter(ws io.WriteSeeker, f Format) (*Writer, error) {
	if err := f.validate(); err != nil {
		return nil, fmt.Errorf("new wav writer: %w", err)
	}
	start, err := ws.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, fmt.Errorf("new wav writer: %w", err)
	}
	w := &Writer{
		ws:     ws,
		buf:    bufio.NewWriterSize(ws, writerBufferSize),
		format: f,
		start:  start,
		limit:  maxDataBytes(f),
	}
	if _, err := w.buf.Write(appendHeader(nil, f, 0)); err != nil {
		return nil, fmt.Errorf("new wav writer: %w", err)
	}
	return w, nil
}

// Write appends audio data. Callers should write whole frames (BlockAlign
// bytes each); Close refuses a file that ends mid-frame. A write that
// would take the file to 4 GiB writes nothing and returns an error
// wrapping ErrTooLarge: the caller should close this file and go on in a
// new one.
func (w *Writer) Write(p []byte) (int, error) {
	if w.closed {
		return 0, errWriterClosed
	}
	if int64(len(p)) > w.limit-w.n {
		return 0, fmt.Errorf("write wav data: %d bytes after %d: %w", len(p), w.n, ErrTooLarge)
	}
	n, err := w.buf.Write(p)
	w.n += int64(n)
	if err != nil {
		return n, fmt.Errorf("write wav data: %w", err)
	}
	return n, nil
}

// DataBytes returns how many bytes of audio have been written.
func (w *Writer) DataBytes() int64 {
	return w.n
}

// Flush writes buffered data to the underlying writer. The header still
// declares no data until Close.
func (w *Writer) Flush() error {
	if err := w.buf.Flush(); err != nil {
		return fmt.Errorf("flush wav data: %w", err)
	}
	return nil
}

// Close writes the pad byte an odd-sized data chunk needs, patches the
// sizes in the header and leaves ws positioned at the end of the file. It
// does not close ws. Calling Close again does nothing.
//
// If the data ends mid-frame, Close flushes it but leaves the header
// declaring no data and returns an error; PatchSizes can then finalize
// the file without the partial frame.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.buf.Flush()
	if err == nil {
		err = checkDataBytes(w.format, w.n)
	}
	if err == nil && w.n%2 == 1 {
		_, err = w.ws.Write([]byte{0})
	}
	if err == nil {
		err = w.patch()
	}
	if err != nil {
		return fmt.Errorf("close wav writer: %w", err)
	}
	return nil
}

// patch writes the size fields, then returns to the end of the file.
func (w *Writer) patch() error {
	end, err := w.ws.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	for _, fld := range sizeFields(w.format, w.n) {
		if _, err := w.ws.Seek(w.start+fld.offset, io.SeekStart); err != nil {
			return err
		}
		if _, err := w.ws.Write(le32(fld.value)); err != nil {
			return err
		}
	}
	_, err = w.ws.Seek(end, io.SeekStart)
	return err
}

func le32(v uint32) []byte {
	return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}
}

// PatchSizes finalizes a WAV file left by a Writer that was never closed,
// such as a spool file after a crash: it takes the audio to run to the end
// of the file, drops a trailing partial frame, adds the pad byte if
// needed, and writes the sizes into the header. It returns the number of
// audio bytes the file now declares. Running it on a closed file changes
// nothing.
//
// Only files whose header a Writer wrote are accepted; others get an
// error wrapping ErrUnsupported. Audio past 4 GiB gets ErrTooLarge and the
// file is left as it was.
func PatchSizes(f *os.File) (int64, error) {
	n, err := patchSizes(f)
	if err != nil {
		return 0, fmt.Errorf("patch wav sizes %s: %w", f.Name(), err)
	}
	return n, nil
}

func patchSizes(f *os.File) (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	h, err := readHeader(io.NewSectionReader(f, 0, st.Size()))
	if err != nil {
		return 0, err
	}
	if err := checkOwnLayout(h); err != nil {
		return 0, err
	}

	if h.dataBytes > 0 && h.dataOffset+h.dataBytes+(h.dataBytes&1) == st.Size() {
		return h.dataBytes, nil // already final
	}
	ba := int64(h.format.BlockAlign())
	n := st.Size() - h.dataOffset
	n -= n % ba
	if n > maxDataBytes(h.format) {
		return 0, fmt.Errorf("%d bytes of audio: %w", n, ErrTooLarge)
	}
	if err := f.Truncate(h.dataOffset + n); err != nil {
		return 0, err
	}
	if n%2 == 1 {
		if _, err := f.WriteAt([]byte{0}, h.dataOffset+n); err != nil {
			return 0, err
		}
	}
	for _, fld := range sizeFields(h.format, n) {
		if _, err := f.WriteAt(le32(fld.value), fld.offset); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// checkOwnLayout reports whether h is laid out as appendHeader writes, so
// that sizeFields gives the right offsets.
func checkOwnLayout(h header) error {
	wantFact := int64(-1)
	if h.format.Encoding != PCM16 {
		wantFact = riffHeaderSize + chunkHeader + exFmtSize
	}
	if h.dataOffset != int64(HeaderSize(h.format)) || h.factOffset != wantFact {
		return fmt.Errorf("header not written by this package: %w", ErrUnsupported)
	}
	return nil
}
