package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// maxChunks bounds how many chunks ReadHeader looks through before the
// data chunk, so that a crafted file cannot keep it busy.
const maxChunks = 64

// maxFmtSize bounds the fmt chunk; WAVE_FORMAT_EXTENSIBLE, the largest in
// use, is 40 bytes.
const maxFmtSize = 1024

// ReadHeader reads a WAV header from r and returns the audio format, the
// offset of the first data byte from where r started, and the size the
// data chunk declares.
//
// It accepts PCM (16-bit), mu-law and A-law files, plain or as
// WAVE_FORMAT_EXTENSIBLE, and skips any other chunks before the data
// (LIST, fact, cue...), honouring the pad byte after odd-sized chunks. It
// reads nothing past the data chunk's header; if r is an io.Seeker, it
// seeks over skipped chunks instead of reading them.
//
// The declared size is returned as it is: a file cut short, or written by
// a streaming writer that left 0 or 0xFFFFFFFF there, holds a different
// amount, so a caller that knows the file's size should use the smaller.
//
// Errors wrap io.ErrUnexpectedEOF for a truncated header, ErrNotWAVE for
// input that is not a well-formed WAVE file and ErrUnsupported for other
// encodings.
func ReadHeader(r io.Reader) (f Format, dataOffset, dataBytes int64, err error) {
	h, err := readHeader(r)
	if err != nil {
		return Format{}, 0, 0, fmt.Errorf("read wav header: %w", err)
	}
	return h.format, h.dataOffset, h.dataBytes, nil
}

// header is what readHeader finds.
type header struct {
	format     Format
	dataOffset int64
	dataBytes  int64
	factOffset int64 // offset of the fact chunk's header, -1 if none
}

// headerReader reads a RIFF file chunk by chunk, keeping count of the
// offset.
type headerReader struct {
	r   io.Reader
	off int64
}

func readHeader(r io.Reader) (header, error) {
	hr := &headerReader{r: r}
	h := header{factOffset: -1}
	var riff [riffHeaderSize]byte
	if err := hr.read(riff[:]); err != nil {
		return h, err
	}
	if err := checkRIFF(riff[:]); err != nil {
		return h, err
	}

	haveFmt := false
	for range maxChunks {
		start := hr.off
		id, size, err := hr.chunkHeader()
		if err != nil {
			return h, err
		}
		switch id {
		case "data":
			if !haveFmt {
				return h, fmt.Errorf("data chunk before fmt chunk: %w", ErrNotWAVE)
			}
			h.dataOffset, h.dataBytes = hr.off, size
			return h, nil
		case "fmt ":
			if haveFmt {
				return h, fmt.Errorf("second fmt chunk: %w", ErrNotWAVE)
			}
			if h.format, err = hr.fmtChunk(size); err != nil {
				return h, err
			}
			haveFmt = true
		default:
			if id == "fact" {
				h.factOffset = start
			}
			if err := hr.skip(size + (size & 1)); err != nil {
				return h, err
			}
		}
	}
	return h, fmt.Errorf("no data chunk in the first %d chunks: %w", maxChunks, ErrNotWAVE)
}

// checkRIFF checks the 12-byte RIFF header. The RIFF size is not checked:
// streaming writers leave a placeholder there.
func checkRIFF(b []byte) error {
	switch {
	case string(b[0:4]) == "RF64" || string(b[0:4]) == "BW64":
		return fmt.Errorf("64-bit RIFF (%q): %w", b[0:4], ErrUnsupported)
	case string(b[0:4]) != "RIFF":
		return fmt.Errorf("no RIFF signature: %w", ErrNotWAVE)
	case string(b[8:12]) != "WAVE":
		return fmt.Errorf("RIFF form %q: %w", b[8:12], ErrNotWAVE)
	}
	return nil
}

// read fills b, reporting a short read as io.ErrUnexpectedEOF.
func (hr *headerReader) read(b []byte) error {
	n, err := io.ReadFull(hr.r, b)
	hr.off += int64(n)
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// chunkHeader reads a chunk's four-character id and size.
func (hr *headerReader) chunkHeader() (string, int64, error) {
	var b [chunkHeader]byte
	if err := hr.read(b[:]); err != nil {
		return "", 0, err
	}
	return string(b[:4]), int64(binary.LittleEndian.Uint32(b[4:])), nil
}

// skip moves past n bytes, seeking when it can. A seek past the end goes
// unnoticed here; the next chunk header read reports it.
func (hr *headerReader) skip(n int64) error {
	if s, ok := hr.r.(io.Seeker); ok {
		if _, err := s.Seek(n, io.SeekCurrent); err != nil {
			return err
		}
		hr.off += n
		return nil
	}
	m, err := io.CopyN(io.Discard, hr.r, n)
	hr.off += m
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// fmtChunk reads and parses a fmt chunk of the given size.
func (hr *headerReader) fmtChunk(size int64) (Format, error) {
	if size < pcmFmtSize || size > maxFmtSize {
		return Format{}, fmt.Errorf("fmt chunk of %d bytes: %w", size, ErrNotWAVE)
	}
	b := make([]byte, size+(size&1))
	if err := hr.read(b); err != nil {
		return Format{}, err
	}
	return parseFmt(b[:size])
}

// ksSubtypeSuffix is the part shared by the KSDATAFORMAT_SUBTYPE GUIDs of
// the classic format tags (xxxxxxxx-0000-0010-8000-00AA00389B71, stored
// little-endian): WAVE_FORMAT_EXTENSIBLE puts the real tag in the first
// two bytes of its SubFormat GUID.
var ksSubtypeSuffix = []byte{
	0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00,
	0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
}

// parseFmt parses the body of a fmt chunk (WAVEFORMAT, WAVEFORMATEX or
// WAVEFORMATEXTENSIBLE).
func parseFmt(b []byte) (Format, error) {
	le := binary.LittleEndian
	tag := le.Uint16(b[0:])
	channels := int(le.Uint16(b[2:]))
	rate := int(le.Uint32(b[4:]))
	blockAlign := int(le.Uint16(b[12:]))
	bits := int(le.Uint16(b[14:]))

	if tag == tagExtensible {
		// cbSize (2), valid bits (2), channel mask (4), SubFormat (16).
		if len(b) < 40 || le.Uint16(b[16:]) < 22 {
			return Format{}, fmt.Errorf("short WAVE_FORMAT_EXTENSIBLE: %w", ErrNotWAVE)
		}
		if !bytes.Equal(b[26:40], ksSubtypeSuffix) {
			return Format{}, fmt.Errorf("extensible sub-format % x: %w", b[24:40], ErrUnsupported)
		}
		tag = le.Uint16(b[24:])
	}

	var f Format
	switch {
	case tag == tagPCM && bits == 16:
		f.Encoding = PCM16
	case tag == tagMULaw && bits == 8:
		f.Encoding = ULaw
	case tag == tagALaw && bits == 8:
		f.Encoding = ALaw
	default:
		return Format{}, fmt.Errorf("format tag %#x with %d bits: %w", tag, bits, ErrUnsupported)
	}
	f.Channels, f.SampleRate = channels, rate
	if channels == 0 || rate == 0 {
		return Format{}, fmt.Errorf("%d channels at %d Hz: %w", channels, rate, ErrNotWAVE)
	}
	if err := f.validate(); err != nil {
		return Format{}, err
	}
	if blockAlign != f.BlockAlign() {
		return Format{}, fmt.Errorf("block align %d for %d channels of %v: %w",
			blockAlign, channels, f.Encoding, ErrNotWAVE)
	}
	return f, nil
}
