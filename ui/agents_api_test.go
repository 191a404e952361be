package ui

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"earshot/qa"
	"earshot/storage"
)

// peopleMonday is a Monday; the test calls are on its week.
var peopleMonday = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// indexPeopleCall indexes call n, answered by callee at start, and maps
// it as the binary does after indexing; it returns the call's id.
func indexPeopleCall(t *testing.T, f *authFixture, n int, start time.Time, callee string) string {
	t.Helper()
	entropy := bytes.NewReader(bytes.Repeat([]byte{byte(n)}, 10))
	sc := &storage.Sidecar{
		FormatVersion: storage.SidecarFormatVersion,
		RecordingID:   ulid.MustNew(ulid.Timestamp(start), entropy).String(),
		StartedAt:     start, EndedAt: start.Add(time.Minute), DurationMS: 60_000,
		Audio: storage.Audio{Encoding: "pcmu", SampleRate: 8000, Channels: 2, Bytes: 960_058},
		Participants: []storage.Participant{
			{Channel: 0, Role: "callee", SIPAddress: callee},
			{Channel: 1, Role: "caller", SIPAddress: "sip:+33140000000@carrier.example"},
		},
	}
	if err := f.cat.Index(t.Context(), sc); err != nil {
		t.Fatal(err)
	}
	if err := f.qa.OnCallIndexed(t.Context(), sc.RecordingID); err != nil {
		t.Fatal(err)
	}
	return sc.RecordingID
}

// wantStatus fails the test unless resp has status code.
func wantStatus(t *testing.T, what string, resp *http.Response, body []byte, code int) {
	t.Helper()
	if resp.StatusCode != code {
		t.Fatalf("%s = %d %s, want %d", what, resp.StatusCode, body, code)
	}
}

// TestAgentAPI: staff build teams and agents and link identities, which
// attributes the calls already indexed; reviewers may only read.
func TestAgentAPI(t *testing.T) {
	f := newAuthFixture(t)
	boss := f.token(t, f.user(t, "boss", qa.RoleManager))
	rev := f.token(t, f.user(t, "rev", qa.RoleReviewer))
	callID := indexPeopleCall(t, f, 1, peopleMonday, "sip:1001@pbx.example")

	resp, body := f.do(t, nil, authReq{method: http.MethodPost, path: "/api/v1/teams",
		bearer: boss, body: map[string]any{"name": "Billing"}})
	wantStatus(t, "create team", resp, body, http.StatusCreated)
	var team qa.Team
	decodeTestJSON(t, body, &team)

	resp, body = f.do(t, nil, authReq{method: http.MethodPost, path: "/api/v1/agents",
		bearer: boss, body: map[string]any{"name": "Ana", "team_id": team.ID}})
	wantStatus(t, "create agent", resp, body, http.StatusCreated)
	var ana qa.Agent
	decodeTestJSON(t, body, &ana)
	agentPath := "/api/v1/agents/" + peopleID(ana.ID)

	resp, body = f.do(t, nil, authReq{method: http.MethodPost, path: agentPath + "/identities",
		bearer: boss, body: map[string]any{"kind": "address", "value": "<SIP:1001@PBX.example;transport=tcp>"}})
	wantStatus(t, "add identity", resp, body, http.StatusOK)
	decodeTestJSON(t, body, &ana)
	if len(ana.Identities) != 1 || ana.Identities[0].Value != "sip:1001@pbx.example" {
		t.Errorf("identities %+v, want the address normalised", ana.Identities)
	}
	ca, err := f.qa.AgentOfCall(t.Context(), callID)
	if err != nil || ca.AgentID != ana.ID || ca.Direction != qa.DirectionInbound {
		t.Errorf("the call indexed before: %+v, %v; want Ana's, inbound", ca, err)
	}

	resp, body = f.do(t, nil, authReq{method: http.MethodGet,
		path: "/api/v1/agents?team_id=" + peopleID(team.ID), bearer: rev})
	wantStatus(t, "reviewer lists agents", resp, body, http.StatusOK)
	resp, body = f.do(t, nil, authReq{method: http.MethodPut, path: agentPath, bearer: rev,
		body: map[string]any{"name": "Anna"}})
	wantStatus(t, "reviewer renames an agent", resp, body, http.StatusForbidden)

	q := url.Values{"kind": {"address"}, "value": {"sip:1001@pbx.example"}}
	resp, body = f.do(t, nil, authReq{method: http.MethodDelete,
		path: agentPath + "/identities?" + q.Encode(), bearer: boss})
	wantStatus(t, "remove identity", resp, body, http.StatusOK)
	if _, err := f.qa.AgentOfCall(t.Context(), callID); !errors.Is(err, qa.ErrNotFound) {
		t.Errorf("after removing the identity the call has agent: %v", err)
	}
}

func TestAgentAPIErrors(t *testing.T) {
	f := newAuthFixture(t)
	boss := f.token(t, f.user(t, "boss", qa.RoleAdmin))
	tests := []struct {
		name   string
		req    authReq
		status int
	}{
		{name: "unknown field", req: authReq{method: http.MethodPost, path: "/api/v1/teams",
			body: map[string]any{"nom": "Billing"}}, status: http.StatusBadRequest},
		{name: "no name", req: authReq{method: http.MethodPost, path: "/api/v1/agents",
			body: map[string]any{"name": ""}}, status: http.StatusBadRequest},
		{name: "unknown team", req: authReq{method: http.MethodPost, path: "/api/v1/agents",
			body: map[string]any{"name": "Ana", "team_id": 77}}, status: http.StatusBadRequest},
		{name: "bad id", req: authReq{method: http.MethodGet, path: "/api/v1/agents/abc"},
			status: http.StatusNotFound},
		{name: "bad kind", req: authReq{method: http.MethodDelete,
			path: "/api/v1/agents/1/identities?kind=phone&value=1"},
			status: http.StatusBadRequest},
		{name: "bad inactive", req: authReq{method: http.MethodGet, path: "/api/v1/agents?inactive=yes"},
			status: http.StatusBadRequest},
		{name: "remap", req: authReq{method: http.MethodPost, path: "/api/v1/agents/remap"},
			status: http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.bearer = boss
			resp, body := f.do(t, nil, tt.req)
			wantStatus(t, tt.req.method+" "+tt.req.path, resp, body, tt.status)
		})
	}
}

// peopleID writes an id for a path.
func peopleID(n int64) string { return strconv.FormatInt(n, 10) }
