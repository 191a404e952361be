package qa

import (
	"context"
	"fmt"
	"strings"

	"earshot/storage/catalog"
)

// LibraryFilter selects calls for the call library: the catalog's filter
// and what the QA side knows of a call, namely who took it and whether it
// was evaluated. Zero fields do not filter.
type LibraryFilter struct {
	catalog.ListFilter
	AgentID int64
	TeamID  int64
	// Direction is the call's direction seen from its agent.
	Direction Direction
	// Evaluated keeps calls with (true) or without (false) a submitted
	// evaluation outside calibration; nil keeps both.
	Evaluated *bool
}

// LibraryCall is a call of the library with its agent and evaluations.
type LibraryCall struct {
	catalog.Call
	// Agent is nil when no agent is linked to the call.
	Agent *CallAgentInfo `json:"agent,omitempty"`
	// Evaluations counts submitted evaluations outside calibration.
	Evaluations int `json:"evaluations"`
}

// CallAgentInfo is who took a call, as the library shows it.
type CallAgentInfo struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Team      string    `json:"team,omitempty"`
	Direction Direction `json:"direction"`
}

// Library lists the calls of f that the caller may see, with their agents
// and evaluation counts, in f.Order.
func (s *Service) Library(ctx context.Context, caller *User, f LibraryFilter) ([]LibraryCall, error) {
	lf := f.ListFilter
	conds, err := f.conditions()
	if err != nil {
		return nil, err
	}
	lf.Where = append(lf.Where, conds...)
	calls, err := s.ListCallsFor(ctx, caller, lf)
	if err != nil {
		return nil, err
	}
	return s.annotate(ctx, calls)
}

func (f LibraryFilter) conditions() ([]catalog.Condition, error) {
	var out []catalog.Condition
	if f.AgentID != 0 {
		out = append(out, agentCalls(f.AgentID))
	}
	if f.TeamID != 0 {
		// A team takes a good share of the calls, so walking the library
		// in its order and testing each call finds a page sooner than
		// collecting every call of the team and sorting them (284 ms
		// against 11 ms at a million calls: docs/benchmarks.md). A tiny team
		// makes the walk long; that is the price.
		out = append(out, catalog.Condition{SQL: `EXISTS (SELECT 1 FROM call_agents ca
            JOIN agents a ON a.id = ca.agent_id WHERE ca.call_id = c.id AND a.team_id = ?)`,
			Args: []any{f.TeamID}})
	}
	switch f.Direction {
	case "":
	case DirectionInbound, DirectionOutbound, DirectionUnknown:
		out = append(out, catalog.Condition{
			SQL:  `EXISTS (SELECT 1 FROM call_agents ca WHERE ca.call_id = c.id AND ca.direction = ?)`,
			Args: []any{string(f.Direction)}})
	default:
		return nil, &InputError{Field: "direction",
			Msg: fmt.Sprintf("%q is not a direction: use inbound, outbound or unknown", f.Direction)}
	}
	if f.Evaluated != nil {
		not := "NOT "
		if *f.Evaluated {
			not = ""
		}
		out = append(out, catalog.Condition{SQL: not + `EXISTS (SELECT 1 FROM evaluations e
            WHERE e.call_id = c.id AND e.status = 'submitted' AND e.calibration = 0)`})
	}
	return out, nil
}

// annotate adds each call's agent and evaluation count, in two queries
// for the whole page.
func (s *Service) annotate(ctx context.Context, calls []catalog.Call) ([]LibraryCall, error) {
	out := make([]LibraryCall, len(calls))
	if len(calls) == 0 {
		return out, nil
	}
	ids := make([]any, len(calls))
	at := make(map[string]*LibraryCall, len(calls))
	for i := range calls {
		out[i].Call = calls[i]
		ids[i] = calls[i].ID
		at[calls[i].ID] = &out[i]
	}
	in := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	if err := s.annotateAgents(ctx, in, ids, at); err != nil {
		return nil, err
	}
	if err := s.annotateEvaluations(ctx, in, ids, at); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) annotateAgents(ctx context.Context, in string, ids []any, at map[string]*LibraryCall) error {
	rows, err := s.db.QueryContext(ctx, `SELECT ca.call_id, a.id, a.name, COALESCE(t.name, ''), ca.direction
        FROM call_agents ca JOIN agents a ON a.id = ca.agent_id
        LEFT JOIN teams t ON t.id = a.team_id WHERE ca.call_id IN (`+in+`)`, ids...)
	if err != nil {
		return fmt.Errorf("read calls' agents: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var a CallAgentInfo
		if err := rows.Scan(&id, &a.ID, &a.Name, &a.Team, &a.Direction); err != nil {
			return fmt.Errorf("read call's agent: %w", err)
		}
		at[id].Agent = &a
	}
	return rows.Err()
}

func (s *Service) annotateEvaluations(ctx context.Context, in string, ids []any, at map[string]*LibraryCall) error {
	rows, err := s.db.QueryContext(ctx, `SELECT call_id, count(*) FROM evaluations
        WHERE status = 'submitted' AND calibration = 0 AND call_id IN (`+in+`) GROUP BY call_id`, ids...)
	if err != nil {
		return fmt.Errorf("count calls' evaluations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return fmt.Errorf("read evaluation count: %w", err)
		}
		at[id].Evaluations = n
	}
	return rows.Err()
}
