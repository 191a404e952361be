package qa

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// DrawPreview is what a draw of a plan would pick now: the report and the
// reviews a Draw with the same seed would store, over the calls as they
// are at this moment. Nothing of it is stored.
type DrawPreview struct {
	PlanID int64      `json:"plan_id"`
	Seed   int64      `json:"seed"`
	Params DrawParams `json:"params"`
	Report DrawReport `json:"report"`
	// Items are the reviews the draw would make. They have no id and no
	// evaluation: neither exists.
	Items []DrawItem `json:"items"`
}

// PreviewDraw shows what Draw would do with the same request, without
// storing anything. It runs the very steps of a draw, storing included,
// in a transaction that it rolls back, so that a preview cannot drift
// from the draw it announces: Draw with the returned seed, over the same
// calls, picks the same calls for the same reviewers. Unlike Draw it
// accepts an inactive plan, so that a plan can be tried before it is
// switched on.
//
// Running the draw's writes means a preview holds the database's write
// lock for as long as a draw would (milliseconds for a plan of a few
// hundred agents); other writers wait for it.
func (s *Service) PreviewDraw(ctx context.Context, caller *User, req DrawRequest) (*DrawPreview, error) {
	if err := samplingStaff(caller, "previewing a draw"); err != nil {
		return nil, err
	}
	return s.preview(ctx, caller, req, nil)
}

// PreviewPlanEdit is PreviewDraw of the plan req names as edit would
// change it, before the change is saved, or with req.PlanID 0 of a plan
// edit would create: edit is checked as UpdatePlan checks it, and
// neither the plan nor the draw is stored. Its Active is ignored. A Draw
// with the returned seed picks the same calls only once the edit is
// saved.
func (s *Service) PreviewPlanEdit(
	ctx context.Context,
	caller *User,
	req DrawRequest,
	edit PlanInput,
) (*DrawPreview, error) {
	if err := samplingStaff(caller, "previewing a draw"); err != nil {
		return nil, err
	}
	if err := s.checkPlanInput(ctx, &edit); err != nil {
		return nil, err
	}
	return s.preview(ctx, caller, req, &edit)
}

// preview runs the draw of req, of the plan as edit would change it when
// edit is set, and rolls it back.
func (s *Service) preview(
	ctx context.Context,
	caller *User,
	req DrawRequest,
	edit *PlanInput,
) (*DrawPreview, error) {
	job, err := s.previewJob(ctx, caller, req, edit)
	if err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("preview draw: %w", err)
	}
	// The rollback is the point: whatever drawTx wrote goes.
	defer tx.Rollback()
	if job.planID == 0 {
		// A plan not yet created: its draw needs a row to belong to.
		if job.planID, err = insertPreviewPlan(ctx, tx, job); err != nil {
			return nil, fmt.Errorf("preview draw: %w", err)
		}
	}
	id, err := s.drawTx(ctx, tx, job)
	if err != nil {
		return nil, fmt.Errorf("preview draw: %w", err)
	}
	d, err := scanDraw(tx.QueryRowContext(ctx, `SELECT `+drawColumns+` FROM draws WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("preview draw: %w", err)
	}
	items, err := previewItems(ctx, tx, id)
	if err != nil {
		return nil, fmt.Errorf("preview draw: %w", err)
	}
	return &DrawPreview{PlanID: req.PlanID, Seed: d.Seed, Params: d.Params, Report: d.Report,
		Items: items}, nil
}

// previewJob is the draw that Draw would make of req, as Draw builds it,
// of the plan as edit, already checked, would change it when set.
func (s *Service) previewJob(ctx context.Context, caller *User, req DrawRequest, edit *PlanInput,
) (drawJob, error) {
	plan := &Plan{}
	if req.PlanID != 0 || edit == nil {
		var err error
		if plan, err = s.GetPlan(ctx, caller, req.PlanID); err != nil {
			return drawJob{}, err
		}
	}
	if edit != nil {
		plan.Name, plan.PlanDefinition = edit.Name, edit.PlanDefinition
	}
	if err := plan.normalize(); err != nil {
		return drawJob{}, fmt.Errorf("plan %d as stored: %w", plan.ID, err)
	}
	loc, err := plan.location()
	if err != nil {
		return drawJob{}, fmt.Errorf("preview plan %d: %w", plan.ID, err)
	}
	period, err := periodOf(plan.Period, req.Period, loc)
	if err != nil {
		return drawJob{}, err
	}
	seed := newSeed()
	if req.Seed != nil {
		seed = *req.Seed
	}
	return drawJob{caller: caller, planID: plan.ID, seed: seed, params: DrawParams{
		Algorithm: DrawAlgorithm, PlanName: plan.Name, Plan: plan.PlanDefinition, Period: period}}, nil
}

// insertPreviewPlan writes, within tx, the plan row that the preview of a
// plan not yet created draws for, named so as to clash with no plan.
func insertPreviewPlan(ctx context.Context, tx *sql.Tx, job drawJob) (int64, error) {
	def, err := json.Marshal(job.params.Plan)
	if err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO sampling_plans
		(name, definition, active, created_at, created_by, updated_at) VALUES (?, ?, 0, 0, ?, 0)`,
		fmt.Sprintf("\x00preview %d", job.seed), def, job.caller.ID)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// previewItems reads the reviews drawTx wrote within tx, in the order
// GetDraw gives them, without the ids that the rollback takes back.
func previewItems(ctx context.Context, tx *sql.Tx, drawID int64) ([]DrawItem, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+itemColumns+` FROM draw_items WHERE draw_id = ?
		ORDER BY agent_id, started_at, call_id, second_review, id`, drawID)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (*DrawItem, error) {
		it, err := scanItem(r)
		it.ID, it.EvaluationID = 0, nil
		return &it, err
	})
}
