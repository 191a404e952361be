package recorder

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// pktRef is a spooled packet without its payload, which stays in the log
// and is read when the packet is rendered: a long call's index fits in
// memory, its audio need not.
type pktRef struct {
	off       int64 // offset of the payload in the spool log
	n         uint16
	seq       uint16
	pt        uint8
	seg       uint16
	ts        uint32
	ssrc      uint32
	arrivalUS int64
}

// streamLog is one stream's spool log, scanned.
type streamLog struct {
	state   streamState
	path    string
	packets []pktRef // in arrival order
	segs    map[uint16]segmentRecord
	torn    bool
}

// scanStream reads a stream's spool log. A torn record at the end (a crash
// mid-write) ends the scan without error; the log is marked torn.
func scanStream(dir string, ss streamState) (*streamLog, error) {
	sl := &streamLog{state: ss, path: streamFile(dir, ss.Index), segs: map[uint16]segmentRecord{}}
	f, err := os.Open(sl.path)
	if errors.Is(err, os.ErrNotExist) {
		return sl, nil // a refused stream has no log
	}
	if err != nil {
		return nil, fmt.Errorf("open spool log: %w", err)
	}
	defer f.Close()
	r := newSpoolReader(f)
	var p packetRecord
	var s segmentRecord
	for {
		start := r.off
		kind, err := r.next(&p, &s)
		switch {
		case err == io.EOF:
			return sl, nil
		case errors.Is(err, errTornRecord):
			sl.torn = true
			return sl, nil
		case err != nil:
			return nil, fmt.Errorf("scan %s: %w", sl.path, err)
		}
		if kind == recSegment {
			sl.segs[s.Seg] = s
			continue
		}
		sl.packets = append(sl.packets, pktRef{
			off: start + recHeaderLen + packetFixedLen, n: uint16(len(p.Payload)),
			seq: p.Seq, pt: p.PT, seg: p.Seg, ts: p.TS, ssrc: p.SSRC, arrivalUS: p.ArrivalUS,
		})
	}
}

// positionUS returns where a packet's first sample sits on the call's
// timeline, in microseconds, and false if its segment is unknown.
func (sl *streamLog) positionUS(p *pktRef) (int64, bool) {
	seg, ok := sl.segs[p.seg]
	if !ok || seg.Clock == 0 {
		return 0, false
	}
	rel := int64(int32(p.ts - seg.TSBase))
	return seg.OffsetUS + rel*1_000_000/int64(seg.Clock), true
}

// codec returns the format of a payload type on this stream.
func (sl *streamLog) codec(pt uint8) (Codec, bool) {
	c, ok := sl.state.Codecs[pt]
	return c, ok
}

// isEvent reports whether pt carries RFC 4733 telephone-events.
func (sl *streamLog) isEvent(pt uint8) bool {
	return sl.state.EventPT >= 0 && int(pt) == sl.state.EventPT
}

// lastArrivalUS returns the arrival of the latest packet, or 0.
func (sl *streamLog) lastArrivalUS() int64 {
	var last int64
	for i := range sl.packets {
		last = max(last, sl.packets[i].arrivalUS)
	}
	return last
}
