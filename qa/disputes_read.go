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

// DisputeFilter selects disputes. Zero fields do not filter.
type DisputeFilter struct {
	Status       DisputeStatus `json:"status,omitempty"`
	EvaluationID int64         `json:"evaluation_id,omitempty"`
	AgentID      int64         `json:"agent_id,omitempty"`
}

const disputeColumns = `d.id, d.evaluation_id, d.agent_comment, d.proposed, d.status,
	d.manager_comment, d.final, d.created_at, d.resolved_at, d.resolved_by`

// GetDispute returns a dispute to managers and admins, to the agent who
// opened it and to the reviewer of the evaluation; others get
// ErrForbidden.
func (s *Service) GetDispute(ctx context.Context, caller *User, id int64) (*Dispute, error) {
	d, err := loadDispute(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	ev, err := loadEvaluation(ctx, s.db, d.EvaluationID)
	if err != nil {
		return nil, err
	}
	if !caller.HasAny(RoleAdmin, RoleManager) && !maySeeEvaluation(caller, ev) {
		return nil, fmt.Errorf("dispute %d is not yours to see: %w", id, ErrForbidden)
	}
	return d, nil
}

// ListDisputes returns the disputes f selects among those the caller may
// see (see GetDispute), open ones first, then newest first. It returns at
// most MaxEvaluationLimit.
func (s *Service) ListDisputes(
	ctx context.Context,
	caller *User,
	f DisputeFilter,
) ([]Dispute, error) {
	switch f.Status {
	case "", DisputeOpen, DisputeAccepted, DisputePartlyAccepted, DisputeRejected:
	default:
		return nil, inputf("status", "%q: use open, accepted, partly_accepted or rejected",
			f.Status)
	}
	where, args := evaluationScope(caller)
	q := `SELECT ` + disputeColumns + ` FROM disputes d JOIN evaluations e ON e.id = d.evaluation_id
		WHERE ` + where
	if f.Status != "" {
		q += ` AND d.status = ?`
		args = append(args, string(f.Status))
	}
	if f.EvaluationID != 0 {
		q += ` AND d.evaluation_id = ?`
		args = append(args, f.EvaluationID)
	}
	if f.AgentID != 0 {
		q += ` AND e.agent_id = ?`
		args = append(args, f.AgentID)
	}
	q += ` ORDER BY d.status != 'open', d.id DESC LIMIT ?`
	out, err := queryDisputes(ctx, s.db, q, append(args, MaxEvaluationLimit)...)
	if err != nil {
		return nil, fmt.Errorf("list disputes: %w", err)
	}
	return out, nil
}

func loadDispute(ctx context.Context, q evalQuerier, id int64) (*Dispute, error) {
	out, err := queryDisputes(ctx, q, `SELECT `+disputeColumns+`
		FROM disputes d WHERE d.id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("get dispute %d: %w", id, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("dispute %d: %w", id, ErrNotFound)
	}
	return &out[0], nil
}

func queryDisputes(
	ctx context.Context,
	q evalQuerier,
	query string,
	args ...any,
) ([]Dispute, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Dispute{}
	for rows.Next() {
		d, err := scanDispute(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	return out, rows.Err()
}

func scanDispute(rows *sql.Rows) (*Dispute, error) {
	var d Dispute
	var proposed string
	var final sql.NullString
	var created int64
	var resolved, by sql.NullInt64
	err := rows.Scan(&d.ID, &d.EvaluationID, &d.AgentComment, &proposed, &d.Status,
		&d.ManagerComment, &final, &created, &resolved, &by)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(proposed), &d.Proposed); err != nil {
		return nil, fmt.Errorf("dispute %d: stored proposal: %w", d.ID, err)
	}
	if final.Valid {
		if err := json.Unmarshal([]byte(final.String), &d.Final); err != nil {
			return nil, fmt.Errorf("dispute %d: stored final answers: %w", d.ID, err)
		}
	}
	d.CreatedAt = time.UnixMilli(created).UTC()
	d.ResolvedAt, d.ResolvedBy = evalTime(resolved), evalNullID(by)
	return &d, nil
}

// isDisputeTaken reports whether an insert broke the one-dispute-per-
// evaluation rule.
func isDisputeTaken(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique
}
