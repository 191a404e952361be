package qa

import (
	"errors"
	"math"
	"testing"
	"time"
)

func TestDisputeAcknowledge(t *testing.T) {
	f := openEvalTest(t)
	ev := f.submitted(t, f.reviewer, callAnna)
	draft := f.draft(t, f.reviewer2, callAnna)
	tests := []struct {
		name    string
		caller  *User
		id      int64
		wantErr error
	}{
		{name: "another agent", caller: f.ben, id: ev.ID, wantErr: ErrForbidden},
		{name: "the reviewer", caller: f.reviewer, id: ev.ID, wantErr: ErrForbidden},
		{name: "a draft", caller: f.anna, id: draft.ID, wantErr: ErrForbidden},
		{name: "the agent", caller: f.anna, id: ev.ID},
		{name: "twice", caller: f.anna, id: ev.ID, wantErr: ErrConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.s.Acknowledge(t.Context(), tt.caller, tt.id)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Acknowledge = %v, want %v", err, tt.wantErr)
			}
			if err == nil && (got.AcknowledgedAt == nil || !got.AcknowledgedAt.Equal(evalStart)) {
				t.Errorf("acknowledged at %v, want %v", got.AcknowledgedAt, evalStart)
			}
		})
	}
	_, err := f.s.DisputeEvaluation(t.Context(), f.anna, ev.ID, DisputeInput{Comment: "no"})
	if !errors.Is(err, ErrConflict) {
		t.Errorf("a dispute after acknowledging = %v, want ErrConflict", err)
	}
}

func TestDisputeEvaluation(t *testing.T) {
	f := openEvalTest(t)
	ev := f.submitted(t, f.reviewer, callAnna)
	tests := []struct {
		name    string
		caller  *User
		in      DisputeInput
		wantErr error
		field   string
	}{
		{name: "another agent", caller: f.ben, in: DisputeInput{Comment: "x"},
			wantErr: ErrForbidden},
		{name: "no comment", caller: f.anna, in: DisputeInput{Comment: "  "}, field: "comment"},
		{name: "unknown question", caller: f.anna,
			in:    DisputeInput{Comment: "x", Proposed: map[string]Answer{"zzz": {Value: "yes"}}},
			field: "proposed.zzz"},
		{name: "bad value", caller: f.anna,
			in:    DisputeInput{Comment: "x", Proposed: map[string]Answer{"hold": {Value: "maybe"}}},
			field: "proposed.hold.value"},
		{name: "no answer proposed", caller: f.anna,
			in:    DisputeInput{Comment: "x", Proposed: map[string]Answer{"hold": {Comment: "?"}}},
			field: "proposed.hold"},
		{name: "opened", caller: f.anna, in: DisputeInput{Comment: "I asked before the hold",
			Proposed: map[string]Answer{"hold": {Value: "yes"}, "empathy": {Value: "5"}}}},
		{name: "twice", caller: f.anna, in: DisputeInput{Comment: "again"}, wantErr: ErrConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := f.s.DisputeEvaluation(t.Context(), tt.caller, ev.ID, tt.in)
			if tt.wantErr != nil || tt.field != "" {
				checkEvalErr(t, err, tt.wantErr, tt.field)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.Status != DisputeOpen || d.EvaluationID != ev.ID || d.Proposed["hold"].Value != "yes" {
				t.Errorf("DisputeEvaluation = %+v", d)
			}
		})
	}
	if _, err := f.s.Acknowledge(t.Context(), f.anna, ev.ID); !errors.Is(err, ErrConflict) {
		t.Errorf("Acknowledge with an open dispute = %v, want ErrConflict", err)
	}
	got, err := f.s.GetEvaluation(t.Context(), f.anna, ev.ID)
	if err != nil || got.DisputeID == nil {
		t.Errorf("the evaluation does not name its dispute: %+v, %v", got, err)
	}
}

func TestDisputeWindow(t *testing.T) {
	f := openEvalTest(t)
	if w, err := f.s.DisputeWindow(t.Context()); err != nil || w != DefaultDisputeWindow {
		t.Fatalf("DisputeWindow = %v, %v; want the default", w, err)
	}
	early := f.submitted(t, f.reviewer, callAnna)
	late := f.submitted(t, f.reviewer2, callAnna)

	f.clock = evalStart.Add(DefaultDisputeWindow)
	dispute := func(ev *Evaluation, comment string) error {
		_, err := f.s.DisputeEvaluation(t.Context(), f.anna, ev.ID, DisputeInput{Comment: comment})
		return err
	}
	if err := dispute(early, "just in time"); err != nil {
		t.Errorf("a dispute on the window's last instant: %v", err)
	}
	f.clock = f.clock.Add(time.Millisecond)
	if err := dispute(late, "too late"); !errors.Is(err, ErrConflict) {
		t.Errorf("a dispute after the window = %v, want ErrConflict", err)
	}
	if err := f.s.SetDisputeWindow(t.Context(), 30*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := dispute(late, "longer window"); err != nil {
		t.Errorf("a dispute within a longer window: %v", err)
	}
	checkEvalErr(t, f.s.SetDisputeWindow(t.Context(), time.Second), nil, "dispute_window")
}

// openDispute is an evaluation of Anna's call by the reviewer (62.5%)
// and Anna's dispute of it.
func openDispute(t *testing.T, f *evalFixture, proposed map[string]Answer) (*Evaluation, *Dispute) {
	t.Helper()
	ev := f.submitted(t, f.reviewer, callAnna)
	d, err := f.s.DisputeEvaluation(t.Context(), f.anna, ev.ID,
		DisputeInput{Comment: "not fair", Proposed: proposed})
	if err != nil {
		t.Fatal(err)
	}
	return ev, d
}

func TestResolveDispute(t *testing.T) {
	proposal := map[string]Answer{"hold": {Value: "yes"}, "resolved": {Value: "full"}}
	tests := []struct {
		name      string
		proposed  map[string]Answer
		r         Resolution
		wantScore float64
		revision  int
	}{
		// Resolution: (1.5 + 3 + 1) / 6; total (1 + 3·5.5/6) / 4.
		{name: "accepted", proposed: proposal, r: Resolution{Decision: DisputeAccepted},
			wantScore: 100 * (1 + 3*5.5/6) / 4, revision: 2},
		// Resolution: (1.5 + 1.5 + 1) / 6; total (1 + 2) / 4.
		{name: "partly accepted", proposed: proposal, revision: 2, wantScore: 75,
			r: Resolution{Decision: DisputePartlyAccepted, Comment: "the hold was announced",
				Answers: map[string]Answer{"hold": {Value: "yes"}}}},
		{name: "rejected", proposed: proposal,
			r:         Resolution{Decision: DisputeRejected, Comment: "listen at 0:40"},
			wantScore: 62.5, revision: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := openEvalTest(t)
			ev, d := openDispute(t, f, tt.proposed)
			f.clock = f.clock.Add(time.Hour)
			got, err := f.s.ResolveDispute(t.Context(), f.manager, d.ID, tt.r)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tt.r.Decision || got.ResolvedAt == nil || !sameID(got.ResolvedBy, &f.manager.ID) {
				t.Errorf("ResolveDispute = %+v", got)
			}
			after, err := f.s.GetEvaluation(t.Context(), f.anna, ev.ID)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(*after.Score-tt.wantScore) > 1e-9 || after.Revision != tt.revision {
				t.Errorf("after resolving: score %v revision %d, want %v and %d",
					*after.Score, after.Revision, tt.wantScore, tt.revision)
			}
			checkHistory(t, f, ev, tt.revision)
			if _, err := f.s.ResolveDispute(t.Context(), f.manager, d.ID, tt.r); !errors.Is(err, ErrConflict) {
				t.Errorf("resolving twice = %v, want ErrConflict", err)
			}
		})
	}
}

// checkHistory checks that a re-scored evaluation kept its first state.
func checkHistory(t *testing.T, f *evalFixture, ev *Evaluation, revision int) {
	t.Helper()
	hist, err := f.s.EvaluationHistory(t.Context(), f.anna, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != revision-1 {
		t.Fatalf("history has %d revisions, want %d", len(hist), revision-1)
	}
	if revision > 1 {
		h := hist[0]
		if h.Revision != 1 || *h.Evaluation.Score != 62.5 || h.Evaluation.Answers["hold"].Value != "no" ||
			!sameID(h.ChangedBy, &f.manager.ID) || h.Reason == "" {
			t.Errorf("history[0] = %+v", h)
		}
	}
}

func TestResolveDisputeRefuses(t *testing.T) {
	f := openEvalTest(t)
	_, d := openDispute(t, f, nil)
	lead := f.submitted(t, f.reviewer, callLead)
	leadDispute, err := f.s.DisputeEvaluation(t.Context(), f.lead, lead.ID, DisputeInput{Comment: "mine"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		caller  *User
		id      int64
		r       Resolution
		wantErr error
		field   string
	}{
		{name: "reviewer", caller: f.reviewer, id: d.ID,
			r:       Resolution{Decision: DisputeRejected, Comment: "x"},
			wantErr: ErrForbidden},
		{name: "agent", caller: f.anna, id: d.ID, r: Resolution{Decision: DisputeAccepted},
			wantErr: ErrForbidden},
		{name: "own dispute", caller: f.lead, id: leadDispute.ID,
			r:       Resolution{Decision: DisputeRejected, Comment: "x"},
			wantErr: ErrForbidden},
		{name: "unknown", caller: f.manager, id: 999,
			r:       Resolution{Decision: DisputeRejected, Comment: "x"},
			wantErr: ErrNotFound},
		{name: "decision", caller: f.manager, id: d.ID, r: Resolution{Decision: "maybe"},
			field: "decision"},
		{name: "reject without comment", caller: f.manager, id: d.ID,
			r:     Resolution{Decision: DisputeRejected},
			field: "comment"},
		{name: "part without answers", caller: f.manager, id: d.ID,
			r:     Resolution{Decision: DisputePartlyAccepted},
			field: "answers"},
		{name: "accept an empty proposal", caller: f.manager, id: d.ID,
			r:     Resolution{Decision: DisputeAccepted},
			field: "decision"},
		{name: "bad final answer", caller: f.manager, id: d.ID, field: "answers.empathy.value",
			r: Resolution{Decision: DisputePartlyAccepted, Answers: map[string]Answer{"empathy": {Value: "9"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.s.ResolveDispute(t.Context(), tt.caller, tt.id, tt.r)
			checkEvalErr(t, err, tt.wantErr, tt.field)
		})
	}
	// The lead's dispute is resolved by another manager.
	if _, err := f.s.ResolveDispute(t.Context(), f.admin, leadDispute.ID,
		Resolution{Decision: DisputeRejected, Comment: "stands"}); err != nil {
		t.Errorf("another manager resolving: %v", err)
	}
}

func TestListDisputes(t *testing.T) {
	f := openEvalTest(t)
	_, annas := openDispute(t, f, nil)
	lead := f.submitted(t, f.reviewer2, callLead)
	leads, err := f.s.DisputeEvaluation(t.Context(), f.lead, lead.ID, DisputeInput{Comment: "mine"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.ResolveDispute(t.Context(), f.manager, annas.ID,
		Resolution{Decision: DisputeRejected, Comment: "stands"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		caller *User
		filter DisputeFilter
		want   []int64
	}{
		{name: "manager, open first", caller: f.manager, want: []int64{leads.ID, annas.ID}},
		{name: "open", caller: f.manager, filter: DisputeFilter{Status: DisputeOpen},
			want: []int64{leads.ID}},
		{name: "by agent", caller: f.admin, filter: DisputeFilter{AgentID: 1},
			want: []int64{annas.ID}},
		{name: "agent sees own", caller: f.anna, want: []int64{annas.ID}},
		{name: "reviewer sees those of their evaluations", caller: f.reviewer2,
			want: []int64{leads.ID}},
		{name: "other agent", caller: f.ben},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.s.ListDisputes(t.Context(), tt.caller, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			ids := []int64{}
			for _, d := range got {
				ids = append(ids, d.ID)
			}
			if !equalIDs(ids, tt.want) {
				t.Errorf("ListDisputes = %v, want %v", ids, tt.want)
			}
		})
	}
	if _, err := f.s.GetDispute(t.Context(), f.ben, annas.ID); !errors.Is(err, ErrForbidden) {
		t.Errorf("another agent's GetDispute = %v, want ErrForbidden", err)
	}
}

func TestEvaluationRescore(t *testing.T) {
	f := openEvalTest(t)
	ev := f.submitted(t, f.reviewer, callAnna)
	if _, err := f.s.Acknowledge(t.Context(), f.anna, ev.ID); err != nil {
		t.Fatal(err)
	}
	changes := map[string]Answer{"verify": {Value: "no", Comment: "skipped the security questions"}}
	tests := []struct {
		name    string
		caller  *User
		changes map[string]Answer
		reason  string
		wantErr error
		field   string
	}{
		{name: "reviewer", caller: f.reviewer, changes: changes, reason: "x",
			wantErr: ErrForbidden},
		{name: "no reason", caller: f.manager, changes: changes, field: "reason"},
		{name: "no changes", caller: f.manager, reason: "x", field: "answers"},
		{name: "re-scored", caller: f.manager, changes: changes,
			reason: "found on a second listen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.s.Rescore(t.Context(), tt.caller, ev.ID, tt.changes, tt.reason)
			if tt.wantErr != nil || tt.field != "" {
				checkEvalErr(t, err, tt.wantErr, tt.field)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if *got.Score != 0 || !got.CriticalFailed || got.Revision != 2 || got.AcknowledgedAt != nil ||
				got.Answers["verify"].Comment != changes["verify"].Comment ||
				got.Answers["greet"].Value != "yes" {
				t.Errorf("Rescore = %+v", got)
			}
		})
	}
	draft := f.draft(t, f.reviewer2, callAnna)
	if _, err := f.s.Rescore(t.Context(), f.manager, draft.ID, changes, "x"); !errors.Is(err, ErrConflict) {
		t.Errorf("re-scoring a draft = %v, want ErrConflict", err)
	}
}
