package qa

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// TestPreviewDrawMatchesDraw: a preview stores nothing, and a draw with
// the preview's seed picks the same calls for the same reviewers and
// reports the same figures.
func TestPreviewDrawMatchesDraw(t *testing.T) {
	w := newDrawWorld(t)
	p := w.plan(t, func(in *PlanInput) {
		in.FormVersionID = &w.formVersion
		share := 0.5
		in.SecondReviewShare = &share
	})
	ctx := t.Context()
	pv, err := w.s.PreviewDraw(ctx, w.manager, DrawRequest{PlanID: p.ID, Period: "2026-03-04"})
	if err != nil {
		t.Fatalf("PreviewDraw: %v", err)
	}
	if n := countRows(t, w.s, "draws") + countRows(t, w.s, "draw_items") +
		countRows(t, w.s, "evaluations"); n != 0 {
		t.Fatalf("a preview left %d rows of draws, items and evaluations", n)
	}
	if pv.Report.Drawn != 12 || pv.Report.Shortfall != 3 || len(pv.Items) == 0 {
		t.Fatalf("preview report %+v with %d items, want 12 drawn and 3 short", pv.Report, len(pv.Items))
	}

	d := w.draw(t, p.ID, pv.Seed)
	if !jsonEqual(t, pv.Report, d.Report) || !jsonEqual(t, pv.Params, d.Params) {
		t.Errorf("preview report %+v\ndraw report %+v", pv.Report, d.Report)
	}
	if len(pv.Items) != len(d.Items) {
		t.Fatalf("preview has %d items, the draw %d", len(pv.Items), len(d.Items))
	}
	for i, it := range d.Items {
		it.ID, it.EvaluationID = 0, nil
		if !jsonEqual(t, pv.Items[i], it) {
			t.Errorf("item %d: preview %+v, draw %+v", i, pv.Items[i], it)
		}
		if pv.Items[i].ID != 0 || pv.Items[i].EvaluationID != nil {
			t.Errorf("preview item %d names rows that do not exist: %+v", i, pv.Items[i])
		}
	}
}

// TestPreviewDrawRefusals: reviewers may not preview; an unknown plan or
// a bad period is refused; an inactive plan may be previewed.
func TestPreviewDrawRefusals(t *testing.T) {
	w := newDrawWorld(t)
	off := false
	p := w.plan(t, func(in *PlanInput) { in.Active = &off })
	ctx := t.Context()
	week := DrawRequest{PlanID: p.ID, Period: "2026-03-04"}
	if _, err := w.s.PreviewDraw(ctx, w.rae, week); !errors.Is(err, ErrForbidden) {
		t.Errorf("a reviewer's preview: %v, want ErrForbidden", err)
	}
	noPlan := DrawRequest{PlanID: 99, Period: "2026-03-04"}
	if _, err := w.s.PreviewDraw(ctx, w.manager, noPlan); !errors.Is(err, ErrNotFound) {
		t.Errorf("preview of no plan: %v, want ErrNotFound", err)
	}
	var in *InputError
	badPeriod := DrawRequest{PlanID: p.ID, Period: "soon"}
	if _, err := w.s.PreviewDraw(ctx, w.manager, badPeriod); !errors.As(err, &in) {
		t.Errorf("preview of a bad period: %v, want an *InputError", err)
	}
	if _, err := w.s.PreviewDraw(ctx, w.manager, week); err != nil {
		t.Errorf("preview of an inactive plan: %v", err)
	}
}

// TestPreviewPlanEdit: an edit previews as the saved plan would draw,
// and neither the edit nor the draw is stored; a bad edit is refused.
func TestPreviewPlanEdit(t *testing.T) {
	w := newDrawWorld(t)
	p := w.plan(t, nil)
	ctx := t.Context()
	week := DrawRequest{PlanID: p.ID, Period: "2026-03-04"}
	edit := PlanInput{Name: "weekly billing, two each", PlanDefinition: p.PlanDefinition}
	edit.Quota = 2
	pv, err := w.s.PreviewPlanEdit(ctx, w.manager, week, edit)
	if err != nil {
		t.Fatalf("PreviewPlanEdit: %v", err)
	}
	if pv.Params.Plan.Quota != 2 || pv.Params.PlanName != edit.Name {
		t.Errorf("the preview drew plan %q with quota %d, want the edit's", pv.Params.PlanName,
			pv.Params.Plan.Quota)
	}
	stored, err := w.s.GetPlan(ctx, w.manager, p.ID)
	if err != nil || stored.Quota != 5 || stored.Name != p.Name {
		t.Fatalf("the plan after the preview: %+v %v, want it unchanged", stored, err)
	}
	if n := countRows(t, w.s, "draws") + countRows(t, w.s, "draw_items"); n != 0 {
		t.Fatalf("the preview left %d rows of draws and items", n)
	}
	// Saved, the edit draws what its preview showed.
	if _, err := w.s.UpdatePlan(ctx, w.manager, p.ID, edit); err != nil {
		t.Fatal(err)
	}
	d := w.draw(t, p.ID, pv.Seed)
	if !jsonEqual(t, pv.Report, d.Report) || len(d.Items) != len(pv.Items) {
		t.Errorf("preview of the edit %+v, the draw once saved %+v", pv.Report, d.Report)
	}

	bad := edit
	bad.Quota = -1
	var in *InputError
	if _, err := w.s.PreviewPlanEdit(ctx, w.manager, week, bad); !errors.As(err, &in) ||
		in.Field != "quota" {
		t.Errorf("a negative quota: %v, want an *InputError on quota", err)
	}
	if _, err := w.s.PreviewPlanEdit(ctx, w.rae, week, edit); !errors.Is(err, ErrForbidden) {
		t.Errorf("a reviewer's preview: %v, want ErrForbidden", err)
	}
}

// TestPreviewNewPlan: a plan not yet created previews as it would draw
// once created, and nothing of it is stored.
func TestPreviewNewPlan(t *testing.T) {
	w := newDrawWorld(t)
	ctx := t.Context()
	in := PlanInput{Name: "weekly billing", PlanDefinition: PlanDefinition{
		Filters: PlanFilters{TeamIDs: []int64{w.billing.ID}}, Period: PeriodWeek, Quota: 5,
		Reviewers: []PoolReviewer{{UserID: w.rae.ID}, {UserID: w.sol.ID}, {UserID: w.tom.ID}}}}
	pv, err := w.s.PreviewPlanEdit(ctx, w.manager, DrawRequest{Period: "2026-03-04"}, in)
	if err != nil {
		t.Fatalf("PreviewPlanEdit of a new plan: %v", err)
	}
	if n := countRows(t, w.s, "sampling_plans") + countRows(t, w.s, "draws"); n != 0 {
		t.Fatalf("the preview left %d plans and draws", n)
	}
	if pv.PlanID != 0 || pv.Report.Drawn == 0 {
		t.Errorf("preview of a new plan: plan %d, report %+v", pv.PlanID, pv.Report)
	}
	p := w.plan(t, nil) // the same definition, created
	d := w.draw(t, p.ID, pv.Seed)
	if !jsonEqual(t, pv.Report, d.Report) || len(d.Items) != len(pv.Items) {
		t.Errorf("preview of the new plan %+v, its draw once created %+v", pv.Report, d.Report)
	}
}

// countRows counts the rows of a table.
func countRows(t *testing.T, s *Service, table string) int {
	t.Helper()
	var n int
	if err := s.db.QueryRowContext(t.Context(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// jsonEqual compares two values by their JSON, as clients read them.
func jsonEqual(t *testing.T, a, b any) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(ja, jb)
}
