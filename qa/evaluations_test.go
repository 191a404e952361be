package qa

import (
	"errors"
	"testing"
	"time"
)

func TestCreateEvaluation(t *testing.T) {
	f := openEvalTest(t)
	due := evalStart.Add(48 * time.Hour)
	tests := []struct {
		name         string
		caller       *User
		n            NewEvaluation
		wantReviewer int64
		wantAgent    *int64
		wantErr      error
		wantField    string
	}{
		{name: "reviewer for themselves", caller: f.reviewer,
			n:            NewEvaluation{CallID: callAnna, FormID: f.form.ID},
			wantReviewer: 3, wantAgent: evalPtr(int64(1))},
		{name: "manager assigns", caller: f.manager,
			n: NewEvaluation{CallID: callAnna, FormVersionID: f.form.Latest.ID,
				ReviewerID: 4, DueAt: &due},
			wantReviewer: 4, wantAgent: evalPtr(int64(1))},
		{name: "call with no agent", caller: f.reviewer,
			n:            NewEvaluation{CallID: callNobody, FormID: f.form.ID},
			wantReviewer: 3},
		{name: "reviewer of another's call", caller: f.ben,
			n:            NewEvaluation{CallID: callAnna, FormID: f.form.ID},
			wantReviewer: 6, wantAgent: evalPtr(int64(1))},
		{name: "own call", caller: f.ben, n: NewEvaluation{CallID: callBen, FormID: f.form.ID},
			wantErr: ErrForbidden},
		{name: "assigned own call", caller: f.manager,
			n: NewEvaluation{CallID: callBen, FormID: f.form.ID, ReviewerID: 6}, wantErr: ErrForbidden},
		{name: "agent", caller: f.anna, n: NewEvaluation{CallID: callBen, FormID: f.form.ID},
			wantErr: ErrForbidden},
		{name: "reviewer assigns", caller: f.reviewer,
			n: NewEvaluation{CallID: callBen, FormID: f.form.ID, ReviewerID: 4}, wantErr: ErrForbidden},
		{name: "reviewer marks calibration", caller: f.reviewer,
			n: NewEvaluation{CallID: callBen, FormID: f.form.ID, Calibration: true}, wantErr: ErrForbidden},
		{name: "twice", caller: f.reviewer, n: NewEvaluation{CallID: callAnna, FormID: f.form.ID},
			wantErr: ErrConflict},
		{name: "unknown call", caller: f.reviewer,
			n:         NewEvaluation{CallID: "nope", FormID: f.form.ID},
			wantField: "call_id"},
		{name: "no form", caller: f.reviewer, n: NewEvaluation{CallID: callBen},
			wantField: "form_version_id"},
		{name: "unknown form version", caller: f.reviewer,
			n:         NewEvaluation{CallID: callBen, FormVersionID: 99},
			wantField: "form_version_id"},
		{name: "assign to an agent", caller: f.manager,
			n: NewEvaluation{CallID: callBen, FormID: f.form.ID, ReviewerID: 5}, wantField: "reviewer_id"},
		{name: "assign to nobody", caller: f.manager,
			n: NewEvaluation{CallID: callBen, FormID: f.form.ID, ReviewerID: 99}, wantField: "reviewer_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := f.s.CreateEvaluation(t.Context(), tt.caller, tt.n)
			if tt.wantErr != nil || tt.wantField != "" {
				checkEvalErr(t, err, tt.wantErr, tt.wantField)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ev.ReviewerID != tt.wantReviewer || !sameID(ev.AgentID, tt.wantAgent) ||
				ev.Status != StatusDraft || ev.FormVersionID != f.form.Latest.ID || ev.Score != nil {
				t.Errorf("CreateEvaluation = %+v, want a draft of reviewer %d, agent %v",
					ev, tt.wantReviewer, tt.wantAgent)
			}
			if (ev.AssignedBy != nil) != (tt.caller.ID != tt.wantReviewer) {
				t.Errorf("assigned by %v", ev.AssignedBy)
			}
		})
	}
}

func checkEvalErr(t *testing.T, err, want error, field string) {
	t.Helper()
	if field != "" {
		var in *InputError
		if !errors.As(err, &in) || in.Field != field {
			t.Errorf("error = %v, want an input error on %s", err, field)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Errorf("error = %v, want %v", err, want)
	}
}

func sameID(a, b *int64) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

func TestEvaluationSaveDraft(t *testing.T) {
	f := openEvalTest(t)
	ev := f.draft(t, f.reviewer, callAnna)
	tests := []struct {
		name    string
		caller  *User
		draft   Draft
		wantErr error
		field   string
	}{
		{name: "partial", caller: f.reviewer,
			draft: Draft{OverallComment: "good start", Answers: map[string]Answer{
				"greet":   {Value: "yes", Comment: "warm", MarksMS: []int64{0, 1200}},
				"empathy": {Comment: "later"}}}},
		{name: "another reviewer", caller: f.reviewer2, draft: Draft{}, wantErr: ErrForbidden},
		{name: "a manager", caller: f.manager, draft: Draft{}, wantErr: ErrForbidden},
		{name: "bad value", caller: f.reviewer,
			draft: Draft{Answers: map[string]Answer{"empathy": {Value: "0"}}},
			field: "answers.empathy.value"},
		{name: "mark past the end", caller: f.reviewer,
			draft: Draft{Answers: map[string]Answer{"greet": {Value: "yes", MarksMS: []int64{callLength + 1}}}},
			field: "answers.greet.marks_ms[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.s.SaveDraft(t.Context(), tt.caller, ev.ID, tt.draft)
			if tt.wantErr != nil || tt.field != "" {
				checkEvalErr(t, err, tt.wantErr, tt.field)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.OverallComment != "good start" || got.Answers["greet"].MarksMS[1] != 1200 ||
				got.Answers["empathy"].Comment != "later" {
				t.Errorf("SaveDraft = %+v", got)
			}
		})
	}
	if _, err := f.s.SaveDraft(t.Context(), f.reviewer, 999, Draft{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("SaveDraft of no evaluation = %v, want ErrNotFound", err)
	}
}

func TestEvaluationSubmit(t *testing.T) {
	f := openEvalTest(t)
	ev := f.draft(t, f.reviewer, callAnna)
	answers := exampleAnswers()
	delete(answers, "hold")
	if _, err := f.s.SaveDraft(t.Context(), f.reviewer, ev.ID, Draft{Answers: answers}); err != nil {
		t.Fatal(err)
	}
	_, err := f.s.Submit(t.Context(), f.reviewer, ev.ID)
	checkEvalErr(t, err, nil, "answers.hold")

	if _, err := f.s.Submit(t.Context(), f.reviewer2, ev.ID); !errors.Is(err, ErrForbidden) {
		t.Errorf("another reviewer submits: %v, want ErrForbidden", err)
	}
	if _, err := f.s.SaveDraft(t.Context(), f.reviewer, ev.ID, Draft{Answers: exampleAnswers()}); err != nil {
		t.Fatal(err)
	}
	f.clock = f.clock.Add(time.Hour)
	got, err := f.s.Submit(t.Context(), f.reviewer, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusSubmitted || got.Score == nil || *got.Score != 62.5 || got.Result == nil ||
		got.Result.Sections[1].Percent != 50 || got.SubmittedAt == nil || !got.SubmittedAt.Equal(f.clock) {
		t.Errorf("Submit = %+v, want 62.5%% submitted now", got)
	}
	if _, err := f.s.Submit(t.Context(), f.reviewer, ev.ID); !errors.Is(err, ErrConflict) {
		t.Errorf("a second Submit = %v, want ErrConflict", err)
	}
	if _, err := f.s.SaveDraft(t.Context(), f.reviewer, ev.ID, Draft{}); !errors.Is(err, ErrConflict) {
		t.Errorf("SaveDraft after Submit = %v, want ErrConflict", err)
	}
	var audited int
	err = f.s.db.QueryRowContext(t.Context(), `SELECT count(*) FROM audit_log
		WHERE action = 'score' AND object_type = 'evaluation' AND object_id = ? AND user_id = 3`,
		ev.ID).Scan(&audited)
	if err != nil || audited != 1 {
		t.Errorf("audit entries of the submission: %d, %v; want 1", audited, err)
	}
}

func TestEvaluationSubmitCriticalAndAllNA(t *testing.T) {
	f := openEvalTest(t)
	def := exampleForm()
	def.Name = "all optional"
	for i := range def.Sections {
		for j := range def.Sections[i].Questions {
			def.Sections[i].Questions[j].AllowNA = true
		}
	}
	form, err := f.s.CreateForm(t.Context(), f.manager, def)
	if err != nil {
		t.Fatal(err)
	}
	allNA := map[string]Answer{}
	for _, id := range []string{"greet", "verify", "name", "empathy", "resolved", "hold"} {
		allNA[id] = Answer{NA: true}
	}
	critical := withAnswers(exampleAnswers(), map[string]Answer{"verify": {Value: "no"}})
	tests := []struct {
		name     string
		form     *Form
		answers  map[string]Answer
		score    *float64
		critical bool
	}{
		{name: "all N/A", form: form, answers: allNA},
		{name: "critical fail", form: f.form, answers: critical, score: evalPtr(0.0),
			critical: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := f.s.CreateEvaluation(t.Context(), f.reviewer,
				NewEvaluation{CallID: callAnna, FormID: tt.form.ID})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.s.SaveDraft(t.Context(), f.reviewer, ev.ID, Draft{Answers: tt.answers}); err != nil {
				t.Fatal(err)
			}
			got, err := f.s.Submit(t.Context(), f.reviewer, ev.ID)
			if err != nil {
				t.Fatal(err)
			}
			if (got.Score == nil) != (tt.score == nil) || (got.Score != nil && *got.Score != *tt.score) ||
				got.CriticalFailed != tt.critical || got.Result.AllNA != (tt.score == nil) {
				t.Errorf("Submit = score %v critical %v result %+v", got.Score, got.CriticalFailed, got.Result)
			}
		})
	}
}

func TestEvaluationSubmitLooksUpTheAgentAgain(t *testing.T) {
	f := openEvalTest(t)
	ev := f.draft(t, f.ben, callNobody)
	if ev.AgentID != nil {
		t.Fatalf("agent %v of a call linked to nobody", ev.AgentID)
	}
	if _, err := f.s.SaveDraft(t.Context(), f.ben, ev.ID, Draft{Answers: exampleAnswers()}); err != nil {
		t.Fatal(err)
	}
	// The call turns out to be Ben's own, once his identity is mapped.
	f.exec(t, `INSERT INTO call_agents (call_id, agent_id, direction) VALUES (?, 2, 'outbound')`, callNobody)
	if _, err := f.s.Submit(t.Context(), f.ben, ev.ID); !errors.Is(err, ErrForbidden) {
		t.Errorf("Submit of the reviewer's own call = %v, want ErrForbidden", err)
	}
	f.exec(t, `UPDATE call_agents SET agent_id = 1 WHERE call_id = ?`, callNobody)
	got, err := f.s.Submit(t.Context(), f.ben, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !sameID(got.AgentID, evalPtr(int64(1))) {
		t.Errorf("agent after Submit = %v, want 1", got.AgentID)
	}
}

func TestGetEvaluationVisibility(t *testing.T) {
	f := openEvalTest(t)
	sub := f.submitted(t, f.reviewer, callAnna)
	draft := f.draft(t, f.reviewer2, callAnna)
	calib, err := f.s.CreateEvaluation(t.Context(), f.manager,
		NewEvaluation{CallID: callAnna, FormID: f.form.ID, ReviewerID: 6, Calibration: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.SaveDraft(t.Context(), f.ben, calib.ID, Draft{Answers: exampleAnswers()}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Submit(t.Context(), f.ben, calib.ID); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		caller  *User
		id      int64
		wantErr error
	}{
		{name: "manager", caller: f.manager, id: draft.ID},
		{name: "admin", caller: f.admin, id: sub.ID},
		{name: "own reviewer", caller: f.reviewer, id: sub.ID},
		{name: "other reviewer", caller: f.reviewer2, id: sub.ID, wantErr: ErrForbidden},
		{name: "agent of the call", caller: f.anna, id: sub.ID},
		{name: "agent, draft", caller: f.anna, id: draft.ID, wantErr: ErrForbidden},
		{name: "agent, calibration", caller: f.anna, id: calib.ID, wantErr: ErrForbidden},
		{name: "another agent", caller: f.ben, id: sub.ID, wantErr: ErrForbidden},
		{name: "missing", caller: f.manager, id: 999, wantErr: ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.s.GetEvaluation(t.Context(), tt.caller, tt.id)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("GetEvaluation = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestListEvaluations(t *testing.T) {
	f := openEvalTest(t)
	annaByReviewer := f.submitted(t, f.reviewer, callAnna)
	leadByReviewer := f.submitted(t, f.reviewer, callLead)
	annaDraft := f.draft(t, f.reviewer2, callAnna)
	annaByBen := f.submitted(t, f.ben, callAnna)
	benByReviewer2 := f.submitted(t, f.reviewer2, callBen)
	tests := []struct {
		name   string
		caller *User
		filter EvaluationFilter
		want   []int64
	}{
		{name: "manager sees all", caller: f.manager,
			want: []int64{benByReviewer2.ID, annaByBen.ID, annaDraft.ID, leadByReviewer.ID, annaByReviewer.ID}},
		{name: "by status", caller: f.admin, filter: EvaluationFilter{Status: StatusDraft},
			want: []int64{annaDraft.ID}},
		{name: "by agent", caller: f.manager, filter: EvaluationFilter{AgentID: 1},
			want: []int64{annaByBen.ID, annaDraft.ID, annaByReviewer.ID}},
		{name: "by call and reviewer", caller: f.manager,
			filter: EvaluationFilter{CallID: callAnna, ReviewerID: 3},
			want:   []int64{annaByReviewer.ID}},
		{name: "by form", caller: f.manager, filter: EvaluationFilter{FormID: f.form.ID, Limit: 2},
			want: []int64{benByReviewer2.ID, annaByBen.ID}},
		{name: "paged", caller: f.manager, filter: EvaluationFilter{BeforeID: annaDraft.ID},
			want: []int64{leadByReviewer.ID, annaByReviewer.ID}},
		{name: "reviewer sees own", caller: f.reviewer,
			want: []int64{leadByReviewer.ID, annaByReviewer.ID}},
		{name: "reviewer filters for others", caller: f.reviewer,
			filter: EvaluationFilter{ReviewerID: 4}},
		{name: "agent sees own submitted", caller: f.anna,
			want: []int64{annaByBen.ID, annaByReviewer.ID}},
		{name: "reviewer and agent sees both", caller: f.ben,
			want: []int64{benByReviewer2.ID, annaByBen.ID}},
		{name: "manager and agent sees all", caller: f.lead,
			filter: EvaluationFilter{Status: StatusDraft},
			want:   []int64{annaDraft.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.s.ListEvaluations(t.Context(), tt.caller, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if ids := evaluationIDs(got); !equalIDs(ids, tt.want) {
				t.Errorf("ListEvaluations = %v, want %v", ids, tt.want)
			}
		})
	}
	_, err := f.s.ListEvaluations(t.Context(), f.manager, EvaluationFilter{Status: "done"})
	checkEvalErr(t, err, nil, "status")
	_, err = f.s.ListEvaluations(t.Context(), f.manager, EvaluationFilter{Limit: MaxEvaluationLimit + 1})
	checkEvalErr(t, err, nil, "limit")
}

func evaluationIDs(evs []Evaluation) []int64 {
	ids := []int64{}
	for _, ev := range evs {
		ids = append(ids, ev.ID)
	}
	return ids
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestEvaluationQueue(t *testing.T) {
	f := openEvalTest(t)
	assign := func(call string, due *time.Time) int64 {
		t.Helper()
		ev, err := f.s.CreateEvaluation(t.Context(), f.manager,
			NewEvaluation{CallID: call, FormID: f.form.ID, ReviewerID: f.reviewer.ID, DueAt: due})
		if err != nil {
			t.Fatal(err)
		}
		return ev.ID
	}
	noDue := assign(callAnna, nil)
	later := assign(callBen, evalPtr(evalStart.Add(72*time.Hour)))
	sooner := assign(callLead, evalPtr(evalStart.Add(24*time.Hour)))
	done := f.submitted(t, f.reviewer, callNobody)
	f.draft(t, f.reviewer2, callNobody)

	got, err := f.s.Queue(t.Context(), f.reviewer)
	if err != nil {
		t.Fatal(err)
	}
	if ids := evaluationIDs(got); !equalIDs(ids, []int64{sooner, later, noDue}) {
		t.Errorf("Queue = %v, want %v (and not the submitted %d)", ids, []int64{sooner, later, noDue}, done.ID)
	}
	if got[0].DueAt == nil || !got[0].DueAt.Equal(evalStart.Add(24*time.Hour)) || got[0].AssignedBy == nil {
		t.Errorf("first in the queue: %+v", got[0])
	}
	if _, err := f.s.Queue(t.Context(), f.anna); !errors.Is(err, ErrForbidden) {
		t.Errorf("an agent's queue: %v, want ErrForbidden", err)
	}
}

func TestEvaluationKeepsItsFormVersion(t *testing.T) {
	f := openEvalTest(t)
	ev := f.submitted(t, f.reviewer, callAnna)
	def := exampleForm()
	def.Sections[1].Weight = 1
	v2, err := f.s.UpdateForm(t.Context(), f.manager, f.form.ID, def)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.s.GetEvaluation(t.Context(), f.manager, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.FormVersionID != f.form.Latest.ID || v2.ID == f.form.Latest.ID || *got.Score != 62.5 {
		t.Errorf("after a new form version the evaluation has version %d and score %v",
			got.FormVersionID, *got.Score)
	}
}

func TestBlindEvaluationHidesTheAgent(t *testing.T) {
	f := openEvalTest(t)
	ev := f.draft(t, f.reviewer, callAnna)
	f.exec(t, `INSERT INTO sampling_plans (id, name, definition, created_at, updated_at)
		VALUES (1, 'blind plan', '{}', 0, 0)`)
	f.exec(t, `INSERT INTO draws (id, plan_id, seed, params, period_start, period_end, rng_state,
		created_at) VALUES (1, 1, 7, '{}', 0, 1, x'00', 0)`)
	f.exec(t, `INSERT INTO draw_items (draw_id, call_id, agent_id, day, started_at, reviewer_id,
		blind, evaluation_id) VALUES (1, ?, 1, '2026-03-02', 0, ?, 1, ?)`, callAnna, f.reviewer.ID, ev.ID)

	got, err := f.s.GetEvaluation(t.Context(), f.reviewer, ev.ID)
	if err != nil || !got.Blind || got.AgentID != nil {
		t.Errorf("the reviewer's view: %+v, %v; want blind with no agent", got, err)
	}
	got, err = f.s.GetEvaluation(t.Context(), f.manager, ev.ID)
	if err != nil || !sameID(got.AgentID, evalPtr(int64(1))) {
		t.Errorf("the manager's view: %+v, %v; want agent 1", got, err)
	}
	queue, err := f.s.Queue(t.Context(), f.reviewer)
	if err != nil || len(queue) != 1 || queue[0].AgentID != nil {
		t.Errorf("the reviewer's queue: %+v, %v; want no agent", queue, err)
	}
	list, err := f.s.ListEvaluations(t.Context(), f.reviewer, EvaluationFilter{AgentID: 1})
	if err != nil || len(list) != 0 {
		t.Errorf("the reviewer filtering by agent: %+v, %v; want nothing", list, err)
	}
	if _, err := f.s.SaveDraft(t.Context(), f.reviewer, ev.ID, Draft{Answers: exampleAnswers()}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Submit(t.Context(), f.reviewer, ev.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.AddCoaching(t.Context(), f.reviewer, NewCoaching{EvaluationID: ev.ID, Note: "x"})
	if !errors.Is(err, ErrForbidden) {
		t.Errorf("the blind reviewer coaching: %v, want ErrForbidden", err)
	}
}

// TestListEvaluationsSubmittedWindow: the submission window keeps what was
// submitted in [from, to), and no drafts.
func TestListEvaluationsSubmittedWindow(t *testing.T) {
	f := openEvalTest(t)
	first := f.submitted(t, f.reviewer, callAnna)
	f.clock = f.clock.Add(24 * time.Hour)
	second := f.submitted(t, f.reviewer, callLead)
	f.draft(t, f.reviewer2, callAnna)
	f.clock = f.clock.Add(24 * time.Hour)
	third := f.submitted(t, f.ben, callAnna)
	tests := []struct {
		name     string
		from, to time.Time
		want     []int64
	}{
		{name: "from the second day", from: evalStart.Add(24 * time.Hour), want: []int64{third.ID, second.ID}},
		{name: "before the third day", to: evalStart.Add(48 * time.Hour), want: []int64{second.ID, first.ID}},
		{name: "the second day", from: evalStart.Add(24 * time.Hour), to: evalStart.Add(48 * time.Hour),
			want: []int64{second.ID}},
		{name: "to is exclusive", to: evalStart, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.s.ListEvaluations(t.Context(), f.manager,
				EvaluationFilter{SubmittedFrom: tt.from, SubmittedTo: tt.to})
			if err != nil {
				t.Fatal(err)
			}
			if ids := evaluationIDs(got); !equalIDs(ids, tt.want) {
				t.Errorf("ListEvaluations = %v, want %v", ids, tt.want)
			}
		})
	}
}
