package ui

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"earshot/qa"
)

// formAPIFixture is the auth fixture with one agent, Anna, and one call
// of hers, and a token per person.
type formAPIFixture struct {
	*authFixture
	manager, reviewer, reviewer2, anna string // bearer tokens
	callID                             string
}

func newFormAPIFixture(t *testing.T) *formAPIFixture {
	t.Helper()
	f := &formAPIFixture{authFixture: newAuthFixture(t), callID: "01JFORMAPICALL0000000000000"}
	db := f.cat.DB()
	res, err := db.ExecContext(t.Context(), `INSERT INTO agents (name) VALUES ('Anna')`)
	if err != nil {
		t.Fatal(err)
	}
	agentID, err := res.LastInsertId()
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.ExecContext(t.Context(), `INSERT INTO calls (id, started_at, ended_at, duration_ms, wav_key,
		sidecar_key, sidecar_version) VALUES (?, 0, 60000, 60000, 'w', 's', 1)`, f.callID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.ExecContext(t.Context(), `INSERT INTO call_agents (call_id, agent_id, direction)
		VALUES (?, ?, 'inbound')`, f.callID, agentID)
	if err != nil {
		t.Fatal(err)
	}
	f.manager = f.token(t, f.user(t, "manager", qa.RoleManager))
	f.reviewer = f.token(t, f.user(t, "reviewer", qa.RoleReviewer))
	f.reviewer2 = f.token(t, f.user(t, "reviewer2", qa.RoleReviewer))
	anna, err := f.qa.CreateUser(t.Context(), qa.NewUser{Username: "anna", Password: "anna-password",
		Roles: []qa.Role{qa.RoleAgent}, AgentID: &agentID})
	if err != nil {
		t.Fatal(err)
	}
	f.anna = f.token(t, anna)
	return f
}

// send sends a request as the holder of token and checks its status;
// it decodes a JSON answer into out, if given.
func (f *formAPIFixture) send(t *testing.T, token, method, path string, body any, want int, out any) {
	t.Helper()
	resp, data := f.do(t, nil, authReq{method: method, path: path, body: body, bearer: token})
	if resp.StatusCode != want {
		t.Fatalf("%s %s = %d %s, want %d", method, path, resp.StatusCode, data, want)
	}
	if out != nil {
		decodeTestJSON(t, data, out)
	}
}

// formAPIDefinition scores 87.5% with greet yes and empathy 4.
const formAPIDefinition = `{"name": "Support", "sections": [{"id": "call", "title": "The call", "questions": [
	{"id": "greet", "text": "Greeted the caller", "type": "yes_no"},
	{"id": "empathy", "text": "Showed empathy", "type": "scale", "min": 1, "max": 5}]}]}`

// formJSON is a body sent as it is written.
type formJSON string

func (j formJSON) MarshalJSON() ([]byte, error) { return []byte(j), nil }

func TestFormAPIForms(t *testing.T) {
	f := newFormAPIFixture(t)
	var form qa.Form
	f.send(t, f.manager, http.MethodPost, "/api/v1/forms", formJSON(formAPIDefinition), http.StatusCreated, &form)
	if form.Latest.Version != 1 || form.Latest.Definition.Sections[0].Weight != 1 {
		t.Errorf("created %+v", form)
	}
	path := fmt.Sprintf("/api/v1/forms/%d", form.ID)

	wording := strings.Replace(formAPIDefinition, "Greeted the caller", "Greeted the caller by name", 1)
	var v qa.FormVersion
	f.send(t, f.manager, http.MethodPut, path, formJSON(wording), http.StatusOK, &v)
	if v.Version != 1 || v.ID != form.Latest.ID {
		t.Errorf("a wording edit made version %d (id %d)", v.Version, v.ID)
	}
	weighted := strings.Replace(formAPIDefinition, `"type": "yes_no"`, `"type": "yes_no", "weight": 2`, 1)
	f.send(t, f.manager, http.MethodPut, path, formJSON(weighted), http.StatusOK, &v)
	if v.Version != 2 {
		t.Errorf("a weight change made version %d, want 2", v.Version)
	}

	var list struct{ Forms []qa.Form }
	f.send(t, f.reviewer, http.MethodGet, "/api/v1/forms", nil, http.StatusOK, &list)
	if len(list.Forms) != 1 || list.Forms[0].Latest.Version != 2 {
		t.Errorf("GET /api/v1/forms = %+v", list)
	}
	var versions struct{ Versions []qa.FormVersion }
	f.send(t, f.anna, http.MethodGet, path+"/versions", nil, http.StatusOK, &versions)
	first := versions.Versions[0].Definition.Sections[0].Questions[0]
	if len(versions.Versions) != 2 || first.Text != "Greeted the caller by name" {
		t.Errorf("GET versions = %+v", versions)
	}
	var one qa.FormVersion
	f.send(t, f.anna, http.MethodGet, fmt.Sprintf("/api/v1/form-versions/%d", form.Latest.ID), nil,
		http.StatusOK, &one)
	if one.Version != 1 {
		t.Errorf("GET form version = %+v", one)
	}
}

func TestFormAPIErrors(t *testing.T) {
	f := newFormAPIFixture(t)
	badWeight := strings.Replace(formAPIDefinition, `"type": "scale"`, `"type": "scale", "weight": -1`, 1)
	misspelt := strings.Replace(formAPIDefinition, `"type": "scale"`, `"type": "scale", "wieght": 2`, 1)
	tests := []struct {
		name   string
		token  string
		method string
		path   string
		body   any
		status int
		errHas string
	}{
		{name: "field path", token: f.manager, method: http.MethodPost, path: "/api/v1/forms",
			body:   formJSON(badWeight),
			status: http.StatusBadRequest, errHas: "sections[0].questions[1].weight: must be greater than 0"},
		{name: "unknown field", token: f.manager, method: http.MethodPost, path: "/api/v1/forms",
			body:   formJSON(misspelt),
			status: http.StatusBadRequest, errHas: "wieght"},
		{name: "no body", token: f.manager, method: http.MethodPost, path: "/api/v1/forms",
			status: http.StatusBadRequest, errHas: "JSON object"},
		{name: "reviewer creates a form", token: f.reviewer, method: http.MethodPost,
			path: "/api/v1/forms",
			body: formJSON(formAPIDefinition), status: http.StatusForbidden, errHas: "manager"},
		{name: "id not a number", token: f.manager, method: http.MethodGet,
			path:   "/api/v1/forms/abc",
			status: http.StatusNotFound},
		{name: "bad limit", token: f.manager, method: http.MethodGet,
			path:   "/api/v1/evaluations?limit=x",
			status: http.StatusBadRequest, errHas: "limit"},
		{name: "bad status", token: f.manager, method: http.MethodGet,
			path:   "/api/v1/evaluations?status=done",
			status: http.StatusBadRequest, errHas: "status"},
		{name: "unknown form", token: f.reviewer, method: http.MethodPost,
			path:   "/api/v1/evaluations",
			body:   map[string]any{"call_id": "nope", "form_id": 1},
			status: http.StatusBadRequest, errHas: "form_id"},
		{name: "agent's queue", token: f.anna, method: http.MethodGet, path: "/api/v1/queue",
			status: http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := f.do(t, nil, authReq{method: tt.method, path: tt.path, body: tt.body, bearer: tt.token})
			if resp.StatusCode != tt.status {
				t.Fatalf("%d %s, want %d", resp.StatusCode, body, tt.status)
			}
			var e struct{ Error string }
			decodeTestJSON(t, body, &e)
			if e.Error == "" || !strings.Contains(e.Error, tt.errHas) {
				t.Errorf("error %q, want one containing %q", e.Error, tt.errHas)
			}
		})
	}
}

func TestFormAPIEvaluationFlow(t *testing.T) {
	f := newFormAPIFixture(t)
	var form qa.Form
	f.send(t, f.manager, http.MethodPost, "/api/v1/forms", formJSON(formAPIDefinition),
		http.StatusCreated, &form)
	path := formAPIScore(t, f, form.ID)
	formAPIDispute(t, f, path)
	formAPICoach(t, f, path)
}

// formAPIScore has the reviewer score Anna's call at 87.5% and returns
// the evaluation's path.
func formAPIScore(t *testing.T, f *formAPIFixture, formID int64) string {
	t.Helper()
	var ev qa.Evaluation
	f.send(t, f.reviewer, http.MethodPost, "/api/v1/evaluations",
		map[string]any{"call_id": f.callID, "form_id": formID}, http.StatusCreated, &ev)
	path := fmt.Sprintf("/api/v1/evaluations/%d", ev.ID)
	draft := `{"answers": {"greet": {"value": "yes", "marks_ms": [800]},
		"empathy": {"value": 4, "comment": "kind"}}, "overall_comment": "good call"}`
	f.send(t, f.reviewer, http.MethodPut, path, formJSON(draft), http.StatusOK, &ev)
	f.send(t, f.reviewer2, http.MethodPut, path, map[string]any{}, http.StatusForbidden, nil)
	f.send(t, f.anna, http.MethodGet, path, nil, http.StatusForbidden, nil)
	f.send(t, f.reviewer, http.MethodPost, path+"/submit", nil, http.StatusOK, &ev)
	if ev.Score == nil || *ev.Score != 87.5 || ev.Status != qa.StatusSubmitted {
		t.Fatalf("submitted %+v, want 87.5%%", ev)
	}
	f.send(t, f.reviewer, http.MethodPost, path+"/submit", nil, http.StatusConflict, nil)
	var queue struct{ Evaluations []qa.Evaluation }
	f.send(t, f.reviewer, http.MethodGet, "/api/v1/queue", nil, http.StatusOK, &queue)
	if queue.Evaluations == nil || len(queue.Evaluations) != 0 {
		t.Errorf("queue after submitting: %+v, want an empty list", queue)
	}
	return path
}

// formAPIDispute has Anna dispute the evaluation at path and the manager
// accept, which re-scores it at 100%.
func formAPIDispute(t *testing.T, f *formAPIFixture, path string) {
	t.Helper()
	var page evaluationPage
	f.send(t, f.anna, http.MethodGet, "/api/v1/evaluations", nil, http.StatusOK, &page)
	if len(page.Evaluations) != 1 || "/api/v1/evaluations/"+fmt.Sprint(page.Evaluations[0].ID) != path {
		t.Errorf("Anna's evaluations: %+v", page)
	}
	var d qa.Dispute
	proposed := map[string]any{"empathy": map[string]any{"value": 5}}
	f.send(t, f.anna, http.MethodPost, path+"/dispute",
		map[string]any{"comment": "I was kind", "proposed": proposed}, http.StatusCreated, &d)
	f.send(t, f.manager, http.MethodPost, fmt.Sprintf("/api/v1/disputes/%d/resolve", d.ID),
		map[string]any{"decision": "accepted"}, http.StatusOK, &d)
	var ev qa.Evaluation
	f.send(t, f.anna, http.MethodGet, path, nil, http.StatusOK, &ev)
	if d.Status != qa.DisputeAccepted || *ev.Score != 100 || ev.Revision != 2 {
		t.Errorf("after accepting: dispute %s, score %v revision %d", d.Status, *ev.Score, ev.Revision)
	}
	var hist struct{ Revisions []qa.EvaluationRevision }
	f.send(t, f.anna, http.MethodGet, path+"/history", nil, http.StatusOK, &hist)
	if len(hist.Revisions) != 1 || *hist.Revisions[0].Evaluation.Score != 87.5 {
		t.Errorf("history = %+v", hist)
	}
	f.send(t, f.anna, http.MethodPost, path+"/acknowledge", nil, http.StatusOK, &ev)
}

// formAPICoach has the reviewer coach Anna from the evaluation at path,
// and Anna mark it done.
func formAPICoach(t *testing.T, f *formAPIFixture, path string) {
	t.Helper()
	var ev qa.Evaluation
	f.send(t, f.reviewer, http.MethodGet, path, nil, http.StatusOK, &ev)
	var item qa.CoachingItem
	f.send(t, f.reviewer, http.MethodPost, "/api/v1/coaching",
		map[string]any{"evaluation_id": ev.ID, "focus": []string{"greet"}, "note": "Say your name"},
		http.StatusCreated, &item)
	var items struct{ Coaching []qa.CoachingItem }
	f.send(t, f.anna, http.MethodGet, "/api/v1/coaching?open=true", nil, http.StatusOK, &items)
	if len(items.Coaching) != 1 || items.Coaching[0].Note != "Say your name" {
		t.Errorf("Anna's coaching: %+v", items)
	}
	f.send(t, f.anna, http.MethodPost, fmt.Sprintf("/api/v1/coaching/%d/done", item.ID), nil,
		http.StatusOK, &item)
	if item.DoneAt == nil {
		t.Errorf("done: %+v", item)
	}
}
