package qa

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// DefaultDisputeWindow is how long after submission an agent may dispute
// an evaluation, until SetDisputeWindow changes it.
const DefaultDisputeWindow = 14 * 24 * time.Hour

// DisputeStatus is where a dispute is.
type DisputeStatus string

// The dispute statuses; the last three are also a manager's decisions.
const (
	DisputeOpen DisputeStatus = "open"
	// DisputeAccepted: re-scored with the agent's proposed answers.
	DisputeAccepted DisputeStatus = "accepted"
	// DisputePartlyAccepted: re-scored with answers the manager chose.
	DisputePartlyAccepted DisputeStatus = "partly_accepted"
	// DisputeRejected: the score stands.
	DisputeRejected DisputeStatus = "rejected"
)

// Dispute is an agent's objection to an evaluation and its outcome.
type Dispute struct {
	ID           int64  `json:"id"`
	EvaluationID int64  `json:"evaluation_id"`
	AgentComment string `json:"agent_comment"`
	// Proposed are the answers the agent thinks right, by question id.
	Proposed       map[string]Answer `json:"proposed"`
	Status         DisputeStatus     `json:"status"`
	ManagerComment string            `json:"manager_comment"`
	// Final are the answers applied when it was accepted in whole or in
	// part.
	Final      map[string]Answer `json:"final,omitempty"`
	CreatedAt  time.Time         `json:"created_at"`
	ResolvedAt *time.Time        `json:"resolved_at,omitempty"`
	ResolvedBy *int64            `json:"resolved_by,omitempty"`
}

// DisputeInput is what an agent sends to dispute an evaluation.
type DisputeInput struct {
	Comment  string            `json:"comment"`
	Proposed map[string]Answer `json:"proposed"`
}

// Resolution is a manager's decision on a dispute.
type Resolution struct {
	// Decision is accepted, partly_accepted or rejected.
	Decision DisputeStatus `json:"decision"`
	// Comment is required to reject.
	Comment string `json:"comment"`
	// Answers are the final answers of a partial acceptance, merged over
	// the evaluation's like a re-score's.
	Answers map[string]Answer `json:"answers,omitempty"`
}

// SetDisputeWindow sets how long after submission an agent may dispute;
// it is stored, so it holds across restarts.
func (s *Service) SetDisputeWindow(ctx context.Context, d time.Duration) error {
	if d < time.Minute {
		return inputf("dispute_window", "must be at least a minute")
	}
	_, err := s.db.ExecContext(ctx, `UPDATE dispute_policy SET window_ms = ? WHERE id = 1`,
		d.Milliseconds())
	if err != nil {
		return fmt.Errorf("set dispute window: %w", err)
	}
	return nil
}

// DisputeWindow returns how long after submission an agent may dispute.
func (s *Service) DisputeWindow(ctx context.Context) (time.Duration, error) {
	var ms int64
	err := s.db.QueryRowContext(ctx, `SELECT window_ms FROM dispute_policy WHERE id = 1`).Scan(&ms)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultDisputeWindow, nil
	}
	if err != nil {
		return 0, fmt.Errorf("dispute window: %w", err)
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// Acknowledge records that the agent has read a submitted evaluation of
// their own call. It is refused (ErrConflict) if it is already
// acknowledged or disputed and the dispute is still open.
func (s *Service) Acknowledge(ctx context.Context, caller *User, id int64) (*Evaluation, error) {
	ev, err := s.agentsEvaluation(ctx, caller, id)
	if err != nil {
		return nil, err
	}
	if ev.AcknowledgedAt != nil {
		return nil, fmt.Errorf("evaluation %d is already acknowledged: %w", id, ErrConflict)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE evaluations SET acknowledged_at = ?
		WHERE id = ? AND acknowledged_at IS NULL AND revision = ?
		AND NOT EXISTS (SELECT 1 FROM disputes WHERE evaluation_id = ? AND status = 'open')`,
		s.nowMS(), id, ev.Revision, id)
	if err != nil {
		return nil, fmt.Errorf("acknowledge evaluation %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, fmt.Errorf("evaluation %d was disputed or changed meanwhile: %w",
			id, ErrConflict)
	}
	return s.GetEvaluation(ctx, caller, id)
}

// DisputeEvaluation opens the agent's dispute of a submitted evaluation of
// their own call, within the dispute window after its submission. An
// evaluation is disputed once, and not after it was acknowledged
// (ErrConflict).
func (s *Service) DisputeEvaluation(
	ctx context.Context,
	caller *User,
	id int64,
	in DisputeInput,
) (*Dispute, error) {
	ev, err := s.agentsEvaluation(ctx, caller, id)
	if err != nil {
		return nil, err
	}
	if err := s.checkDisputable(ctx, ev); err != nil {
		return nil, err
	}
	in.Comment = strings.TrimSpace(in.Comment)
	if in.Comment == "" {
		return nil, inputf("comment", "say what is wrong with the evaluation")
	}
	if err := checkFormText("comment", in.Comment, maxFormText); err != nil {
		return nil, err
	}
	v, err := formVersionByID(ctx, s.db, ev.FormVersionID)
	if err != nil {
		return nil, fmt.Errorf("dispute evaluation %d: %w", id, err)
	}
	if err := checkProposed(&v.Definition, in.Proposed); err != nil {
		return nil, err
	}
	did, err := s.insertDispute(ctx, ev.ID, in)
	if err != nil {
		return nil, fmt.Errorf("dispute evaluation %d: %w", id, err)
	}
	s.log.Info("evaluation disputed", "evaluation_id", id, "dispute_id", did, "user_id", caller.ID)
	s.auditQA(ctx, caller, ActionCreate, "dispute", did, map[string]any{"evaluation_id": id})
	return s.GetDispute(ctx, caller, did)
}

// agentsEvaluation loads a submitted evaluation of the caller's own call.
func (s *Service) agentsEvaluation(
	ctx context.Context,
	caller *User,
	id int64,
) (*Evaluation, error) {
	ev, err := loadEvaluation(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	if !isOwnAgent(caller, ev.AgentID) || ev.Calibration || ev.Status != StatusSubmitted {
		return nil, fmt.Errorf("evaluation %d is not a submitted evaluation of your calls: %w",
			id, ErrForbidden)
	}
	return ev, nil
}

func (s *Service) checkDisputable(ctx context.Context, ev *Evaluation) error {
	if ev.DisputeID != nil {
		return fmt.Errorf("evaluation %d is already disputed (dispute %d): %w",
			ev.ID, *ev.DisputeID, ErrConflict)
	}
	if ev.AcknowledgedAt != nil {
		return fmt.Errorf("evaluation %d is acknowledged: %w", ev.ID, ErrConflict)
	}
	window, err := s.DisputeWindow(ctx)
	if err != nil {
		return err
	}
	if ends := ev.SubmittedAt.Add(window); s.now().After(ends) {
		return fmt.Errorf("the time to dispute evaluation %d ended on %s: %w",
			ev.ID, ends.Format(time.DateOnly), ErrConflict)
	}
	return nil
}

// checkProposed checks the proposed answers, which must each be a value
// or N/A.
func checkProposed(def *FormDefinition, proposed map[string]Answer) error {
	if err := checkDraftAnswers(def, proposed, 0); err != nil {
		return fieldPrefix(err, "proposed")
	}
	for id, p := range proposed {
		if !p.answered() {
			return inputf("proposed."+id, "give the answer you propose, or N/A")
		}
	}
	return nil
}

// fieldPrefix renames the "answers." field of an input error.
func fieldPrefix(err error, prefix string) error {
	var in *InputError
	if errors.As(err, &in) {
		return &InputError{Field: prefix + strings.TrimPrefix(in.Field, "answers"), Msg: in.Msg}
	}
	return err
}

func (s *Service) insertDispute(ctx context.Context, evalID int64, in DisputeInput) (int64, error) {
	if in.Proposed == nil {
		in.Proposed = map[string]Answer{}
	}
	proposed, err := json.Marshal(in.Proposed)
	if err != nil {
		return 0, err
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO disputes
		(evaluation_id, agent_comment, proposed, status, created_at) VALUES (?, ?, ?, 'open', ?)`,
		evalID, in.Comment, string(proposed), s.nowMS())
	if isDisputeTaken(err) {
		return 0, fmt.Errorf("evaluation %d is already disputed: %w", evalID, ErrConflict)
	}
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// ResolveDispute decides an open dispute: accepted re-scores the
// evaluation with the agent's proposed answers, partly_accepted with the
// manager's Answers, rejected leaves the score (a comment is required).
// The re-score and the decision are one transaction. Managers and admins
// only, and not on a dispute of their own calls.
func (s *Service) ResolveDispute(
	ctx context.Context,
	caller *User,
	id int64,
	r Resolution,
) (*Dispute, error) {
	if !caller.HasAny(RoleAdmin, RoleManager) {
		return nil, fmt.Errorf("resolve disputes: needs the manager role: %w", ErrForbidden)
	}
	r.Comment = strings.TrimSpace(r.Comment)
	if err := r.check(); err != nil {
		return nil, err
	}
	err := s.formTx(ctx, func(tx *sql.Tx) error {
		return s.resolveTx(ctx, tx, caller, id, r)
	})
	if err != nil {
		return nil, fmt.Errorf("resolve dispute %d: %w", id, err)
	}
	s.log.Info("dispute resolved", "dispute_id", id, "decision", string(r.Decision),
		"user_id", caller.ID)
	s.auditQA(ctx, caller, ActionChange, "dispute", id,
		map[string]any{"decision": string(r.Decision)})
	return s.GetDispute(ctx, caller, id)
}

func (r *Resolution) check() error {
	switch r.Decision {
	case DisputeAccepted, DisputeRejected:
		if len(r.Answers) > 0 {
			return inputf("answers", "give answers only to accept in part")
		}
	case DisputePartlyAccepted:
		if len(r.Answers) == 0 {
			return inputf("answers", "give the answers that change to accept in part")
		}
	default:
		return inputf("decision", "%q: use accepted, partly_accepted or rejected", r.Decision)
	}
	if r.Decision == DisputeRejected && r.Comment == "" {
		return inputf("comment", "say why the dispute is rejected")
	}
	return checkFormText("comment", r.Comment, maxFormText)
}

func (s *Service) resolveTx(
	ctx context.Context,
	tx *sql.Tx,
	caller *User,
	id int64,
	r Resolution,
) error {
	d, err := loadDispute(ctx, tx, id)
	if err != nil {
		return err
	}
	if d.Status != DisputeOpen {
		return fmt.Errorf("dispute %d is already %s: %w", id, d.Status, ErrConflict)
	}
	ev, err := loadEvaluation(ctx, tx, d.EvaluationID)
	if err != nil {
		return err
	}
	final := r.Answers
	if r.Decision == DisputeAccepted {
		if len(d.Proposed) == 0 {
			return inputf("decision",
				"the dispute proposes no answers: accept in part with answers, or reject")
		}
		final = d.Proposed
	}
	if final != nil {
		reason := fmt.Sprintf("dispute %d %s", id, r.Decision)
		if r.Comment != "" {
			reason += ": " + r.Comment
		}
		if _, err := s.rescoreTx(ctx, tx, caller, ev, final, reason); err != nil {
			return fieldPrefix(err, "answers")
		}
	} else if err := checkNotOwnCall(caller, ev.AgentID); err != nil {
		return err
	}
	return s.storeResolution(ctx, tx, caller, id, r, final)
}

func (s *Service) storeResolution(
	ctx context.Context,
	tx *sql.Tx,
	caller *User,
	id int64,
	r Resolution,
	final map[string]Answer,
) error {
	var body any
	if final != nil {
		b, err := json.Marshal(final)
		if err != nil {
			return err
		}
		body = string(b)
	}
	_, err := tx.ExecContext(ctx, `UPDATE disputes SET status = ?, manager_comment = ?, final = ?,
		resolved_at = ?, resolved_by = ? WHERE id = ?`,
		string(r.Decision), r.Comment, body, s.nowMS(), caller.ID, id)
	return err
}
