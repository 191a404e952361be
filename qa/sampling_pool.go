package qa

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// poolMember is a reviewer of a plan's pool, as a draw assigns calls.
type poolMember struct {
	userID   int64
	username string
	// agentID is the reviewer's own agent, whose calls they never get.
	agentID *int64
	cap     int // 0: no cap
	load    int // calls assigned so far, first and second reviews
	seconds int // second reviews among load
}

// SkippedReviewer is a reviewer of the plan a draw could not use.
type SkippedReviewer struct {
	UserID int64  `json:"user_id"`
	Reason string `json:"reason"`
}

// queryRower is a *sql.DB or *sql.Tx.
type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// readPoolUser reads the fields of a user that sampling needs, straight
// from the users table.
func readPoolUser(ctx context.Context, q queryRower, id int64) (*User, error) {
	u := User{ID: id}
	var roles string
	var agent sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT username, roles, agent_id, disabled FROM users WHERE id = ?`, id).
		Scan(&u.Username, &roles, &agent, &u.Disabled)
	if err != nil {
		return nil, err
	}
	for r := range strings.SplitSeq(roles, ",") {
		if r = strings.TrimSpace(r); r != "" {
			u.Roles = append(u.Roles, Role(r))
		}
	}
	if agent.Valid {
		u.AgentID = &agent.Int64
	}
	return &u, nil
}

// poolUser returns a reviewer a plan names, or an *InputError if there is
// no such user.
func (s *Service) poolUser(ctx context.Context, id int64) (*User, error) {
	u, err := readPoolUser(ctx, s.db, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &InputError{Field: "reviewers", Msg: fmt.Sprintf("no user %d", id)}
	}
	if err != nil {
		return nil, fmt.Errorf("read reviewer %d: %w", id, err)
	}
	return u, nil
}

// loadPool returns the plan's reviewers who can take calls now, in the
// plan's order, and those who cannot, with the reason.
func loadPool(ctx context.Context, tx *sql.Tx, rs []PoolReviewer) ([]*poolMember, []SkippedReviewer, error) {
	var pool []*poolMember
	var skipped []SkippedReviewer
	for _, r := range rs {
		u, err := readPoolUser(ctx, tx, r.UserID)
		reason := ""
		switch {
		case errors.Is(err, sql.ErrNoRows):
			reason = "no such user"
		case err != nil:
			return nil, nil, fmt.Errorf("read reviewer %d: %w", r.UserID, err)
		case u.Disabled:
			reason = "account disabled"
		case !u.HasAny(RoleReviewer, RoleManager, RoleAdmin):
			reason = "no longer a reviewer"
		}
		if reason != "" {
			skipped = append(skipped, SkippedReviewer{UserID: r.UserID, Reason: reason})
			continue
		}
		pool = append(pool, &poolMember{userID: u.ID, username: u.Username, agentID: u.AgentID, cap: r.Cap})
	}
	return pool, skipped, nil
}
