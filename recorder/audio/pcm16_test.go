package audio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// toneStereo returns n frames of two tones, one per channel, as 16-bit
// samples.
func toneStereo(n int) []int16 {
	s := make([]int16, 2*n)
	for i := range n {
		t := float64(i) / 8000
		s[2*i] = int16(12000 * math.Sin(2*math.Pi*440*t))
		s[2*i+1] = int16(9000 * math.Sin(2*math.Pi*1270*t))
	}
	return s
}

// convertWhole is the PCM16 file a view must present, made the obvious
// way: decode everything, write a header and the samples.
func convertWhole(f Format, data []byte) []byte {
	var pcm []int16
	switch f.Encoding {
	case ULaw:
		pcm = DecodeULaw(nil, data)
	case ALaw:
		pcm = DecodeALaw(nil, data)
	default:
		pcm = pcmFromBytes(data)
	}
	out := Format{Encoding: PCM16, SampleRate: f.SampleRate, Channels: f.Channels}
	return append(appendHeader(nil, out, int64(2*len(pcm))), pcmToBytes(pcm)...)
}

func TestPCM16ViewRanges(t *testing.T) {
	frames := 8000 // 1 s, more than one scratch buffer of G.711
	ulaw := EncodeULaw(nil, toneStereo(frames))
	alaw := EncodeALaw(nil, toneStereo(frames))
	pcm := pcmToBytes(toneStereo(frames))
	list := chunk("LIST", []byte("INFOISFT\x03\x00\x00\x00abc"))

	files := []struct {
		name   string
		stored []byte
		want   []byte
	}{
		{name: "ulaw", stored: finalFile(ulawStereo, ulaw), want: convertWhole(ulawStereo, ulaw)},
		{name: "alaw", stored: finalFile(alawStereo, alaw), want: convertWhole(alawStereo, alaw)},
		{
			name:   "pcm16 with LIST",
			stored: riff(chunk("fmt ", fmtBody(tagPCM, 2, 8000, 4, 16)), list, chunk("data", pcm)),
			want:   convertWhole(Format{PCM16, 8000, 2}, pcm),
		},
	}
	size := int64(44 + 4*frames)
	ranges := []struct {
		name string
		off  int64
		n    int
	}{
		{name: "whole file", off: 0, n: int(size)},
		{name: "header", off: 0, n: 44},
		{name: "inside the header", off: 10, n: 20},
		{name: "across the header end", off: 40, n: 10},
		{name: "first data byte", off: 44, n: 1},
		{name: "starts mid-sample", off: 45, n: 6},
		{name: "ends mid-sample", off: 44, n: 7},
		{name: "one high byte", off: 1001, n: 1},
		{name: "across scratch buffers, odd", off: 45, n: 20001},
		{name: "tail", off: size - 3, n: 3},
		{name: "past the end", off: size - 3, n: 10},
		{name: "at the end", off: size, n: 5},
		{name: "beyond the end", off: size + 100, n: 5},
		{name: "empty", off: 100, n: 0},
	}
	for _, file := range files {
		v, err := NewPCM16View(bytes.NewReader(file.stored), int64(len(file.stored)))
		if err != nil {
			t.Fatalf("%s: %v", file.name, err)
		}
		if v.Size() != int64(len(file.want)) || v.Size() != size {
			t.Fatalf("%s: Size = %d, want %d", file.name, v.Size(), len(file.want))
		}
		for _, rg := range ranges {
			t.Run(file.name+"/"+rg.name, func(t *testing.T) {
				p := make([]byte, rg.n)
				n, err := v.ReadAt(p, rg.off)

				end := min(rg.off+int64(rg.n), size)
				want := []byte{}
				if rg.off < size {
					want = file.want[rg.off:end]
				}
				if diff := cmp.Diff(want, p[:n]); diff != "" {
					t.Errorf("ReadAt(%d bytes at %d) (-want +got):\n%s", rg.n, rg.off, diff)
				}
				if short := n < rg.n; short != errors.Is(err, io.EOF) || (!short && err != nil) {
					t.Errorf("ReadAt returned %d of %d bytes with error %v", n, rg.n, err)
				}
			})
		}
	}
}

// TestPCM16ViewConcurrent reads one view from several goroutines, as
// parallel range requests for one recording do (run with -race).
func TestPCM16ViewConcurrent(t *testing.T) {
	ulaw := EncodeULaw(nil, toneStereo(8000))
	stored := finalFile(ulawStereo, ulaw)
	want := convertWhole(ulawStereo, ulaw)
	v, err := NewPCM16View(bytes.NewReader(stored), int64(len(stored)))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 50 {
				off := int64((g*7919 + i*104729) % len(want))
				p := make([]byte, 1+(i*37)%5000)
				n, _ := v.ReadAt(p, off)
				if !bytes.Equal(p[:n], want[off:off+int64(n)]) {
					t.Errorf("goroutine %d: range %d+%d differs", g, off, len(p))
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestPCM16ViewShortFile opens a stored file cut off before the size its
// header declares: the view holds the whole frames present.
func TestPCM16ViewShortFile(t *testing.T) {
	ulaw := EncodeULaw(nil, toneStereo(400))
	full := finalFile(ulawStereo, ulaw)
	cut := full[:len(full)-301] // 499 of 800 data bytes: 249 whole frames
	v, err := NewPCM16View(bytes.NewReader(cut), int64(len(cut)))
	if err != nil {
		t.Fatal(err)
	}
	want := convertWhole(ulawStereo, ulaw[:498])
	got := make([]byte, v.Size())
	if _, err := v.ReadAt(got, 0); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("view of a cut file (-want +got):\n%s", diff)
	}
}

func TestPCM16ViewErrors(t *testing.T) {
	ulaw := finalFile(ulawStereo, make([]byte, 1000))
	tests := []struct {
		name    string
		src     io.ReaderAt
		size    int64
		wantErr error
	}{
		{
			name: "text", src: bytes.NewReader([]byte("hello, world")), size: 12,
			wantErr: ErrNotWAVE,
		},
		{
			name: "too short for a header", src: bytes.NewReader([]byte("hello")), size: 5,
			wantErr: io.ErrUnexpectedEOF,
		},
		{
			name: "mp3", src: bytes.NewReader([]byte("ID3\x04\x00\x00\x00\x00\x00\x00 mp3")), size: 15,
			wantErr: ErrNotWAVE,
		},
		{
			name: "size cuts the header", src: bytes.NewReader(ulaw), size: 30,
			wantErr: io.ErrUnexpectedEOF,
		},
		{
			name: "PCM16 form over 4 GiB",
			src:  bytes.NewReader(withHeaderOnly(ulawStereo, 1<<31)), size: 58 + 1<<31,
			wantErr: ErrTooLarge,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewPCM16View(tt.src, tt.size)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("NewPCM16View error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// withHeaderOnly is a header declaring dataBytes, without the data: the
// test's io.ReaderAt is never asked for it.
func withHeaderOnly(f Format, dataBytes int64) []byte {
	return appendHeader(nil, f, dataBytes)
}

// TestPCM16ViewReadError checks that a failing store is reported as an
// error, not as the end of the file.
func TestPCM16ViewReadError(t *testing.T) {
	stored := finalFile(ulawStereo, make([]byte, 1000))
	src := &failAfter{r: bytes.NewReader(stored), limit: 500, err: errors.New("connection reset")}
	v, err := NewPCM16View(src, int64(len(stored)))
	if err != nil {
		t.Fatal(err)
	}
	p := make([]byte, 2000)
	n, err := v.ReadAt(p, 44)
	if err == nil || errors.Is(err, io.EOF) || !errors.Is(err, src.err) {
		t.Errorf("ReadAt = %d, %v; want the store's error", n, err)
	}
}

// failAfter fails reads that reach past limit.
type failAfter struct {
	r     io.ReaderAt
	limit int64
	err   error
}

func (f *failAfter) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > f.limit {
		return 0, f.err
	}
	return f.r.ReadAt(p, off)
}

// TestPCM16ViewServeContent serves a view over HTTP with range requests,
// as the web player asks for it.
func TestPCM16ViewServeContent(t *testing.T) {
	ulaw := EncodeULaw(nil, toneStereo(800))
	stored := finalFile(ulawStereo, ulaw)
	want := convertWhole(ulawStereo, ulaw)
	v, err := NewPCM16View(bytes.NewReader(stored), int64(len(stored)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "call.wav", time.Unix(0, 0), io.NewSectionReader(v, 0, v.Size()))
	}))
	defer srv.Close()

	tests := []struct {
		name       string
		rangeHdr   string
		wantStatus int
		want       []byte
	}{
		{name: "whole", wantStatus: http.StatusOK, want: want},
		{
			name: "header and first sample", rangeHdr: "bytes=0-45",
			wantStatus: http.StatusPartialContent, want: want[:46],
		},
		{
			name: "odd middle", rangeHdr: "bytes=1001-2002",
			wantStatus: http.StatusPartialContent, want: want[1001:2003],
		},
		{
			name: "suffix", rangeHdr: "bytes=-5",
			wantStatus: http.StatusPartialContent, want: want[len(want)-5:],
		},
		{
			name: "open end", rangeHdr: fmt.Sprintf("bytes=%d-", len(want)-7),
			wantStatus: http.StatusPartialContent, want: want[len(want)-7:],
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.rangeHdr != "" {
				req.Header.Set("Range", tt.rangeHdr)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if diff := cmp.Diff(tt.want, body); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzPCM16View opens arbitrary input as a stored WAV file: it must not
// panic, and a view it opens must read back whole, range by range, the
// same as in one piece.
func FuzzPCM16View(f *testing.F) {
	f.Add(finalFile(ulawStereo, EncodeULaw(nil, toneStereo(40))), uint16(45), uint16(7))
	f.Add(finalFile(alawMono, []byte{1, 2, 3}), uint16(0), uint16(100))
	f.Add(readTestdataF(f, "wav/ffmpeg-pcm16.wav"), uint16(43), uint16(3))
	f.Fuzz(func(t *testing.T, in []byte, off, n uint16) {
		v, err := NewPCM16View(bytes.NewReader(in), int64(len(in)))
		if err != nil {
			return
		}
		whole := make([]byte, v.Size())
		if got, err := v.ReadAt(whole, 0); got != len(whole) || err != nil {
			t.Fatalf("ReadAt whole = %d, %v; want %d", got, err, len(whole))
		}
		p := make([]byte, n)
		got, err := v.ReadAt(p, int64(off))
		if int64(off) < v.Size() {
			if diff := cmp.Diff(whole[off:int(off)+got], p[:got]); diff != "" {
				t.Fatalf("range %d+%d differs (-whole +range):\n%s", off, n, diff)
			}
		}
		if got < int(n) && !errors.Is(err, io.EOF) {
			t.Fatalf("short read %d of %d with error %v", got, n, err)
		}
	})
}
