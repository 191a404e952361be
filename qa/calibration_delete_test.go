package qa

import (
	"errors"
	"testing"
)

// TestDeleteCalibration: a blind session goes with its evaluations,
// submitted ones included, and leaves an audit entry; a revealed one
// stays; reviewers may not delete.
func TestDeleteCalibration(t *testing.T) {
	f := openEvalTest(t)
	ctx := t.Context()
	cs := f.openCalibration(t, NewCalibration{CallIDs: []string{callAnna, callNobody},
		ReviewerIDs: []int64{f.reviewer.ID, f.reviewer2.ID}})
	f.calScore(t, cs, f.reviewer, callAnna, exampleAnswers())
	before := countRows(t, f.s, "evaluations")

	if err := f.s.DeleteCalibration(ctx, f.reviewer, cs.ID); !errors.Is(err, ErrForbidden) {
		t.Errorf("a reviewer's delete: %v, want ErrForbidden", err)
	}
	if err := f.s.DeleteCalibration(ctx, f.manager, cs.ID); err != nil {
		t.Fatalf("DeleteCalibration: %v", err)
	}
	if _, err := f.s.GetCalibration(ctx, f.manager, cs.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("the session after its delete: %v, want ErrNotFound", err)
	}
	// Two reviewers, two calls: four calibration evaluations gone.
	if after := countRows(t, f.s, "evaluations"); after != before-4 {
		t.Errorf("%d evaluations after the delete, want %d", after, before-4)
	}
	for _, table := range []string{"calibration_calls", "calibration_participants",
		"calibration_evaluations"} {
		if n := countRows(t, f.s, table); n != 0 {
			t.Errorf("%d rows left in %s", n, table)
		}
	}
	var audited int
	err := f.s.db.QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE action = 'delete'
		AND object_type = 'calibration_session' AND object_id = ?`, cs.ID).Scan(&audited)
	if err != nil || audited != 1 {
		t.Errorf("audit entries of the delete: %d %v, want 1", audited, err)
	}
	if err := f.s.DeleteCalibration(ctx, f.manager, cs.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting it again: %v, want ErrNotFound", err)
	}

	kept := f.openCalibration(t, NewCalibration{CallIDs: []string{callAnna},
		ReviewerIDs: []int64{f.reviewer.ID, f.reviewer2.ID}})
	f.calReveal(t, kept)
	if err := f.s.DeleteCalibration(ctx, f.manager, kept.ID); !errors.Is(err, ErrConflict) {
		t.Errorf("deleting a revealed session: %v, want ErrConflict", err)
	}
}
