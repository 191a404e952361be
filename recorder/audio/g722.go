package audio

import "slices"

// G722Decoder decodes ITU-T G.722 at 64 kbit/s (mode 1, the only mode RTP
// carries: RFC 3551 section 4.5.2) into 16 kHz 16-bit linear PCM. Each
// octet holds one lower-band and one higher-band code and yields two
// output samples. RFC 3551 gives G.722 an RTP clock rate of 8000 although
// the audio is sampled at 16 kHz, so one RTP timestamp unit is two output
// samples.
//
// The decoder adapts: each output depends on everything decoded before,
// so feed it one stream's packets in order and call Reset when the stream
// restarts (a new SSRC). A lost packet leaves it out of step with the
// sender's encoder until the adaptation catches up; how to fill the gap is
// the caller's choice.
//
// The zero value is ready to use. A G722Decoder is not safe for concurrent
// use.
type G722Decoder struct {
	started bool
	low     adpcmBand
	high    adpcmBand
	// qmf holds the receive QMF delay line: the last 12 sums rL+rH and
	// differences rL-rH, interleaved as sum, difference, twice over.
	// qmf[qmfPos+2:qmfPos+26] is the line, oldest first.
	qmf    [48]int
	qmfPos int
}

// NewG722Decoder returns a decoder in the initial state of ITU-T G.722.
func NewG722Decoder() *G722Decoder {
	d := &G722Decoder{}
	d.Reset()
	return d
}

// Reset returns the decoder to its initial state, as at the start of a
// stream.
func (d *G722Decoder) Reset() {
	*d = G722Decoder{started: true}
	// The step sizes start at their minimum (G.722 initial values: DETL
	// 32, DETH 8); everything else starts at zero.
	d.low.det = 32
	d.high.det = 8
}

// Decode appends the 16 kHz samples of the G.722 octets in src to dst,
// two per octet, and returns the extended slice. Every octet value is
// valid input.
func (d *G722Decoder) Decode(dst []int16, src []byte) []int16 {
	if !d.started {
		d.Reset()
	}
	n := len(dst)
	dst = slices.Grow(dst, 2*len(src))[:n+2*len(src)]
	out := dst[n:]
	for i, c := range src {
		out[2*i], out[2*i+1] = d.decodeOctet(c)
	}
	return dst
}

// decodeOctet decodes one octet: G.722 puts the higher-band code IH in
// the two most significant bits and the lower-band code ILR in the six
// others.
func (d *G722Decoder) decodeOctet(c byte) (int16, int16) {
	rl := d.lowerBand(int(c & 0x3F))
	rh := d.higherBand(int(c >> 6))
	return d.receiveQMF(rl, rh)
}

// lowerBand runs the lower sub-band ADPCM decoder for the 6-bit code ilr
// and returns the reconstructed signal RL.
func (d *G722Decoder) lowerBand(ilr int) int {
	b := &d.low
	// INVQBL, RECONS and LIMIT: the output uses all six bits.
	rl := clamp(b.s+(b.det*lowerLevel6[ilr])>>15, -16384, 16383)

	// INVQAL: the predictor and the step size adapt on the four most
	// significant bits only, so that they follow the encoder whatever the
	// mode (56 and 48 kbit/s steal the low bits for data).
	il4 := ilr >> 2
	dlt := (b.det * lowerLevel4[il4]) >> 15

	// LOGSCL and SCALEL.
	b.nb = clamp(leak(b.nb)+lowerLogStep[il4], 0, 18432)
	b.det = scaleFactor(b.nb, 8)

	b.predict(dlt)
	return rl
}

// higherBand runs the higher sub-band ADPCM decoder for the 2-bit code ih
// and returns the reconstructed signal RH.
func (d *G722Decoder) higherBand(ih int) int {
	b := &d.high
	// INVQAH, RECONS and LIMIT.
	dh := (b.det * higherLevel2[ih]) >> 15
	rh := clamp(b.s+dh, -16384, 16383)

	// LOGSCH and SCALEH.
	b.nb = clamp(leak(b.nb)+higherLogStep[ih], 0, 22528)
	b.det = scaleFactor(b.nb, 10)

	b.predict(dh)
	return rh
}

// receiveQMF interpolates the two 8 kHz sub-bands to 16 kHz (G.722 receive
// QMF): xout(j) = 2 * sum h(2i) xd(j-i) and xout(j+1) = 2 * sum h(2i+1)
// xs(j-i), i = 0..11, where xd = rL-rH and xs = rL+rH.
//
// The coefficients are integers scaled by 2^13, so each sum has a DC gain
// of 2^12: shifting it by 12 would keep the scale of rL and rH, a 15-bit
// range for the codec's 14-bit audio. We shift by 11, which puts a
// full-scale signal at full 16-bit scale and is what ffmpeg's decoder
// does; the tests compare with ffmpeg bit for bit. Our output shifted
// right by one is the 12-bit-shift value, except where the 16-bit output
// clips.
func (d *G722Decoder) receiveQMF(rl, rh int) (int16, int16) {
	// The delay line is kept twice over, so that the last 24 values are
	// always one contiguous window and nothing is shifted per sample.
	w := d.qmfPos
	d.qmf[w], d.qmf[w+1] = rl+rh, rl-rh
	d.qmf[w+24], d.qmf[w+25] = rl+rh, rl-rh
	d.qmfPos = (w + 2) % 24
	x := (*[24]int)(d.qmf[w+2 : w+26])

	var even, odd int
	for i := range 12 {
		// x[23-2i] is xd(j-i) and x[22-2i] is xs(j-i).
		even += qmfCoeff[2*i] * x[23-2*i]
		odd += qmfCoeff[2*i+1] * x[22-2*i]
	}
	return int16(sat16(even >> 11)), int16(sat16(odd >> 11))
}

// adpcmBand is the state of one sub-band's ADPCM decoder. The names in
// comments are the variables of G.722's computational description.
type adpcmBand struct {
	nb  int // log scale factor, NBL or NBH
	det int // quantizer step size, DETL or DETH
	s   int // signal estimate, SL or SH
	sz  int // its all-zero (FIR) part, SZL or SZH

	a [2]int // pole coefficients AL1..AL2
	b [6]int // zero coefficients BL1..BL6
	d [6]int // past quantized differences DLT(n-1)..DLT(n-6)
	p [2]int // past partial reconstructions PLT(n-1), PLT(n-2)
	r [2]int // past reconstructed signals RLT(n-1), RLT(n-2)
}

// predict runs the adaptive predictor (G.722 block 4 in both bands:
// RECONS, PARREC, UPPOL2, UPPOL1, UPZERO, DELAYA, FILTEP, FILTEZ, PREDIC)
// for the quantized difference dq and leaves the next signal estimate in
// b.s.
func (b *adpcmBand) predict(dq int) {
	r := sat16(b.s + dq)
	p := sat16(b.sz + dq)

	a2 := b.nextPole2(p)
	a1 := b.nextPole1(p, a2)
	b.updateZeros(dq)

	b.a = [2]int{a1, a2}
	b.p = [2]int{p, b.p[0]}
	b.r = [2]int{r, b.r[0]}

	// FILTEP, FILTEZ and PREDIC. The stored values are doubled before the
	// multiply, as the standard does to keep one more bit of precision.
	sp := sat16((a1*sat16(2*b.r[0]))>>15 + (a2*sat16(2*b.r[1]))>>15)
	sz := 0
	for i := range b.d {
		sz += (b.b[i] * sat16(2*b.d[i])) >> 15
	}
	b.sz = sat16(sz)
	b.s = sat16(sp + b.sz)
}

// The sign tests of the adaptation are branch-free: which way a sign
// comparison goes depends on the audio and is as good as random, so a
// branch would be mispredicted half the time.

// nextPole2 is UPPOL2: the second pole coefficient follows the sign
// agreement of the partial reconstruction p with its last two values.
func (b *adpcmBand) nextPole2(p int) int {
	// 4*a1, saturated, is negated when p agrees in sign with p(n-1), and
	// capped after that, since -(-32768) does not fit 16 bits.
	agree := ^signDiffer(p, b.p[0])
	wd := min(negIf(sat16(4*b.a[0]), agree), 32767)
	a2 := wd>>7 + (b.a[1]*32512)>>15 + negIf(128, signDiffer(p, b.p[1]))
	return clamp(a2, -12288, 12288)
}

// nextPole1 is UPPOL1: the first pole coefficient, kept inside the
// stability limit set by the new second one.
func (b *adpcmBand) nextPole1(p, a2 int) int {
	a1 := (b.a[0]*32640)>>15 + negIf(192, signDiffer(p, b.p[0]))
	limit := 15360 - a2
	return clamp(sat16(a1), -limit, limit)
}

// updateZeros is UPZERO followed by the zero section of DELAYA: each zero
// coefficient leaks towards zero and steps by 128 towards agreement of the
// signs of dq and the matching past difference (no step when dq is 0).
func (b *adpcmBand) updateZeros(dq int) {
	step := 128
	if dq == 0 {
		step = 0
	}
	for i := range b.b {
		v := (b.b[i]*32640)>>15 + negIf(step, signDiffer(b.d[i], dq))
		b.b[i] = sat16(v)
	}
	copy(b.d[1:], b.d[:5])
	b.d[0] = dq
}

// signDiffer returns -1 if x and y have different signs and 0 if they
// agree, counting zero as positive as G.722's sign bit does.
func signDiffer(x, y int) int {
	return (x ^ y) >> 63
}

// negIf returns -v if mask is -1 and v if mask is 0.
func negIf(v, mask int) int {
	return (v ^ mask) - mask
}

// leak multiplies a log scale factor by the leakage factor 127/128
// (LOGSCL, LOGSCH).
func leak(nb int) int {
	return (nb * 127) >> 7
}

// scaleFactor is SCALEL (offset 8) and SCALEH (offset 10): the step size
// is 2 to the power of the log scale factor, read from a 32-entry table of
// one octave and shifted; nb is in units of 2^-11.
func scaleFactor(nb, offset int) int {
	mant := inverseLog2[(nb>>6)&31]
	shift := offset - nb>>11
	if shift < 0 {
		return (mant << -shift) << 2
	}
	return (mant >> shift) << 2
}

func clamp(v, lo, hi int) int {
	return min(max(v, lo), hi)
}

func sat16(v int) int {
	return clamp(v, -32768, 32767)
}
