package qa

import (
	"bytes"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"earshot/storage"
)

// sampMonday is the first day of the week the sampling tests draw from:
// 2026-03-02 is a Monday.
var sampMonday = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// sampCall is one call indexed through the catalog, as the recorder's
// sidecar describes it.
type sampCall struct {
	n          int // makes the recording id unique
	start      time.Time
	durationMS int64
	callee     string // SIP address of the callee
	caller     string
	// longestSilenceMS, if not zero, sets the talk metrics.
	longestSilenceMS int64
	// noAudio stores a WAV that is all header.
	noAudio bool
}

// sampCallID returns a recording id that depends only on n and start.
func sampCallID(n int, start time.Time) string {
	entropy := bytes.NewReader(bytes.Repeat([]byte{byte(n), byte(n >> 8)}, 5))
	return ulid.MustNew(ulid.Timestamp(start), entropy).String()
}

// indexCall indexes c in the catalog and runs the hook the binary runs
// after indexing, and returns the call's id.
func indexCall(t *testing.T, s *Service, c sampCall) string {
	t.Helper()
	if c.durationMS == 0 {
		c.durationMS = 60_000
	}
	sc := &storage.Sidecar{
		FormatVersion: storage.SidecarFormatVersion,
		RecordingID:   sampCallID(c.n, c.start),
		StartedAt:     c.start,
		EndedAt:       c.start.Add(time.Duration(c.durationMS) * time.Millisecond),
		DurationMS:    c.durationMS,
		Audio: storage.Audio{Encoding: "pcmu", SampleRate: 8000, Channels: 2,
			Bytes: 58 + c.durationMS*16},
		Participants: []storage.Participant{
			{Channel: 0, Role: "callee", SIPAddress: c.callee},
			{Channel: 1, Role: "caller", SIPAddress: c.caller},
		},
	}
	if c.noAudio {
		sc.Audio.Bytes = 58
	}
	if c.longestSilenceMS > 0 {
		sc.Talk = &storage.TalkMetrics{LongestSilenceMS: c.longestSilenceMS}
	}
	if err := s.cat.Index(t.Context(), sc); err != nil {
		t.Fatalf("index call %d: %v", c.n, err)
	}
	if err := s.OnCallIndexed(t.Context(), sc.RecordingID); err != nil {
		t.Fatalf("map call %d: %v", c.n, err)
	}
	return sc.RecordingID
}

// sampExec runs a statement of test set-up.
func sampExec(t *testing.T, s *Service, q string, args ...any) {
	t.Helper()
	if _, err := s.db.ExecContext(t.Context(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// addSampUser inserts a user straight into the table, so that these tests
// do not depend on account management. agentID 0 means none.
func addSampUser(t *testing.T, s *Service, id int64, roles string, agentID int64) *User {
	t.Helper()
	var agent any
	if agentID != 0 {
		agent = agentID
	}
	name := "user" + string(rune('a'+id))
	sampExec(t, s, `INSERT INTO users (id, username, password_hash, roles, agent_id, created_at)
		VALUES (?, ?, 'x', ?, ?, 0)`, id, name, roles, agent)
	u, err := readPoolUser(t.Context(), s.db, id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// addFormVersion inserts a form with one version and returns the
// version's id.
func addFormVersion(t *testing.T, s *Service) int64 {
	t.Helper()
	sampExec(t, s, `INSERT INTO forms (id, name, created_at) VALUES (900, 'sampling test form', 0)`)
	sampExec(t, s, `INSERT INTO form_versions (id, form_id, version, definition, created_at, updated_at)
		VALUES (901, 900, 1, '{}', 0, 0)`)
	return 901
}

// newSampAgent creates an agent with the extension ext.
func newSampAgent(t *testing.T, s *Service, name string, team *int64, ext string) *Agent {
	t.Helper()
	a, err := s.CreateAgent(t.Context(), AgentInput{Name: name, TeamID: team})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddIdentity(t.Context(), a.ID, Identity{Kind: IdentityExtension, Value: ext}); err != nil {
		t.Fatal(err)
	}
	return a
}

// addAgentCalls indexes calls answered by the agent with extension ext:
// perDay[d] calls on day d of the week starting sampMonday, from 9:00,
// ten minutes apart. n numbers the calls from first; it returns the ids.
func addAgentCalls(t *testing.T, s *Service, ext string, first int, perDay []int) []string {
	t.Helper()
	var ids []string
	n := first
	for d, count := range perDay {
		for i := range count {
			start := sampMonday.AddDate(0, 0, d).Add(9*time.Hour + time.Duration(i)*10*time.Minute)
			ids = append(ids, indexCall(t, s, sampCall{n: n, start: start,
				callee: "sip:" + ext + "@pbx.example", caller: "sip:+33140000000@carrier.example"}))
			n++
		}
	}
	return ids
}

// newManager inserts the manager who makes plans and draws.
func newManager(t *testing.T, s *Service) *User {
	t.Helper()
	return addSampUser(t, s, 1, "manager", 0)
}
