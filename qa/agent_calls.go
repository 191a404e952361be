package qa

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"earshot/storage/catalog"
)

// seesAllCalls reports whether the caller may browse every recorded call:
// admins, managers and reviewers. Agents see only their own.
func seesAllCalls(caller *User) bool {
	return caller.HasAny(RoleAdmin, RoleManager, RoleReviewer)
}

// CallVisible returns nil when caller may see the call: anyone who scores
// or manages may; an agent only a call linked to their own agent.
func (s *Service) CallVisible(ctx context.Context, caller *User, callID string) error {
	if seesAllCalls(caller) {
		return nil
	}
	if caller.AgentID == nil {
		return fmt.Errorf("call %s: your account is not linked to an agent: %w", callID, ErrForbidden)
	}
	var agentID int64
	err := s.db.QueryRowContext(ctx, `SELECT agent_id FROM call_agents WHERE call_id = ?`, callID).Scan(&agentID)
	if errors.Is(err, sql.ErrNoRows) || err == nil && agentID != *caller.AgentID {
		// Not found rather than forbidden: an agent learns nothing of
		// other people's calls, not even that they exist.
		return fmt.Errorf("call %s: %w", callID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("look up call agent: %w", err)
	}
	return nil
}

// ListCallsFor lists calls as the caller may see them: all of them for
// those who score or manage, an agent's own for an agent. The filter's
// order, limit and cursor keep their meaning over the calls the caller
// sees, since the agent's restriction is one more condition of the same
// query.
func (s *Service) ListCallsFor(ctx context.Context, caller *User, f catalog.ListFilter) ([]catalog.Call, error) {
	if !seesAllCalls(caller) {
		if caller.AgentID == nil {
			return nil, fmt.Errorf("your account is not linked to an agent: %w", ErrForbidden)
		}
		f.Where = append(f.Where, agentCalls(*caller.AgentID))
	}
	return s.cat.List(ctx, f)
}

// agentCalls is the catalog condition of the calls linked to one agent.
// An IN over the agent's index lets SQLite start from the agent's calls
// instead of walking the whole library.
func agentCalls(agentID int64) catalog.Condition {
	return catalog.Condition{SQL: `c.id IN (SELECT call_id FROM call_agents WHERE agent_id = ?)`,
		Args: []any{agentID}}
}
