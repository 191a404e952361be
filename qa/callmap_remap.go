package qa

import (
	"context"
	"database/sql"
	"fmt"
)

// remapPage is how many calls RemapAll maps per transaction: small enough
// that the indexer, waiting for the write lock, is not held up for long.
const remapPage = 500

// RemapResult counts what RemapAll did.
type RemapResult struct {
	// Calls is the number of calls looked at.
	Calls int `json:"calls"`
	// Mapped is the number of those that have an agent.
	Mapped int `json:"mapped"`
}

// RemapAll maps every call of the catalog again, a page at a time; each
// page is consistent with the identities of its moment. Run it after the
// catalog is rebuilt from the object store.
func (s *Service) RemapAll(ctx context.Context) (RemapResult, error) {
	var res RemapResult
	after := ""
	for {
		ids, err := s.callPage(ctx, after)
		if err != nil {
			return res, fmt.Errorf("remap calls: %w", err)
		}
		if len(ids) == 0 {
			break
		}
		var mapped int
		err = s.writeTx(ctx, func(tx *sql.Tx) error {
			var err error
			mapped, err = remapCalls(ctx, tx, ids)
			return err
		})
		if err != nil {
			return res, err
		}
		res.Calls += len(ids)
		res.Mapped += mapped
		after = ids[len(ids)-1]
	}
	s.log.Info("calls mapped to agents", "calls", res.Calls, "mapped", res.Mapped)
	return res, nil
}

// callPage returns the ids of up to remapPage calls after the id after.
func (s *Service) callPage(ctx context.Context, after string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM calls WHERE id > ? ORDER BY id LIMIT ?`,
		after, remapPage)
	if err != nil {
		return nil, err
	}
	return scanStrings(rows)
}

// scanStrings reads a one-column result and closes it.
func scanStrings(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// callsOfAgent returns the calls attributed to an agent.
func callsOfAgent(ctx context.Context, tx *sql.Tx, agentID int64) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT call_id FROM call_agents WHERE agent_id = ?
		ORDER BY call_id`, agentID)
	if err != nil {
		return nil, err
	}
	return scanStrings(rows)
}

// remapCalls maps the calls ids again, within tx, and returns how many
// have an agent.
func remapCalls(ctx context.Context, tx *sql.Tx, ids []string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	idx, err := loadIdentityIndex(ctx, tx)
	if err != nil {
		return 0, err
	}
	mapped := 0
	for _, id := range ids {
		ca, err := remapCall(ctx, tx, idx, id)
		if err != nil {
			return mapped, err
		}
		if ca != nil {
			mapped++
		}
	}
	return mapped, nil
}

// remapCall attributes one call with the identities idx and stores the
// result, removing an attribution that no longer holds.
func remapCall(ctx context.Context, tx *sql.Tx, idx identityIndex, callID string) (*CallAgent, error) {
	ps, err := participantsOf(ctx, tx, callID)
	if err != nil {
		return nil, fmt.Errorf("map call %s: %w", callID, err)
	}
	ca, ok := idx.attribute(callID, ps)
	if !ok {
		if _, err := tx.ExecContext(ctx, `DELETE FROM call_agents WHERE call_id = ?`, callID); err != nil {
			return nil, fmt.Errorf("map call %s: %w", callID, err)
		}
		return nil, nil
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO call_agents
		(call_id, agent_id, direction, identity_kind, identity_value) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (call_id) DO UPDATE SET agent_id = excluded.agent_id,
			direction = excluded.direction, identity_kind = excluded.identity_kind,
			identity_value = excluded.identity_value`,
		callID, ca.AgentID, ca.Direction, ca.Identity.Kind, ca.Identity.Value)
	if err != nil {
		return nil, fmt.Errorf("map call %s: %w", callID, err)
	}
	return &ca, nil
}

func participantsOf(ctx context.Context, tx *sql.Tx, callID string) ([]callParticipant, error) {
	rows, err := tx.QueryContext(ctx, `SELECT position, role, sip_address FROM participants
		WHERE call_id = ? ORDER BY position`, callID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []callParticipant
	for rows.Next() {
		var p callParticipant
		if err := rows.Scan(&p.position, &p.role, &p.address); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
