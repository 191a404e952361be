package recorder

import "time"

// resyncThreshold is how far a packet's arrival may stray from where its
// RTP timestamp places it before the timestamps are no longer trusted and a
// new segment starts. It is well above network jitter, and below what a
// hold, a timestamp jump or a restarted sender produces.
const resyncThreshold = 500 * time.Millisecond

// segmenter places a stream's packets on the call's timeline, live.
//
// Within a segment the RTP timestamps give each packet's position exactly;
// the segment's offset on the timeline comes from arrival times. Each
// packet's arrival less its timestamp's distance from the segment base is
// an estimate of that offset plus the packet's network delay, so the
// smallest estimate seen is the best: it is the packet that was delayed
// least. Both legs of a call travel the same path, so anchoring each on its
// least-delayed packet lines them up to within the difference of their
// minimum delays, not of their jitter.
type segmenter struct {
	valid    bool
	seg      segmentRecord
	ssrc     uint32
	nextSeg  uint16
	resyncUS int64
}

// place returns the segment record for a packet, and whether the record is
// new or changed and so must be spooled before the packet.
func (s *segmenter) place(ssrc, ts, clock uint32, arrivalUS int64) (segmentRecord, bool) {
	if s.resyncUS == 0 {
		s.resyncUS = resyncThreshold.Microseconds()
	}
	if !s.valid || ssrc != s.ssrc || clock != s.seg.Clock {
		return s.start(ssrc, ts, clock, arrivalUS), true
	}
	// The signed difference survives timestamp wrap-around (RFC 3550
	// section 5.1: timestamps are modulo 2^32).
	rel := int64(int32(ts - s.seg.TSBase))
	offset := arrivalUS - rel*1_000_000/int64(clock)
	switch {
	case offset-s.seg.OffsetUS > s.resyncUS || s.seg.OffsetUS-offset > s.resyncUS:
		return s.start(ssrc, ts, clock, arrivalUS), true
	case offset < s.seg.OffsetUS:
		s.seg.OffsetUS = offset
		return s.seg, true
	}
	return s.seg, false
}

func (s *segmenter) start(ssrc, ts, clock uint32, arrivalUS int64) segmentRecord {
	s.valid = true
	s.ssrc = ssrc
	s.seg = segmentRecord{Seg: s.nextSeg, TSBase: ts, Clock: clock, OffsetUS: arrivalUS}
	s.nextSeg++
	return s.seg
}
