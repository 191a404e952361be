package qa

import (
	"context"
	"sort"
)

// KPIWeek is one agent's call figures over one ISO week (UTC), as
// CallKPIs gives them over a whole window.
type KPIWeek struct {
	Week string `json:"week"` // 2026-W49
	AgentKPIs
}

// KPITrend reports the call figures of each agent week by week, so that
// a manager sees handle time, talk and silence move over time rather than
// one mean over the window. Weeks without calls are left out. The rows
// are ordered by agent, then week.
func (s *Service) KPITrend(ctx context.Context, caller *User, f ReportFilter) ([]KPIWeek, error) {
	type key struct {
		agent int64
		week  string
	}
	acc := map[key]*kpiAcc{}
	err := s.eachKPIRow(ctx, caller, f, func(r kpiRow) {
		k := key{r.agentID, isoWeek(r.started)}
		if acc[k] == nil {
			acc[k] = &kpiAcc{out: AgentKPIs{AgentID: r.agentID, Agent: r.agent}}
		}
		acc[k].add(r)
	})
	if err != nil {
		return nil, err
	}
	out := make([]KPIWeek, 0, len(acc))
	for k, a := range acc {
		out = append(out, KPIWeek{Week: k.week, AgentKPIs: a.result()})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Agent != out[j].Agent {
			return out[i].Agent < out[j].Agent
		}
		if out[i].AgentID != out[j].AgentID {
			return out[i].AgentID < out[j].AgentID
		}
		return out[i].Week < out[j].Week
	})
	return out, nil
}
