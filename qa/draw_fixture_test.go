package qa

import (
	"testing"
)

// drawWorld is a contact center to draw from: team Billing with Ana (15
// calls, Monday to Friday), Ben (14 calls, two a day) and Cy (2 calls, on
// Tuesday), and Di in team Support; a manager, and reviewers Rae, Sol and
// Tom, Tom being also the agent Ben.
type drawWorld struct {
	s                *Service
	manager          *User
	rae, sol, tom    *User
	billing, support *Team
	ana, ben, cy, di *Agent
	calls            map[int64][]string // by agent
	formVersion      int64
}

// newDrawWorld builds the world; the same calls get the same ids in every
// world, so that two worlds hold the same data.
func newDrawWorld(t *testing.T) *drawWorld {
	t.Helper()
	s := openTest(t)
	w := &drawWorld{s: s, calls: map[int64][]string{}}
	var err error
	if w.billing, err = s.CreateTeam(t.Context(), "Billing"); err != nil {
		t.Fatal(err)
	}
	if w.support, err = s.CreateTeam(t.Context(), "Support"); err != nil {
		t.Fatal(err)
	}
	w.ana = newSampAgent(t, s, "Ana", &w.billing.ID, "1001")
	w.ben = newSampAgent(t, s, "Ben", &w.billing.ID, "1002")
	w.cy = newSampAgent(t, s, "Cy", &w.billing.ID, "1003")
	w.di = newSampAgent(t, s, "Di", &w.support.ID, "1004")
	w.calls[w.ana.ID] = addAgentCalls(t, s, "1001", 100, []int{3, 3, 3, 3, 3, 0, 0})
	w.calls[w.ben.ID] = addAgentCalls(t, s, "1002", 200, []int{2, 2, 2, 2, 2, 2, 2})
	w.calls[w.cy.ID] = addAgentCalls(t, s, "1003", 300, []int{0, 2})
	w.calls[w.di.ID] = addAgentCalls(t, s, "1004", 400, []int{5, 5})
	w.manager = newManager(t, s)
	w.rae = addSampUser(t, s, 2, "reviewer", 0)
	w.sol = addSampUser(t, s, 3, "reviewer,agent", 0)
	w.tom = addSampUser(t, s, 4, "reviewer,agent", w.ben.ID)
	w.formVersion = addFormVersion(t, s)
	return w
}

// plan returns the world's usual plan: team Billing, 5 calls per agent a
// week spread over days, all three reviewers without caps; change tweaks
// it before it is created.
func (w *drawWorld) plan(t *testing.T, change func(in *PlanInput)) *Plan {
	t.Helper()
	in := PlanInput{Name: "weekly billing", PlanDefinition: PlanDefinition{
		Filters: PlanFilters{TeamIDs: []int64{w.billing.ID}},
		Period:  PeriodWeek,
		Quota:   5,
		Reviewers: []PoolReviewer{
			{UserID: w.rae.ID}, {UserID: w.sol.ID}, {UserID: w.tom.ID},
		},
	}}
	if change != nil {
		change(&in)
	}
	p, err := w.s.CreatePlan(t.Context(), w.manager, in)
	if err != nil {
		t.Fatalf("CreatePlan: %v", err)
	}
	return p
}

// draw draws the plan for the world's week with seed.
func (w *drawWorld) draw(t *testing.T, planID, seed int64) *Draw {
	t.Helper()
	d, err := w.s.Draw(t.Context(), w.manager, DrawRequest{PlanID: planID, Period: "2026-03-04", Seed: &seed})
	if err != nil {
		t.Fatalf("Draw: %v", err)
	}
	return d
}

// activeItems returns the draw's items not replaced.
func activeItems(d *Draw) []DrawItem {
	var out []DrawItem
	for _, it := range d.Items {
		if it.Replaced == nil {
			out = append(out, it)
		}
	}
	return out
}

// reportOf returns the report of one agent, or fails.
func reportOf(t *testing.T, d *Draw, agentID int64) AgentDraw {
	t.Helper()
	for _, a := range d.Report.Agents {
		if a.AgentID == agentID {
			return a
		}
	}
	t.Fatalf("agent %d is not in the report %+v", agentID, d.Report.Agents)
	return AgentDraw{}
}
