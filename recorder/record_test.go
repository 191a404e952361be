package recorder_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	"earshot/internal/rtpgen"
	"earshot/recorder"
	"earshot/storage"
)

// memSink keeps what the recorder hands over.
type memSink struct {
	mu    sync.Mutex
	wavs  map[string][]byte
	scs   map[string]*storage.Sidecar
	files map[string][]byte // attachments, by file name
	got   chan string
}

func newMemSink() *memSink {
	return &memSink{wavs: map[string][]byte{}, scs: map[string]*storage.Sidecar{},
		files: map[string][]byte{}, got: make(chan string, 64)}
}

func (s *memSink) Enqueue(wavPath string, sc *storage.Sidecar) error {
	data, err := os.ReadFile(wavPath)
	if err != nil {
		return err
	}
	if err := os.Remove(wavPath); err != nil {
		return err
	}
	var names []string
	for _, a := range sc.Attachments {
		names = append(names, a.Name)
	}
	files, err := readAttachments(wavPath, names, sc.RecordingID)
	if err != nil {
		return err
	}
	s.mu.Lock()
	for k, v := range files {
		s.files[k] = v
	}
	s.wavs[sc.RecordingID], s.scs[sc.RecordingID] = data, sc
	s.mu.Unlock()
	s.got <- sc.RecordingID
	return nil
}

func (s *memSink) wait(t *testing.T, id string) ([]byte, *storage.Sidecar) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		s.mu.Lock()
		wav, sc := s.wavs[id], s.scs[id]
		s.mu.Unlock()
		if sc != nil {
			return wav, sc
		}
		select {
		case <-s.got:
		case <-deadline:
			t.Fatalf("recording %s was not finalized within 30s", id)
		}
	}
}

func newManager(t *testing.T, sink recorder.Sink, portBase int) *recorder.Manager {
	t.Helper()
	m, err := recorder.NewManager(recorder.Config{
		SpoolDir: t.TempDir(),
		BindIP:   netip.MustParseAddr("127.0.0.1"),
		PortLow:  portBase, PortHigh: portBase + 99,
		MinFreeBytes: 1,
	}, sink, testLog())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(context.Background()) })
	return m
}

var pcmu = map[uint8]recorder.Codec{0: {Name: "PCMU", Clock: 8000}, 101: {Name: "telephone-event", Clock: 8000}}

// placeCall records a call whose two legs are sent as given, and returns
// the stored WAV decoded to PCM per channel, with its sidecar.
func placeCall(t *testing.T, m *recorder.Manager, sink *memSink, d time.Duration,
	left, right rtpgen.Leg) ([2][]int16, *storage.Sidecar) {
	t.Helper()
	legs := []rtpgen.Leg{left, right}
	conns := make([]*net.UDPConn, 2)
	params := make([]recorder.StreamParams, 2)
	for i := range conns {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
		params[i] = recorder.StreamParams{
			Label: string(rune('1' + i)), Channel: i, Codecs: pcmu, EventPT: 101,
			Remote: c.LocalAddr().(*net.UDPAddr).AddrPort(), Active: true,
		}
	}
	call, err := m.StartCall(recorder.CallParams{SIPCallID: t.Name(), Streams: params})
	if err != nil {
		t.Fatal(err)
	}
	ports := call.Ports()
	start := time.Now().Add(50 * time.Millisecond)
	var wg sync.WaitGroup
	for i := range legs {
		dst := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(ports[i]))
		pkts := legs[i].Packets(d)
		wg.Go(func() {
			if err := rtpgen.Send(t.Context(), conns[i], dst, start, pkts); err != nil {
				t.Errorf("send leg %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	time.Sleep(time.Until(start.Add(d)))
	call.End("bye")
	wav, sc := sink.wait(t, call.ID())
	return decodeWAV(t, wav), sc
}

func decodeWAV(t *testing.T, wav []byte) [2][]int16 {
	t.Helper()
	ch, _, err := rtpgen.DecodeStereo(wav)
	if err != nil {
		t.Fatalf("stored recording is not a readable stereo WAV: %v", err)
	}
	return ch
}

func goertzel(x []int16, freq float64) float64 { return rtpgen.ToneLevel(x, freq, 8000) }

func clicks(x []int16) []int { return rtpgen.Clicks(x, 8000) }

func testLog() *slog.Logger {
	if os.Getenv("EARSHOT_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
