package qa

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/mattn/go-sqlite3"
)

// Agent is a person who takes calls. Calls are linked to an agent through
// the agent's SIP identities (see AddIdentity and MapCall).
type Agent struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	TeamID *int64 `json:"team_id,omitempty"`
	// Active is false for an agent who has left: their history stays, and
	// draws skip them.
	Active     bool       `json:"active"`
	Identities []Identity `json:"identities"`
}

// AgentInput is what CreateAgent and UpdateAgent set.
type AgentInput struct {
	Name string `json:"name"`
	// TeamID is the agent's team; nil means none.
	TeamID *int64 `json:"team_id"`
	// Active: nil means true on create and unchanged on update.
	Active *bool `json:"active"`
}

// AgentFilter selects agents for ListAgents; the zero value lists active
// agents of every team.
type AgentFilter struct {
	// TeamID, if set, keeps the agents of that team.
	TeamID *int64
	// Inactive also lists agents who have left.
	Inactive bool
}

// writeTx runs fn in a transaction. Transactions of the catalog database
// take the write lock at BEGIN, so writers queue here instead of failing.
func (s *Service) writeTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// agentWriteError turns a constraint failure into an error the caller can
// act on.
func agentWriteError(op string, in AgentInput, err error) error {
	if constraintCode(err) == sqlite3.ErrConstraintForeignKey && in.TeamID != nil {
		return &InputError{Field: "team_id", Msg: fmt.Sprintf("no team %d", *in.TeamID)}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// CreateAgent adds an agent. An unknown team is an *InputError.
func (s *Service) CreateAgent(ctx context.Context, in AgentInput) (*Agent, error) {
	name, err := checkName("name", in.Name)
	if err != nil {
		return nil, err
	}
	active := in.Active == nil || *in.Active
	res, err := s.db.ExecContext(ctx, `INSERT INTO agents (name, team_id, active) VALUES (?, ?, ?)`,
		name, in.TeamID, active)
	if err != nil {
		return nil, agentWriteError("create agent", in, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, fmt.Errorf("create agent: %w", err)
	}
	return &Agent{ID: id, Name: name, TeamID: in.TeamID, Active: active, Identities: []Identity{}}, nil
}

// UpdateAgent sets an agent's name, team and, if given, whether active.
func (s *Service) UpdateAgent(ctx context.Context, id int64, in AgentInput) (*Agent, error) {
	name, err := checkName("name", in.Name)
	if err != nil {
		return nil, err
	}
	res, err := s.db.ExecContext(ctx,
		`UPDATE agents SET name = ?, team_id = ?, active = coalesce(?, active) WHERE id = ?`,
		name, in.TeamID, in.Active, id)
	if err != nil {
		return nil, agentWriteError(fmt.Sprintf("update agent %d", id), in, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, fmt.Errorf("agent %d: %w", id, ErrNotFound)
	}
	return s.GetAgent(ctx, id)
}

// DeleteAgent removes an agent who has no evaluations and was never drawn
// (ErrConflict otherwise: make them inactive instead). Their calls are
// mapped again, since another agent may have taken part in them.
func (s *Service) DeleteAgent(ctx context.Context, id int64) error {
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		var used int
		err := tx.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM evaluations WHERE agent_id = ?) +
			(SELECT count(*) FROM draw_items WHERE agent_id = ?)`, id, id).Scan(&used)
		if err != nil {
			return fmt.Errorf("delete agent %d: %w", id, err)
		}
		if used > 0 {
			return fmt.Errorf("agent %d has evaluations or draws; make them inactive instead: %w",
				id, ErrConflict)
		}
		calls, err := callsOfAgent(ctx, tx, id)
		if err != nil {
			return fmt.Errorf("delete agent %d: %w", id, err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM agents WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete agent %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("agent %d: %w", id, ErrNotFound)
		}
		_, err = remapCalls(ctx, tx, calls)
		return err
	})
}

// GetAgent returns one agent with their identities, or ErrNotFound.
func (s *Service) GetAgent(ctx context.Context, id int64) (*Agent, error) {
	var a Agent
	var team sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT id, name, team_id, active FROM agents WHERE id = ?`, id).
		Scan(&a.ID, &a.Name, &team, &a.Active)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("agent %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get agent %d: %w", id, err)
	}
	if team.Valid {
		a.TeamID = &team.Int64
	}
	ids, err := s.identities(ctx, &id)
	if err != nil {
		return nil, fmt.Errorf("get agent %d: %w", id, err)
	}
	a.Identities = ids[id]
	if a.Identities == nil {
		a.Identities = []Identity{}
	}
	return &a, nil
}

// ListAgents returns the agents f selects, by name, with their identities.
func (s *Service) ListAgents(ctx context.Context, f AgentFilter) ([]Agent, error) {
	out, err := s.listAgentRows(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("list agents: %w", err)
	}
	ids, err := s.identities(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("list agents: %w", err)
	}
	for i := range out {
		out[i].Identities = ids[out[i].ID]
		if out[i].Identities == nil {
			out[i].Identities = []Identity{}
		}
	}
	return out, nil
}

func (s *Service) listAgentRows(ctx context.Context, f AgentFilter) ([]Agent, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, team_id, active FROM agents
		WHERE (? OR active = 1) AND (? IS NULL OR team_id = ?)
		ORDER BY name, id`, f.Inactive, f.TeamID, f.TeamID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Agent{}
	for rows.Next() {
		var a Agent
		var team sql.NullInt64
		if err := rows.Scan(&a.ID, &a.Name, &team, &a.Active); err != nil {
			return nil, err
		}
		if team.Valid {
			a.TeamID = &team.Int64
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
