package recorder_test

import (
	"encoding/binary"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"earshot/internal/rtpgen"
	"earshot/recorder"
)

// TestG722LegIsDecodedBitExact: a G.722 leg beside a G.711 one makes a
// 16 kHz PCM recording whose G.722 channel holds exactly what the reference
// decoder produced from the same bytes.
func TestG722LegIsDecodedBitExact(t *testing.T) {
	encoded, err := os.ReadFile("audio/testdata/g722/mix.g722")
	if err != nil {
		t.Fatal(err)
	}
	refBytes, err := os.ReadFile("audio/testdata/g722/mix.ffmpeg.s16le")
	if err != nil {
		t.Fatal(err)
	}
	ref := make([]int16, len(refBytes)/2)
	for i := range ref {
		ref[i] = int16(binary.LittleEndian.Uint16(refBytes[2*i:]))
	}
	sink := newMemSink()
	m := newManager(t, sink, 33800)
	g722, other := udpSender(t), udpSender(t)
	codecs := map[uint8]recorder.Codec{0: {Name: "PCMU", Clock: 8000}, 9: {Name: "G722", Clock: 8000}}
	call, err := m.StartCall(recorder.CallParams{SIPCallID: "g722", Streams: []recorder.StreamParams{
		{Channel: 0, Codecs: codecs, EventPT: -1, Remote: g722.LocalAddr().(*net.UDPAddr).AddrPort(), Active: true},
		{Channel: 1, Codecs: codecs, EventPT: -1, Remote: other.LocalAddr().(*net.UDPAddr).AddrPort(), Active: true},
	}})
	if err != nil {
		t.Fatal(err)
	}
	ports := call.Ports()
	start := time.Now()
	dur := time.Duration(len(encoded)/160) * 20 * time.Millisecond
	done := make(chan error, 1)
	go func() {
		leg := rtpgen.Leg{ToneHz: 1000, SSRC: 2}
		done <- rtpgen.Send(t.Context(), other, loopback(ports[1]), start, leg.Packets(dur))
	}()
	if err := rtpgen.Send(t.Context(), g722, loopback(ports[0]), start, g722Packets(encoded)); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	call.End("bye")
	wav, sc := sink.wait(t, call.ID())
	if sc.Audio.Encoding != "pcm16" || sc.Audio.SampleRate != 16000 {
		t.Fatalf("audio %+v, want 16-bit PCM at 16 kHz for a G.722 call", sc.Audio)
	}
	left, _, err := rtpgen.DecodeStereo(wav)
	if err != nil {
		t.Fatal(err)
	}
	off := firstNonZero(left[0]) - firstNonZero(ref)
	if off < 0 || off+len(ref) > len(left[0]) {
		t.Fatalf("reference audio not found in the left channel (offset %d)", off)
	}
	for i := range ref {
		if left[0][off+i] != ref[i] {
			t.Fatalf("left channel differs from the reference decoding at sample %d: %d, want %d",
				i, left[0][off+i], ref[i])
		}
	}
}

func g722Packets(encoded []byte) []rtpgen.Packet {
	var out []rtpgen.Packet
	for i := 0; (i+1)*160 <= len(encoded); i++ {
		pkt := make([]byte, 12, 172)
		pkt[0], pkt[1] = 0x80, 9
		binary.BigEndian.PutUint16(pkt[2:], uint16(i))
		// RFC 3551 section 4.5.2: G.722's RTP clock runs at 8000 Hz.
		binary.BigEndian.PutUint32(pkt[4:], uint32(i*160))
		binary.BigEndian.PutUint32(pkt[8:], 1)
		out = append(out, rtpgen.Packet{At: time.Duration(i) * 20 * time.Millisecond,
			Data: append(pkt, encoded[i*160:(i+1)*160]...)})
	}
	return out
}

func loopback(port int) netip.AddrPort {
	return netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port))
}

func firstNonZero(x []int16) int {
	for i, v := range x {
		if v != 0 {
			return i
		}
	}
	return len(x)
}
