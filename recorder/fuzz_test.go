package recorder

import (
	"bufio"
	"bytes"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var fuzzCodecs = map[uint8]Codec{
	0: {"PCMU", 8000}, 8: {"PCMA", 8000}, 9: {"G722", 8000}, 101: {"telephone-event", 8000},
}

// fuzzStream is a stream that spools into buf, with no socket.
func fuzzStream(buf *bytes.Buffer) *stream {
	m := &Manager{metrics: newMetrics(nil, func() float64 { return 0 }), now: time.Now}
	s := &stream{
		call: &Call{m: m}, w: bufio.NewWriter(buf), t0: time.Now(), now: time.Now,
		log: slog.New(slog.NewTextHandler(io.Discard, nil)), rec: make([]byte, 0, 256), latch: true,
	}
	s.lastUS.Store(-1)
	s.setParams(StreamParams{Codecs: fuzzCodecs, EventPT: 101, Active: true})
	return s
}

// FuzzRTPDatagram feeds arbitrary datagrams to a stream, as anyone who
// finds an open RTP port can: it must never panic, and what it spools must
// read back whole.
func FuzzRTPDatagram(f *testing.F) {
	f.Add([]byte{0x80, 0, 0, 1, 0, 0, 0, 160, 0, 0, 0, 7, 0xff, 0xff})
	f.Add([]byte{0xa0, 0x80, 0, 1, 0, 0, 0, 160, 0, 0, 0, 7, 1, 2, 3}) // padding
	f.Add([]byte{0x90, 101, 0, 2, 0, 0, 1, 0, 0, 0, 0, 7, 0, 1, 0, 4}) // extension bit
	f.Add([]byte{0x80, 200, 0, 6, 0, 0, 0, 0})                         // RTCP
	f.Fuzz(func(t *testing.T, datagram []byte) {
		var spooled bytes.Buffer
		s := fuzzStream(&spooled)
		from := netip.MustParseAddrPort("127.0.0.1:4000")
		s.handle(datagram, from, time.Now())
		s.handle(datagram, from, time.Now().Add(20*time.Millisecond))
		s.flush()
		r := newSpoolReader(&spooled)
		var p packetRecord
		var seg segmentRecord
		for {
			_, err := r.next(&p, &seg)
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatalf("spooled records do not read back: %v", err)
			}
		}
	})
}

// FuzzFinalizeSpool finalizes arbitrary spool logs, as a crash or a bad
// disk can leave them: errors are fine, panics are not.
func FuzzFinalizeSpool(f *testing.F) {
	var seed []byte
	seed = appendSegment(seed, &segmentRecord{Seg: 0, TSBase: 1000, Clock: 8000, OffsetUS: 20000})
	seed = appendPacket(seed, &packetRecord{Seq: 1, TS: 1000, SSRC: 9, ArrivalUS: 20000, PT: 0,
		Payload: make([]byte, 160)})
	seed = appendPacket(seed, &packetRecord{Seq: 2, TS: 1000, SSRC: 9, ArrivalUS: 40000, PT: 101,
		Payload: []byte{5, 0x8a, 0, 160}})
	f.Add(seed)
	f.Add(seed[:len(seed)-3])
	f.Fuzz(func(t *testing.T, log []byte) {
		dir := t.TempDir()
		st := &callState{
			RecordingID: "01JE00000000000000000000AA", StartedAt: time.Unix(1700000000, 0),
			EndedAt: time.Unix(1700000001, 0),
			Streams: []streamState{{Index: 0, Channel: 0, Codecs: fuzzCodecs, EventPT: 101}},
		}
		if err := os.WriteFile(filepath.Join(dir, "s0.rtp"), log, 0o640); err != nil {
			t.Fatal(err)
		}
		sl, err := scanStream(dir, st.Streams[0])
		if err != nil {
			return
		}
		m := &Manager{}
		sc := m.baseSidecar(st, []*streamLog{sl})
		// Bound the file a fuzzed timestamp can ask for.
		if callSamples(sc, []*streamLog{sl}, 16000) > 16000*600 {
			return
		}
		_ = renderCall(dir, filepath.Join(dir, "out.wav"), st, []*streamLog{sl}, sc)
	})
}
