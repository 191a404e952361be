package audio

import "slices"

// Upsampler doubles the sample rate of one stream, 8 kHz to 16 kHz, so
// that a G.711 leg can share a 16 kHz file with a G.722 leg.
//
// It interpolates linearly: each input sample is kept and a new sample,
// the mean of it and the one before, is put in front of it. That delays
// the stream by half an input sample (62.5 microseconds), far inside the
// 20 ms to which the two channels are aligned, and makes the output
// exactly twice as long as the input. The price is a plain filter, with a
// response of cos^2(pi*f/16000): the top of the telephone band (3.4 kHz)
// is 4 dB down, and a tone at f leaves an image at 8 kHz - f, 8 dB down
// for 3.4 kHz and 40 dB for 500 Hz. That is acceptable for listening to
// narrowband speech beside a wideband leg; it is not a clean band limit.
//
// It carries the last sample from one call to the next, so a stream
// resampled packet by packet is the same as one resampled whole. The zero
// value is ready to use; it treats the sample before the first as equal to
// the first. It is not safe for concurrent use.
type Upsampler struct {
	last    int16
	started bool
}

// Resample8kTo16k appends to dst the 16 kHz version of the 8 kHz samples
// in src, two per input sample, and returns the extended slice.
func (u *Upsampler) Resample8kTo16k(dst, src []int16) []int16 {
	if len(src) == 0 {
		return dst
	}
	if !u.started {
		u.last, u.started = src[0], true
	}
	n := len(dst)
	dst = slices.Grow(dst, 2*len(src))[:n+2*len(src)]
	out := dst[n:]
	prev := int32(u.last)
	for i, s := range src {
		cur := int32(s)
		out[2*i] = int16((prev + cur) >> 1)
		out[2*i+1] = s
		prev = cur
	}
	u.last = src[len(src)-1]
	return dst
}

// Reset forgets the last sample, as at the start of a new stream.
func (u *Upsampler) Reset() {
	*u = Upsampler{}
}

// Resample8kTo16k appends to dst the 16 kHz version of the 8 kHz block
// src, as a fresh Upsampler would, and returns the extended slice. Each
// call stands alone: the first new sample repeats src[0] instead of
// bridging from the previous block, so use an Upsampler for a stream that
// arrives in packets.
func Resample8kTo16k(dst, src []int16) []int16 {
	var u Upsampler
	return u.Resample8kTo16k(dst, src)
}
