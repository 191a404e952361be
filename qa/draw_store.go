package qa

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
)

// sortDrawn orders reviews by agent, then start, then call id, first
// reviews before second ones.
func sortDrawn(cs []drawnCall) {
	slices.SortStableFunc(cs, func(a, b drawnCall) int {
		return cmp.Or(cmp.Compare(a.agentID, b.agentID),
			cmp.Compare(a.cand.startedAt, b.cand.startedAt),
			cmp.Compare(a.cand.callID, b.cand.callID),
			cmp.Compare(boolInt(a.second), boolInt(b.second)))
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// itemWrite is what storing the reviews of a draw needs besides the
// reviews.
type itemWrite struct {
	drawID int64
	caller *User
	def    *PlanDefinition
	days   []string
}

// insertDrawn stores the reviews of a draw, each with a draft evaluation
// when the plan names a form version and the call has a reviewer.
func (s *Service) insertDrawn(ctx context.Context, tx *sql.Tx, w itemWrite, cs []drawnCall) error {
	for _, c := range cs {
		if _, err := s.insertItem(ctx, tx, w, c); err != nil {
			return err
		}
	}
	return nil
}

// insertItem stores one review and returns its id.
func (s *Service) insertItem(ctx context.Context, tx *sql.Tx, w itemWrite, c drawnCall) (int64, error) {
	var reviewer, evaluation *int64
	if c.reviewer != nil {
		reviewer = &c.reviewer.userID
		if w.def.FormVersionID != nil {
			id, err := s.insertDraftEvaluation(ctx, tx, w, c)
			if err != nil {
				return 0, err
			}
			evaluation = &id
		}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO draw_items (draw_id, call_id, agent_id, day,
		started_at, reviewer_id, second_review, blind, evaluation_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		w.drawID, c.cand.callID, c.agentID, w.days[c.cand.day], c.cand.startedAt,
		reviewer, c.second, w.def.Blind, evaluation)
	if err != nil {
		return 0, fmt.Errorf("store draw item %s: %w", c.cand.callID, err)
	}
	return res.LastInsertId()
}

// insertDraftEvaluation creates the evaluation a reviewer fills in for a
// sampled call: a draft, marked as sampled and with its draw. A reviewer
// who already has an evaluation of the call on the same form (a plan drawn
// again for the same period) keeps that one: a call is never scored twice
// by one reviewer, which would count it twice in the agent's score.
func (s *Service) insertDraftEvaluation(
	ctx context.Context,
	tx *sql.Tx,
	w itemWrite,
	c drawnCall,
) (int64, error) {
	var existing int64
	err := tx.QueryRowContext(ctx, `SELECT e.id FROM evaluations e
		JOIN form_versions v ON v.id = e.form_version_id
		WHERE e.call_id = ? AND e.reviewer_id = ? AND e.calibration = 0
		AND v.form_id = (SELECT form_id FROM form_versions WHERE id = ?)
		ORDER BY e.id LIMIT 1`,
		c.cand.callID, c.reviewer.userID, *w.def.FormVersionID).Scan(&existing)
	if err == nil {
		return existing, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("look for an earlier evaluation of %s: %w", c.cand.callID, err)
	}
	now := s.nowMS()
	res, err := tx.ExecContext(ctx, `INSERT INTO evaluations (call_id, form_version_id,
		reviewer_id, agent_id, status, sampled, draw_id, created_at, assigned_by, updated_at)
		VALUES (?, ?, ?, ?, 'draft', 1, ?, ?, ?, ?)`,
		c.cand.callID, *w.def.FormVersionID, c.reviewer.userID, c.agentID, w.drawID, now,
		w.caller.ID, now)
	if err != nil {
		return 0, fmt.Errorf("create draft evaluation of %s: %w", c.cand.callID, err)
	}
	return res.LastInsertId()
}
