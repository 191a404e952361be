package audio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Errors that callers may branch on. Each is wrapped with the detail of
// what was wrong; compare with errors.Is.
var (
	// ErrNotWAVE means the input is not a well-formed RIFF WAVE file.
	ErrNotWAVE = errors.New("audio: not a WAVE file")
	// ErrUnsupported means a well-formed WAVE file holds an encoding,
	// sample size or layout this package does not handle.
	ErrUnsupported = errors.New("audio: unsupported WAVE format")
	// ErrTooLarge means the audio does not fit a RIFF file: its sizes are
	// 32-bit, so a WAV file ends before 4 GiB. Recordings that long must
	// be split by the caller.
	ErrTooLarge = errors.New("audio: WAVE data over 4 GiB")
)

// Encoding is how a WAV file stores each sample.
type Encoding int

// The encodings Earshot stores. The zero Encoding is invalid, so that a
// Format left unset is caught.
const (
	// ULaw is 8-bit G.711 mu-law (WAVE_FORMAT_MULAW, 7).
	ULaw Encoding = iota + 1
	// ALaw is 8-bit G.711 A-law (WAVE_FORMAT_ALAW, 6).
	ALaw
	// PCM16 is 16-bit signed little-endian linear PCM (WAVE_FORMAT_PCM, 1).
	PCM16
)

// String returns the encoding's usual short name.
func (e Encoding) String() string {
	switch e {
	case ULaw:
		return "mu-law"
	case ALaw:
		return "A-law"
	case PCM16:
		return "pcm16"
	}
	return fmt.Sprintf("Encoding(%d)", int(e))
}

// Limits on the formats written and read: generous for telephony, and
// they keep every derived size well inside 32 bits.
const (
	maxChannels   = 8
	maxSampleRate = 384000
)

// Format describes the audio in a WAV file. Samples of all channels are
// interleaved, one frame per sampling instant.
type Format struct {
	Encoding   Encoding
	SampleRate int // frames per second, 8000 for G.711
	Channels   int // 2 for Earshot's recordings: one party per channel
}

// SampleBytes is the size of one sample of one channel: 1 for G.711, 2
// for PCM16, 0 for an invalid encoding.
func (f Format) SampleBytes() int {
	switch f.Encoding {
	case ULaw, ALaw:
		return 1
	case PCM16:
		return 2
	}
	return 0
}

// BlockAlign is the size of one frame (one sample of every channel), the
// unit the data chunk is made of.
func (f Format) BlockAlign() int {
	return f.SampleBytes() * f.Channels
}

// validate reports whether f can be written to, or was read from, a WAV
// file this package handles.
func (f Format) validate() error {
	switch {
	case f.SampleBytes() == 0:
		return fmt.Errorf("encoding %v: %w", f.Encoding, ErrUnsupported)
	case f.Channels < 1 || f.Channels > maxChannels:
		return fmt.Errorf("%d channels: %w", f.Channels, ErrUnsupported)
	case f.SampleRate < 1 || f.SampleRate > maxSampleRate:
		return fmt.Errorf("sample rate %d: %w", f.SampleRate, ErrUnsupported)
	}
	return nil
}

// WAVE format tags (RFC 2361 appendix A; Microsoft mmreg.h).
const (
	tagPCM        = 0x0001
	tagALaw       = 0x0006
	tagMULaw      = 0x0007
	tagExtensible = 0xFFFE
)

func (e Encoding) tag() uint16 {
	switch e {
	case ULaw:
		return tagMULaw
	case ALaw:
		return tagALaw
	}
	return tagPCM
}

// Header layout written by this package. For PCM16 it is the canonical
// 44-byte header:
//
//	offset size
//	0      4    "RIFF"
//	4      4    RIFF size: file size - 8
//	8      4    "WAVE"
//	12     4    "fmt "
//	16     4    16
//	20     16   format: tag, channels, sample rate, byte rate,
//	            block align, bits per sample
//	36     4    "data"
//	40     4    data size
//
// For G.711 the WAVE rules for formats other than PCM apply (Microsoft
// "Multimedia Programming Interface and Data Specifications 1.0", WAVE
// chapter): the format is 18 bytes, ending in cbSize = 0 (WAVEFORMATEX),
// and a fact chunk giving the length in frames follows it, 58 bytes in
// all. This is the layout sox writes, and Chromium and sox read it.
const (
	riffHeaderSize = 12
	chunkHeader    = 8
	pcmFmtSize     = 16
	exFmtSize      = 18
	factSize       = 4
)

// HeaderSize returns the size of the header WriteHeader writes for f: 44
// bytes for PCM16 and 58 for G.711. The audio data starts at that offset.
func HeaderSize(f Format) int {
	if f.Encoding == PCM16 {
		return riffHeaderSize + chunkHeader + pcmFmtSize + chunkHeader
	}
	return riffHeaderSize + chunkHeader + exFmtSize + chunkHeader + factSize + chunkHeader
}

// maxDataBytes is the largest whole number of frames whose file, with its
// pad byte, still has a RIFF size that fits 32 bits.
func maxDataBytes(f Format) int64 {
	limit := int64(math.MaxUint32) - int64(HeaderSize(f)-chunkHeader)
	ba := int64(f.BlockAlign())
	d := limit - limit%ba
	for d+(d&1) > limit {
		d -= ba
	}
	return d
}

// checkDataBytes reports whether n bytes of audio can be described by a
// header for f.
func checkDataBytes(f Format, n int64) error {
	switch {
	case n < 0 || n%int64(f.BlockAlign()) != 0:
		return fmt.Errorf("data size %d is not a whole number of %d-byte frames: %w",
			n, f.BlockAlign(), ErrNotWAVE)
	case n > maxDataBytes(f):
		return fmt.Errorf("data size %d: %w", n, ErrTooLarge)
	}
	return nil
}

// WriteHeader writes the header of a WAV file holding dataBytes of audio
// in format f; the data follows it directly, and an odd dataBytes must be
// followed by one pad byte (RIFF chunks are word-aligned). A recorder that
// does not know the length yet writes a header for 0 bytes and patches it
// at the end: see Writer and PatchSizes.
//
// It returns an error wrapping ErrUnsupported for a format it cannot
// write, and ErrTooLarge when the file would reach 4 GiB.
func WriteHeader(w io.Writer, f Format, dataBytes int64) error {
	if err := f.validate(); err != nil {
		return fmt.Errorf("write wav header: %w", err)
	}
	if err := checkDataBytes(f, dataBytes); err != nil {
		return fmt.Errorf("write wav header: %w", err)
	}
	if _, err := w.Write(appendHeader(nil, f, dataBytes)); err != nil {
		return fmt.Errorf("write wav header: %w", err)
	}
	return nil
}

// appendHeader appends the header for a valid f and dataBytes to b.
func appendHeader(b []byte, f Format, dataBytes int64) []byte {
	le := binary.LittleEndian
	hs := HeaderSize(f)
	b = append(b, "RIFF"...)
	b = le.AppendUint32(b, uint32(int64(hs-chunkHeader)+dataBytes+(dataBytes&1)))
	b = append(b, "WAVEfmt "...)

	fmtSize := pcmFmtSize
	if f.Encoding != PCM16 {
		fmtSize = exFmtSize
	}
	ba := f.BlockAlign()
	b = le.AppendUint32(b, uint32(fmtSize))
	b = le.AppendUint16(b, f.Encoding.tag())
	b = le.AppendUint16(b, uint16(f.Channels))
	b = le.AppendUint32(b, uint32(f.SampleRate))
	b = le.AppendUint32(b, uint32(f.SampleRate*ba))
	b = le.AppendUint16(b, uint16(ba))
	b = le.AppendUint16(b, uint16(8*f.SampleBytes()))

	if f.Encoding != PCM16 {
		b = le.AppendUint16(b, 0) // cbSize: no extra format bytes
		b = append(b, "fact"...)
		b = le.AppendUint32(b, factSize)
		b = le.AppendUint32(b, uint32(dataBytes/int64(ba)))
	}
	b = append(b, "data"...)
	return le.AppendUint32(b, uint32(dataBytes))
}

// sizeField is a 32-bit size in a header, at an offset from its start.
type sizeField struct {
	offset int64
	value  uint32
}

// sizeFields lists the fields that depend on the data size in a header
// laid out by appendHeader: the RIFF size, the fact chunk's frame count
// (G.711 only) and the data size.
func sizeFields(f Format, dataBytes int64) []sizeField {
	hs := int64(HeaderSize(f))
	fields := []sizeField{
		{4, uint32(hs - chunkHeader + dataBytes + (dataBytes & 1))},
		{hs - 4, uint32(dataBytes)},
	}
	if f.Encoding != PCM16 {
		frames := uint32(dataBytes / int64(f.BlockAlign()))
		fields = append(fields, sizeField{hs - chunkHeader - factSize, frames})
	}
	return fields
}
