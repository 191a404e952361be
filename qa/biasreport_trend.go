package qa

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// AdjustedTrendPoint is one ISO week of a trend, its mean score as
// scored and with each reviewer's bias taken out, each with its 95%
// interval.
type AdjustedTrendPoint struct {
	Week     string   `json:"week"` // 2026-W49
	AgentID  int64    `json:"agent_id,omitempty"`
	Raw      Interval `json:"raw"`
	Adjusted Interval `json:"adjusted"`
}

// AdjustedTrendReport is a weekly trend raw and bias-adjusted, with the
// bias estimate used.
type AdjustedTrendReport struct {
	Weeks []AdjustedTrendPoint `json:"weeks"`
	// Bias is the estimate the weeks were adjusted with. When it has a
	// Warning there is none, and each week's Adjusted equals its Raw.
	Bias *ReviewerBiasReport `json:"bias"`
}

// AdjustedTrend reports the weekly trend of the scores in the filter (one
// agent's with AgentID, else those of the team or of everyone, pooled),
// raw and adjusted for the bias of the reviewers who gave them. The
// biases are estimated once, as by ReviewerBias over the filter's whole
// window, and taken out of each week's scores: a week is too few shared
// calls to estimate a bias from, and a reviewer's bias is taken to hold
// over the window. Each week's adjusted interval is computed as by
// AdjustAgentScores. Managers and admins only.
func (s *Service) AdjustedTrend(
	ctx context.Context,
	caller *User,
	f ReportFilter,
	tolerance float64,
) (*AdjustedTrendReport, error) {
	bias, err := s.ReviewerBias(ctx, caller, f, tolerance)
	if err != nil {
		return nil, err
	}
	dated, _, err := s.agentScores(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("adjusted trend: %w", err)
	}
	return &AdjustedTrendReport{Weeks: adjustWeeks(dated, bias, f.AgentID), Bias: bias}, nil
}

// adjustWeeks groups scores by the ISO week they were submitted in and
// adjusts each week's, pooled as one agent's, with bias.
func adjustWeeks(dated []datedScore, bias *ReviewerBiasReport, agentID int64) []AdjustedTrendPoint {
	byWeek := map[string][]CallScore{}
	for _, d := range dated {
		w := isoWeek(d.submitted)
		sc := d.CallScore
		sc.AgentID = agentID // pool the filter's agents into one series
		byWeek[w] = append(byWeek[w], sc)
	}
	weeks := make([]string, 0, len(byWeek))
	for w := range byWeek {
		weeks = append(weeks, w)
	}
	slices.Sort(weeks)
	out := make([]AdjustedTrendPoint, 0, len(weeks))
	for _, w := range weeks {
		a := AdjustAgentScores(byWeek[w], bias.estimate)[0]
		out = append(out, AdjustedTrendPoint{Week: w, AgentID: agentID, Raw: a.Raw,
			Adjusted: a.Adjusted})
	}
	return out
}

// isoWeek names the ISO week of t, as 2026-W49.
func isoWeek(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}
