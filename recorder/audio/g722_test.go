package audio

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestG722ReferenceVectors decodes the G.722 streams in testdata/g722 and
// requires ffmpeg's output, made when the vectors were (see the README
// there), sample for sample.
func TestG722ReferenceVectors(t *testing.T) {
	tests := []struct {
		name   string
		stream string // G.722 octets
		want   string // ffmpeg's decoding, 16 kHz s16le
		packet int    // octets per Decode call: 160 is 20 ms, as RTP sends
	}{
		{name: "mix whole", stream: "mix.g722", want: "mix.ffmpeg.s16le", packet: 1 << 20},
		{name: "mix packets", stream: "mix.g722", want: "mix.ffmpeg.s16le", packet: 160},
		{name: "loud packets", stream: "loud.g722", want: "loud.ffmpeg.s16le", packet: 160},
		{name: "random octets", stream: "random.g722", want: "random.ffmpeg.s16le", packet: 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := readTestdata(t, filepath.Join("g722", tt.stream))
			want := pcmFromBytes(readTestdata(t, filepath.Join("g722", tt.want)))

			d := NewG722Decoder()
			var got []int16
			for p := range chunks(src, tt.packet) {
				got = d.Decode(got, p)
			}
			if len(got) != len(want) {
				t.Fatalf("decoded %d samples, want %d", len(got), len(want))
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("sample %d = %d, want %d (first difference)", i, got[i], want[i])
				}
			}
		})
	}
}

func TestG722ResetAndZeroValue(t *testing.T) {
	src := readTestdata(t, "g722/mix.g722")[:4000]
	want := NewG722Decoder().Decode(nil, src)

	var zero G722Decoder
	if diff := cmp.Diff(want, zero.Decode(nil, src)); diff != "" {
		t.Errorf("zero-value decoder differs (-want +got):\n%s", diff)
	}

	d := NewG722Decoder()
	d.Decode(nil, readTestdata(t, "g722/random.g722"))
	d.Reset()
	if diff := cmp.Diff(want, d.Decode(nil, src)); diff != "" {
		t.Errorf("decoder after Reset differs (-want +got):\n%s", diff)
	}
}

// TestG722Tables checks the tables copied from the standard against what
// they are derived from.
func TestG722Tables(t *testing.T) {
	for i, got := range inverseLog2 {
		if want := int(math.Round(2048 * math.Pow(2, float64(i)/32))); got != want {
			t.Errorf("inverseLog2[%d] = %d, want 2048*2^(%d/32) = %d", i, got, i, want)
		}
	}

	sum := 0
	for i, h := range qmfCoeff {
		sum += h
		if h != qmfCoeff[23-i] {
			t.Errorf("qmfCoeff[%d] = %d, qmfCoeff[%d] = %d: not symmetric", i, h, 23-i, qmfCoeff[23-i])
		}
	}
	if sum != 1<<13 {
		t.Errorf("QMF coefficients sum to %d, want 2^13", sum)
	}

	// Codes 4 to 63 hold each of the 60 levels once; 0 to 3 repeat -136.
	seen := map[int]int{}
	for code := 4; code < 64; code++ {
		seen[lowerLevel6[code]]++
	}
	for _, m := range lowerMagnitudes6 {
		if seen[m] != 1 || seen[-m] != 1 {
			t.Errorf("level ±%d held by %d and %d codes, want 1 each", m, seen[m], seen[-m])
		}
	}

	// The 4-bit table is the 6-bit code without its two low bits: its
	// level has the sign of the 6-bit level it stands for.
	for code := 4; code < 64; code++ {
		l6, l4 := lowerLevel6[code], lowerLevel4[code>>2]
		if l4 != 0 && (l4 < 0) != (l6 < 0) {
			t.Errorf("code %d: 6-bit level %d, 4-bit level %d: signs differ", code, l6, l4)
		}
	}
}

// FuzzG722Decode feeds arbitrary octets, split at an arbitrary point: the
// decoder must not panic, must give two samples per octet, and must give
// the same samples whether the input comes in one call or two.
func FuzzG722Decode(f *testing.F) {
	f.Add([]byte{}, uint16(0))
	f.Add([]byte{0x00, 0x01, 0x02, 0x03}, uint16(2))
	f.Add([]byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, uint16(3))
	f.Add(readTestdataF(f, "g722/loud.g722")[:480], uint16(160))
	f.Fuzz(func(t *testing.T, src []byte, split uint16) {
		whole := NewG722Decoder().Decode(nil, src)
		if len(whole) != 2*len(src) {
			t.Fatalf("decoded %d octets to %d samples, want %d", len(src), len(whole), 2*len(src))
		}
		at := int(split) % (len(src) + 1)
		d := NewG722Decoder()
		parts := d.Decode(d.Decode(nil, src[:at]), src[at:])
		if diff := cmp.Diff(whole, parts); diff != "" {
			t.Fatalf("split at %d differs (-whole +parts):\n%s", at, diff)
		}
	})
}

func BenchmarkG722Decode(b *testing.B) {
	src := readTestdataF(b, "g722/mix.g722")[:160] // one 20 ms packet
	d := NewG722Decoder()
	dst := make([]int16, 0, 2*len(src))
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		dst = d.Decode(dst[:0], src)
	}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	return readTestdataF(t, name)
}

func readTestdataF(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// pcmFromBytes reads 16-bit little-endian samples.
func pcmFromBytes(b []byte) []int16 {
	out := make([]int16, len(b)/2)
	for i := range out {
		out[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return out
}

// pcmToBytes writes 16-bit little-endian samples.
func pcmToBytes(s []int16) []byte {
	out := make([]byte, 2*len(s))
	for i, v := range s {
		binary.LittleEndian.PutUint16(out[2*i:], uint16(v))
	}
	return out
}

// chunks yields b in pieces of at most n bytes.
func chunks(b []byte, n int) func(func([]byte) bool) {
	return func(yield func([]byte) bool) {
		for len(b) > 0 {
			k := min(n, len(b))
			if !yield(b[:k]) {
				return
			}
			b = b[k:]
		}
	}
}
