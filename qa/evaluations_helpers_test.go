package qa

import (
	"testing"
	"time"
)

// evalFixture is a QA service with people, calls and the example form,
// all inserted with SQL so that the tests depend on no other part of qa.
type evalFixture struct {
	s     *Service
	clock time.Time

	admin, manager, reviewer, reviewer2 *User
	// anna is an agent; ben reviews and takes calls; lead manages and
	// takes calls.
	anna, ben, lead *User

	form *Form
}

// The fixture's calls, one per agent and one linked to nobody.
const (
	callAnna   = "01JCALLANNA0000000000000000"
	callBen    = "01JCALLBEN00000000000000000"
	callLead   = "01JCALLLEAD0000000000000000"
	callNobody = "01JCALLNOBODY00000000000000"
	// callLength is every fixture call's duration.
	callLength = 60_000
)

// evalStart is the fixture clock's start.
var evalStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// openEvalTest is the fixture with the example form created.
func openEvalTest(t *testing.T) *evalFixture {
	t.Helper()
	f := openEvalPeople(t)
	form, err := f.s.CreateForm(t.Context(), f.manager, exampleForm())
	if err != nil {
		t.Fatal(err)
	}
	f.form = form
	return f
}

// openEvalPeople is the fixture without a form.
func openEvalPeople(t *testing.T) *evalFixture {
	t.Helper()
	f := &evalFixture{s: openTest(t), clock: evalStart}
	f.s.SetClock(func() time.Time { return f.clock })
	f.exec(t, `INSERT INTO agents (id, name) VALUES (1, 'Anna'), (2, 'Ben'), (3, 'Lead')`)
	f.admin = f.user(t, 1, "admin", nil, RoleAdmin)
	f.manager = f.user(t, 2, "manager", nil, RoleManager)
	f.reviewer = f.user(t, 3, "reviewer", nil, RoleReviewer)
	f.reviewer2 = f.user(t, 4, "reviewer2", nil, RoleReviewer)
	f.anna = f.user(t, 5, "anna", evalPtr(int64(1)), RoleAgent)
	f.ben = f.user(t, 6, "ben", evalPtr(int64(2)), RoleReviewer, RoleAgent)
	f.lead = f.user(t, 7, "lead", evalPtr(int64(3)), RoleManager, RoleAgent)
	for i, c := range []string{callAnna, callBen, callLead, callNobody} {
		at := evalStart.Add(-time.Duration(i+1) * time.Hour).UnixMilli()
		f.exec(t, `INSERT INTO calls (id, started_at, ended_at, duration_ms, wav_key, sidecar_key,
			sidecar_version) VALUES (?, ?, ?, ?, 'w', 's', 1)`, c, at, at+callLength, callLength)
		if i < 3 {
			f.exec(t, `INSERT INTO call_agents (call_id, agent_id, direction) VALUES (?, ?, 'inbound')`, c, i+1)
		}
	}
	return f
}

func (f *evalFixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := f.s.db.ExecContext(t.Context(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func (f *evalFixture) user(t *testing.T, id int64, name string, agent *int64, roles ...Role) *User {
	t.Helper()
	f.exec(t, `INSERT INTO users (id, username, password_hash, roles, agent_id, created_at)
		VALUES (?, ?, 'x', ?, ?, 0)`, id, name, formatRoles(roles), agent)
	return &User{ID: id, Username: name, Roles: roles, AgentID: agent}
}

func evalPtr[T any](v T) *T { return &v }

// draft starts an evaluation of call by reviewer with the example form.
func (f *evalFixture) draft(t *testing.T, reviewer *User, call string) *Evaluation {
	t.Helper()
	ev, err := f.s.CreateEvaluation(t.Context(), reviewer,
		NewEvaluation{CallID: call, FormVersionID: f.form.Latest.ID})
	if err != nil {
		t.Fatalf("CreateEvaluation: %v", err)
	}
	return ev
}

// submitted is an evaluation of call by reviewer with the answers of the
// worked example (62.5%).
func (f *evalFixture) submitted(t *testing.T, reviewer *User, call string) *Evaluation {
	t.Helper()
	ev := f.draft(t, reviewer, call)
	if _, err := f.s.SaveDraft(t.Context(), reviewer, ev.ID, Draft{Answers: exampleAnswers()}); err != nil {
		t.Fatalf("SaveDraft: %v", err)
	}
	ev, err := f.s.Submit(t.Context(), reviewer, ev.ID)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	return ev
}
