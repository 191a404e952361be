package qa

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// AgentKPIs are an agent's call figures from the catalog over a window:
// means per call, in milliseconds.
type AgentKPIs struct {
	AgentID          int64   `json:"agent_id"`
	Agent            string  `json:"agent"`
	Calls            int     `json:"calls"`
	HandleMS         float64 `json:"handle_ms"`
	AgentTalkMS      float64 `json:"agent_talk_ms"`
	CustomerTalkMS   float64 `json:"customer_talk_ms"`
	SilenceMS        float64 `json:"silence_ms"`
	OvertalkMS       float64 `json:"overtalk_ms"`
	LongestSilenceMS float64 `json:"longest_silence_ms"`
}

// CallKPIs reports handle time and talk figures per agent. The agent's
// channel follows the call's direction: the recorder puts the calling
// party on the left, so an agent who took an inbound call is on the right.
// Calls without talk metrics count in handle time only.
func (s *Service) CallKPIs(ctx context.Context, caller *User, f ReportFilter) ([]AgentKPIs, error) {
	acc := map[int64]*kpiAcc{}
	err := s.eachKPIRow(ctx, caller, f, func(r kpiRow) {
		if acc[r.agentID] == nil {
			acc[r.agentID] = &kpiAcc{out: AgentKPIs{AgentID: r.agentID, Agent: r.agent}}
		}
		acc[r.agentID].add(r)
	})
	if err != nil {
		return nil, err
	}
	out := make([]AgentKPIs, 0, len(acc))
	for _, a := range acc {
		out = append(out, a.result())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Agent < out[j].Agent })
	return out, nil
}

// eachKPIRow reads the call figures of every call of an agent in the
// filter's window, in no particular order.
func (s *Service) eachKPIRow(ctx context.Context, caller *User, f ReportFilter, fn func(kpiRow)) error {
	f, err := reportScope(caller, f)
	if err != nil {
		return err
	}
	f.FormID = 0 // calls are not scored on a form
	q := `SELECT a.id, a.name, ca.direction, c.started_at, c.duration_ms,
  c.talk_ms_left, c.talk_ms_right, c.silence_ms, c.overtalk_ms, c.longest_silence_ms
FROM call_agents ca JOIN calls c ON c.id = ca.call_id JOIN agents a ON a.id = ca.agent_id WHERE 1 = 1`
	q, args := windowClause(q, nil, "c.started_at", f)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("load call figures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r kpiRow
		var started int64
		if err := rows.Scan(&r.agentID, &r.agent, &r.direction, &started, &r.duration,
			&r.left, &r.right, &r.silence, &r.overtalk, &r.longest); err != nil {
			return fmt.Errorf("read call figures: %w", err)
		}
		r.started = time.UnixMilli(started).UTC()
		fn(r)
	}
	return rows.Err()
}

type kpiRow struct {
	agentID                                 int64
	started                                 time.Time
	agent, direction                        string
	duration                                int64
	left, right, silence, overtalk, longest *int64
}

type kpiAcc struct {
	out    AgentKPIs
	talked int // calls with talk metrics
}

func (a *kpiAcc) add(r kpiRow) {
	a.out.Calls++
	a.out.HandleMS += float64(r.duration)
	if r.left == nil || r.right == nil {
		return
	}
	a.talked++
	agent, customer := *r.left, *r.right
	if r.direction == "inbound" {
		agent, customer = customer, agent
	}
	a.out.AgentTalkMS += float64(agent)
	a.out.CustomerTalkMS += float64(customer)
	a.out.SilenceMS += float64(deref(r.silence))
	a.out.OvertalkMS += float64(deref(r.overtalk))
	a.out.LongestSilenceMS += float64(deref(r.longest))
}

func (a *kpiAcc) result() AgentKPIs {
	o := a.out
	o.HandleMS /= float64(o.Calls)
	if a.talked > 0 {
		n := float64(a.talked)
		o.AgentTalkMS, o.CustomerTalkMS = o.AgentTalkMS/n, o.CustomerTalkMS/n
		o.SilenceMS, o.OvertalkMS, o.LongestSilenceMS = o.SilenceMS/n, o.OvertalkMS/n, o.LongestSilenceMS/n
	}
	return o
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
