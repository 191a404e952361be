package siprec

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"earshot/internal/rtpgen"
	"earshot/internal/siptest"
	"earshot/recorder"
	"earshot/storage"
)

// sink keeps finished recordings by SIP Call-ID.
type sink struct {
	mu   sync.Mutex
	wavs map[string][]byte
	scs  map[string]*storage.Sidecar
}

func (s *sink) Enqueue(wavPath string, sc *storage.Sidecar) error {
	data, err := os.ReadFile(wavPath)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.wavs[sc.SIPCallID], s.scs[sc.SIPCallID] = data, sc
	return os.Remove(wavPath)
}

func (s *sink) wait(t *testing.T, callID string) ([]byte, *storage.Sidecar) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); {
		s.mu.Lock()
		wav, sc := s.wavs[callID], s.scs[callID]
		s.mu.Unlock()
		if sc != nil {
			return wav, sc
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no recording of %s within 20s", callID)
	return nil, nil
}

// testRecorder is a SIP server and recorder on loopback.
type testRecorder struct {
	addr    string
	tlsAddr string
	sink    *sink
	rec     *recorder.Manager
}

func startTestRecorder(t *testing.T, cfg Config, portBase int) *testRecorder {
	return startTestRecorderWith(t, cfg, recorder.Config{PortLow: portBase, PortHigh: portBase + 199})
}

func startTestRecorderWith(t *testing.T, cfg Config, rcfg recorder.Config) *testRecorder {
	t.Helper()
	log := slog.New(slog.NewTextHandler(testLogOut(), nil))
	sk := &sink{wavs: map[string][]byte{}, scs: map[string]*storage.Sidecar{}}
	rcfg.SpoolDir, rcfg.BindIP, rcfg.MinFreeBytes = t.TempDir(), netip.MustParseAddr("127.0.0.1"), 1
	rec, err := recorder.NewManager(rcfg, sk, log)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Listen = "127.0.0.1:0"
	cfg.AdvertiseIP = netip.MustParseAddr("127.0.0.1")
	srv, err := New(cfg, rec, log)
	if err != nil {
		t.Fatal(err)
	}
	l, err := srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = srv.Serve(ctx, l); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
		rec.Close(context.Background())
	})
	tr := &testRecorder{addr: l.UDP.LocalAddr().String(), sink: sk, rec: rec}
	if l.TLS != nil {
		tr.tlsAddr = l.TLS.Addr().String()
	}
	return tr
}

// legTones are the tones sent on the stream labelled 1 and 2.
var legTones = map[string]float64{"1": 440, "2": 1000}

// leftLabel is the label whose sender the recorder must put on the left:
// the calling party where the dialect names one, else label 1.
func leftLabel(c inviteCase) string {
	for label, aor := range c.senders {
		if c.calling != "" && aor == c.calling {
			return label
		}
	}
	return "1"
}

// TestCorpusRecordedEndToEnd replays every INVITE of the corpus against a
// running server and recorder over loopback, sends a tone per stream,
// hangs up, and checks the stored recording: both channels, the calling
// party on the left, the parties named in the sidecar.
func TestCorpusRecordedEndToEnd(t *testing.T) {
	tr := startTestRecorder(t, Config{}, 34000)
	files, _ := filepath.Glob(filepath.Join("testdata", "invites", "*.sip"))
	if len(files) < 10 {
		t.Fatalf("corpus holds %d invites, want at least 10", len(files))
	}
	for _, file := range files {
		name := filepath.Base(file)
		want, ok := inviteCases[name]
		if !ok {
			t.Fatalf("%s has no expectations in inviteCases", name)
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			wav, sc := recordCall(t, tr, raw, 1500*time.Millisecond)
			checkLeftTone(t, wav, legTones[leftLabel(want)])
			if len(want.metaWarn) == 0 {
				checkParties(t, sc, want)
			} else if len(sc.Warnings) == 0 {
				t.Errorf("sidecar has no warning for the broken metadata")
			}
			if sc.MetadataXML == "" {
				t.Errorf("sidecar lacks the raw metadata")
			}
		})
	}
}

// recordCall places one call from a stored INVITE: INVITE, ACK, a tone on
// each stream for d, BYE; it returns the stored recording.
func recordCall(t *testing.T, tr *testRecorder, raw []byte, d time.Duration) ([2][]int16, *storage.Sidecar) {
	t.Helper()
	uac, err := siptest.Dial(tr.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer uac.Close()
	senders := [2]*net.UDPConn{}
	ports := make([]int, 2)
	for i := range senders {
		senders[i], err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		defer senders[i].Close()
		ports[i] = senders[i].LocalAddr().(*net.UDPAddr).Port
	}
	callID := fmt.Sprintf("%s-%d@test", t.Name(), time.Now().UnixNano())
	invite := siptest.PrepareInvite(raw, siptest.Rewrite{
		Server: tr.addr, UAC: uac.Addr(), CallID: callID, MediaIP: "127.0.0.1", MediaPorts: ports,
	})
	ok := mustFinal(t, uac, invite, 200)
	answered := siptest.AnswerPorts(ok.Body)
	if err := uac.Send(siptest.InDialog("ACK", invite, ok, 0, "", nil)); err != nil {
		t.Fatal(err)
	}
	sendTones(t, senders, answered, d)
	mustFinal(t, uac, siptest.InDialog("BYE", invite, ok, 200, "", nil), 200)
	wav, sc := tr.sink.wait(t, callID)
	ch, _, err := rtpgen.DecodeStereo(wav)
	if err != nil {
		t.Fatalf("recording is not a stereo WAV: %v", err)
	}
	return ch, sc
}

func mustFinal(t *testing.T, uac *siptest.UAC, req []byte, code int) *siptest.Message {
	t.Helper()
	if err := uac.Send(req); err != nil {
		t.Fatal(err)
	}
	res, err := uac.Final(5 * time.Second)
	if err != nil {
		t.Fatalf("no final response: %v", err)
	}
	if res.Code != code {
		t.Fatalf("got %s (%s), want %d", res.StartLine, res.Header("Warning"), code)
	}
	return res
}

// sendTones sends label 1's tone from the first sender to the first
// answered port, and label 2's from the second to the second.
func sendTones(t *testing.T, senders [2]*net.UDPConn, answered []int, d time.Duration) {
	t.Helper()
	if len(answered) < 2 || answered[0] == 0 || answered[1] == 0 {
		t.Fatalf("answer ports %v, want the two audio m-lines accepted", answered)
	}
	start := time.Now()
	var wg sync.WaitGroup
	for i, label := range []string{"1", "2"} {
		leg := rtpgen.Leg{ToneHz: legTones[label], SSRC: uint32(100 + i), Seed: uint64(i)}
		dst := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(answered[i]))
		wg.Go(func() {
			if err := rtpgen.Send(t.Context(), senders[i], dst, start, leg.Packets(d)); err != nil {
				t.Errorf("send rtp: %v", err)
			}
		})
	}
	wg.Wait()
}

func checkLeftTone(t *testing.T, ch [2][]int16, leftHz float64) {
	t.Helper()
	rightHz := 1440 - leftHz
	n := len(ch[0])
	seg := func(x []int16) []int16 { return x[n/4 : n*3/4] }
	if l, r := rtpgen.ToneLevel(seg(ch[0]), leftHz, 8000), rtpgen.ToneLevel(seg(ch[0]), rightHz, 8000); l < 100*r {
		t.Errorf("left channel: %v Hz at %.3g, %v Hz at %.3g; want the calling party's %v Hz",
			leftHz, l, rightHz, r, leftHz)
	}
	if l, r := rtpgen.ToneLevel(seg(ch[1]), rightHz, 8000), rtpgen.ToneLevel(seg(ch[1]), leftHz, 8000); l < 100*r {
		t.Errorf("right channel does not carry the other party's %v Hz", rightHz)
	}
}

func checkParties(t *testing.T, sc *storage.Sidecar, want inviteCase) {
	t.Helper()
	left := want.senders[leftLabel(want)]
	for _, p := range sc.Participants {
		if p.Channel == 0 && p.SIPAddress == left {
			return
		}
	}
	t.Errorf("participants %+v, want %s on the left (channel 0)", sc.Participants, left)
}

func testLogOut() io.Writer {
	if os.Getenv("EARSHOT_TEST_LOG") != "" {
		return os.Stderr
	}
	return io.Discard
}

func mustPrefixes(s ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, p := range s {
		out = append(out, netip.MustParsePrefix(p))
	}
	return out
}
