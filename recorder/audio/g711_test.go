package audio

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestG711KnownValues(t *testing.T) {
	// Values from ITU-T G.711 Tables 1 and 2, on the 16-bit scale (mu-law
	// levels times 4, A-law levels times 8).
	tests := []struct {
		name   string
		decode func([]int16, []byte) []int16
		code   byte
		want   int16
	}{
		{name: "ulaw positive zero", decode: DecodeULaw, code: 0xFF, want: 0},
		{name: "ulaw negative zero", decode: DecodeULaw, code: 0x7F, want: 0},
		{name: "ulaw largest negative", decode: DecodeULaw, code: 0x00, want: -32124},
		{name: "ulaw largest positive", decode: DecodeULaw, code: 0x80, want: 32124},
		{name: "ulaw smallest positive", decode: DecodeULaw, code: 0xFE, want: 8},
		{name: "ulaw segment 1 start", decode: DecodeULaw, code: 0xEF, want: 132},
		{name: "ulaw segment 7 start", decode: DecodeULaw, code: 0x8F, want: 16764},
		{name: "alaw silence", decode: DecodeALaw, code: 0xD5, want: 8},
		{name: "alaw smallest negative", decode: DecodeALaw, code: 0x55, want: -8},
		{name: "alaw largest positive", decode: DecodeALaw, code: 0xAA, want: 32256},
		{name: "alaw largest negative", decode: DecodeALaw, code: 0x2A, want: -32256},
		{name: "alaw segment 1 start", decode: DecodeALaw, code: 0xC5, want: 264},
		{name: "alaw segment 0 end", decode: DecodeALaw, code: 0xDA, want: 248},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.decode(nil, []byte{tt.code})
			if diff := cmp.Diff([]int16{tt.want}, got); diff != "" {
				t.Errorf("decode %#02x (-want +got):\n%s", tt.code, diff)
			}
		})
	}
}

func TestG711Silence(t *testing.T) {
	if got := DecodeULaw(nil, []byte{ULawSilence}); got[0] != 0 {
		t.Errorf("ULawSilence decodes to %d, want 0", got[0])
	}
	if got := EncodeULaw(nil, []int16{0}); got[0] != ULawSilence {
		t.Errorf("0 encodes to mu-law %#02x, want ULawSilence", got[0])
	}
	if got := EncodeALaw(nil, []int16{0}); got[0] != ALawSilence {
		t.Errorf("0 encodes to A-law %#02x, want ALawSilence", got[0])
	}
}

// TestG711RoundTrip encodes the decoded value of every code and expects
// the code back. The one exception is mu-law's negative zero, 0x7F, which
// decodes to 0 like 0xFF and so encodes as 0xFF.
func TestG711RoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		decode func([]int16, []byte) []int16
		encode func([]byte, []int16) []byte
		except map[byte]byte
	}{
		{name: "ulaw", decode: DecodeULaw, encode: EncodeULaw, except: map[byte]byte{0x7F: 0xFF}},
		{name: "alaw", decode: DecodeALaw, encode: EncodeALaw},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			codes := make([]byte, 256)
			for i := range codes {
				codes[i] = byte(i)
			}
			want := make([]byte, 256)
			for i := range want {
				want[i] = byte(i)
				if c, ok := tt.except[byte(i)]; ok {
					want[i] = c
				}
			}
			got := tt.encode(nil, tt.decode(nil, codes))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("encode(decode(code)) (-want +got):\n%s", diff)
			}
		})
	}
}

// TestG711EncodeIntervals checks every 16-bit value: it must encode to a
// code whose level is at most half a quantizing step away (G.711 levels
// are the midpoints of their decision intervals), and larger values must
// never get smaller levels.
func TestG711EncodeIntervals(t *testing.T) {
	tests := []struct {
		name     string
		decode   func([]int16, []byte) []int16
		encode   func([]byte, []int16) []byte
		lineMask byte              // bits inverted on the line
		clip     int               // largest magnitude in the top interval
		halfStep func(seg int) int // on the 16-bit scale
	}{
		{
			name: "ulaw", decode: DecodeULaw, encode: EncodeULaw, lineMask: 0xFF, clip: ulawClip,
			halfStep: func(seg int) int { return 4 << seg },
		},
		{
			name: "alaw", decode: DecodeALaw, encode: EncodeALaw, lineMask: 0x55, clip: 32767,
			halfStep: func(seg int) int { return 8 << max(seg-1, 0) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			levels := tt.decode(nil, allCodes())
			prev := -1 << 20
			for v := -32768; v <= 32767; v++ {
				code := tt.encode(nil, []int16{int16(v)})[0]
				level := int(levels[code])
				seg := int((code^tt.lineMask)>>4) & 7
				clipped := max(min(v, tt.clip), -tt.clip)
				if d := abs(clipped - level); d > tt.halfStep(seg) {
					t.Fatalf("%d encodes to %#02x (%d), %d away", v, code, level, d)
				}
				if level < prev {
					t.Fatalf("%d encodes to level %d, below the %d of %d", v, level, prev, v-1)
				}
				prev = level
			}
		})
	}
}

func allCodes() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func TestG711AppendsToDst(t *testing.T) {
	dst := []int16{7}
	got := DecodeULaw(dst, []byte{0xFF, 0x80})
	if diff := cmp.Diff([]int16{7, 0, 32124}, got); diff != "" {
		t.Errorf("DecodeULaw appended (-want +got):\n%s", diff)
	}
	enc := EncodeALaw([]byte{1}, []int16{8, -8})
	if diff := cmp.Diff([]byte{1, 0xD5, 0x55}, enc); diff != "" {
		t.Errorf("EncodeALaw appended (-want +got):\n%s", diff)
	}
}

func BenchmarkDecodeULaw(b *testing.B) {
	src := make([]byte, 160) // one 20 ms packet
	for i := range src {
		src[i] = byte(i * 7)
	}
	dst := make([]int16, 0, len(src))
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		dst = DecodeULaw(dst[:0], src)
	}
}
