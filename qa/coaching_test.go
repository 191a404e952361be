package qa

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestAddCoaching(t *testing.T) {
	f := openEvalTest(t)
	annas := f.submitted(t, f.reviewer, callAnna)
	bens := f.submitted(t, f.reviewer, callBen)
	draft := f.draft(t, f.reviewer2, callAnna)
	nobodys := f.submitted(t, f.reviewer2, callNobody)
	due := evalStart.Add(7 * 24 * time.Hour)
	ok := NewCoaching{EvaluationID: annas.ID, Focus: []string{"hold", "empathy"},
		Note: "Announce holds", DueAt: &due}
	tests := []struct {
		name    string
		caller  *User
		n       NewCoaching
		wantErr error
		field   string
	}{
		{name: "the reviewer", caller: f.reviewer, n: ok},
		{name: "a manager", caller: f.manager, n: ok},
		{name: "another reviewer", caller: f.reviewer2, n: ok, wantErr: ErrForbidden},
		{name: "the agent", caller: f.anna, n: ok, wantErr: ErrForbidden},
		{name: "coach oneself", caller: f.ben, n: NewCoaching{EvaluationID: bens.ID, Note: "x"},
			wantErr: ErrForbidden},
		{name: "from a draft", caller: f.reviewer2,
			n: NewCoaching{EvaluationID: draft.ID, Note: "x"}, wantErr: ErrConflict},
		{name: "no agent", caller: f.reviewer2, n: NewCoaching{EvaluationID: nobodys.ID, Note: "x"},
			wantErr: ErrConflict},
		{name: "no evaluation", caller: f.manager, n: NewCoaching{Note: "x"},
			field: "evaluation_id"},
		{name: "unknown evaluation", caller: f.manager,
			n: NewCoaching{EvaluationID: 999, Note: "x"}, wantErr: ErrNotFound},
		{name: "no note", caller: f.manager, n: NewCoaching{EvaluationID: annas.ID, Note: " "},
			field: "note"},
		{name: "unknown focus", caller: f.manager, field: "focus[1]",
			n: NewCoaching{EvaluationID: annas.ID, Note: "x", Focus: []string{"hold", "smile"}}},
		{name: "focus twice", caller: f.manager, field: "focus[1]",
			n: NewCoaching{EvaluationID: annas.ID, Note: "x", Focus: []string{"hold", "hold"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.s.AddCoaching(t.Context(), tt.caller, tt.n)
			if tt.wantErr != nil || tt.field != "" {
				checkEvalErr(t, err, tt.wantErr, tt.field)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.AgentID != 1 || !sameID(got.EvaluationID, &annas.ID) || !slices.Equal(got.Focus, ok.Focus) ||
				got.DueAt == nil || !got.DueAt.Equal(due) || !sameID(got.CreatedBy, &tt.caller.ID) {
				t.Errorf("AddCoaching = %+v", got)
			}
		})
	}
}

func TestCompleteAndListCoaching(t *testing.T) {
	f := openEvalTest(t)
	annas := f.submitted(t, f.reviewer, callAnna)
	leads := f.submitted(t, f.reviewer2, callLead)
	add := func(caller *User, ev *Evaluation, due time.Duration) int64 {
		t.Helper()
		at := evalStart.Add(due)
		n := NewCoaching{EvaluationID: ev.ID, Note: "work on it", DueAt: &at}
		c, err := f.s.AddCoaching(t.Context(), caller, n)
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	annaLater := add(f.reviewer, annas, 48*time.Hour)
	annaSooner := add(f.manager, annas, 24*time.Hour)
	leadOne := add(f.reviewer2, leads, time.Hour)

	if _, err := f.s.CompleteCoaching(t.Context(), f.ben, annaSooner); !errors.Is(err, ErrForbidden) {
		t.Errorf("another agent completing = %v, want ErrForbidden", err)
	}
	if _, err := f.s.CompleteCoaching(t.Context(), f.reviewer, annaSooner); !errors.Is(err, ErrForbidden) {
		t.Errorf("the reviewer completing = %v, want ErrForbidden", err)
	}
	f.clock = f.clock.Add(time.Hour)
	done, err := f.s.CompleteCoaching(t.Context(), f.anna, annaSooner)
	if err != nil || done.DoneAt == nil || !done.DoneAt.Equal(f.clock) {
		t.Fatalf("CompleteCoaching = %+v, %v", done, err)
	}
	if _, err := f.s.CompleteCoaching(t.Context(), f.anna, annaSooner); !errors.Is(err, ErrConflict) {
		t.Errorf("completing twice = %v, want ErrConflict", err)
	}

	tests := []struct {
		name   string
		caller *User
		filter CoachingFilter
		want   []int64
	}{
		{name: "manager: open first, soonest due", caller: f.manager,
			want: []int64{leadOne, annaLater, annaSooner}},
		{name: "open only", caller: f.admin, filter: CoachingFilter{Open: true},
			want: []int64{leadOne, annaLater}},
		{name: "by agent", caller: f.manager, filter: CoachingFilter{AgentID: 1},
			want: []int64{annaLater, annaSooner}},
		{name: "agent sees own", caller: f.anna, want: []int64{annaLater, annaSooner}},
		{name: "agent asks for another", caller: f.anna, filter: CoachingFilter{AgentID: 3}},
		{name: "reviewer sees those raised", caller: f.reviewer, want: []int64{annaLater}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.s.ListCoaching(t.Context(), tt.caller, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			ids := []int64{}
			for _, c := range got {
				ids = append(ids, c.ID)
			}
			if !equalIDs(ids, tt.want) {
				t.Errorf("ListCoaching = %v, want %v", ids, tt.want)
			}
		})
	}
}
