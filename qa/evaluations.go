package qa

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"earshot/storage/catalog"
)

// EvaluationStatus is where an evaluation is in its life.
type EvaluationStatus string

// The evaluation statuses.
const (
	// StatusDraft: being scored; the reviewer may change it.
	StatusDraft EvaluationStatus = "draft"
	// StatusSubmitted: scored. Only a re-score changes it.
	StatusSubmitted EvaluationStatus = "submitted"
)

// Evaluation is one reviewer's scoring of one call against one form
// version.
type Evaluation struct {
	ID            int64  `json:"id"`
	CallID        string `json:"call_id"`
	FormID        int64  `json:"form_id"`
	FormVersionID int64  `json:"form_version_id"`
	ReviewerID    int64  `json:"reviewer_id"`
	// AgentID is the agent who took the call, when the call is linked to
	// one; it is looked up again on submission.
	AgentID *int64           `json:"agent_id,omitempty"`
	Status  EvaluationStatus `json:"status"`
	// Answers are by question id, comments and marks included.
	Answers        map[string]Answer `json:"answers"`
	OverallComment string            `json:"overall_comment"`
	// Score is the percent; nil for a draft, and for a submitted
	// evaluation whose every answer was N/A (see Result.AllNA).
	Score *float64 `json:"score"`
	// Result details the score; nil for a draft.
	Result         *Result `json:"result,omitempty"`
	CriticalFailed bool    `json:"critical_failed"`
	// Sampled marks an evaluation of a call drawn at random (DrawID).
	Sampled bool   `json:"sampled"`
	DrawID  *int64 `json:"draw_id,omitempty"`
	// Calibration evaluations never count in agents' scores and are not
	// shown to agents.
	Calibration bool `json:"calibration"`
	// Revision counts re-scores: 1 until the first.
	Revision   int    `json:"revision"`
	AssignedBy *int64 `json:"assigned_by,omitempty"`
	// Blind marks an evaluation drawn in blind mode: its reviewer is not
	// told who the agent is, so AgentID is left out for them.
	Blind bool `json:"blind"`
	// DisputeID is the agent's dispute, if any.
	DisputeID      *int64     `json:"dispute_id,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	SubmittedAt    *time.Time `json:"submitted_at,omitempty"`
	DueAt          *time.Time `json:"due_at,omitempty"`
	AcknowledgedAt *time.Time `json:"acknowledged_at,omitempty"`
}

// NewEvaluation is an evaluation to start: by a reviewer for themselves,
// or by a manager for a reviewer (an assignment).
type NewEvaluation struct {
	CallID string `json:"call_id"`
	// FormVersionID is the version to score with; zero means the latest
	// version of FormID.
	FormVersionID int64 `json:"form_version_id,omitempty"`
	FormID        int64 `json:"form_id,omitempty"`
	// ReviewerID is who scores; zero means the caller. Naming someone
	// else needs the manager or admin role.
	ReviewerID int64      `json:"reviewer_id,omitempty"`
	DueAt      *time.Time `json:"due_at,omitempty"`
	// DrawID links the evaluation to a sampling draw (marking it sampled)
	// and Calibration keeps it out of agents' scores; both need the
	// manager or admin role.
	DrawID      *int64 `json:"draw_id,omitempty"`
	Calibration bool   `json:"calibration,omitempty"`
}

// Draft is what a reviewer saves while scoring. It replaces the answers
// and overall comment saved before.
type Draft struct {
	Answers        map[string]Answer `json:"answers"`
	OverallComment string            `json:"overall_comment"`
}

// scoringRoles may score calls.
var scoringRoles = []Role{RoleAdmin, RoleManager, RoleReviewer}

// CreateEvaluation starts a draft evaluation of a call. Reviewers,
// managers and admins may start one for themselves; managers and admins
// may assign one to another reviewer. Nobody scores a call of their own
// agent (ErrForbidden). A reviewer has one evaluation of a call per form
// (ErrConflict for a second).
func (s *Service) CreateEvaluation(
	ctx context.Context,
	caller *User,
	n NewEvaluation,
) (*Evaluation, error) {
	if !caller.HasAny(scoringRoles...) {
		return nil, fmt.Errorf("score calls: needs the reviewer role: %w", ErrForbidden)
	}
	reviewer, err := s.evaluationReviewer(ctx, caller, n)
	if err != nil {
		return nil, err
	}
	if err := s.resolveFormVersion(ctx, &n); err != nil {
		return nil, err
	}
	if _, err := s.cat.Get(ctx, n.CallID); errors.Is(err, catalog.ErrNotFound) {
		return nil, inputf("call_id", "no call %q in the catalog", n.CallID)
	} else if err != nil {
		return nil, fmt.Errorf("create evaluation: %w", err)
	}
	agentID, err := callAgent(ctx, s.db, n.CallID)
	if err != nil {
		return nil, fmt.Errorf("create evaluation: %w", err)
	}
	if err := checkNotOwnCall(reviewer, agentID); err != nil {
		return nil, err
	}
	id, err := s.insertEvaluation(ctx, caller, reviewer, n, agentID)
	if err != nil {
		return nil, fmt.Errorf("create evaluation: %w", err)
	}
	s.log.Info("evaluation created", "evaluation_id", id, "call_id", n.CallID,
		"reviewer_id", reviewer.ID)
	return s.GetEvaluation(ctx, caller, id)
}

// evaluationReviewer returns who will score n, checking the caller may
// name them and set n's manager-only fields.
func (s *Service) evaluationReviewer(
	ctx context.Context,
	caller *User,
	n NewEvaluation,
) (*User, error) {
	staff := caller.HasAny(RoleAdmin, RoleManager)
	if (n.DrawID != nil || n.Calibration) && !staff {
		return nil, fmt.Errorf("mark evaluations sampled or calibration: needs the manager role: %w",
			ErrForbidden)
	}
	if n.ReviewerID == 0 || n.ReviewerID == caller.ID {
		return caller, nil
	}
	if !staff {
		return nil, fmt.Errorf("assign evaluations: needs the manager role: %w", ErrForbidden)
	}
	r, err := s.evaluationUser(ctx, n.ReviewerID)
	if errors.Is(err, ErrNotFound) {
		return nil, inputf("reviewer_id", "no user %d", n.ReviewerID)
	}
	if err != nil {
		return nil, fmt.Errorf("create evaluation: %w", err)
	}
	if r.Disabled || !r.HasAny(scoringRoles...) {
		return nil, inputf("reviewer_id", "%s cannot score calls: disabled or not a reviewer",
			r.Username)
	}
	return r, nil
}

// resolveFormVersion checks n's form version, or picks the latest version
// of n.FormID.
func (s *Service) resolveFormVersion(ctx context.Context, n *NewEvaluation) error {
	if n.FormVersionID == 0 {
		if n.FormID == 0 {
			return inputf("form_version_id", "give the form version (or the form) to score with")
		}
		v, err := latestVersion(ctx, s.db, n.FormID)
		if errors.Is(err, ErrNotFound) {
			return inputf("form_id", "no form %d", n.FormID)
		}
		if err != nil {
			return fmt.Errorf("create evaluation: %w", err)
		}
		n.FormVersionID = v.ID
		return nil
	}
	v, err := formVersionByID(ctx, s.db, n.FormVersionID)
	if errors.Is(err, ErrNotFound) {
		return inputf("form_version_id", "no form version %d", n.FormVersionID)
	}
	if err != nil {
		return fmt.Errorf("create evaluation: %w", err)
	}
	if n.FormID != 0 && n.FormID != v.FormID {
		return inputf("form_id", "form version %d belongs to form %d", v.ID, v.FormID)
	}
	return nil
}

func (s *Service) insertEvaluation(
	ctx context.Context,
	caller, reviewer *User,
	n NewEvaluation,
	agentID *int64,
) (int64, error) {
	var assignedBy *int64
	if reviewer.ID != caller.ID {
		assignedBy = &caller.ID
	}
	now := s.nowMS()
	var id int64
	err := s.formTx(ctx, func(tx *sql.Tx) error {
		var dup int64
		err := tx.QueryRowContext(ctx, `SELECT e.id FROM evaluations e
			JOIN form_versions v ON v.id = e.form_version_id
			WHERE e.call_id = ? AND e.reviewer_id = ? AND e.calibration = ?
			AND v.form_id = (SELECT form_id FROM form_versions WHERE id = ?)`,
			n.CallID, reviewer.ID, n.Calibration, n.FormVersionID).Scan(&dup)
		if err == nil {
			return fmt.Errorf("%s already has evaluation %d of call %s on this form: %w",
				reviewer.Username, dup, n.CallID, ErrConflict)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO evaluations (call_id, form_version_id,
			reviewer_id, agent_id, status, sampled, draw_id, calibration, created_at, updated_at,
			due_at, assigned_by)
			VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?)`,
			n.CallID, n.FormVersionID, reviewer.ID, agentID, n.DrawID != nil, n.DrawID,
			n.Calibration, now, now, evalMS(n.DueAt), assignedBy)
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	return id, err
}

// SaveDraft replaces the answers and overall comment of a draft. Answers
// may be incomplete, but each one given must be valid, and its marks must
// fall within the recording. Only the evaluation's reviewer may save it;
// a submitted evaluation is ErrConflict.
func (s *Service) SaveDraft(
	ctx context.Context,
	caller *User,
	id int64,
	d Draft,
) (*Evaluation, error) {
	ev, def, err := s.ownDraft(ctx, s.db, caller, id)
	if err != nil {
		return nil, err
	}
	if err := checkFormText("overall_comment", d.OverallComment, maxFormText); err != nil {
		return nil, err
	}
	call, err := s.cat.Get(ctx, ev.CallID)
	if err != nil {
		return nil, fmt.Errorf("save draft %d: %w", id, err)
	}
	if err := checkDraftAnswers(def, d.Answers, call.DurationMS); err != nil {
		return nil, err
	}
	if d.Answers == nil {
		d.Answers = map[string]Answer{}
	}
	body, err := json.Marshal(d.Answers)
	if err != nil {
		return nil, fmt.Errorf("save draft %d: %w", id, err)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE evaluations
		SET answers = ?, overall_comment = ?, updated_at = ?
		WHERE id = ? AND status = 'draft'`, string(body), d.OverallComment, s.nowMS(), id)
	if err := draftUpdated(res, err); err != nil {
		return nil, fmt.Errorf("save draft %d: %w", id, err)
	}
	return s.GetEvaluation(ctx, caller, id)
}

// Submit scores a draft with its form version and stores the score. Every
// question needs an answer or N/A (an *InputError names the first that
// does not). The call's agent is looked up again, and the evaluation is
// refused (ErrForbidden) if it is the reviewer's own. Only the
// evaluation's reviewer may submit it.
func (s *Service) Submit(ctx context.Context, caller *User, id int64) (*Evaluation, error) {
	var ev *Evaluation
	var res Result
	// One transaction, so that a draft saved meanwhile cannot leave a
	// score that does not match the stored answers.
	err := s.formTx(ctx, func(tx *sql.Tx) error {
		var err error
		ev, res, err = s.submitTx(ctx, tx, caller, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("submit evaluation %d: %w", id, err)
	}
	s.log.Info("evaluation submitted", "evaluation_id", id, "call_id", ev.CallID,
		"user_id", caller.ID)
	s.auditQA(ctx, caller, ActionScore, "evaluation", id,
		map[string]any{"call_id": ev.CallID, "score": resultScore(res), "revision": ev.Revision})
	return s.GetEvaluation(ctx, caller, id)
}

func (s *Service) submitTx(
	ctx context.Context,
	tx *sql.Tx,
	caller *User,
	id int64,
) (*Evaluation, Result, error) {
	ev, def, err := s.ownDraft(ctx, tx, caller, id)
	if err != nil {
		return nil, Result{}, err
	}
	agentID, err := callAgent(ctx, tx, ev.CallID)
	if err != nil {
		return nil, Result{}, err
	}
	if err := checkNotOwnCall(caller, agentID); err != nil {
		return nil, Result{}, err
	}
	res, err := Score(*def, ev.Answers)
	if err != nil {
		return nil, Result{}, err
	}
	result, err := json.Marshal(res)
	if err != nil {
		return nil, Result{}, err
	}
	now := s.nowMS()
	_, err = tx.ExecContext(ctx, `UPDATE evaluations SET status = 'submitted', agent_id = ?,
		score = ?, result = ?, critical_failed = ?, submitted_at = ?, updated_at = ?
		WHERE id = ?`,
		agentID, resultScore(res), string(result), res.CriticalFailed, now, now, id)
	return ev, res, err
}

// ownDraft loads a draft the caller may change, with its form.
func (s *Service) ownDraft(
	ctx context.Context,
	q evalQuerier,
	caller *User,
	id int64,
) (*Evaluation, *FormDefinition, error) {
	ev, err := loadEvaluation(ctx, q, id)
	if err != nil {
		return nil, nil, err
	}
	if ev.ReviewerID != caller.ID || !caller.HasAny(scoringRoles...) {
		return nil, nil, fmt.Errorf("evaluation %d is another reviewer's: %w", id, ErrForbidden)
	}
	if ev.Status != StatusDraft {
		return nil, nil, fmt.Errorf("evaluation %d is submitted; only a re-score changes it: %w",
			id, ErrConflict)
	}
	v, err := formVersionByID(ctx, q, ev.FormVersionID)
	if err != nil {
		return nil, nil, err
	}
	return ev, &v.Definition, nil
}

// draftUpdated turns an update of a draft that matched no row into
// ErrConflict: the draft was submitted meanwhile.
func draftUpdated(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("submitted meanwhile: %w", ErrConflict)
	}
	return nil
}

// checkNotOwnCall refuses a reviewer the calls of their own agent.
func checkNotOwnCall(reviewer *User, agentID *int64) error {
	if agentID != nil && reviewer.AgentID != nil && *agentID == *reviewer.AgentID {
		return fmt.Errorf("%s took this call; nobody reviews their own calls: %w",
			reviewer.Username, ErrForbidden)
	}
	return nil
}

// callAgent returns the agent linked to a call, or nil.
func callAgent(ctx context.Context, q formQuerier, callID string) (*int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT agent_id FROM call_agents WHERE call_id = ?`, callID).
		Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("agent of call %s: %w", callID, err)
	}
	return &id, nil
}

// evaluationUser loads a user for the role checks of this part.
func (s *Service) evaluationUser(ctx context.Context, id int64) (*User, error) {
	u := User{ID: id}
	var roles string
	var agent sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT username, display_name, roles, agent_id, disabled
		FROM users WHERE id = ?`, id).Scan(&u.Username, &u.DisplayName, &roles, &agent, &u.Disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("user %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get user %d: %w", id, err)
	}
	if u.Roles, err = ParseRoles(roles); err != nil {
		return nil, fmt.Errorf("user %d: stored roles: %w", id, err)
	}
	if agent.Valid {
		u.AgentID = &agent.Int64
	}
	return &u, nil
}

// resultScore is the score column of a result: NULL when all N/A.
func resultScore(r Result) *float64 {
	if r.AllNA {
		return nil
	}
	return &r.Percent
}

// evalMS is a nullable time as unix milliseconds.
func evalMS(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

// evalTime is a nullable unix-milliseconds column as a time.
func evalTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := time.UnixMilli(v.Int64).UTC()
	return &t
}
