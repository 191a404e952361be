package qa

import (
	"errors"
	"slices"
	"testing"
)

// TestDrawMakesDraftEvaluations: with a form version on the plan, every
// review of the draw gets a draft evaluation, marked sampled and with the
// draw, and blind mode is kept where the evaluations can read it.
func TestDrawMakesDraftEvaluations(t *testing.T) {
	w := newDrawWorld(t)
	p := w.plan(t, func(in *PlanInput) {
		in.FormVersionID = &w.formVersion
		in.Blind = true
	})
	d := w.draw(t, p.ID, 5)
	for _, it := range d.Items {
		if it.EvaluationID == nil || !it.Blind {
			t.Fatalf("item %+v has no evaluation or is not blind", it)
		}
		var status string
		var sampled, drawID, reviewer, agent int64
		err := w.s.db.QueryRowContext(t.Context(), `SELECT status, sampled, draw_id, reviewer_id, agent_id
			FROM evaluations WHERE id = ?`, *it.EvaluationID).Scan(&status, &sampled, &drawID, &reviewer, &agent)
		if err != nil {
			t.Fatal(err)
		}
		if status != "draft" || sampled != 1 || drawID != d.ID ||
			reviewer != *it.ReviewerID || agent != it.AgentID {
			t.Errorf("evaluation of %s: %s, sampled %d, draw %d, reviewer %d, agent %d; "+
				"want a sampled draft of the item",
				it.CallID, status, sampled, drawID, reviewer, agent)
		}
		blind, err := w.s.BlindEvaluation(t.Context(), *it.EvaluationID)
		if err != nil || !blind {
			t.Errorf("BlindEvaluation(%d) = %v, %v; want true", *it.EvaluationID, blind, err)
		}
	}
	// The filter "not evaluated" now leaves these calls out of a new draw.
	notEval := w.plan(t, func(in *PlanInput) {
		in.Name = "not evaluated"
		in.Filters.NotEvaluated = true
	})
	again := w.draw(t, notEval.ID, 5)
	if got := reportOf(t, again, w.ana.ID).Eligible; got != 10 {
		t.Errorf("Ana has %d calls not evaluated, want 15 - 5 = 10", got)
	}
}

// TestDrawReplaceItem: a replacement needs a reason, keeps it, takes another
// call of the same agent on the same day with the same reviewers, and is
// reproducible.
func TestDrawReplaceItem(t *testing.T) {
	w1, w2 := newDrawWorld(t), newDrawWorld(t)
	d1, d2 := w1.draw(t, w1.plan(t, nil).ID, 9), w2.draw(t, w2.plan(t, nil).ID, 9)
	old := firstItem(t, d1, w1.ana.ID)
	ctx := t.Context()

	var in *InputError
	if _, err := w1.s.ReplaceItem(ctx, w1.manager, d1.ID, old.CallID, "  "); !errors.As(err, &in) {
		t.Fatalf("replace without a reason: %v, want an *InputError", err)
	}
	const reason = "customer asked for the recording to be deleted"
	res, err := w1.s.ReplaceItem(ctx, w1.manager, d1.ID, old.CallID, reason)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Replaced) != 1 || res.Replaced[0].Replaced == nil || res.Replaced[0].Replaced.Reason != reason {
		t.Fatalf("replaced %+v, want the old item with its reason", res.Replaced)
	}
	if len(res.Replacement) != 1 {
		t.Fatalf("replacement %+v, want one item", res.Replacement)
	}
	nu := res.Replacement[0]
	if nu.AgentID != old.AgentID || nu.Day != old.Day || *nu.ReviewerID != *old.ReviewerID ||
		nu.CallID == old.CallID {
		t.Errorf("replacement %+v of %+v: want another call of the agent, same day and reviewer", nu, old)
	}
	if res.Replaced[0].Replaced.CallID != nu.CallID || *res.Replaced[0].Replaced.By != w1.manager.ID {
		t.Errorf("the old item records %+v", res.Replaced[0].Replaced)
	}

	res2, err := w2.s.ReplaceItem(ctx, w2.manager, d2.ID, old.CallID, "same again")
	if err != nil || res2.Replacement[0].CallID != nu.CallID {
		t.Errorf("the same replacement in an identical draw took %+v, %v; want %s", res2, err, nu.CallID)
	}
	if _, err := w1.s.ReplaceItem(ctx, w1.manager, d1.ID, old.CallID, reason); !errors.Is(err, ErrConflict) {
		t.Errorf("replacing twice: %v, want ErrConflict", err)
	}
	if _, err := w1.s.ReplaceItem(ctx, w1.manager, d1.ID, "nosuchcall", reason); !errors.Is(err, ErrNotFound) {
		t.Errorf("replacing a call not drawn: %v, want ErrNotFound", err)
	}
	got, err := w1.s.GetDraw(ctx, w1.manager, d1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r := reportOf(t, got, w1.ana.ID); r.Replaced != 1 || r.Drawn != 5 {
		t.Errorf("Ana's report after a replacement: %+v", r)
	}
}

// firstItem returns the agent's first first-review item of d.
func firstItem(t *testing.T, d *Draw, agentID int64) DrawItem {
	t.Helper()
	i := slices.IndexFunc(d.Items, func(it DrawItem) bool { return it.AgentID == agentID && !it.SecondReview })
	if i < 0 {
		t.Fatalf("no item of agent %d", agentID)
	}
	return d.Items[i]
}

// TestDrawReplaceItemNoneLeft: an agent whose calls were all drawn loses the
// call, and the shortfall grows.
func TestDrawReplaceItemNoneLeft(t *testing.T) {
	w := newDrawWorld(t)
	d := w.draw(t, w.plan(t, nil).ID, 2)
	old := firstItem(t, d, w.cy.ID)
	res, err := w.s.ReplaceItem(t.Context(), w.manager, d.ID, old.CallID, "wrong number")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Replacement) != 0 || res.Replaced[0].Replaced.CallID != "" {
		t.Errorf("replacement %+v, want none", res)
	}
	got, err := w.s.GetDraw(t.Context(), w.manager, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r := reportOf(t, got, w.cy.ID); r.Drawn != 1 || r.Shortfall != 4 || r.Removed != 1 {
		t.Errorf("Cy's report %+v, want 1 drawn, 4 short, 1 removed", r)
	}
}

// TestDrawReplaceItemScored: a call whose evaluation was submitted stays.
func TestDrawReplaceItemScored(t *testing.T) {
	w := newDrawWorld(t)
	d := w.draw(t, w.plan(t, func(in *PlanInput) { in.FormVersionID = &w.formVersion }).ID, 2)
	old := firstItem(t, d, w.ana.ID)
	sampExec(t, w.s, `UPDATE evaluations SET status = 'submitted' WHERE id = ?`, *old.EvaluationID)
	_, err := w.s.ReplaceItem(t.Context(), w.manager, d.ID, old.CallID, "too late")
	if !errors.Is(err, ErrConflict) {
		t.Errorf("replacing a scored call: %v, want ErrConflict", err)
	}
	other := firstItem(t, d, w.ben.ID)
	if _, err := w.s.ReplaceItem(t.Context(), w.manager, d.ID, other.CallID, "fine"); err != nil {
		t.Fatal(err)
	}
	var n int
	err = w.s.db.QueryRowContext(t.Context(), `SELECT count(*) FROM evaluations WHERE id = ?`,
		*other.EvaluationID).Scan(&n)
	if err != nil || n != 0 {
		t.Errorf("the untouched draft of the replaced call: %d rows, %v; want it deleted", n, err)
	}
}

func TestDrawRefusals(t *testing.T) {
	w := newDrawWorld(t)
	p := w.plan(t, nil)
	off := false
	inactive := w.plan(t, func(in *PlanInput) { in.Name = "old"; in.Active = &off })
	tests := []struct {
		name   string
		caller *User
		req    DrawRequest
		is     error
		input  bool
	}{
		{name: "reviewer", caller: w.rae, req: DrawRequest{PlanID: p.ID, Period: "2026-03-02"}, is: ErrForbidden},
		{name: "inactive plan", caller: w.manager,
			req: DrawRequest{PlanID: inactive.ID, Period: "2026-03-02"}, is: ErrConflict},
		{name: "unknown plan", caller: w.manager,
			req: DrawRequest{PlanID: 99, Period: "2026-03-02"}, is: ErrNotFound},
		{name: "bad period", caller: w.manager, req: DrawRequest{PlanID: p.ID, Period: "March"}, input: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := w.s.Draw(t.Context(), tt.caller, tt.req)
			var in *InputError
			if tt.input && !errors.As(err, &in) || !tt.input && !errors.Is(err, tt.is) {
				t.Errorf("Draw: %v, want %v (input error: %v)", err, tt.is, tt.input)
			}
		})
	}
}
