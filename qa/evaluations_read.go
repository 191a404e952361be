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

// EvaluationFilter selects evaluations. Zero fields do not filter.
type EvaluationFilter struct {
	ReviewerID int64            `json:"reviewer_id,omitempty"`
	AgentID    int64            `json:"agent_id,omitempty"`
	Status     EvaluationStatus `json:"status,omitempty"`
	CallID     string           `json:"call_id,omitempty"`
	FormID     int64            `json:"form_id,omitempty"`
	// SubmittedFrom and SubmittedTo, when set, keep the evaluations
	// submitted in [SubmittedFrom, SubmittedTo), the window the reports
	// use; drafts have no submission time and drop out.
	SubmittedFrom time.Time `json:"submitted_from,omitzero"`
	SubmittedTo   time.Time `json:"submitted_to,omitzero"`
	// Limit caps the list: zero means DefaultEvaluationLimit, and it may
	// not exceed MaxEvaluationLimit.
	Limit int `json:"limit,omitempty"`
	// BeforeID pages: only evaluations with a smaller id (the last id of
	// the previous page).
	BeforeID int64 `json:"before_id,omitempty"`
}

// Evaluation list limits.
const (
	DefaultEvaluationLimit = 100
	MaxEvaluationLimit     = 1000
)

const evaluationColumns = `e.id, e.call_id, v.form_id, e.form_version_id, e.reviewer_id, e.agent_id,
	e.status, e.answers, e.overall_comment, e.score, e.result, e.critical_failed, e.sampled,
	e.draw_id, e.calibration, e.revision, e.assigned_by,
	(SELECT d.id FROM disputes d WHERE d.evaluation_id = e.id), ` + blindColumn + `,
	e.created_at, e.updated_at, e.submitted_at, e.due_at, e.acknowledged_at`

// blindColumn is true for an evaluation made by a blind draw.
const blindColumn = `EXISTS (SELECT 1 FROM draw_items di
	WHERE di.evaluation_id = e.id AND di.blind = 1)`

const evaluationFrom = ` FROM evaluations e JOIN form_versions v ON v.id = e.form_version_id`

// GetEvaluation returns one evaluation the caller may see: managers and
// admins see all; a reviewer their own, and the others' of a calibration
// session once it shows them its answers; an agent the submitted,
// non-calibration evaluations of their own calls. Others get ErrForbidden.
func (s *Service) GetEvaluation(ctx context.Context, caller *User, id int64) (*Evaluation, error) {
	ev, err := loadEvaluation(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	shown, err := s.shownToParticipant(ctx, caller, ev)
	if err != nil {
		return nil, err
	}
	if !shown && !maySeeEvaluation(caller, ev) {
		return nil, fmt.Errorf("evaluation %d is not yours to see: %w", id, ErrForbidden)
	}
	if ev.Calibration && ev.ReviewerID != caller.ID && !shown {
		var sealed bool
		if err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM evaluations e WHERE e.id = ? AND `+
			sealedCalibration+`)`, id).Scan(&sealed); err != nil {
			return nil, fmt.Errorf("check calibration session: %w", err)
		}
		if sealed {
			return nil, fmt.Errorf("calibration evaluation %d stays blind until its session is revealed: %w",
				id, ErrForbidden)
		}
	}
	ev.redactFor(caller)
	return ev, nil
}

// sealedCalibration is true of an evaluation e scored in a calibration
// session not yet revealed: until then only its own reviewer sees it,
// managers included, so that nobody's answers sway another's.
const sealedCalibration = `e.calibration = 1 AND EXISTS (SELECT 1 FROM calibration_evaluations ce
	JOIN calibration_sessions cs ON cs.id = ce.session_id
	WHERE ce.evaluation_id = e.id AND cs.revealed_at IS NULL)`

// redactFor hides what caller may not know of a blind evaluation: who
// the agent is. Managers, admins and the agent themselves still see it.
func (ev *Evaluation) redactFor(caller *User) {
	if ev.Blind && !caller.HasAny(RoleAdmin, RoleManager) && !isOwnAgent(caller, ev.AgentID) {
		ev.AgentID = nil
	}
}

// shownToParticipant reports whether ev is a submitted evaluation of a
// calibration session that caller takes part in and whose answers the
// session now shows caller (revealed, or with reveal-on-submit once
// caller submitted every call): each participant may then open the
// others' evaluations on the call, as the comparison already shows them.
func (s *Service) shownToParticipant(ctx context.Context, caller *User, ev *Evaluation) (bool, error) {
	if !ev.Calibration || ev.Status != StatusSubmitted || ev.ReviewerID == caller.ID {
		return false, nil
	}
	var sessionID int64
	err := s.db.QueryRowContext(ctx, `SELECT session_id FROM calibration_evaluations
	WHERE evaluation_id = ?`, ev.ID).Scan(&sessionID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("find the calibration session: %w", err)
	}
	cs, err := s.loadCalibration(ctx, sessionID)
	if err != nil {
		return false, err
	}
	return cs.participant(caller.ID) != nil && cs.othersVisibleTo(caller), nil
}

// maySeeEvaluation is the read rule of GetEvaluation.
func maySeeEvaluation(caller *User, ev *Evaluation) bool {
	switch {
	case caller.HasAny(RoleAdmin, RoleManager):
		return true
	case ev.ReviewerID == caller.ID:
		return true
	}
	return isOwnAgent(caller, ev.AgentID) && ev.Status == StatusSubmitted && !ev.Calibration
}

// isOwnAgent reports whether the caller is the agent agentID.
func isOwnAgent(caller *User, agentID *int64) bool {
	return caller.Has(RoleAgent) && caller.AgentID != nil && agentID != nil &&
		*caller.AgentID == *agentID
}

// ListEvaluations returns the evaluations f selects among those the
// caller may see (see GetEvaluation), newest first.
func (s *Service) ListEvaluations(
	ctx context.Context,
	caller *User,
	f EvaluationFilter,
) ([]Evaluation, error) {
	if f.Limit < 0 || f.Limit > MaxEvaluationLimit {
		return nil, inputf("limit", "must be 1 to %d", MaxEvaluationLimit)
	}
	if f.Limit == 0 {
		f.Limit = DefaultEvaluationLimit
	}
	switch f.Status {
	case "", StatusDraft, StatusSubmitted:
	default:
		return nil, inputf("status", "%q: use draft or submitted", f.Status)
	}
	where, args := evaluationScope(caller)
	where, args = f.where(where, args)
	staff := caller.HasAny(RoleAdmin, RoleManager)
	if f.AgentID != 0 && !staff && !isOwnAgent(caller, &f.AgentID) {
		// A reviewer must not learn the agent of a blind evaluation by
		// filtering for each agent in turn.
		where += ` AND NOT ` + blindColumn
	}
	q := `SELECT ` + evaluationColumns + evaluationFrom +
		` WHERE ` + where + ` ORDER BY e.id DESC LIMIT ?`
	out, err := queryEvaluations(ctx, s.db, q, append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("list evaluations: %w", err)
	}
	for i := range out {
		out[i].redactFor(caller)
	}
	return out, nil
}

// evaluationScope is the SQL form of maySeeEvaluation.
func evaluationScope(caller *User) (string, []any) {
	if caller.HasAny(RoleAdmin, RoleManager) {
		return "(e.reviewer_id = ? OR NOT (" + sealedCalibration + "))", []any{caller.ID}
	}
	where, args := "(e.reviewer_id = ?", []any{caller.ID}
	if caller.Has(RoleAgent) && caller.AgentID != nil {
		where += " OR (e.agent_id = ? AND e.status = 'submitted' AND e.calibration = 0)"
		args = append(args, *caller.AgentID)
	}
	return where + ")", args
}

func (f EvaluationFilter) where(where string, args []any) (string, []any) {
	var b strings.Builder
	b.WriteString(where)
	add := func(cond string, arg any) {
		b.WriteString(" AND " + cond)
		args = append(args, arg)
	}
	if f.ReviewerID != 0 {
		add("e.reviewer_id = ?", f.ReviewerID)
	}
	if f.AgentID != 0 {
		add("e.agent_id = ?", f.AgentID)
	}
	if f.Status != "" {
		add("e.status = ?", string(f.Status))
	}
	if f.CallID != "" {
		add("e.call_id = ?", f.CallID)
	}
	if f.FormID != 0 {
		add("v.form_id = ?", f.FormID)
	}
	if !f.SubmittedFrom.IsZero() {
		add("e.submitted_at >= ?", f.SubmittedFrom.UnixMilli())
	}
	if !f.SubmittedTo.IsZero() {
		add("e.submitted_at < ?", f.SubmittedTo.UnixMilli())
	}
	if f.BeforeID != 0 {
		add("e.id < ?", f.BeforeID)
	}
	return b.String(), args
}

// Queue returns the caller's drafts, assigned or started by themselves:
// the soonest due first, then those with no due date, oldest first.
func (s *Service) Queue(ctx context.Context, caller *User) ([]Evaluation, error) {
	if !caller.HasAny(scoringRoles...) {
		return nil, fmt.Errorf("review queue: needs the reviewer role: %w", ErrForbidden)
	}
	q := `SELECT ` + evaluationColumns + evaluationFrom + `
		WHERE e.reviewer_id = ? AND e.status = 'draft'
		ORDER BY e.due_at IS NULL, e.due_at, e.created_at, e.id`
	out, err := queryEvaluations(ctx, s.db, q, caller.ID)
	if err != nil {
		return nil, fmt.Errorf("review queue: %w", err)
	}
	for i := range out {
		out[i].redactFor(caller)
	}
	return out, nil
}

// evalQuerier is the database or a transaction.
type evalQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func loadEvaluation(ctx context.Context, q evalQuerier, id int64) (*Evaluation, error) {
	row := q.QueryRowContext(ctx, `SELECT `+evaluationColumns+evaluationFrom+` WHERE e.id = ?`, id)
	ev, err := scanEvaluation(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("evaluation %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get evaluation %d: %w", id, err)
	}
	return ev, nil
}

func queryEvaluations(
	ctx context.Context,
	q evalQuerier,
	query string,
	args ...any,
) ([]Evaluation, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Evaluation{}
	for rows.Next() {
		ev, err := scanEvaluation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *ev)
	}
	return out, rows.Err()
}

func scanEvaluation(row formRowScanner) (*Evaluation, error) {
	var ev Evaluation
	var answers string
	var result sql.NullString
	var score sql.NullFloat64
	var agent, draw, assigned, dispute sql.NullInt64
	var created, updated int64
	var submitted, due, acked sql.NullInt64
	err := row.Scan(&ev.ID, &ev.CallID, &ev.FormID, &ev.FormVersionID, &ev.ReviewerID, &agent,
		&ev.Status, &answers, &ev.OverallComment, &score, &result, &ev.CriticalFailed, &ev.Sampled,
		&draw, &ev.Calibration, &ev.Revision, &assigned, &dispute, &ev.Blind,
		&created, &updated, &submitted, &due, &acked)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(answers), &ev.Answers); err != nil {
		return nil, fmt.Errorf("evaluation %d: stored answers: %w", ev.ID, err)
	}
	if result.Valid {
		ev.Result = new(Result)
		if err := json.Unmarshal([]byte(result.String), ev.Result); err != nil {
			return nil, fmt.Errorf("evaluation %d: stored result: %w", ev.ID, err)
		}
	}
	if score.Valid {
		ev.Score = &score.Float64
	}
	ev.AgentID, ev.DrawID = evalNullID(agent), evalNullID(draw)
	ev.AssignedBy, ev.DisputeID = evalNullID(assigned), evalNullID(dispute)
	ev.CreatedAt, ev.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	ev.SubmittedAt, ev.DueAt = evalTime(submitted), evalTime(due)
	ev.AcknowledgedAt = evalTime(acked)
	return &ev, nil
}

// evalNullID is a nullable id column as a pointer.
func evalNullID(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	return &v.Int64
}
