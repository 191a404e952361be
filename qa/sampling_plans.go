package qa

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/mattn/go-sqlite3"
)

// Plan is a sampling plan: what to draw, how much, and who reviews it.
// Plans are made inactive rather than deleted, so that their draws keep
// them.
type Plan struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Active bool   `json:"active"`
	PlanDefinition
	CreatedAt time.Time `json:"created_at"`
	CreatedBy *int64    `json:"created_by,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// PlanInput is what CreatePlan and UpdatePlan set.
type PlanInput struct {
	Name string `json:"name"`
	// Active: nil means true on create and unchanged on update.
	Active *bool `json:"active"`
	PlanDefinition
}

// samplingStaff refuses callers who may not run sampling.
func samplingStaff(caller *User, what string) error {
	if !caller.HasAny(RoleAdmin, RoleManager) {
		return fmt.Errorf("%s needs the admin or manager role: %w", what, ErrForbidden)
	}
	return nil
}

// checkPlanInput normalizes in and checks that what it names exists.
func (s *Service) checkPlanInput(ctx context.Context, in *PlanInput) error {
	name, err := checkName("name", in.Name)
	if err != nil {
		return err
	}
	in.Name = name
	if err := in.normalize(); err != nil {
		return err
	}
	return s.checkPlanRefs(ctx, &in.PlanDefinition)
}

// checkPlanRefs checks that the teams, agents, reviewers and form version
// a plan names exist, and that its reviewers may score calls.
func (s *Service) checkPlanRefs(ctx context.Context, d *PlanDefinition) error {
	for _, id := range d.Filters.TeamIDs {
		if err := s.exists(ctx, `SELECT 1 FROM teams WHERE id = ?`, id); err != nil {
			return &InputError{Field: "filters.team_ids", Msg: fmt.Sprintf("no team %d", id)}
		}
	}
	for _, id := range d.Filters.AgentIDs {
		if err := s.exists(ctx, `SELECT 1 FROM agents WHERE id = ?`, id); err != nil {
			return &InputError{Field: "filters.agent_ids", Msg: fmt.Sprintf("no agent %d", id)}
		}
	}
	for _, r := range d.Reviewers {
		u, err := s.poolUser(ctx, r.UserID)
		if err != nil {
			return err
		}
		if !u.HasAny(RoleReviewer, RoleManager, RoleAdmin) {
			return &InputError{Field: "reviewers",
				Msg: fmt.Sprintf("%s is not a reviewer, manager or admin", u.Username)}
		}
	}
	if d.FormVersionID != nil {
		err := s.exists(ctx, `SELECT 1 FROM form_versions WHERE id = ?`, *d.FormVersionID)
		if err != nil {
			return &InputError{Field: "form_version_id", Msg: fmt.Sprintf("no form version %d", *d.FormVersionID)}
		}
	}
	return nil
}

// exists returns nil when q, given id, finds a row.
func (s *Service) exists(ctx context.Context, q string, id int64) error {
	var one int
	return s.db.QueryRowContext(ctx, q, id).Scan(&one)
}

// CreatePlan adds a sampling plan. A name already taken is ErrConflict.
func (s *Service) CreatePlan(ctx context.Context, caller *User, in PlanInput) (*Plan, error) {
	if err := samplingStaff(caller, "creating a sampling plan"); err != nil {
		return nil, err
	}
	if err := s.checkPlanInput(ctx, &in); err != nil {
		return nil, err
	}
	def, err := json.Marshal(in.PlanDefinition)
	if err != nil {
		return nil, fmt.Errorf("create plan: %w", err)
	}
	now := s.nowMS()
	res, err := s.db.ExecContext(ctx, `INSERT INTO sampling_plans
		(name, definition, active, created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		in.Name, def, in.Active == nil || *in.Active, now, caller.ID, now)
	if constraintCode(err) == sqlite3.ErrConstraintUnique {
		return nil, fmt.Errorf("plan %q already exists: %w", in.Name, ErrConflict)
	}
	if err != nil {
		return nil, fmt.Errorf("create plan: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, fmt.Errorf("create plan: %w", err)
	}
	s.log.Info("sampling plan created", "plan_id", id, "user_id", caller.ID)
	return s.GetPlan(ctx, caller, id)
}

// UpdatePlan replaces a plan's name and definition and, if given, whether
// it is active. Draws already made keep the definition they used.
func (s *Service) UpdatePlan(ctx context.Context, caller *User, id int64, in PlanInput) (*Plan, error) {
	if err := samplingStaff(caller, "changing a sampling plan"); err != nil {
		return nil, err
	}
	if err := s.checkPlanInput(ctx, &in); err != nil {
		return nil, err
	}
	def, err := json.Marshal(in.PlanDefinition)
	if err != nil {
		return nil, fmt.Errorf("update plan %d: %w", id, err)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE sampling_plans SET name = ?, definition = ?,
		active = coalesce(?, active), updated_at = ? WHERE id = ?`,
		in.Name, def, in.Active, s.nowMS(), id)
	if constraintCode(err) == sqlite3.ErrConstraintUnique {
		return nil, fmt.Errorf("plan %q already exists: %w", in.Name, ErrConflict)
	}
	if err != nil {
		return nil, fmt.Errorf("update plan %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, fmt.Errorf("plan %d: %w", id, ErrNotFound)
	}
	return s.GetPlan(ctx, caller, id)
}

const planColumns = `id, name, active, definition, created_at, created_by, updated_at`

func scanPlan(row interface{ Scan(...any) error }) (*Plan, error) {
	var p Plan
	var def string
	var created, updated int64
	var by sql.NullInt64
	if err := row.Scan(&p.ID, &p.Name, &p.Active, &def, &created, &by, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(def), &p.PlanDefinition); err != nil {
		return nil, fmt.Errorf("decode plan %d: %w", p.ID, err)
	}
	p.CreatedAt, p.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	if by.Valid {
		p.CreatedBy = &by.Int64
	}
	return &p, nil
}

// GetPlan returns one plan, or ErrNotFound.
func (s *Service) GetPlan(ctx context.Context, caller *User, id int64) (*Plan, error) {
	if err := samplingStaff(caller, "reading sampling plans"); err != nil {
		return nil, err
	}
	row := s.db.QueryRowContext(ctx, `SELECT `+planColumns+` FROM sampling_plans WHERE id = ?`, id)
	p, err := scanPlan(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("plan %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get plan %d: %w", id, err)
	}
	return p, nil
}

// ListPlans returns every plan, by name.
func (s *Service) ListPlans(ctx context.Context, caller *User) ([]Plan, error) {
	if err := samplingStaff(caller, "reading sampling plans"); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+planColumns+` FROM sampling_plans ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("list plans: %w", err)
	}
	out, err := collect(rows, scanPlan)
	if err != nil {
		return nil, fmt.Errorf("list plans: %w", err)
	}
	return out, nil
}
