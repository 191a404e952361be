package catalog

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"earshot/storage"
)

// testBase is the start of the first test call: a Monday morning.
var testBase = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

// openTest opens a catalog in a fresh file, closed when the test ends. Its
// log goes to the test log.
func openTest(t *testing.T) *Catalog {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "catalog.db"), testLogger(t))
}

func openAt(t *testing.T, path string, log *slog.Logger) *Catalog {
	t.Helper()
	c, err := Open(context.Background(), path, log)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func testLogger(t *testing.T) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	return slog.New(slog.NewTextHandler(testWriter{t}, opts))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// testID returns a recording id that depends only on n and start, so that
// tests can name calls before indexing them; at equal starts, a larger n
// gives a larger id.
func testID(n int, start time.Time) string {
	entropy := bytes.NewReader(bytes.Repeat([]byte{byte(n)}, 10))
	return ulid.MustNew(ulid.Timestamp(start), entropy).String()
}

// testSidecar builds a realistic sidecar: an agent on the left channel and
// a customer on the right, two streams, and, varying with n, talk metrics,
// DTMF, a pause, holds, warnings and vendor identifiers.
func testSidecar(n int, start time.Time, durationMS int64) *storage.Sidecar {
	agents := []string{"Alice Martin", "Bob Stone", "Chloé Durand"}
	agent := agents[n%3]
	customer := fmt.Sprintf("Customer %d", n)
	if n == 4 {
		customer = "50%_off line"
	}
	s := &storage.Sidecar{
		FormatVersion: storage.SidecarFormatVersion,
		RecordingID:   testID(n, start),
		SIPCallID:     fmt.Sprintf("%04d-7f3a9c@10.1.2.3", n),
		StartedAt:     start,
		EndedAt:       start.Add(time.Duration(durationMS) * time.Millisecond),
		DurationMS:    durationMS,
		Interrupted:   n%7 == 3,
		Audio: storage.Audio{Encoding: "pcmu", SampleRate: 8000, Channels: 2,
			Bytes: 44 + durationMS*16, SHA256: fmt.Sprintf("%064x", n+1)},
		Recorder: "rec-1.example.com",
		Participants: []storage.Participant{
			{Channel: 0, Name: agent, Role: "callee",
				SIPAddress: "sip:" + agentUser(agent) + "@pbx.example.com"},
			{Channel: 1, Name: customer, Role: "caller",
				SIPAddress: fmt.Sprintf("sip:+49305550%03d@carrier.example.net", n)},
		},
		Streams: testStreams(n, durationMS),
	}
	addVariety(s, n)
	return s
}

// agentUser turns "Alice Martin" into "alice".
func agentUser(name string) string {
	return strings.ToLower(strings.Fields(name)[0])
}

func testStreams(n int, durationMS int64) []storage.Stream {
	left := storage.Stream{Channel: 0, Label: "1", Codec: "PCMU", Decoded: true,
		SSRCs: []uint32{0x1000 + uint32(n)}, PacketsReceived: durationMS / 20,
		PacketsLost: int64(n % 5), PacketsLate: int64(n % 3), PacketsDup: int64(n % 2),
		JitterMS: 0.125*float64(n) + 1.0/3}
	right := left
	right.Channel, right.Label = 1, "2"
	right.SSRCs = []uint32{0x2000 + uint32(n)}
	if n%4 == 0 {
		// The SBC changed the stream's SSRC mid-call.
		right.SSRCs = append(right.SSRCs, 0x3000+uint32(n))
	}
	right.JitterMS = 2.5
	return []storage.Stream{left, right}
}

func addVariety(s *storage.Sidecar, n int) {
	if n%5 != 4 {
		s.Talk = &storage.TalkMetrics{TalkMS: [2]int64{s.DurationMS / 2, s.DurationMS / 3},
			OvertalkMS: int64(n * 100), SilenceMS: s.DurationMS / 6, LongestSilenceMS: 4000}
	}
	if n%2 == 0 {
		s.DTMF = []storage.DTMFEvent{
			{Channel: 1, Digit: "5", AtMS: 1200, DurationMS: 160},
			{Channel: 1, Digit: "#", AtMS: 2500, DurationMS: 100},
		}
	}
	if n%3 == 0 {
		s.Pauses = []storage.Interval{{StartMS: 5000, EndMS: 12000, Reason: "hold"}}
	}
	if n%4 == 0 {
		s.Holds = []storage.Hold{
			{Channel: 1, StartMS: 15000, EndMS: 21000},
			{Channel: 0, StartMS: 25000, EndMS: 27500},
		}
	}
	if n%4 == 1 {
		s.Warnings = []string{"rtp stream 2 timed out", "metadata: unknown element"}
	}
	if n%2 == 1 {
		s.Extra = map[string]string{"x-vendor-call-id": fmt.Sprintf("gen-%d", n),
			"from": "<sip:+4930555@carrier.example.net>"}
	}
}

// wantCall is what Get should return for s.
func wantCall(s *storage.Sidecar) *Call {
	wav, sidecar, _ := storage.RecordingKeys(s.RecordingID)
	return &Call{
		ID: s.RecordingID, SIPCallID: s.SIPCallID,
		StartedAt:   s.StartedAt.Truncate(time.Millisecond).UTC(),
		EndedAt:     s.EndedAt.Truncate(time.Millisecond).UTC(),
		DurationMS:  s.DurationMS,
		Interrupted: s.Interrupted, Audio: s.Audio, WAVKey: wav, SidecarKey: sidecar,
		Talk: s.Talk, WarningsCount: len(s.Warnings), Extra: s.Extra,
		SidecarVersion: s.FormatVersion, Recorder: s.Recorder,
		Participants: s.Participants, Streams: s.Streams,
		Marks: &Marks{DTMF: orEmpty(s.DTMF), Pauses: orEmpty(s.Pauses),
			Holds: orEmpty(s.Holds)},
	}
}

// orEmpty returns list, or an empty list if it is nil, as Get has it.
func orEmpty[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

// putRecording stores the WAV and the sidecar of s, as the upload queue
// would.
func putRecording(t *testing.T, st storage.Store, s *storage.Sidecar) {
	t.Helper()
	ctx := context.Background()
	wavKey, sidecarKey, err := storage.RecordingKeys(s.RecordingID)
	if err != nil {
		t.Fatal(err)
	}
	wav := bytes.Repeat([]byte{0xff, 0x7f}, 400)
	if err := st.Put(ctx, wavKey, bytes.NewReader(wav), int64(len(wav)),
		storage.PutOptions{ContentType: "audio/wav"}); err != nil {
		t.Fatalf("put wav: %v", err)
	}
	data, err := storage.MarshalSidecar(s)
	if err != nil {
		t.Fatalf("marshal sidecar: %v", err)
	}
	if err := st.Put(ctx, sidecarKey, bytes.NewReader(data), int64(len(data)),
		storage.PutOptions{ContentType: "application/json"}); err != nil {
		t.Fatalf("put sidecar: %v", err)
	}
}
