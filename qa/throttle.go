package qa

import (
	"context"
	"fmt"
	"time"
)

// Failed sign-ins are throttled per username: after maxFailedLogins
// refusals within failedLoginWindow, further attempts are refused without
// checking the password until the window has passed. It slows password
// guessing to a few tries an hour; the price is that someone who knows a
// username can keep its owner out for a while (an admin can still reset
// the password, and API tokens keep working).
const (
	maxFailedLogins   = 10
	failedLoginWindow = 15 * time.Minute
)

// loginThrottled reports whether a username has failed too often lately.
// The refusals are read from the audit log, which records each of them.
func (s *Service) loginThrottled(ctx context.Context, username string) (bool, error) {
	var n int
	since := s.now().Add(-failedLoginWindow).UnixMilli()
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM audit_log
		WHERE action = ? AND object_type = 'user' AND object_id = ? AND at >= ?`,
		ActionLoginFailed, username, since).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("count failed sign-ins: %w", err)
	}
	return n >= maxFailedLogins, nil
}
