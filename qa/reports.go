package qa

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// ReportFilter narrows a report. Zero fields do not filter.
type ReportFilter struct {
	From, To time.Time
	TeamID   int64
	AgentID  int64
	// FormID keeps the evaluations scored on that form (any version).
	// Call KPIs ignore it: a call has no form.
	FormID int64
}

// AgentScore is one agent's scores over the filter's window: raw mean with
// its 95% interval and how many more evaluations would pin it down.
type AgentScore struct {
	AgentID int64    `json:"agent_id"`
	Agent   string   `json:"agent"`
	TeamID  int64    `json:"team_id,omitempty"`
	Team    string   `json:"team,omitempty"`
	Score   Interval `json:"score"`
}

// TeamScore is a team's scores: every evaluation of its agents.
type TeamScore struct {
	TeamID int64    `json:"team_id"`
	Team   string   `json:"team"`
	Agents int      `json:"agents"`
	Score  Interval `json:"score"`
}

// TrendPoint is one ISO week's scores of an agent, or of everyone in the
// filter when AgentID is zero.
type TrendPoint struct {
	Week    string   `json:"week"` // 2026-W49
	AgentID int64    `json:"agent_id,omitempty"`
	Score   Interval `json:"score"`
}

// scoredEval is one submitted evaluation that counts in agents' scores.
type scoredEval struct {
	agentID   int64
	agent     string
	teamID    int64
	team      string
	score     float64
	submitted time.Time
}

// reportScope applies the caller's role: managers and admins see everyone,
// anyone else only their own agent.
func reportScope(caller *User, f ReportFilter) (ReportFilter, error) {
	if caller.HasAny(RoleAdmin, RoleManager) {
		return f, nil
	}
	if caller.AgentID == nil {
		return f, fmt.Errorf("reports of other agents need the manager role: %w", ErrForbidden)
	}
	f.AgentID = *caller.AgentID
	return f, nil
}

// scoredEvals loads the evaluations a report counts: submitted, scored,
// not calibration, in the window.
func (s *Service) scoredEvals(ctx context.Context, f ReportFilter) ([]scoredEval, error) {
	q := `SELECT e.agent_id, a.name, COALESCE(a.team_id, 0), COALESCE(t.name, ''), e.score, e.submitted_at
FROM evaluations e JOIN agents a ON a.id = e.agent_id LEFT JOIN teams t ON t.id = a.team_id
WHERE e.status = 'submitted' AND e.calibration = 0 AND e.score IS NOT NULL`
	var args []any
	q, args = windowClause(q, args, "e.submitted_at", f)
	rows, err := s.db.QueryContext(ctx, q+" ORDER BY e.submitted_at, e.id", args...)
	if err != nil {
		return nil, fmt.Errorf("load evaluations: %w", err)
	}
	defer rows.Close()
	var out []scoredEval
	for rows.Next() {
		var e scoredEval
		var at int64
		if err := rows.Scan(&e.agentID, &e.agent, &e.teamID, &e.team, &e.score, &at); err != nil {
			return nil, fmt.Errorf("read evaluation: %w", err)
		}
		e.submitted = time.UnixMilli(at).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// windowClause adds the filter's time window, team, agent and form to a
// query whose agents table is aliased a and, when FormID is set, whose
// evaluations table is aliased e.
func windowClause(q string, args []any, timeCol string, f ReportFilter) (string, []any) {
	if !f.From.IsZero() {
		q += " AND " + timeCol + " >= ?"
		args = append(args, f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		q += " AND " + timeCol + " < ?"
		args = append(args, f.To.UnixMilli())
	}
	if f.TeamID != 0 {
		q += " AND a.team_id = ?"
		args = append(args, f.TeamID)
	}
	if f.AgentID != 0 {
		q += " AND a.id = ?"
		args = append(args, f.AgentID)
	}
	if f.FormID != 0 {
		q += " AND e.form_version_id IN (SELECT id FROM form_versions WHERE form_id = ?)"
		args = append(args, f.FormID)
	}
	return q, args
}

// AgentScores reports each agent's mean score with its interval.
func (s *Service) AgentScores(ctx context.Context, caller *User, f ReportFilter) ([]AgentScore, error) {
	f, err := reportScope(caller, f)
	if err != nil {
		return nil, err
	}
	evals, err := s.scoredEvals(ctx, f)
	if err != nil {
		return nil, err
	}
	by := map[int64]*AgentScore{}
	scores := map[int64][]float64{}
	for _, e := range evals {
		if by[e.agentID] == nil {
			by[e.agentID] = &AgentScore{AgentID: e.agentID, Agent: e.agent, TeamID: e.teamID, Team: e.team}
		}
		scores[e.agentID] = append(scores[e.agentID], e.score)
	}
	out := make([]AgentScore, 0, len(by))
	for id, row := range by {
		row.Score = meanInterval(scores[id])
		out = append(out, *row)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Agent < out[j].Agent })
	return out, nil
}

// TeamScores reports each team's mean score with its interval.
func (s *Service) TeamScores(ctx context.Context, caller *User, f ReportFilter) ([]TeamScore, error) {
	if !caller.HasAny(RoleAdmin, RoleManager) {
		return nil, fmt.Errorf("team reports need the manager role: %w", ErrForbidden)
	}
	evals, err := s.scoredEvals(ctx, f)
	if err != nil {
		return nil, err
	}
	by := map[int64]*TeamScore{}
	scores := map[int64][]float64{}
	agents := map[int64]map[int64]bool{}
	for _, e := range evals {
		if by[e.teamID] == nil {
			by[e.teamID] = &TeamScore{TeamID: e.teamID, Team: e.team}
			agents[e.teamID] = map[int64]bool{}
		}
		scores[e.teamID] = append(scores[e.teamID], e.score)
		agents[e.teamID][e.agentID] = true
	}
	out := make([]TeamScore, 0, len(by))
	for id, row := range by {
		row.Score, row.Agents = meanInterval(scores[id]), len(agents[id])
		out = append(out, *row)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Team < out[j].Team })
	return out, nil
}

// WeeklyTrend reports scores by ISO week (by submission), per agent when
// the filter names one, else over everyone in it.
func (s *Service) WeeklyTrend(ctx context.Context, caller *User, f ReportFilter) ([]TrendPoint, error) {
	f, err := reportScope(caller, f)
	if err != nil {
		return nil, err
	}
	evals, err := s.scoredEvals(ctx, f)
	if err != nil {
		return nil, err
	}
	scores := map[string][]float64{}
	var weeks []string
	for _, e := range evals {
		key := isoWeek(e.submitted)
		if scores[key] == nil {
			weeks = append(weeks, key)
		}
		scores[key] = append(scores[key], e.score)
	}
	sort.Strings(weeks)
	out := make([]TrendPoint, 0, len(weeks))
	for _, w := range weeks {
		out = append(out, TrendPoint{Week: w, AgentID: f.AgentID, Score: meanInterval(scores[w])})
	}
	return out, nil
}
