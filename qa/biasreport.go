package qa

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// The reviewer-bias and bias-adjusted agent reports: EstimateBias and
// AdjustAgentScores over the evaluations in the database.

// ReviewerBiasReport is every reviewer's estimated leniency or severity,
// from the calls two or more of them scored.
//
// A unit is a call scored on one form: the same call scored on two
// different forms is two units, since two scorecards need not agree. Within
// a form, versions are pooled, each evaluation counting with its total
// score in percent, which every version of a form puts on the same 0 to
// 100 scale; a change of weights between versions shows as noise, not as
// bias. A reviewer who scored a unit more than once counts with their
// latest score. Calibration evaluations count (blind double scoring is
// what they are), except those submitted after their session's reveal,
// which were not blind.
type ReviewerBiasReport struct {
	// Reviewers holds one row per reviewer linked to the others by shared
	// calls, by reviewer id; empty when Warning says why.
	Reviewers []ReviewerBiasRow `json:"reviewers"`
	// Unlinked are reviewers who scored shared calls but cannot be put on
	// the main group's scale (see BiasReport.Unlinked).
	Unlinked []ReviewerRef `json:"unlinked"`
	// ResidualSD is the spread of a score once call and reviewer are
	// known, in points; nil without an estimate.
	ResidualSD *float64 `json:"residual_sd"`
	Tolerance  float64  `json:"tolerance"`
	// SharedCalls is the number of units scored by two or more reviewers,
	// Scores the number of their scores: what the estimate rests on.
	SharedCalls int `json:"shared_calls"`
	Scores      int `json:"scores"`
	// Warning says why there is no estimate.
	Warning string `json:"warning,omitempty"`

	estimate BiasReport
}

// ReviewerBiasRow is one reviewer's bias, with their name.
type ReviewerBiasRow struct {
	ReviewerBias
	Username string `json:"username"`
}

// ReviewerRef names a user.
type ReviewerRef struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
}

// warnTooFewShared is the report's Warning when EstimateBias has too
// little to go on.
const warnTooFewShared = "too few calls were scored by two or more reviewers to estimate " +
	"bias: have more calls second-reviewed, or run calibration sessions"

// ReviewerBias estimates each reviewer's bias from the evaluations
// submitted in the filter's window (From, To); its team and agent do not
// narrow it, since a reviewer's bias is the same whoever the agent. A
// tolerance of 0 or less means DefaultBiasTolerance. Managers and admins
// only.
func (s *Service) ReviewerBias(
	ctx context.Context,
	caller *User,
	f ReportFilter,
	tolerance float64,
) (*ReviewerBiasReport, error) {
	if !caller.HasAny(RoleAdmin, RoleManager) {
		return nil, fmt.Errorf("reviewer bias: needs the manager role: %w", ErrForbidden)
	}
	scores, err := s.sharedScores(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("reviewer bias: %w", err)
	}
	names, err := s.usernames(ctx)
	if err != nil {
		return nil, fmt.Errorf("reviewer bias: %w", err)
	}
	return biasReport(scores, tolerance, names)
}

// biasReport runs EstimateBias on scores and names the reviewers.
func biasReport(scores []CallScore, tolerance float64, names map[int64]string) (
	*ReviewerBiasReport, error,
) {
	if tolerance <= 0 {
		tolerance = DefaultBiasTolerance
	}
	out := &ReviewerBiasReport{Reviewers: []ReviewerBiasRow{}, Unlinked: []ReviewerRef{},
		Tolerance: tolerance}
	out.SharedCalls, out.Scores = countShared(scores)
	est, err := EstimateBias(scores, tolerance)
	if errors.Is(err, ErrTooFewShared) {
		out.Warning = warnTooFewShared
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reviewer bias: %w", err)
	}
	out.estimate = est
	out.ResidualSD = &est.ResidualSD
	for _, r := range est.Reviewers {
		out.Reviewers = append(out.Reviewers, ReviewerBiasRow{ReviewerBias: r,
			Username: names[r.ReviewerID]})
	}
	for _, id := range est.Unlinked {
		out.Unlinked = append(out.Unlinked, ReviewerRef{ID: id, Username: names[id]})
	}
	return out, nil
}

// countShared counts the units of scores scored by two or more reviewers,
// and their scores.
func countShared(scores []CallScore) (units, n int) {
	by := map[string]map[int64]int{}
	for _, s := range scores {
		if by[s.CallID] == nil {
			by[s.CallID] = map[int64]int{}
		}
		by[s.CallID][s.ReviewerID]++
	}
	for _, reviewers := range by {
		if len(reviewers) < 2 {
			continue
		}
		units++
		for _, k := range reviewers {
			n += k
		}
	}
	return units, n
}

// sharedScores loads the scores the bias estimate may use, one per unit
// and reviewer (see ReviewerBiasReport), the unit as CallScore.CallID.
func (s *Service) sharedScores(ctx context.Context, f ReportFilter) ([]CallScore, error) {
	q := `SELECT e.call_id, v.form_id, e.reviewer_id, COALESCE(e.agent_id, 0), e.score
		FROM evaluations e JOIN form_versions v ON v.id = e.form_version_id
		WHERE e.status = 'submitted' AND e.score IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM calibration_evaluations l
			JOIN calibration_sessions c ON c.id = l.session_id
			WHERE l.evaluation_id = e.id AND (c.revealed_at IS NULL OR e.submitted_at > c.revealed_at))`
	var args []any
	q, args = windowClause(q, args, "e.submitted_at", ReportFilter{From: f.From, To: f.To})
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY e.submitted_at, e.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("load scores: %w", err)
	}
	defer rows.Close()
	type key struct {
		unit     string
		reviewer int64
	}
	latest := map[key]CallScore{}
	for rows.Next() {
		var sc CallScore
		var call string
		var form int64
		if err := rows.Scan(&call, &form, &sc.ReviewerID, &sc.AgentID, &sc.Value); err != nil {
			return nil, fmt.Errorf("read score: %w", err)
		}
		sc.CallID = call + "/" + strconv.FormatInt(form, 10)
		latest[key{sc.CallID, sc.ReviewerID}] = sc // later rows are later submissions
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load scores: %w", err)
	}
	out := slices.Collect(maps.Values(latest))
	slices.SortFunc(out, func(a, b CallScore) int {
		return cmp.Or(cmp.Compare(a.CallID, b.CallID), cmp.Compare(a.ReviewerID, b.ReviewerID))
	})
	return out, nil
}

// usernames maps every user id to its username.
func (s *Service) usernames(ctx context.Context) (map[int64]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, username FROM users`)
	if err != nil {
		return nil, fmt.Errorf("load usernames: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("load usernames: %w", err)
		}
		out[id] = name
	}
	return out, rows.Err()
}
