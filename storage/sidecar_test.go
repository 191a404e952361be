package storage

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func sampleSidecar() *Sidecar {
	start := time.Date(2026, 12, 3, 9, 30, 0, 0, time.UTC)
	return &Sidecar{
		RecordingID: NewRecordingID(start),
		SIPCallID:   "a84b4c76e66710@pbx.example",
		StartedAt:   start,
		EndedAt:     start.Add(95 * time.Second),
		DurationMS:  95000,
		Audio:       Audio{Encoding: "pcmu", SampleRate: 8000, Channels: 2, Bytes: 1520044},
		Participants: []Participant{
			{Channel: 0, Name: "Ann <Agent>", SIPAddress: "sip:1001@pbx.example", Role: "callee"},
			{Channel: 1, Name: "Customer", SIPAddress: "sip:+15551234@carrier.example", Role: "caller"},
		},
		Streams: []Stream{{Channel: 0, Codec: "PCMU", Decoded: true, SSRCs: []uint32{1, 2}, PacketsReceived: 4750}},
		DTMF:    []DTMFEvent{{Channel: 1, Digit: "5", AtMS: 1200, DurationMS: 160}},
		Talk:    &TalkMetrics{TalkMS: [2]int64{40000, 30000}, SilenceMS: 25000, LongestSilenceMS: 7000},
		Extra:   map[string]string{"ucid": "00001002161234567890"},
	}
}

func TestSidecarRoundTrip(t *testing.T) {
	in := sampleSidecar()
	data, err := MarshalSidecar(in)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"format_version": 1`) {
		t.Errorf("sidecar does not carry its format version:\n%s", data)
	}
	out, err := UnmarshalSidecar(data)
	if err != nil {
		t.Fatal(err)
	}
	in.FormatVersion = SidecarFormatVersion
	if diff := cmp.Diff(in, out); diff != "" {
		t.Errorf("round trip changed the sidecar (-in +out):\n%s", diff)
	}
}

func TestUnmarshalSidecarRejects(t *testing.T) {
	good := sampleSidecar()
	id := good.RecordingID
	tests := []struct {
		name    string
		json    string
		mention string
	}{
		{name: "not json", json: "<xml/>", mention: "decode sidecar"},
		{name: "future version", json: `{"format_version": 99, "recording_id": "` + id + `"}`, mention: "version 99"},
		{name: "no version", json: `{"recording_id": "` + id + `"}`, mention: "version 0"},
		{name: "bad id", json: `{"format_version": 1, "recording_id": "../../etc"}`, mention: "recording id"},
		{name: "no start", json: `{"format_version": 1, "recording_id": "` + id + `"}`, mention: "no start time"},
		{
			name: "ends before start",
			json: `{"format_version": 1, "recording_id": "` + id +
				`", "started_at": "2026-12-03T10:00:00Z", "ended_at": "2026-12-03T09:00:00Z"}`,
			mention: "before it starts",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := UnmarshalSidecar([]byte(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error = %v, want one mentioning %q", err, tt.mention)
			}
		})
	}
}

// FuzzUnmarshalSidecar feeds arbitrary bytes to the sidecar reader, which
// reindex runs on whatever the object store holds: it must error, never
// panic, and what it accepts must survive a round trip.
func FuzzUnmarshalSidecar(f *testing.F) {
	data, _ := MarshalSidecar(sampleSidecar())
	f.Add(data)
	f.Add([]byte(`{"format_version":1}`))
	f.Add([]byte(`{"format_version":1,"recording_id":"01JE0000000000000000000000","started_at":"2026-01-01T00:00:00Z"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := UnmarshalSidecar(data)
		if err != nil {
			return
		}
		again, err := MarshalSidecar(s)
		if err != nil {
			t.Fatalf("accepted sidecar does not marshal: %v", err)
		}
		if _, err := UnmarshalSidecar(again); err != nil {
			t.Fatalf("accepted sidecar does not read back: %v", err)
		}
	})
}

func TestRecordingKeys(t *testing.T) {
	start := time.Date(2026, 1, 2, 23, 59, 0, 0, time.FixedZone("EST", -5*3600))
	id := NewRecordingID(start)
	wav, js, err := RecordingKeys(id)
	if err != nil {
		t.Fatal(err)
	}
	// Dated in UTC: 23:59 EST is 04:59 the next day.
	if want := "recordings/2026/01/03/" + id + ".wav"; wav != want {
		t.Errorf("wav key = %q, want %q", wav, want)
	}
	if got, ok := IDFromSidecarKey(js); !ok || got != id {
		t.Errorf("IDFromSidecarKey(%q) = %q, %v; want %q", js, got, ok, id)
	}
	for _, key := range []string{wav, "recordings/x.json", "other/" + id + ".json"} {
		if _, ok := IDFromSidecarKey(key); ok {
			t.Errorf("IDFromSidecarKey(%q) accepted a key that is not a sidecar", key)
		}
	}
	if later := NewRecordingID(start.Add(time.Millisecond)); later <= id {
		t.Errorf("ids do not sort by time: %s then %s", id, later)
	}
}
