package audio

import (
	"math/bits"
	"slices"
)

// Silence in each G.711 law: the code that decodes to the value closest to
// zero. A recorder pads gaps in a G.711 stream with these.
const (
	// ULawSilence decodes to 0 (ITU-T G.711 Table 2a, positive zero).
	ULawSilence byte = 0xFF
	// ALawSilence decodes to +8, the smallest positive A-law level
	// (ITU-T G.711 Table 1a); A-law has no code for zero.
	ALawSilence byte = 0xD5
)

// Decoding tables, one entry per code, built once when the package loads.
var (
	ulawTable = buildTable(ulawToLinear)
	alawTable = buildTable(alawToLinear)
)

func buildTable(decode func(byte) int16) *[256]int16 {
	var t [256]int16
	for i := range t {
		t[i] = decode(byte(i))
	}
	return &t
}

// DecodeULaw appends the 16-bit linear samples of the mu-law codes in src
// to dst and returns the extended slice. Pass a reused buffer as dst[:0] to
// decode without allocating.
func DecodeULaw(dst []int16, src []byte) []int16 {
	return decodeTable(dst, src, ulawTable)
}

// DecodeALaw appends the 16-bit linear samples of the A-law codes in src
// to dst and returns the extended slice.
func DecodeALaw(dst []int16, src []byte) []int16 {
	return decodeTable(dst, src, alawTable)
}

func decodeTable(dst []int16, src []byte, t *[256]int16) []int16 {
	n := len(dst)
	dst = slices.Grow(dst, len(src))[:n+len(src)]
	out := dst[n:]
	for i, c := range src {
		out[i] = t[c]
	}
	return dst
}

// EncodeULaw appends the mu-law codes of the 16-bit linear samples in src
// to dst and returns the extended slice. Zero encodes as ULawSilence.
func EncodeULaw(dst []byte, src []int16) []byte {
	dst = slices.Grow(dst, len(src))
	for _, v := range src {
		dst = append(dst, linearToULaw(v))
	}
	return dst
}

// EncodeALaw appends the A-law codes of the 16-bit linear samples in src
// to dst and returns the extended slice.
func EncodeALaw(dst []byte, src []int16) []byte {
	dst = slices.Grow(dst, len(src))
	for _, v := range src {
		dst = append(dst, linearToALaw(v))
	}
	return dst
}

// Mu-law (ITU-T G.711 section 3, Tables 2a and 2b). A code is sent with
// all bits inverted; once inverted, bit 7 is the sign (set for negative),
// bits 6-4 the segment and bits 3-0 the step within it. The levels are
// those of a 14-bit linear scale, shown here scaled by 4 to 16 bits, where
// segment s covers ((33+2*step)<<s - 33) * 4 for its 16 steps: adding the
// bias of 33 (132 on the 16-bit scale) makes every segment start at a power
// of two.
const ulawBias = 0x84

func ulawToLinear(c byte) int16 {
	c = ^c
	seg := uint(c>>4) & 7
	mag := (int32(c&0x0F)<<3 + ulawBias) << seg
	mag -= ulawBias
	if c&0x80 != 0 {
		return int16(-mag)
	}
	return int16(mag)
}

// ulawClip is the largest magnitude mu-law can represent, before the bias.
const ulawClip = 32635

func linearToULaw(v int16) byte {
	mask := byte(0xFF)
	x := int32(v)
	if x < 0 {
		x = -x
		mask = 0x7F
	}
	x = min(x, ulawClip) + ulawBias
	// With the bias added x lies in [0x84, 0x7FFF], so its top bit is bit
	// 7 to 14 and the segment is that position less 7.
	seg := bits.Len32(uint32(x)) - 8
	step := (x >> (seg + 3)) & 0x0F
	return byte(seg<<4|int(step)) ^ mask
}

// A-law (ITU-T G.711 section 2, Tables 1a and 1b). Even bits of a code are
// inverted on the line (XOR 0x55); once restored, bit 7 is the sign (set
// for positive), bits 6-4 the segment and bits 3-0 the step. Segments 0
// and 1 share one step size; each later segment doubles it. Levels are the
// midpoints of 13-bit decision intervals, scaled by 8 to 16 bits.
func alawToLinear(c byte) int16 {
	c ^= 0x55
	seg := uint(c>>4) & 7
	mag := int32(c&0x0F)<<4 + 8
	if seg > 0 {
		mag = (mag + 0x100) << (seg - 1)
	}
	if c&0x80 == 0 {
		return int16(-mag)
	}
	return int16(mag)
}

func linearToALaw(v int16) byte {
	mask := byte(0xD5)
	x := int32(v) >> 3
	if v < 0 {
		// ^v is -v-1: it maps -1..-8 to the first interval as 0..7 map
		// on the positive side, so both signs share decision levels.
		x = int32(^v) >> 3
		mask = 0x55
	}
	// x is a 12-bit magnitude: segment 0 covers 0..31, segment s >= 1
	// covers [16<<s, 32<<s).
	seg := max(bits.Len32(uint32(x))-5, 0)
	shift := max(seg, 1)
	step := (x >> shift) & 0x0F
	return byte(seg<<4|int(step)) ^ mask
}
