package recorder

import (
	"encoding/binary"
	"sort"

	"earshot/storage"
)

// ptComfortNoise is the static payload type of comfort noise (RFC 3389,
// RFC 3551 table 4): recorded as silence, never as audio.
const ptComfortNoise = 13

// dtmfDigits names the RFC 4733 section 3.2 DTMF events 0 to 16.
const dtmfDigits = "0123456789*#ABCD"

// dtmfEvents extracts the telephone-events of a stream. An RFC 4733
// event is sent as several packets sharing the timestamp of its start, the
// last ones with the end bit set; they are grouped by SSRC and timestamp.
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     event     |E|R| volume    |          duration             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
func dtmfEvents(sl *streamLog, f *spoolFile) []storage.DTMFEvent {
	type key struct{ ssrc, ts uint32 }
	events := map[key]*storage.DTMFEvent{}
	var payload [4]byte
	for i := range sl.packets {
		p := &sl.packets[i]
		if !sl.isEvent(p.pt) || p.n < 4 {
			continue
		}
		if err := f.readAt(payload[:], p.off); err != nil {
			continue
		}
		code := payload[0]
		if int(code) > len(dtmfDigits) {
			continue // not DTMF (flash and tones are out of scope)
		}
		digit := "flash"
		if int(code) < len(dtmfDigits) {
			digit = dtmfDigits[code : code+1]
		}
		pos, ok := sl.positionUS(p)
		if !ok {
			continue
		}
		seg := sl.segs[p.seg]
		durMS := int64(binary.BigEndian.Uint16(payload[2:])) * 1000 / int64(seg.Clock)
		k := key{p.ssrc, p.ts}
		if e, ok := events[k]; ok {
			e.DurationMS = max(e.DurationMS, durMS)
			continue
		}
		events[k] = &storage.DTMFEvent{
			Channel: sl.state.Channel, Digit: digit, AtMS: pos / 1000, DurationMS: durMS,
		}
	}
	out := make([]storage.DTMFEvent, 0, len(events))
	for _, e := range events {
		out = append(out, *e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].AtMS < out[j].AtMS })
	return out
}
