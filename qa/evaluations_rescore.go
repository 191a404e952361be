package qa

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"time"
)

// EvaluationRevision is an earlier state of a re-scored evaluation.
type EvaluationRevision struct {
	Revision int `json:"revision"`
	// Evaluation is the evaluation as it was before the re-score.
	Evaluation Evaluation `json:"evaluation"`
	ChangedAt  time.Time  `json:"changed_at"`
	ChangedBy  *int64     `json:"changed_by,omitempty"`
	// Reason says why it was re-scored ("dispute 4 accepted: ...").
	Reason string `json:"reason"`
}

// Rescore changes answers of a submitted evaluation and scores it again.
// changes are merged over the current answers: each replaces the value
// and N/A of its question, and its comment and marks when it has any. The
// earlier state is kept in the history (EvaluationHistory), the revision
// goes up by one, and the agent's acknowledgement, which was of the
// earlier score, is cleared. A reason is required. Managers and admins
// only, and not on a call of their own agent.
func (s *Service) Rescore(
	ctx context.Context,
	caller *User,
	id int64,
	changes map[string]Answer,
	reason string,
) (*Evaluation, error) {
	if !caller.HasAny(RoleAdmin, RoleManager) {
		return nil, fmt.Errorf("re-score: needs the manager role: %w", ErrForbidden)
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, inputf("reason", "say why the evaluation is re-scored")
	}
	if len(changes) == 0 {
		return nil, inputf("answers", "give the answers that change")
	}
	var res *Result
	err := s.formTx(ctx, func(tx *sql.Tx) error {
		ev, err := loadEvaluation(ctx, tx, id)
		if err != nil {
			return err
		}
		res, err = s.rescoreTx(ctx, tx, caller, ev, changes, reason)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("re-score evaluation %d: %w", id, err)
	}
	s.log.Info("evaluation re-scored", "evaluation_id", id, "user_id", caller.ID)
	s.auditQA(ctx, caller, ActionScore, "evaluation", id,
		map[string]any{"score": resultScore(*res), "reason": reason})
	return s.GetEvaluation(ctx, caller, id)
}

// rescoreTx is Rescore within tx, for Rescore and for resolving disputes.
func (s *Service) rescoreTx(ctx context.Context, tx *sql.Tx, caller *User, ev *Evaluation,
	changes map[string]Answer, reason string,
) (*Result, error) {
	if ev.Status != StatusSubmitted {
		return nil, fmt.Errorf("a draft is changed by its reviewer, not re-scored: %w", ErrConflict)
	}
	if err := checkNotOwnCall(caller, ev.AgentID); err != nil {
		return nil, err
	}
	v, err := formVersionByID(ctx, tx, ev.FormVersionID)
	if err != nil {
		return nil, err
	}
	if err := checkDraftAnswers(&v.Definition, changes, 0); err != nil {
		return nil, err
	}
	merged := mergeAnswers(ev.Answers, changes)
	res, err := Score(v.Definition, merged)
	if err != nil {
		return nil, err
	}
	if err := s.keepRevision(ctx, tx, caller, ev, reason); err != nil {
		return nil, err
	}
	answers, err := json.Marshal(merged)
	if err != nil {
		return nil, err
	}
	result, err := json.Marshal(res)
	if err != nil {
		return nil, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE evaluations SET answers = ?, score = ?, result = ?,
		critical_failed = ?, revision = revision + 1, acknowledged_at = NULL, updated_at = ?
		WHERE id = ?`,
		string(answers), resultScore(res), string(result), res.CriticalFailed, s.nowMS(), ev.ID)
	return &res, err
}

// keepRevision stores ev as it is now in its history.
func (s *Service) keepRevision(
	ctx context.Context,
	tx *sql.Tx,
	caller *User,
	ev *Evaluation,
	reason string,
) error {
	snap, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO evaluation_history
		(evaluation_id, revision, snapshot, changed_at, changed_by, reason)
		VALUES (?, ?, ?, ?, ?, ?)`,
		ev.ID, ev.Revision, string(snap), s.nowMS(), caller.ID, reason)
	return err
}

// mergeAnswers returns base with changes applied (see Rescore).
func mergeAnswers(base, changes map[string]Answer) map[string]Answer {
	out := maps.Clone(base)
	if out == nil {
		out = map[string]Answer{}
	}
	for id, c := range changes {
		a := out[id]
		a.Value, a.NA = c.Value, c.NA
		if c.Comment != "" {
			a.Comment = c.Comment
		}
		if len(c.MarksMS) > 0 {
			a.MarksMS = c.MarksMS
		}
		out[id] = a
	}
	return out
}

// EvaluationHistory returns the earlier revisions of an evaluation, oldest
// first, to whoever may see the evaluation.
func (s *Service) EvaluationHistory(
	ctx context.Context,
	caller *User,
	id int64,
) ([]EvaluationRevision, error) {
	if _, err := s.GetEvaluation(ctx, caller, id); err != nil {
		return nil, err
	}
	// Snapshots are shown to the same people as the evaluation, so they
	// hide what it hides.
	rows, err := s.db.QueryContext(ctx, `SELECT revision, snapshot, changed_at, changed_by, reason
		FROM evaluation_history WHERE evaluation_id = ? ORDER BY revision`, id)
	if err != nil {
		return nil, fmt.Errorf("history of evaluation %d: %w", id, err)
	}
	defer rows.Close()
	out := []EvaluationRevision{}
	for rows.Next() {
		var r EvaluationRevision
		var snap string
		var at int64
		var by sql.NullInt64
		if err := rows.Scan(&r.Revision, &snap, &at, &by, &r.Reason); err != nil {
			return nil, fmt.Errorf("history of evaluation %d: %w", id, err)
		}
		if err := json.Unmarshal([]byte(snap), &r.Evaluation); err != nil {
			return nil, fmt.Errorf("history of evaluation %d: revision %d: %w", id, r.Revision, err)
		}
		r.Evaluation.redactFor(caller)
		r.ChangedAt, r.ChangedBy = time.UnixMilli(at).UTC(), evalNullID(by)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history of evaluation %d: %w", id, err)
	}
	return out, nil
}
