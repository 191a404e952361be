package qa

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// CoachingItem is something an agent is to work on, raised from an
// evaluation.
type CoachingItem struct {
	ID           int64  `json:"id"`
	AgentID      int64  `json:"agent_id"`
	EvaluationID *int64 `json:"evaluation_id,omitempty"`
	// Focus are the question ids of the evaluation's form to work on.
	Focus     []string   `json:"focus"`
	Note      string     `json:"note"`
	DueAt     *time.Time `json:"due_at,omitempty"`
	DoneAt    *time.Time `json:"done_at,omitempty"`
	CreatedBy *int64     `json:"created_by,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

// NewCoaching is a coaching item to attach to the agent of an evaluation.
type NewCoaching struct {
	EvaluationID int64      `json:"evaluation_id"`
	Focus        []string   `json:"focus"`
	Note         string     `json:"note"`
	DueAt        *time.Time `json:"due_at,omitempty"`
}

// CoachingFilter selects coaching items. Zero fields do not filter.
type CoachingFilter struct {
	AgentID int64 `json:"agent_id,omitempty"`
	// Open leaves out the items marked done.
	Open bool `json:"open,omitempty"`
}

// AddCoaching attaches a coaching item to the agent of a submitted
// evaluation. Managers and admins may coach from any evaluation, a
// reviewer from their own unless it is blind; nobody coaches themselves
// (ErrForbidden).
func (s *Service) AddCoaching(
	ctx context.Context,
	caller *User,
	n NewCoaching,
) (*CoachingItem, error) {
	if !caller.HasAny(scoringRoles...) {
		return nil, fmt.Errorf("coach agents: needs the reviewer or manager role: %w", ErrForbidden)
	}
	ev, err := s.coachingEvaluation(ctx, caller, n.EvaluationID)
	if err != nil {
		return nil, err
	}
	if err := s.checkNewCoaching(ctx, ev, &n); err != nil {
		return nil, err
	}
	focus, err := json.Marshal(n.Focus)
	if err != nil {
		return nil, fmt.Errorf("add coaching: %w", err)
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO coaching
		(agent_id, evaluation_id, focus, note, due_at, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		*ev.AgentID, ev.ID, string(focus), n.Note, evalMS(n.DueAt), caller.ID, s.nowMS())
	if err != nil {
		return nil, fmt.Errorf("add coaching: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, fmt.Errorf("add coaching: %w", err)
	}
	s.auditQA(ctx, caller, ActionCreate, "coaching", id, map[string]any{"evaluation_id": ev.ID})
	return s.coachingByID(ctx, id)
}

// coachingEvaluation loads the evaluation a coaching item starts from.
func (s *Service) coachingEvaluation(
	ctx context.Context,
	caller *User,
	id int64,
) (*Evaluation, error) {
	if id == 0 {
		return nil, inputf("evaluation_id", "give the evaluation the coaching comes from")
	}
	ev, err := loadEvaluation(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	staff := caller.HasAny(RoleAdmin, RoleManager)
	if ev.ReviewerID != caller.ID && !staff {
		return nil, fmt.Errorf("evaluation %d belongs to another reviewer: %w", id, ErrForbidden)
	}
	if ev.Blind && !staff {
		// Coaching names the agent, which a blind reviewer must not learn.
		return nil, fmt.Errorf("evaluation %d is blind; a manager coaches from it: %w",
			id, ErrForbidden)
	}
	if ev.Status != StatusSubmitted {
		return nil, fmt.Errorf("evaluation %d is a draft; coach from a submitted one: %w",
			id, ErrConflict)
	}
	if ev.AgentID == nil {
		return nil, fmt.Errorf("the call of evaluation %d is linked to no agent: %w",
			id, ErrConflict)
	}
	if err := checkNotOwnCall(caller, ev.AgentID); err != nil {
		return nil, err
	}
	return ev, nil
}

// checkNewCoaching checks the note, the due date and that each focus
// question is on the evaluation's form.
func (s *Service) checkNewCoaching(ctx context.Context, ev *Evaluation, n *NewCoaching) error {
	n.Note = strings.TrimSpace(n.Note)
	if n.Note == "" {
		return inputf("note", "say what the agent should work on")
	}
	if err := checkFormText("note", n.Note, maxFormText); err != nil {
		return err
	}
	v, err := formVersionByID(ctx, s.db, ev.FormVersionID)
	if err != nil {
		return fmt.Errorf("add coaching: %w", err)
	}
	if n.Focus == nil {
		n.Focus = []string{}
	}
	for i, q := range n.Focus {
		if v.Definition.question(q) == nil {
			return inputf(fmt.Sprintf("focus[%d]", i), "the form has no question %q", q)
		}
		if slices.Index(n.Focus, q) != i {
			return inputf(fmt.Sprintf("focus[%d]", i), "%q is listed twice", q)
		}
	}
	return nil
}

// CompleteCoaching marks the caller's own coaching item done; an item
// already done is ErrConflict.
func (s *Service) CompleteCoaching(
	ctx context.Context,
	caller *User,
	id int64,
) (*CoachingItem, error) {
	item, err := s.coachingByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !isOwnAgent(caller, &item.AgentID) {
		return nil, fmt.Errorf("coaching item %d is another agent's: %w", id, ErrForbidden)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE coaching SET done_at = ?
		WHERE id = ? AND done_at IS NULL`, s.nowMS(), id)
	if err != nil {
		return nil, fmt.Errorf("complete coaching %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, fmt.Errorf("coaching item %d is already done: %w", id, ErrConflict)
	}
	return s.coachingByID(ctx, id)
}

// ListCoaching returns the coaching items f selects that the caller may
// see: managers and admins all, a reviewer those they raised, an agent
// their own. Open items come first, the soonest due first.
func (s *Service) ListCoaching(
	ctx context.Context,
	caller *User,
	f CoachingFilter,
) ([]CoachingItem, error) {
	where, args := "1", []any(nil)
	if !caller.HasAny(RoleAdmin, RoleManager) {
		where, args = "(c.created_by = ?", []any{caller.ID}
		if caller.Has(RoleAgent) && caller.AgentID != nil {
			where += " OR c.agent_id = ?"
			args = append(args, *caller.AgentID)
		}
		where += ")"
	}
	if f.AgentID != 0 {
		where += " AND c.agent_id = ?"
		args = append(args, f.AgentID)
	}
	if f.Open {
		where += " AND c.done_at IS NULL"
	}
	out, err := s.queryCoaching(ctx, `SELECT `+coachingColumns+` FROM coaching c WHERE `+where+`
		ORDER BY c.done_at IS NOT NULL, c.due_at IS NULL, c.due_at, c.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("list coaching: %w", err)
	}
	return out, nil
}

const coachingColumns = `c.id, c.agent_id, c.evaluation_id, c.focus, c.note, c.due_at, c.done_at,
	c.created_by, c.created_at`

func (s *Service) coachingByID(ctx context.Context, id int64) (*CoachingItem, error) {
	out, err := s.queryCoaching(ctx, `SELECT `+coachingColumns+`
		FROM coaching c WHERE c.id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("get coaching %d: %w", id, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("coaching item %d: %w", id, ErrNotFound)
	}
	return &out[0], nil
}

func (s *Service) queryCoaching(
	ctx context.Context,
	q string,
	args ...any,
) ([]CoachingItem, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []CoachingItem{}
	for rows.Next() {
		var c CoachingItem
		var focus string
		var created int64
		var eval, by, due, done sql.NullInt64
		err := rows.Scan(&c.ID, &c.AgentID, &eval, &focus, &c.Note, &due, &done, &by, &created)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(focus), &c.Focus); err != nil {
			return nil, fmt.Errorf("coaching %d: stored focus: %w", c.ID, err)
		}
		c.EvaluationID, c.CreatedBy = evalNullID(eval), evalNullID(by)
		c.DueAt, c.DoneAt = evalTime(due), evalTime(done)
		c.CreatedAt = time.UnixMilli(created).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}
