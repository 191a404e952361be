package audio

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// finalFile is the file a closed Writer must leave: the header for n
// bytes, the data and the pad byte if n is odd.
func finalFile(f Format, data []byte) []byte {
	b := appendHeader(nil, f, int64(len(data)))
	b = append(b, data...)
	if len(data)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

// testAudio is n bytes of deterministic non-silent audio.
func testAudio(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*37 + i/7)
	}
	return b
}

func TestWriterClose(t *testing.T) {
	tests := []struct {
		name   string
		format Format
		bytes  int
		piece  int // bytes per Write call
	}{
		{name: "ulaw stereo 20 ms packets", format: ulawStereo, bytes: 16000, piece: 320},
		{
			name: "pcm16 stereo beyond the buffer", format: pcm16Stereo,
			bytes: 3 * writerBufferSize, piece: 1280,
		},
		{name: "alaw mono odd length", format: alawMono, bytes: 161, piece: 7},
		{name: "empty", format: ulawStereo, bytes: 0, piece: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "rec.wav")
			file := createFile(t, path)
			w, err := NewWriter(file, tt.format)
			if err != nil {
				t.Fatal(err)
			}
			data := testAudio(tt.bytes)
			for p := range chunks(data, tt.piece) {
				if _, err := w.Write(p); err != nil {
					t.Fatal(err)
				}
			}
			if w.DataBytes() != int64(tt.bytes) {
				t.Errorf("DataBytes = %d, want %d", w.DataBytes(), tt.bytes)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			if _, err := w.Write([]byte{1, 2}); err == nil {
				t.Error("Write after Close succeeded")
			}
			// The file position is at the end, ready for nothing more.
			if pos, _ := file.Seek(0, io.SeekCurrent); pos != int64(len(finalFile(tt.format, data))) {
				t.Errorf("file left at offset %d, want the end", pos)
			}
			if diff := cmp.Diff(finalFile(tt.format, data), readFile(t, path)); diff != "" {
				t.Errorf("file (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWriterTooLarge starts a Writer just short of the 4 GiB limit (on a
// writer that keeps only the header) and checks that it refuses the write
// that would cross it, and still closes with correct sizes.
func TestWriterTooLarge(t *testing.T) {
	ws := &headerOnly{}
	w, err := NewWriter(ws, ulawStereo)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	// Pretend the data so far has been written.
	limit := maxDataBytes(ulawStereo)
	w.n = limit - 320
	ws.pos = int64(HeaderSize(ulawStereo)) + w.n

	if _, err := w.Write(make([]byte, 320)); err != nil {
		t.Fatalf("write up to the limit: %v", err)
	}
	if n, err := w.Write(make([]byte, 2)); !errors.Is(err, ErrTooLarge) || n != 0 {
		t.Fatalf("write past the limit = %d, %v; want 0, ErrTooLarge", n, err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, _, n, err := ReadHeader(bytes.NewReader(ws.head[:]))
	if err != nil || f != ulawStereo || n != limit {
		t.Errorf("header after Close: %+v, %d, %v; want %+v, %d", f, n, err, ulawStereo, limit)
	}
}

// headerOnly is an io.WriteSeeker that keeps the first 64 bytes written
// and only counts the rest.
type headerOnly struct {
	head [64]byte
	pos  int64
}

func (h *headerOnly) Write(p []byte) (int, error) {
	if h.pos < int64(len(h.head)) {
		copy(h.head[h.pos:], p)
	}
	h.pos += int64(len(p))
	return len(p), nil
}

func (h *headerOnly) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
		h.pos = off
	case io.SeekCurrent:
		h.pos += off
	default:
		return 0, errors.New("headerOnly: unsupported whence")
	}
	return h.pos, nil
}

func TestWriterPartialFrame(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.wav")
	file := createFile(t, path)
	w, err := NewWriter(file, pcm16Stereo)
	if err != nil {
		t.Fatal(err)
	}
	data := testAudio(10) // two and a half frames
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); !errors.Is(err, ErrNotWAVE) {
		t.Fatalf("Close with a partial frame: %v, want ErrNotWAVE", err)
	}
	// The audio reached the file; PatchSizes keeps the whole frames.
	n, err := PatchSizes(file)
	if err != nil || n != 8 {
		t.Fatalf("PatchSizes = %d, %v; want 8", n, err)
	}
	if diff := cmp.Diff(finalFile(pcm16Stereo, data[:8]), readFile(t, path)); diff != "" {
		t.Errorf("file (-want +got):\n%s", diff)
	}
}

// TestPatchSizes finalizes files as a crash leaves them: the audio
// flushed, the header still declaring none.
func TestPatchSizes(t *testing.T) {
	tests := []struct {
		name    string
		file    []byte // the file as found
		want    []byte // the file after PatchSizes
		wantN   int64
		wantErr error
	}{
		{
			name:  "ulaw stereo",
			file:  append(appendHeader(nil, ulawStereo, 0), testAudio(320)...),
			want:  finalFile(ulawStereo, testAudio(320)),
			wantN: 320,
		},
		{
			name:  "ulaw stereo cut mid-frame",
			file:  append(appendHeader(nil, ulawStereo, 0), testAudio(321)...),
			want:  finalFile(ulawStereo, testAudio(320)),
			wantN: 320,
		},
		{
			name:  "alaw mono odd gets its pad byte",
			file:  append(appendHeader(nil, alawMono, 0), testAudio(161)...),
			want:  finalFile(alawMono, testAudio(161)),
			wantN: 161,
		},
		{
			name:  "pcm16 stereo",
			file:  append(appendHeader(nil, pcm16Stereo, 0), testAudio(640)...),
			want:  finalFile(pcm16Stereo, testAudio(640)),
			wantN: 640,
		},
		{
			name:  "header only",
			file:  appendHeader(nil, pcm16Stereo, 0),
			want:  appendHeader(nil, pcm16Stereo, 0),
			wantN: 0,
		},
		{
			name:  "already final, odd",
			file:  finalFile(alawMono, testAudio(161)),
			want:  finalFile(alawMono, testAudio(161)),
			wantN: 161,
		},
		{
			name: "another writer's layout",
			file: riff(chunk("fmt ", fmtBody(tagPCM, 2, 16000, 4, 16)),
				chunk("LIST", []byte("INFO")), chunk("data", nil)),
			wantErr: ErrUnsupported,
		},
		{name: "empty file", file: []byte{}, wantErr: io.ErrUnexpectedEOF},
		{name: "not a WAV", file: []byte("ID3\x04\x00\x00\x00\x00\x00\x00 some mp3"), wantErr: ErrNotWAVE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "spool.wav")
			if err := os.WriteFile(path, tt.file, 0o600); err != nil {
				t.Fatal(err)
			}
			file, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer file.Close()

			n, err := PatchSizes(file)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("PatchSizes error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if diff := cmp.Diff(tt.file, readFile(t, path)); diff != "" {
					t.Errorf("file changed despite the error (-before +after):\n%s", diff)
				}
				return
			}
			if n != tt.wantN {
				t.Errorf("PatchSizes = %d, want %d", n, tt.wantN)
			}
			if diff := cmp.Diff(tt.want, readFile(t, path)); diff != "" {
				t.Errorf("file (-want +got):\n%s", diff)
			}
		})
	}
}

func createFile(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
