package recorder

import (
	"math"
	"time"

	"earshot/storage"
)

// lateThreshold is how far behind its place on the timeline a packet may
// arrive before it counts as late: a live jitter buffer this deep would
// have played silence instead. The recording still places it correctly.
const lateThreshold = 100 * time.Millisecond

// ssrcSeq tracks one synchronization source's sequence numbers, extended
// past wrap-around as in RFC 3550 appendix A.1.
type ssrcSeq struct {
	base, max uint64 // extended sequence numbers
	seen      map[uint64]bool
}

func (s *ssrcSeq) extend(seq uint16) uint64 {
	cycles := s.max &^ 0xffff
	ext := cycles | uint64(seq)
	// Pick the cycle that puts seq nearest the highest seen.
	switch {
	case ext+0x8000 < s.max:
		ext += 0x10000
	case ext > s.max+0x8000 && ext >= 0x10000:
		ext -= 0x10000
	}
	return ext
}

// streamStats computes the RFC 3550 reception statistics of one stream from
// its log: packets received, lost (expected less received, section 6.4.1),
// duplicated, late, the SSRCs seen, and the interarrival jitter (appendix
// A.8) at the end of the stream, in milliseconds.
func streamStats(sl *streamLog) storage.Stream {
	out := storage.Stream{Channel: sl.state.Channel, Label: sl.state.Label}
	bySSRC := map[uint32]*ssrcSeq{}
	var jitter, prevTransit float64
	var prevSSRC, baseTS uint32
	havePrev := false
	for i := range sl.packets {
		p := &sl.packets[i]
		out.PacketsReceived++
		seq := bySSRC[p.ssrc]
		if seq == nil {
			seq = &ssrcSeq{base: uint64(p.seq), max: uint64(p.seq), seen: map[uint64]bool{}}
			bySSRC[p.ssrc] = seq
			out.SSRCs = append(out.SSRCs, p.ssrc)
		}
		ext := seq.extend(p.seq)
		if seq.seen[ext] {
			out.PacketsDup++
			continue
		}
		seq.seen[ext] = true
		seq.base, seq.max = min(seq.base, ext), max(seq.max, ext)
		if sl.isLate(p) {
			out.PacketsLate++
		}
		codec, ok := sl.codec(p.pt)
		if !ok || sl.isEvent(p.pt) || p.pt == ptComfortNoise {
			continue
		}
		if !havePrev || p.ssrc != prevSSRC {
			baseTS = p.ts
		}
		// Relative timestamps keep the difference right across wrap-around.
		rel := float64(int32(p.ts - baseTS))
		transit := float64(p.arrivalUS)*float64(codec.Clock)/1e6 - rel
		if havePrev && p.ssrc == prevSSRC {
			jitter += (math.Abs(transit-prevTransit) - jitter) / 16
		}
		prevTransit, prevSSRC, havePrev = transit, p.ssrc, true
		out.JitterMS = jitter / float64(codec.Clock) * 1000
	}
	for _, s := range bySSRC {
		expected := int64(s.max - s.base + 1)
		out.PacketsLost += max(0, expected-int64(len(s.seen)))
	}
	out.JitterMS = math.Round(out.JitterMS*100) / 100
	return out
}

func (sl *streamLog) isLate(p *pktRef) bool {
	pos, ok := sl.positionUS(p)
	return ok && p.arrivalUS-pos > lateThreshold.Microseconds()
}
