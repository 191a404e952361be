package recorder_test

import (
	"bytes"
	"encoding/binary"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"earshot/recorder"
)

// TestUndecodableCodecIsKeptAsCapture: G.729, which the recorder cannot
// decode, is stored losslessly as a packet capture beside the WAV, and the
// sidecar says so.
func TestUndecodableCodecIsKeptAsCapture(t *testing.T) {
	sink := newMemSink()
	m := newManager(t, sink, 33600)
	conn := udpSender(t)
	g729 := map[uint8]recorder.Codec{18: {Name: "G729", Clock: 8000}}
	call, err := m.StartCall(recorder.CallParams{SIPCallID: "g729", Streams: []recorder.StreamParams{{
		Channel: 0, Codecs: g729, EventPT: -1, Remote: conn.LocalAddr().(*net.UDPAddr).AddrPort(), Active: true,
	}}})
	if err != nil {
		t.Fatal(err)
	}
	dst := net.UDPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(call.Ports()[0])))
	var sent [][]byte
	for i := range 25 {
		payload := bytes.Repeat([]byte{byte(i)}, 20) // one G.729 frame pair
		pkt := make([]byte, 12, 32)
		pkt[0], pkt[1] = 0x80, 18
		binary.BigEndian.PutUint16(pkt[2:], uint16(i))
		binary.BigEndian.PutUint32(pkt[4:], uint32(i*160))
		binary.BigEndian.PutUint32(pkt[8:], 42)
		pkt = append(pkt, payload...)
		if _, err := conn.WriteToUDP(pkt, dst); err != nil {
			t.Fatal(err)
		}
		sent = append(sent, pkt)
		time.Sleep(20 * time.Millisecond)
	}
	call.End("bye")
	_, sc := sink.wait(t, call.ID())
	if len(sc.Attachments) != 1 || sc.Attachments[0].Name != "s0.pcap" || sc.Streams[0].Decoded {
		t.Fatalf("attachments %+v, decoded %v; want the stream kept as s0.pcap", sc.Attachments, sc.Streams[0].Decoded)
	}
	capture := sink.attachment(t, sc.RecordingID, "s0.pcap")
	got := pcapPayloads(t, capture)
	if len(got) != len(sent) {
		t.Fatalf("capture holds %d packets, want the %d sent", len(got), len(sent))
	}
	for i := range sent {
		if !bytes.Equal(got[i], sent[i]) {
			t.Errorf("packet %d in the capture differs from the one sent", i)
		}
	}
	if len(sc.Warnings) == 0 {
		t.Errorf("no warning tells the reviewer the audio could not be decoded")
	}
}

// pcapPayloads returns the UDP payloads of a raw-IPv4 capture.
func pcapPayloads(t *testing.T, b []byte) [][]byte {
	t.Helper()
	if len(b) < 24 || binary.LittleEndian.Uint32(b[20:]) != 228 {
		t.Fatalf("not a raw IPv4 pcap file")
	}
	var out [][]byte
	for off := 24; off+16 <= len(b); {
		n := int(binary.LittleEndian.Uint32(b[off+8:]))
		rec := b[off+16 : off+16+n]
		out = append(out, rec[28:])
		off += 16 + n
	}
	return out
}

func (s *memSink) attachment(t *testing.T, id, name string) []byte {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	data, ok := s.files[id+"."+name]
	if !ok {
		t.Fatalf("attachment %s of %s was not handed over", name, id)
	}
	return data
}

// readAttachments takes the attachments lying beside a handed-over WAV.
func readAttachments(wavPath string, names []string, id string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, name := range names {
		p := filepath.Join(filepath.Dir(wavPath), id+"."+name)
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		out[id+"."+name] = data
	}
	return out, nil
}
