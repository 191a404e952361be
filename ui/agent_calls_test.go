package ui

import (
	"net/http"
	"testing"
	"time"

	"earshot/qa"
	"earshot/storage"
)

// TestAgentSeesOnlyOwnCalls: an agent lists and opens the calls linked to
// their agent; another agent's call does not exist for them.
func TestAgentSeesOnlyOwnCalls(t *testing.T) {
	f := newAuthFixture(t)
	start := time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 2 {
		at := start.Add(time.Duration(i) * time.Hour)
		sc := &storage.Sidecar{RecordingID: storage.NewRecordingID(at), StartedAt: at, EndedAt: at.Add(time.Minute),
			DurationMS: 60000, Audio: storage.Audio{Encoding: "pcmu", SampleRate: 8000, Channels: 2}}
		if err := f.cat.Index(t.Context(), sc); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, sc.RecordingID)
	}
	db := f.cat.DB()
	for _, q := range []string{
		`INSERT INTO agents (id, name) VALUES (1, 'Ana'), (2, 'Ben')`,
		`INSERT INTO call_agents (call_id, agent_id, direction) VALUES ('` + ids[0] + `', 1, 'inbound'), ('` +
			ids[1] + `', 2, 'inbound')`,
	} {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatal(err)
		}
	}
	ana := int64(1)
	u, err := f.qa.CreateUser(t.Context(), qa.NewUser{Username: "ana", Password: "ana-password",
		Roles: []qa.Role{qa.RoleAgent}, AgentID: &ana})
	if err != nil {
		t.Fatal(err)
	}
	tok := f.token(t, u)

	resp, body := f.do(t, nil, authReq{method: http.MethodGet, path: "/api/v1/calls", bearer: tok})
	var list callList
	decodeTestJSON(t, body, &list)
	if resp.StatusCode != http.StatusOK || len(list.Calls) != 1 || list.Calls[0].ID != ids[0] {
		t.Errorf("agent's list: %d %+v, want only their own call %s", resp.StatusCode, list.Calls, ids[0])
	}
	own := authReq{method: http.MethodGet, path: "/api/v1/calls/" + ids[0], bearer: tok}
	if resp, _ := f.do(t, nil, own); resp.StatusCode != http.StatusOK {
		t.Errorf("agent opening their own call: %d, want 200", resp.StatusCode)
	}
	for _, path := range []string{"/api/v1/calls/" + ids[1], "/api/v1/calls/" + ids[1] + "/audio"} {
		other := authReq{method: http.MethodGet, path: path, bearer: tok}
		if resp, _ := f.do(t, nil, other); resp.StatusCode != http.StatusNotFound {
			t.Errorf("agent opening another agent's %s: %d, want 404", path, resp.StatusCode)
		}
	}
}
