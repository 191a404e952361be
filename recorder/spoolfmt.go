package recorder

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// A stream's spool log is a sequence of records, each a one-byte kind, a
// two-byte big-endian body length, then the body:
//
//	kind 1, packet:  seq u16 | ts u32 | ssrc u32 | arrival_us i64 | seg u16 | pt u8 | payload
//	kind 2, segment: seg u16 | ts_base u32 | clock u32 | offset_us i64
//
// arrival_us is the packet's arrival in microseconds since the call began.
// A segment maps RTP timestamps to the call's timeline: the sample at
// ts_base sits offset_us after the call began. A later segment record with
// the same id replaces the earlier one (its offset is refined as packets
// arrive). A torn record at the end of a log, left by a crash, is ignored.
const (
	recPacket  byte = 1
	recSegment byte = 2

	recHeaderLen     = 3
	packetFixedLen   = 2 + 4 + 4 + 8 + 2 + 1
	segmentRecordLen = 2 + 4 + 4 + 8
	maxRecordBody    = 1<<16 - 1
)

// packetRecord is one received RTP packet as spooled.
type packetRecord struct {
	Seq       uint16
	TS        uint32
	SSRC      uint32
	ArrivalUS int64
	Seg       uint16
	PT        uint8
	Payload   []byte
}

// segmentRecord anchors a run of RTP timestamps on the call's timeline.
type segmentRecord struct {
	Seg      uint16
	TSBase   uint32
	Clock    uint32
	OffsetUS int64
}

// appendPacket encodes p onto buf.
func appendPacket(buf []byte, p *packetRecord) []byte {
	n := packetFixedLen + len(p.Payload)
	buf = append(buf, recPacket, byte(n>>8), byte(n))
	buf = binary.BigEndian.AppendUint16(buf, p.Seq)
	buf = binary.BigEndian.AppendUint32(buf, p.TS)
	buf = binary.BigEndian.AppendUint32(buf, p.SSRC)
	buf = binary.BigEndian.AppendUint64(buf, uint64(p.ArrivalUS))
	buf = binary.BigEndian.AppendUint16(buf, p.Seg)
	buf = append(buf, p.PT)
	return append(buf, p.Payload...)
}

// appendSegment encodes s onto buf.
func appendSegment(buf []byte, s *segmentRecord) []byte {
	buf = append(buf, recSegment, 0, segmentRecordLen)
	buf = binary.BigEndian.AppendUint16(buf, s.Seg)
	buf = binary.BigEndian.AppendUint32(buf, s.TSBase)
	buf = binary.BigEndian.AppendUint32(buf, s.Clock)
	return binary.BigEndian.AppendUint64(buf, uint64(s.OffsetUS))
}

// errTornRecord reports a record cut short, as a crash mid-write leaves.
var errTornRecord = errors.New("recorder: torn spool record")

// spoolReader reads a stream's spool log record by record.
type spoolReader struct {
	r    *bufio.Reader
	body []byte
	off  int64 // offset of the next record in the log
}

func newSpoolReader(r io.Reader) *spoolReader {
	return &spoolReader{r: bufio.NewReaderSize(r, 64<<10), body: make([]byte, maxRecordBody)}
}

// next reads one record into either p or s and returns its kind. It
// returns io.EOF at a clean end and errTornRecord for a partial record.
// p.Payload aliases the reader's buffer until the next call.
func (sr *spoolReader) next(p *packetRecord, s *segmentRecord) (byte, error) {
	var hdr [recHeaderLen]byte
	if _, err := io.ReadFull(sr.r, hdr[:]); err != nil {
		if err == io.EOF {
			return 0, io.EOF
		}
		return 0, errTornRecord
	}
	n := int(binary.BigEndian.Uint16(hdr[1:]))
	body := sr.body[:n]
	if _, err := io.ReadFull(sr.r, body); err != nil {
		return 0, errTornRecord
	}
	sr.off += int64(recHeaderLen + n)
	switch kind := hdr[0]; kind {
	case recPacket:
		return kind, decodePacket(body, p)
	case recSegment:
		return kind, decodeSegment(body, s)
	default:
		return 0, fmt.Errorf("recorder: unknown spool record kind %d at offset %d", kind, sr.off)
	}
}

func decodePacket(b []byte, p *packetRecord) error {
	if len(b) < packetFixedLen {
		return fmt.Errorf("recorder: packet record of %d bytes is too short", len(b))
	}
	p.Seq = binary.BigEndian.Uint16(b)
	p.TS = binary.BigEndian.Uint32(b[2:])
	p.SSRC = binary.BigEndian.Uint32(b[6:])
	p.ArrivalUS = int64(binary.BigEndian.Uint64(b[10:]))
	p.Seg = binary.BigEndian.Uint16(b[18:])
	p.PT = b[20]
	p.Payload = b[packetFixedLen:]
	return nil
}

func decodeSegment(b []byte, s *segmentRecord) error {
	if len(b) != segmentRecordLen {
		return fmt.Errorf("recorder: segment record of %d bytes, want %d", len(b), segmentRecordLen)
	}
	s.Seg = binary.BigEndian.Uint16(b)
	s.TSBase = binary.BigEndian.Uint32(b[2:])
	s.Clock = binary.BigEndian.Uint32(b[6:])
	s.OffsetUS = int64(binary.BigEndian.Uint64(b[10:]))
	return nil
}
