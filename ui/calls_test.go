package ui_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/oklog/ulid/v2"

	"earshot/recorder/audio"
	"earshot/storage"
	"earshot/storage/catalog"
	"earshot/ui"
)

// monday is the morning the first test call starts; the calls spread over
// the four days that follow.
var monday = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

// testCall is one recording of the fixture: call n of the list below.
type testCall struct {
	n          int
	start      time.Time
	durationMS int64
	agent      string // name of the party on the left channel
	agentAddr  string
	customer   string // SIP address of the party on the right channel
}

// testCalls are indexed in this order. Calls 5 and 6 start at the same
// instant, so the id breaks the tie; call 4 holds more stored audio than
// one 256 KiB block, the unit the server reads the store in.
var testCalls = []testCall{
	{1, monday.Add(1 * time.Hour), 30_000, "Alice Martin", "sip:alice@pbx.example.com",
		"sip:+15550101@carrier.example.net"},
	{2, monday.Add(6*time.Hour + 30*time.Minute), 5_000, "Bob Stone", "sip:bob@pbx.example.com",
		"sip:+15550102@carrier.example.net"},
	{3, monday.Add(26 * time.Hour), 120_000, "Alice Martin", "sip:alice@pbx.example.com",
		"sip:+33140000000@trunk.example.org"},
	{4, monday.Add(51 * time.Hour), 20_500, "Chloé Durand", "sip:chloe@pbx.example.com",
		"sip:+15550104@carrier.example.net"},
	{5, monday.Add(80 * time.Hour), 60_000, "Bob Stone", "sip:bob@pbx.example.com",
		"sip:+15550105@carrier.example.net"},
	{6, monday.Add(80 * time.Hour), 45_000, "Alice Martin", "sip:alice@pbx.example.com",
		"sip:+15550106@carrier.example.net"},
}

// fixture is a server over a real catalog and folder store holding the
// calls it was given. Config.QA is left unset, so no one signs in: these
// tests are of the call API's HTTP behaviour, not of the role guard.
type fixture struct {
	url      string
	cat      *catalog.Catalog
	store    *storage.FileStore
	sidecars map[int]*storage.Sidecar // by call number
	wavs     map[int][]byte           // stored file, by call number
	log      *lockedBuffer
}

// newFixture stores and indexes calls and serves them over HTTP; ctl
// answers pause and resume.
func newFixture(t *testing.T, ctl ui.CallControl, calls []testCall) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	cat, err := catalog.Open(ctx, filepath.Join(dir, "catalog.db"), nil)
	if err != nil {
		t.Fatalf("open catalog: %v", err)
	}
	t.Cleanup(func() { cat.Close() })
	store, err := storage.NewFileStore(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	f := &fixture{cat: cat, store: store, log: &lockedBuffer{},
		sidecars: map[int]*storage.Sidecar{}, wavs: map[int][]byte{}}
	for _, tc := range calls {
		f.add(t, tc)
	}

	srv := ui.New(ui.Config{
		Log:      slog.New(slog.NewTextHandler(io.MultiWriter(f.log, t.Output()), nil)),
		Gatherer: newRegistry(),
		Calls:    cat,
		Store:    store,
		Control:  ctl,
	})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	f.url = hs.URL
	return f
}

// add stores the audio of tc under its key and indexes its sidecar.
func (f *fixture) add(t *testing.T, tc testCall) {
	t.Helper()
	ctx := context.Background()
	id := testID(tc.n, tc.start)
	wavKey, _, err := storage.RecordingKeys(id)
	if err != nil {
		t.Fatal(err)
	}
	wav := toneWAV(t, tc.durationMS*8)
	err = f.store.Put(ctx, wavKey, bytes.NewReader(wav), int64(len(wav)), storage.PutOptions{})
	if err != nil {
		t.Fatalf("store call %d: %v", tc.n, err)
	}
	sc := testSidecar(tc, id, int64(len(wav)))
	if err := f.cat.Index(ctx, sc); err != nil {
		t.Fatalf("index call %d: %v", tc.n, err)
	}
	f.sidecars[tc.n] = sc
	f.wavs[tc.n] = wav
}

// ids returns the recording ids of the numbered calls, in the order given.
func (f *fixture) ids(ns ...int) []string {
	out := []string{}
	for _, n := range ns {
		out = append(out, f.sidecars[n].RecordingID)
	}
	return out
}

// testID returns a fixed recording id for call n; at equal start times a
// larger n gives a larger id.
func testID(n int, start time.Time) string {
	entropy := bytes.NewReader(bytes.Repeat([]byte{byte(n)}, 16))
	return ulid.MustNew(ulid.Timestamp(start), entropy).String()
}

// testSidecar describes tc as the recorder would. Call 2 has no talk
// metrics, as when the recorder could not compute them; call 3 has a DTMF
// digit, a pause and a hold.
func testSidecar(tc testCall, id string, wavBytes int64) *storage.Sidecar {
	sc := &storage.Sidecar{
		FormatVersion: storage.SidecarFormatVersion,
		RecordingID:   id,
		SIPCallID:     fmt.Sprintf("%d-a81f3c@10.20.0.%d", 7000+tc.n, tc.n),
		StartedAt:     tc.start,
		EndedAt:       tc.start.Add(time.Duration(tc.durationMS) * time.Millisecond),
		DurationMS:    tc.durationMS,
		Audio: storage.Audio{Encoding: "pcmu", SampleRate: 8000, Channels: 2,
			Bytes: wavBytes, SHA256: fmt.Sprintf("%064x", tc.n)},
		Recorder: "rec-1.example.com",
		Participants: []storage.Participant{
			{Channel: 0, Name: tc.agent, SIPAddress: tc.agentAddr, Role: "callee"},
			{Channel: 1, SIPAddress: tc.customer, Role: "caller"},
		},
		Streams: []storage.Stream{
			{Channel: 0, Label: "1", Codec: "PCMU", Decoded: true,
				SSRCs: []uint32{0x1000 + uint32(tc.n)}, PacketsReceived: tc.durationMS / 20,
				PacketsLost: int64(tc.n), JitterMS: 1.25},
			{Channel: 1, Label: "2", Codec: "PCMU", Decoded: true,
				SSRCs: []uint32{0x2000 + uint32(tc.n)}, PacketsReceived: tc.durationMS/20 - 3,
				PacketsLate: 2, PacketsDup: 1, JitterMS: 4.5},
		},
	}
	if tc.n != 2 {
		sc.Talk = &storage.TalkMetrics{TalkMS: [2]int64{tc.durationMS / 2, tc.durationMS / 4},
			OvertalkMS: 800, SilenceMS: tc.durationMS / 5, LongestSilenceMS: 3100}
	}
	if tc.n == 3 {
		sc.DTMF = []storage.DTMFEvent{{Channel: 1, Digit: "7", AtMS: 4000, DurationMS: 120}}
		sc.Pauses = []storage.Interval{{StartMS: 10000, EndMS: 15000, Reason: "api"}}
		sc.Holds = []storage.Hold{{Channel: 1, StartMS: 30000, EndMS: 42000}}
	}
	return sc
}

// toneWAV returns a stereo mu-law WAV of the given number of frames: a
// 440 Hz tone on the left channel, silence on the right.
func toneWAV(t *testing.T, frames int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	f := audio.Format{Encoding: audio.ULaw, SampleRate: 8000, Channels: 2}
	if err := audio.WriteHeader(&buf, f, frames*2); err != nil {
		t.Fatal(err)
	}
	pcm := make([]int16, 0, 2*frames)
	for i := range frames {
		v := 8000 * math.Sin(2*math.Pi*440*float64(i)/8000)
		pcm = append(pcm, int16(v), 0)
	}
	return audio.EncodeULaw(buf.Bytes(), pcm)
}

// lockedBuffer collects the server log, written from handler goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// do sends a request and returns the answer with its whole body.
func do(t *testing.T, method, u string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, u, err)
	}
	return resp, body
}

func get(t *testing.T, u string) (*http.Response, []byte) {
	t.Helper()
	return do(t, http.MethodGet, u, nil)
}

// apiError returns the error message of a JSON error answer, failing the
// test if the answer is not one.
func apiError(t *testing.T, resp *http.Response, body []byte) string {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want JSON; body %q", ct, body)
	}
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Error == "" {
		t.Fatalf("body %q is not a JSON error (%v)", body, err)
	}
	return e.Error
}

// listPage is the answer of GET /api/v1/calls.
type listPage struct {
	Calls []struct {
		ID string `json:"id"`
	} `json:"calls"`
	Next string `json:"next"`
}

// list fetches one page of calls with query q, failing unless it is 200.
func list(t *testing.T, base string, q url.Values) listPage {
	t.Helper()
	resp, body := get(t, base+"/api/v1/calls?"+q.Encode())
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET ?%s: %d %s", q.Encode(), resp.StatusCode, body)
	}
	var raw struct {
		Calls json.RawMessage `json:"calls"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatalf("GET ?%s: %v", q.Encode(), err)
	}
	if len(raw.Calls) == 0 || raw.Calls[0] != '[' {
		t.Errorf("GET ?%s: calls = %s, want a JSON array", q.Encode(), raw.Calls)
	}
	var page listPage
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatalf("GET ?%s: %v", q.Encode(), err)
	}
	return page
}

func (p listPage) ids() []string {
	out := []string{}
	for _, c := range p.Calls {
		out = append(out, c.ID)
	}
	return out
}

func TestListCalls(t *testing.T) {
	f := newFixture(t, nil, testCalls)
	rfc := func(d time.Duration) string { return monday.Add(d).Format(time.RFC3339) }

	tests := []struct {
		name     string
		query    url.Values
		wantIDs  []string
		wantNext string
	}{
		{name: "no filter lists all, newest first", query: url.Values{},
			wantIDs: f.ids(6, 5, 4, 3, 2, 1)},
		{name: "from is inclusive", query: url.Values{"from": {rfc(26 * time.Hour)}},
			wantIDs: f.ids(6, 5, 4, 3)},
		{name: "to is exclusive", query: url.Values{"to": {rfc(26 * time.Hour)}},
			wantIDs: f.ids(2, 1)},
		{name: "one day's window",
			query:   url.Values{"from": {rfc(24 * time.Hour)}, "to": {rfc(48 * time.Hour)}},
			wantIDs: f.ids(3)},
		{name: "time with an offset",
			query:   url.Values{"from": {"2026-03-05T17:00:00+01:00"}},
			wantIDs: f.ids(6, 5)},
		{name: "participant name ignores case", query: url.Values{"participant": {"ALICE"}},
			wantIDs: f.ids(6, 3, 1)},
		{name: "participant address substring",
			query:   url.Values{"participant": {"trunk.example.org"}},
			wantIDs: f.ids(3)},
		{name: "participant with accent", query: url.Values{"participant": {"Chloé"}},
			wantIDs: f.ids(4)},
		{name: "participant matching no one", query: url.Values{"participant": {"mallory"}},
			wantIDs: []string{}},
		{name: "sip_call_id exact", query: url.Values{"sip_call_id": {"7002-a81f3c@10.20.0.2"}},
			wantIDs: f.ids(2)},
		{name: "sip_call_id part matches nothing", query: url.Values{"sip_call_id": {"7002"}},
			wantIDs: []string{}},
		{name: "min duration is inclusive", query: url.Values{"min_duration_ms": {"60000"}},
			wantIDs: f.ids(5, 3)},
		{name: "max duration is inclusive", query: url.Values{"max_duration_ms": {"20500"}},
			wantIDs: f.ids(4, 2)},
		{name: "duration band",
			query:   url.Values{"min_duration_ms": {"20000"}, "max_duration_ms": {"50000"}},
			wantIDs: f.ids(6, 4, 1)},
		{name: "filters combine",
			query:   url.Values{"participant": {"alice"}, "from": {rfc(24 * time.Hour)}},
			wantIDs: f.ids(6, 3)},
		{name: "limit gives a cursor", query: url.Values{"limit": {"2"}},
			wantIDs: f.ids(6, 5), wantNext: f.sidecars[5].RecordingID},
		{name: "after starts past the cursor",
			query:   url.Values{"after": {f.sidecars[5].RecordingID}, "limit": {"3"}},
			wantIDs: f.ids(4, 3, 2), wantNext: f.sidecars[2].RecordingID},
		{name: "limit over the count has no cursor", query: url.Values{"limit": {"50"}},
			wantIDs: f.ids(6, 5, 4, 3, 2, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := list(t, f.url, tt.query)
			if diff := cmp.Diff(tt.wantIDs, page.ids()); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			if page.Next != tt.wantNext {
				t.Errorf("next = %q, want %q", page.Next, tt.wantNext)
			}
		})
	}
}

// TestListCallsPaging follows the cursor from the first page to the last
// and checks that every call is seen once, in order.
func TestListCallsPaging(t *testing.T) {
	f := newFixture(t, nil, testCalls)

	tests := []struct {
		name   string
		filter url.Values
		limit  int
	}{
		{name: "one per page", filter: url.Values{}, limit: 1},
		{name: "pages of four, last one short", filter: url.Values{}, limit: 4},
		{name: "pages that divide the count", filter: url.Values{}, limit: 3},
		{name: "one page holds all", filter: url.Values{}, limit: 6},
		{name: "filtered", filter: url.Values{"participant": {"alice"}}, limit: 2},
		{name: "filtered by duration, one per page",
			filter: url.Values{"min_duration_ms": {"30000"}}, limit: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := list(t, f.url, tt.filter).ids()
			got := []string{}
			after := ""
			for pages := 0; ; pages++ {
				if pages > len(want)+1 {
					t.Fatalf("still paging after %d pages; seen %v", pages, got)
				}
				q := url.Values{"limit": {strconv.Itoa(tt.limit)}}
				for k, v := range tt.filter {
					q[k] = v
				}
				if after != "" {
					q.Set("after", after)
				}
				page := list(t, f.url, q)
				if len(page.Calls) > tt.limit {
					t.Errorf("page %d has %d calls, over the limit", pages, len(page.Calls))
				}
				got = append(got, page.ids()...)
				if page.Next == "" {
					break
				}
				after = page.Next
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("calls seen by paging (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListCallsBadParameters(t *testing.T) {
	f := newFixture(t, nil, testCalls)
	unknown := testID(99, monday)

	tests := []struct {
		name  string
		query string
		// wantParam must appear in the error message.
		wantParam string
	}{
		{name: "from not a time", query: "from=yesterday", wantParam: "from"},
		{name: "to without a zone", query: "to=2026-03-02T09:00:00", wantParam: "to"},
		{name: "limit not a number", query: "limit=abc", wantParam: "limit"},
		{name: "limit over the maximum", query: "limit=5000", wantParam: "limit"},
		{name: "limit negative", query: "limit=-1", wantParam: "limit"},
		{name: "min duration not a number", query: "min_duration_ms=-x",
			wantParam: "min_duration_ms"},
		{name: "max duration with a fraction", query: "max_duration_ms=1.5",
			wantParam: "max_duration_ms"},
		{name: "after naming no call", query: "after=" + unknown, wantParam: "after"},
		{name: "after not an id", query: "after=not-a-call", wantParam: "after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, f.url+"/api/v1/calls?"+tt.query)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400; body %s", resp.StatusCode, body)
			}
			if msg := apiError(t, resp, body); !strings.Contains(msg, tt.wantParam) {
				t.Errorf("error %q does not name %s", msg, tt.wantParam)
			}
		})
	}
}

// wireCall is GET /api/v1/calls/{id} as the web app reads it; the field
// names are the API's contract.
type wireCall struct {
	ID           string                `json:"id"`
	SIPCallID    string                `json:"sip_call_id"`
	StartedAt    time.Time             `json:"started_at"`
	EndedAt      time.Time             `json:"ended_at"`
	DurationMS   int64                 `json:"duration_ms"`
	Audio        storage.Audio         `json:"audio"`
	Recorder     string                `json:"recorder"`
	Participants []storage.Participant `json:"participants"`
	Streams      []storage.Stream      `json:"streams"`
	Talk         *storage.TalkMetrics  `json:"talk"`
	Marks        wireMarks             `json:"marks"`
}

// wireMarks are a call's marks in GET /api/v1/calls/{id}.
type wireMarks struct {
	DTMF         []storage.DTMFEvent `json:"dtmf"`
	Pauses       []storage.Interval  `json:"pauses"`
	Holds        []storage.Hold      `json:"holds"`
	HoldsUnknown bool                `json:"holds_unknown"`
}

func wantWireCall(sc *storage.Sidecar) wireCall {
	return wireCall{
		ID: sc.RecordingID, SIPCallID: sc.SIPCallID,
		StartedAt: sc.StartedAt, EndedAt: sc.EndedAt, DurationMS: sc.DurationMS,
		Audio: sc.Audio, Recorder: sc.Recorder,
		Participants: sc.Participants, Streams: sc.Streams, Talk: sc.Talk,
		Marks: wireMarks{DTMF: sc.DTMF, Pauses: sc.Pauses, Holds: sc.Holds},
	}
}

// getWireCall fetches GET /api/v1/calls/{id}, failing unless it is 200.
func getWireCall(t *testing.T, f *fixture, id string) wireCall {
	t.Helper()
	resp, body := get(t, f.url+"/api/v1/calls/"+id)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", resp.StatusCode, body)
	}
	var got wireCall
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestGetCall(t *testing.T) {
	f := newFixture(t, nil, testCalls)

	tests := []struct {
		name     string
		call     int
		wantTalk bool
	}{
		{name: "with talk metrics and marks", call: 3, wantTalk: true},
		{name: "without talk metrics or marks", call: 2, wantTalk: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := f.sidecars[tt.call]
			resp, body := get(t, f.url+"/api/v1/calls/"+sc.RecordingID)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d, want 200; body %s", resp.StatusCode, body)
			}
			var got wireCall
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wantWireCall(sc), got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("call (-want +got):\n%s", diff)
			}
			var fields map[string]json.RawMessage
			if err := json.Unmarshal(body, &fields); err != nil {
				t.Fatal(err)
			}
			if _, ok := fields["talk"]; ok != tt.wantTalk {
				t.Errorf("talk present = %v, want %v; body %s", ok, tt.wantTalk, body)
			}
		})
	}
}

// TestCallMarksFromCatalog: the marks come from the catalog, as the
// fixture never stores sidecars; only the holds of a call indexed before
// the catalog kept them are read from its sidecar, and said to be unknown
// while the sidecar cannot be read.
func TestCallMarksFromCatalog(t *testing.T) {
	f := newFixture(t, nil, testCalls[2:3])
	sc := f.sidecars[3]
	want := wantWireCall(sc)
	if diff := cmp.Diff(want.Marks, getWireCall(t, f, sc.RecordingID).Marks); diff != "" {
		t.Errorf("marks without a sidecar in the store (-want +got):\n%s", diff)
	}

	// As a catalog upgraded from a build that did not keep holds has it.
	for _, q := range []string{`DELETE FROM holds WHERE call_id = ?`,
		`INSERT INTO holds_unindexed (call_id) VALUES (?)`} {
		if _, err := f.cat.DB().Exec(q, sc.RecordingID); err != nil {
			t.Fatal(err)
		}
	}
	unknown := wireMarks{DTMF: sc.DTMF, Pauses: sc.Pauses, Holds: []storage.Hold{},
		HoldsUnknown: true}
	if diff := cmp.Diff(unknown, getWireCall(t, f, sc.RecordingID).Marks); diff != "" {
		t.Errorf("marks with holds unknown and no sidecar (-want +got):\n%s", diff)
	}
	if !strings.Contains(f.log.String(), "call holds unavailable") {
		t.Errorf("server log does not say the holds were unavailable:\n%s", f.log)
	}

	_, key, _ := storage.RecordingKeys(sc.RecordingID)
	data, err := storage.MarshalSidecar(sc)
	if err != nil {
		t.Fatal(err)
	}
	err = f.store.Put(context.Background(), key, bytes.NewReader(data), int64(len(data)),
		storage.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.Marks, getWireCall(t, f, sc.RecordingID).Marks); diff != "" {
		t.Errorf("marks with holds from the sidecar (-want +got):\n%s", diff)
	}
}

func TestGetCallUnknown(t *testing.T) {
	f := newFixture(t, nil, testCalls[:1])

	tests := []struct {
		name string
		id   string
	}{
		{name: "id of no call", id: testID(99, monday)},
		{name: "not an id", id: "no-such-call"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, f.url+"/api/v1/calls/"+tt.id)
			if resp.StatusCode != http.StatusNotFound {
				t.Fatalf("status = %d, want 404; body %s", resp.StatusCode, body)
			}
			if msg := apiError(t, resp, body); !strings.Contains(msg, tt.id) {
				t.Errorf("error %q does not name the id", msg)
			}
		})
	}
}

// storedSamples decodes the mu-law audio of a stored test WAV.
func storedSamples(t *testing.T, wav []byte) []int16 {
	t.Helper()
	_, off, n, err := audio.ReadHeader(bytes.NewReader(wav))
	if err != nil {
		t.Fatal(err)
	}
	return audio.DecodeULaw(nil, wav[off:off+n])
}

func TestCallAudio(t *testing.T) {
	f := newFixture(t, nil, testCalls[2:4])
	const call = 4
	u := f.url + "/api/v1/calls/" + f.sidecars[call].RecordingID + "/audio"

	resp, body := get(t, u)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %.200q", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "audio/wav" {
		t.Errorf("Content-Type = %q, want audio/wav", ct)
	}
	if ar := resp.Header.Get("Accept-Ranges"); ar != "bytes" {
		t.Errorf("Accept-Ranges = %q, want bytes", ar)
	}
	if cl := resp.Header.Get("Content-Length"); cl != strconv.Itoa(len(body)) {
		t.Errorf("Content-Length = %s, body has %d bytes", cl, len(body))
	}

	format, off, n, err := audio.ReadHeader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("served file is not a WAV: %v", err)
	}
	wantFormat := audio.Format{Encoding: audio.PCM16, SampleRate: 8000, Channels: 2}
	if format != wantFormat {
		t.Errorf("format = %+v, want %+v", format, wantFormat)
	}
	if off+n != int64(len(body)) {
		t.Fatalf("header says %d data bytes at %d, file has %d bytes", n, off, len(body))
	}
	got := make([]int16, n/2)
	if err := binary.Read(bytes.NewReader(body[off:]), binary.LittleEndian, got); err != nil {
		t.Fatal(err)
	}
	want := storedSamples(t, f.wavs[call])
	if len(got) != len(want) {
		t.Fatalf("%d samples served, %d stored", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("sample %d (frame %d, channel %d) = %d, want %d",
				i, i/2, i%2, got[i], want[i])
		}
	}

	// What a listener hears: the tone on the left, nothing on the right.
	var leftPeak, rightPeak int16
	for i := 0; i+1 < len(got); i += 2 {
		leftPeak = max(leftPeak, got[i])
		rightPeak = max(rightPeak, got[i+1])
	}
	if leftPeak < 7000 || rightPeak != 0 {
		t.Errorf("peaks left %d right %d, want the tone (about 8000) left and silence right",
			leftPeak, rightPeak)
	}

	t.Run("ranges", func(t *testing.T) { testAudioRanges(t, u, body) })
}

// testAudioRanges asks for parts of the converted file whose full form is
// full, as a player seeking does.
func testAudioRanges(t *testing.T, u string, full []byte) {
	size := int64(len(full))
	// The server reads the stored file in 256 KiB blocks; stored byte
	// 256 KiB (past the 58-byte mu-law header) is this byte of the
	// converted file (past its 44-byte header).
	const blockEdge = 44 + 2*(256<<10-58)

	span := func(first, last int64) string { return fmt.Sprintf("bytes=%d-%d", first, last) }

	tests := []struct {
		name string
		rng  string
		// wantFirst and wantLast are the bytes of full expected, inclusive.
		wantFirst, wantLast int64
		// unsatisfiable means the answer must be 416.
		unsatisfiable bool
	}{
		{name: "first kilobyte of audio", rng: "bytes=44-1043", wantFirst: 44, wantLast: 1043},
		{name: "header only", rng: "bytes=0-43", wantFirst: 0, wantLast: 43},
		{name: "starting inside a sample", rng: "bytes=1001-2000",
			wantFirst: 1001, wantLast: 2000},
		{name: "across a store block", rng: span(blockEdge-501, blockEdge+500),
			wantFirst: blockEdge - 501, wantLast: blockEdge + 500},
		{name: "open-ended", rng: fmt.Sprintf("bytes=%d-", size-3000),
			wantFirst: size - 3000, wantLast: size - 1},
		{name: "last bytes", rng: "bytes=-100", wantFirst: size - 100, wantLast: size - 1},
		{name: "end past the file is cut at its end", rng: span(size-10, size+1000),
			wantFirst: size - 10, wantLast: size - 1},
		{name: "start at the end", rng: fmt.Sprintf("bytes=%d-", size), unsatisfiable: true},
		{name: "start past the end", rng: span(size+100, size+200), unsatisfiable: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, http.MethodGet, u, http.Header{"Range": {tt.rng}})
			wantStatus := http.StatusPartialContent
			if tt.unsatisfiable {
				wantStatus = http.StatusRequestedRangeNotSatisfiable
			}
			if resp.StatusCode != wantStatus {
				t.Fatalf("status = %d, want %d", resp.StatusCode, wantStatus)
			}
			if tt.unsatisfiable {
				want := fmt.Sprintf("bytes */%d", size)
				if cr := resp.Header.Get("Content-Range"); cr != want {
					t.Errorf("Content-Range = %q, want %q", cr, want)
				}
				return
			}
			want := fmt.Sprintf("bytes %d-%d/%d", tt.wantFirst, tt.wantLast, size)
			if cr := resp.Header.Get("Content-Range"); cr != want {
				t.Errorf("Content-Range = %q, want %q", cr, want)
			}
			if !bytes.Equal(body, full[tt.wantFirst:tt.wantLast+1]) {
				t.Errorf("got %d bytes that differ from bytes %d-%d of the full answer",
					len(body), tt.wantFirst, tt.wantLast)
			}
		})
	}
}

func TestCallAudioUnknown(t *testing.T) {
	f := newFixture(t, nil, testCalls[:1])
	id := testID(99, monday)

	resp, body := get(t, f.url+"/api/v1/calls/"+id+"/audio")
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("status = %d, want 404; body %s", resp.StatusCode, body)
	}
	if msg := apiError(t, resp, body); !strings.Contains(msg, id) {
		t.Errorf("error %q does not name the id", msg)
	}
}

// TestCallsInternalErrors breaks the catalog or the store under a running
// server: the client gets a 500 that names the step, and only the server
// log gets the cause, which names files.
func TestCallsInternalErrors(t *testing.T) {
	tests := []struct {
		name string
		// breakIt breaks a dependency of f and returns what the server log
		// should then hold.
		breakIt   func(t *testing.T, f *fixture) string
		path      func(f *fixture) string
		wantError string
	}{
		{name: "list with the catalog closed",
			breakIt:   closeCatalog,
			path:      func(*fixture) string { return "/api/v1/calls" },
			wantError: "list calls failed"},
		{name: "get with the catalog closed",
			breakIt: closeCatalog,
			path: func(f *fixture) string {
				return "/api/v1/calls/" + f.sidecars[1].RecordingID
			},
			wantError: "get call failed"},
		{name: "audio with the catalog closed",
			breakIt: closeCatalog,
			path: func(f *fixture) string {
				return "/api/v1/calls/" + f.sidecars[1].RecordingID + "/audio"
			},
			wantError: "get call failed"},
		{name: "audio missing from the store",
			breakIt: func(t *testing.T, f *fixture) string {
				key, _, _ := storage.RecordingKeys(f.sidecars[1].RecordingID)
				if err := f.store.Delete(context.Background(), key); err != nil {
					t.Fatal(err)
				}
				return key
			},
			path: func(f *fixture) string {
				return "/api/v1/calls/" + f.sidecars[1].RecordingID + "/audio"
			},
			wantError: "find recording failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil, testCalls[:1])
			cause := tt.breakIt(t, f)

			resp, body := get(t, f.url+tt.path(f))
			if resp.StatusCode != http.StatusInternalServerError {
				t.Fatalf("status = %d, want 500; body %s", resp.StatusCode, body)
			}
			if msg := apiError(t, resp, body); !strings.Contains(msg, tt.wantError) {
				t.Errorf("error %q does not say %q", msg, tt.wantError)
			}
			if bytes.Contains(body, []byte(cause)) || bytes.Contains(body, []byte("recordings/")) {
				t.Errorf("body %s shows the internal error", body)
			}
			if !strings.Contains(f.log.String(), cause) {
				t.Errorf("server log lacks %q:\n%s", cause, f.log)
			}
		})
	}
}

func closeCatalog(t *testing.T, f *fixture) string {
	if err := f.cat.Close(); err != nil {
		t.Fatal(err)
	}
	return "database is closed"
}

// fakeControl stands for the recorder: it answers err and notes what it
// was asked.
type fakeControl struct {
	err error

	mu  sync.Mutex // guards got
	got []string
}

func (c *fakeControl) Pause(id, reason string) error {
	c.note("pause " + id + " " + reason)
	return c.err
}

func (c *fakeControl) Resume(id string) error {
	c.note("resume " + id)
	return c.err
}

func (c *fakeControl) note(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, s)
}

func (c *fakeControl) asked() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.got
}

func TestPauseResume(t *testing.T) {
	// secret stands for what an internal error may carry: paths, hosts.
	const secret = "open /var/spool/earshot/01JE/left.raw: disk quota exceeded"
	const id = "01JQ8Z0000000000000000ABCD"

	tests := []struct {
		name       string
		action     string
		err        error
		wantStatus int
		wantAsked  string
		// wantError must appear in the JSON error; empty means no body.
		wantError string
	}{
		{name: "pause", action: "pause", wantStatus: http.StatusNoContent,
			wantAsked: "pause " + id + " api"},
		{name: "resume", action: "resume", wantStatus: http.StatusNoContent,
			wantAsked: "resume " + id},
		{name: "pause a call not in progress", action: "pause", err: ui.ErrNotRecording,
			wantStatus: http.StatusConflict, wantAsked: "pause " + id + " api",
			wantError: "not being recorded"},
		{name: "resume a call not in progress", action: "resume",
			err:        fmt.Errorf("call %s: %w", id, ui.ErrNotRecording),
			wantStatus: http.StatusConflict, wantAsked: "resume " + id,
			wantError: "not being recorded"},
		{name: "pause fails", action: "pause", err: errors.New(secret),
			wantStatus: http.StatusInternalServerError, wantAsked: "pause " + id + " api",
			wantError: "failed"},
		{name: "resume fails", action: "resume", err: errors.New(secret),
			wantStatus: http.StatusInternalServerError, wantAsked: "resume " + id,
			wantError: "failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctl := &fakeControl{err: tt.err}
			f := newFixture(t, ctl, nil)

			u := f.url + "/api/v1/calls/" + id + "/" + tt.action
			resp, body := do(t, http.MethodPost, u, nil)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, tt.wantStatus, body)
			}
			if diff := cmp.Diff([]string{tt.wantAsked}, ctl.asked()); diff != "" {
				t.Errorf("recorder asked (-want +got):\n%s", diff)
			}
			if tt.wantError == "" {
				if len(body) != 0 {
					t.Errorf("body = %q, want none", body)
				}
				return
			}
			if msg := apiError(t, resp, body); !strings.Contains(msg, tt.wantError) {
				t.Errorf("error %q does not say %q", msg, tt.wantError)
			}
			if bytes.Contains(body, []byte("quota")) {
				t.Errorf("body %s shows the internal error", body)
			}
			if tt.wantStatus == http.StatusInternalServerError &&
				!strings.Contains(f.log.String(), secret) {
				t.Errorf("server log lacks the internal error:\n%s", f.log)
			}
		})
	}
}
