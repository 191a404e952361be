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
// limit and cursor keep their meaning over the calls the caller sees.
func (s *Service) ListCallsFor(ctx context.Context, caller *User, f catalog.ListFilter) ([]catalog.Call, error) {
	if seesAllCalls(caller) {
		return s.cat.List(ctx, f)
	}
	if caller.AgentID == nil {
		return nil, fmt.Errorf("your account is not linked to an agent: %w", ErrForbidden)
	}
	own, err := s.agentCallSet(ctx, *caller.AgentID)
	if err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = catalog.DefaultListLimit
	}
	var out []catalog.Call
	page := f
	page.Limit = catalog.MaxListLimit
	for len(out) < limit {
		calls, err := s.cat.List(ctx, page)
		if err != nil {
			return nil, err
		}
		for _, c := range calls {
			if own[c.ID] && len(out) < limit {
				out = append(out, c)
			}
		}
		if len(calls) < page.Limit {
			break
		}
		page.After = calls[len(calls)-1].ID
	}
	return out, nil
}

func (s *Service) agentCallSet(ctx context.Context, agentID int64) (map[string]bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT call_id FROM call_agents WHERE agent_id = ?`, agentID)
	if err != nil {
		return nil, fmt.Errorf("list agent's calls: %w", err)
	}
	defer rows.Close()
	own := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("read agent's call: %w", err)
		}
		own[id] = true
	}
	return own, rows.Err()
}
