package qa

import (
	"context"
	"fmt"
	"time"
)

// ReviewerDeviation is a reviewer's distance from the reference, session
// by session: whether calibration is bringing them into line.
type ReviewerDeviation struct {
	ReviewerID int64  `json:"reviewer_id"`
	Username   string `json:"username"`
	// Sessions are the revealed sessions the reviewer took part in (not
	// as the benchmark), oldest reveal first.
	Sessions []DeviationPoint `json:"sessions"`
}

// DeviationPoint is a reviewer's deviation in one session; the figures
// are those of the reviewer's row in the session's comparison.
type DeviationPoint struct {
	SessionID  int64     `json:"session_id"`
	Title      string    `json:"title"`
	RevealedAt time.Time `json:"revealed_at"`
	// Reference is ReferenceBenchmark when the session has a benchmark,
	// else ReferenceConsensus.
	Reference string  `json:"reference"`
	Tolerance float64 `json:"tolerance"`
	// Calls is how many of the reviewer's evaluations were compared.
	Calls            int      `json:"calls"`
	MeanDeviation    *float64 `json:"mean_deviation"`
	MeanAbsDeviation *float64 `json:"mean_abs_deviation"`
	Within           int      `json:"within"`
	Outside          int      `json:"outside"`
	MatchedShare     *float64 `json:"matched_share"`
}

// ReviewerDeviation returns a reviewer's deviation from the reference in
// every revealed session they took part in. Managers and admins may read
// anyone's; a reviewer their own (ErrForbidden for another's). An unknown
// user is ErrNotFound.
func (s *Service) ReviewerDeviation(
	ctx context.Context,
	caller *User,
	reviewerID int64,
) (*ReviewerDeviation, error) {
	u, err := s.evaluationUser(ctx, reviewerID)
	if err != nil {
		return nil, err
	}
	if !caller.HasAny(RoleAdmin, RoleManager) && caller.ID != reviewerID {
		return nil, fmt.Errorf("deviation of %s: a reviewer sees only their own: %w",
			u.Username, ErrForbidden)
	}
	ids, err := s.revealedSessionsOf(ctx, reviewerID)
	if err != nil {
		return nil, fmt.Errorf("deviation of reviewer %d: %w", reviewerID, err)
	}
	out := &ReviewerDeviation{ReviewerID: reviewerID, Username: u.Username,
		Sessions: []DeviationPoint{}}
	for _, id := range ids {
		p, err := s.deviationIn(ctx, id, reviewerID)
		if err != nil {
			return nil, fmt.Errorf("deviation of reviewer %d: %w", reviewerID, err)
		}
		out.Sessions = append(out.Sessions, p)
	}
	return out, nil
}

// revealedSessionsOf lists the revealed sessions where the user was a
// compared participant, oldest reveal first.
func (s *Service) revealedSessionsOf(ctx context.Context, userID int64) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT c.id FROM calibration_sessions c
		JOIN calibration_participants p ON p.session_id = c.id
		WHERE p.user_id = ? AND p.benchmark = 0 AND c.revealed_at IS NOT NULL
		ORDER BY c.revealed_at, c.id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// deviationIn compares one session and returns the reviewer's figures.
func (s *Service) deviationIn(ctx context.Context, id, reviewerID int64) (DeviationPoint, error) {
	cs, err := s.loadCalibration(ctx, id)
	if err != nil {
		return DeviationPoint{}, err
	}
	cmp, err := compareCalibration(cs)
	if err != nil {
		return DeviationPoint{}, fmt.Errorf("session %d: %w", id, err)
	}
	p := DeviationPoint{SessionID: id, Title: cs.Title, RevealedAt: *cs.RevealedAt,
		Reference: ReferenceConsensus, Tolerance: cs.Tolerance}
	if cs.BenchmarkID != nil {
		p.Reference = ReferenceBenchmark
	}
	for _, r := range cmp.Reviewers {
		if r.ReviewerID == reviewerID {
			p.Calls, p.Within, p.Outside = len(r.Calls), r.Within, r.Outside
			p.MeanDeviation, p.MeanAbsDeviation = r.MeanDeviation, r.MeanAbsDeviation
			p.MatchedShare = r.MatchedShare
		}
	}
	return p, nil
}
