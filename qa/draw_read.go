package qa

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// DrawItem is one review of a sampled call.
type DrawItem struct {
	ID        int64     `json:"id"`
	CallID    string    `json:"call_id"`
	AgentID   int64     `json:"agent_id"`
	Day       string    `json:"day"`
	StartedAt time.Time `json:"started_at"`
	// ReviewerID is nil when no reviewer had room.
	ReviewerID *int64 `json:"reviewer_id"`
	// SecondReview marks the review of the share scored twice.
	SecondReview bool `json:"second_review"`
	// Blind says the reviewer must not be shown who the agent is.
	Blind        bool   `json:"blind"`
	EvaluationID *int64 `json:"evaluation_id,omitempty"`
	// Replaced is set once the call was taken out of the draw.
	Replaced *ItemReplacement `json:"replaced,omitempty"`
}

// ItemReplacement records why and by whom a sampled call was taken out.
type ItemReplacement struct {
	At     time.Time `json:"at"`
	By     *int64    `json:"by,omitempty"`
	Reason string    `json:"reason"`
	// CallID is the call that took its place; empty when none was left.
	CallID string `json:"call_id,omitempty"`
}

const drawColumns = `id, plan_id, seed, params, report, created_at, created_by`

func scanDraw(row interface{ Scan(...any) error }) (*Draw, error) {
	var d Draw
	var params, report string
	var created int64
	var by sql.NullInt64
	if err := row.Scan(&d.ID, &d.PlanID, &d.Seed, &params, &report, &created, &by); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(params), &d.Params); err != nil {
		return nil, fmt.Errorf("decode draw %d: %w", d.ID, err)
	}
	if err := json.Unmarshal([]byte(report), &d.Report); err != nil {
		return nil, fmt.Errorf("decode draw %d: %w", d.ID, err)
	}
	d.CreatedAt = time.UnixMilli(created).UTC()
	if by.Valid {
		d.CreatedBy = &by.Int64
	}
	return &d, nil
}

// GetDraw returns a draw with its items and report, or ErrNotFound.
func (s *Service) GetDraw(ctx context.Context, caller *User, id int64) (*Draw, error) {
	if err := samplingStaff(caller, "reading draws"); err != nil {
		return nil, err
	}
	d, err := scanDraw(s.db.QueryRowContext(ctx, `SELECT `+drawColumns+` FROM draws WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("draw %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get draw %d: %w", id, err)
	}
	if d.Items, err = s.drawItems(ctx, id); err != nil {
		return nil, fmt.Errorf("get draw %d: %w", id, err)
	}
	return d, nil
}

// ListDraws returns the draws of a plan, or of every plan when planID is
// zero, newest first, without their items.
func (s *Service) ListDraws(ctx context.Context, caller *User, planID int64) ([]Draw, error) {
	if err := samplingStaff(caller, "reading draws"); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+drawColumns+` FROM draws
		WHERE ? = 0 OR plan_id = ? ORDER BY id DESC`, planID, planID)
	if err != nil {
		return nil, fmt.Errorf("list draws: %w", err)
	}
	out, err := collect(rows, scanDraw)
	if err != nil {
		return nil, fmt.Errorf("list draws: %w", err)
	}
	return out, nil
}

const itemColumns = `id, call_id, agent_id, day, started_at, reviewer_id, second_review, blind,
	evaluation_id, replaced_at, replaced_by_call, replace_reason, replaced_by_user`

func scanItem(row interface{ Scan(...any) error }) (DrawItem, error) {
	var it DrawItem
	var started int64
	var reviewer, eval, at, by sql.NullInt64
	var byCall sql.NullString
	var reason string
	err := row.Scan(&it.ID, &it.CallID, &it.AgentID, &it.Day, &started, &reviewer,
		&it.SecondReview, &it.Blind, &eval, &at, &byCall, &reason, &by)
	if err != nil {
		return it, err
	}
	it.StartedAt = time.UnixMilli(started).UTC()
	it.ReviewerID, it.EvaluationID = nullableID(reviewer), nullableID(eval)
	if at.Valid {
		it.Replaced = &ItemReplacement{At: time.UnixMilli(at.Int64).UTC(), By: nullableID(by),
			Reason: reason, CallID: byCall.String}
	}
	return it, nil
}

func nullableID(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	return &v.Int64
}

// drawItems returns a draw's items by agent, then start, first reviews
// before second ones, replaced items beside those that replaced them.
func (s *Service) drawItems(ctx context.Context, drawID int64) ([]DrawItem, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+itemColumns+` FROM draw_items WHERE draw_id = ?
		ORDER BY agent_id, started_at, call_id, second_review, id`, drawID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []DrawItem{}
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// BlindEvaluation reports whether an evaluation comes from a blind draw,
// whose reviewer must not be shown who the agent is. An evaluation that no
// draw made is not blind.
func (s *Service) BlindEvaluation(ctx context.Context, evaluationID int64) (bool, error) {
	var blind bool
	err := s.db.QueryRowContext(ctx, `SELECT blind FROM draw_items WHERE evaluation_id = ?`,
		evaluationID).Scan(&blind)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read blind mode of evaluation %d: %w", evaluationID, err)
	}
	return blind, nil
}
