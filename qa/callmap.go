package qa

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
)

// Direction is which way a call went, seen from the agent.
type Direction string

// The directions.
const (
	// DirectionInbound: the agent was the callee.
	DirectionInbound Direction = "inbound"
	// DirectionOutbound: the agent was the caller.
	DirectionOutbound Direction = "outbound"
	// DirectionUnknown: the agent's participant had no caller or callee
	// role in the sidecar.
	DirectionUnknown Direction = "unknown"
)

// CallAgent is the agent a call is attributed to, and why.
type CallAgent struct {
	CallID    string    `json:"call_id"`
	AgentID   int64     `json:"agent_id"`
	Direction Direction `json:"direction"`
	// Identity is the agent's identity that matched a participant.
	Identity Identity `json:"identity"`
}

// callParticipant is a participant row of the catalog.
type callParticipant struct {
	position int
	role     string
	address  string
}

// identityIndex finds the agent of an identity.
type identityIndex map[Identity]int64

func loadIdentityIndex(ctx context.Context, tx *sql.Tx) (identityIndex, error) {
	rows, err := tx.QueryContext(ctx, `SELECT kind, value, agent_id FROM agent_identities`)
	if err != nil {
		return nil, fmt.Errorf("load identities: %w", err)
	}
	defer rows.Close()
	idx := identityIndex{}
	for rows.Next() {
		var id Identity
		var agent int64
		if err := rows.Scan(&id.Kind, &id.Value, &agent); err != nil {
			return nil, fmt.Errorf("load identities: %w", err)
		}
		idx[id] = agent
	}
	return idx, rows.Err()
}

// match returns the agent of one participant, trying the most specific
// identity kind first.
func (idx identityIndex) match(address string) (int64, Identity, bool) {
	k := parseSIPAddress(address)
	for _, id := range []Identity{
		{IdentityAddress, k.address}, {IdentityUser, k.user}, {IdentityExtension, k.ext},
	} {
		if id.Value == "" {
			continue
		}
		if agent, ok := idx[id]; ok {
			return agent, id, true
		}
	}
	return 0, Identity{}, false
}

// rolePriority orders participants for matching: a call between two
// agents is attributed to the callee, as most calls a contact center
// scores are inbound.
func rolePriority(role string) int {
	switch role {
	case "callee":
		return 0
	case "caller":
		return 1
	}
	return 2
}

// attribute returns the agent of a call with participants ps, or false
// when no participant is an agent.
func (idx identityIndex) attribute(callID string, ps []callParticipant) (CallAgent, bool) {
	ps = slices.Clone(ps)
	slices.SortStableFunc(ps, func(a, b callParticipant) int {
		return cmp.Or(cmp.Compare(rolePriority(a.role), rolePriority(b.role)),
			cmp.Compare(a.position, b.position))
	})
	for _, p := range ps {
		agent, id, ok := idx.match(p.address)
		if !ok {
			continue
		}
		dir := DirectionUnknown
		switch p.role {
		case "callee":
			dir = DirectionInbound
		case "caller":
			dir = DirectionOutbound
		}
		return CallAgent{CallID: callID, AgentID: agent, Direction: dir, Identity: id}, true
	}
	return CallAgent{}, false
}

// MapCall attributes a call to the agent whose identity matches one of its
// participants, and stores the attribution and the call's direction; it
// returns nil when no participant is an agent. A call not in the catalog
// is ErrNotFound.
//
// One call has one agent: see rolePriority for a call between agents.
func (s *Service) MapCall(ctx context.Context, callID string) (*CallAgent, error) {
	var out *CallAgent
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM calls WHERE id = ?`, callID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("call %s: %w", callID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("map call %s: %w", callID, err)
		}
		idx, err := loadIdentityIndex(ctx, tx)
		if err != nil {
			return fmt.Errorf("map call %s: %w", callID, err)
		}
		out, err = remapCall(ctx, tx, idx, callID)
		return err
	})
	return out, err
}

// OnCallIndexed is the hook to run after a recording is indexed in the
// catalog: it gives the new call its agent and direction.
func (s *Service) OnCallIndexed(ctx context.Context, callID string) error {
	ca, err := s.MapCall(ctx, callID)
	if err != nil {
		return err
	}
	if ca != nil {
		s.log.Debug("call mapped to agent", "call_id", callID, "agent_id", ca.AgentID,
			"direction", ca.Direction)
	}
	return nil
}

// AgentOfCall returns the attribution of a call, or ErrNotFound when the
// call has no agent.
func (s *Service) AgentOfCall(ctx context.Context, callID string) (*CallAgent, error) {
	ca := CallAgent{CallID: callID}
	err := s.db.QueryRowContext(ctx, `SELECT agent_id, direction, identity_kind, identity_value
		FROM call_agents WHERE call_id = ?`, callID).
		Scan(&ca.AgentID, &ca.Direction, &ca.Identity.Kind, &ca.Identity.Value)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("agent of call %s: %w", callID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("agent of call %s: %w", callID, err)
	}
	return &ca, nil
}
