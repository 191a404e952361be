package qa

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// AgentAdjustedRow is one agent's mean score as scored and with each
// reviewer's bias taken out, each with its 95% interval.
type AgentAdjustedRow struct {
	AgentID  int64    `json:"agent_id"`
	Agent    string   `json:"agent"`
	TeamID   int64    `json:"team_id,omitempty"`
	Team     string   `json:"team,omitempty"`
	Raw      Interval `json:"raw"`
	Adjusted Interval `json:"adjusted"`
}

// AgentsAdjustedReport is every agent's score raw and bias-adjusted, with
// the bias estimate used.
type AgentsAdjustedReport struct {
	Agents []AgentAdjustedRow `json:"agents"`
	// Bias is the estimate the scores were adjusted with. When it has a
	// Warning there is none, and Adjusted equals Raw.
	Bias *ReviewerBiasReport `json:"bias"`
}

// AgentsAdjusted reports each agent's scores raw, as the agents report
// counts them (submitted, not calibration, in the filter), and adjusted
// for the bias of the reviewers who scored them, estimated as by
// ReviewerBias over the filter's window (see AdjustAgentScores for the
// interval). A reviewer without an estimate counts as unbiased but
// uncertain. Evaluations that helped estimate the biases (second reviews)
// also count in the agents' scores, so the adjusted interval somewhat
// understates its width for agents with many of them. Managers and admins
// only.
func (s *Service) AgentsAdjusted(
	ctx context.Context,
	caller *User,
	f ReportFilter,
	tolerance float64,
) (*AgentsAdjustedReport, error) {
	bias, err := s.ReviewerBias(ctx, caller, f, tolerance)
	if err != nil {
		return nil, err
	}
	dated, agents, err := s.agentScores(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("agents adjusted: %w", err)
	}
	scores := make([]CallScore, len(dated))
	for i, d := range dated {
		scores[i] = d.CallScore
	}
	out := &AgentsAdjustedReport{Agents: []AgentAdjustedRow{}, Bias: bias}
	for _, a := range AdjustAgentScores(scores, bias.estimate) {
		row := agents[a.AgentID]
		row.Raw, row.Adjusted = a.Raw, a.Adjusted
		out.Agents = append(out.Agents, row)
	}
	slices.SortFunc(out.Agents, func(a, b AgentAdjustedRow) int {
		return cmp.Or(cmp.Compare(a.Agent, b.Agent), cmp.Compare(a.AgentID, b.AgentID))
	})
	return out, nil
}

// datedScore is a score with the time it was submitted.
type datedScore struct {
	CallScore
	submitted time.Time
}

// agentScores loads the scores that count in agents' scores, by the same
// rule as the agents report, with who gave them and when, in the order
// they were submitted, and names the agents.
func (s *Service) agentScores(ctx context.Context, f ReportFilter) (
	[]datedScore, map[int64]AgentAdjustedRow, error,
) {
	q := `SELECT e.call_id, e.reviewer_id, e.agent_id, e.score, e.submitted_at, a.name,
		COALESCE(a.team_id, 0), COALESCE(t.name, '')
		FROM evaluations e JOIN agents a ON a.id = e.agent_id
		LEFT JOIN teams t ON t.id = a.team_id
		WHERE e.status = 'submitted' AND e.calibration = 0 AND e.score IS NOT NULL`
	var args []any
	q, args = windowClause(q, args, "e.submitted_at", f)
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY e.submitted_at, e.id`, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("load agents' scores: %w", err)
	}
	defer rows.Close()
	var scores []datedScore
	agents := map[int64]AgentAdjustedRow{}
	for rows.Next() {
		var sc datedScore
		var row AgentAdjustedRow
		var at int64
		err := rows.Scan(&sc.CallID, &sc.ReviewerID, &sc.AgentID, &sc.Value, &at, &row.Agent,
			&row.TeamID, &row.Team)
		if err != nil {
			return nil, nil, fmt.Errorf("read agent score: %w", err)
		}
		sc.submitted = time.UnixMilli(at).UTC()
		row.AgentID = sc.AgentID
		agents[sc.AgentID] = row
		scores = append(scores, sc)
	}
	return scores, agents, rows.Err()
}
