package qa

import (
	"encoding/json"
	"math"
	"slices"
	"testing"
)

// TestDrawQuotaShortfallAndSpread: each agent of the team gets
// min(quota, eligible) calls, spread over the days they worked; the
// agent short of calls gets all of theirs and the shortfall is reported.
func TestDrawQuotaShortfallAndSpread(t *testing.T) {
	w := newDrawWorld(t)
	p := w.plan(t, nil)
	d := w.draw(t, p.ID, 7)
	tests := []struct {
		name          string
		agent         *Agent
		eligible      int
		drawn         int
		shortfall     int
		maxPerDay     int
		daysWithCalls int
	}{
		{name: "Ana, five weekdays", agent: w.ana, eligible: 15, drawn: 5, maxPerDay: 1, daysWithCalls: 5},
		{name: "Ben, seven days", agent: w.ben, eligible: 14, drawn: 5, maxPerDay: 1, daysWithCalls: 5},
		{name: "Cy, short", agent: w.cy, eligible: 2, drawn: 2, shortfall: 3, maxPerDay: 2, daysWithCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := reportOf(t, d, tt.agent.ID)
			if r.Eligible != tt.eligible || r.Drawn != tt.drawn || r.Shortfall != tt.shortfall || r.Quota != 5 {
				t.Errorf("report %+v, want eligible %d, drawn %d, shortfall %d", r, tt.eligible, tt.drawn, tt.shortfall)
			}
			perDay := map[string]int{}
			for _, it := range activeItems(d) {
				if it.AgentID != tt.agent.ID || it.SecondReview {
					continue
				}
				if !slices.Contains(w.calls[tt.agent.ID], it.CallID) {
					t.Errorf("call %s is not one of the agent's", it.CallID)
				}
				perDay[it.Day]++
			}
			if len(perDay) != tt.daysWithCalls {
				t.Errorf("calls on %d days %v, want %d", len(perDay), perDay, tt.daysWithCalls)
			}
			for day, n := range perDay {
				if n > tt.maxPerDay {
					t.Errorf("%d calls on %s, want at most %d", n, day, tt.maxPerDay)
				}
			}
		})
	}
	if len(d.Report.Agents) != 3 || d.Report.Drawn != 12 || d.Report.Shortfall != 3 {
		t.Errorf("report covers %d agents, %d drawn, %d short; want 3 agents of Billing, 12, 3",
			len(d.Report.Agents), d.Report.Drawn, d.Report.Shortfall)
	}
}

// TestDrawReproducible: the same seed over the same data gives the same
// draw, in another database too; another seed gives another draw; the
// seed and the plan are stored with it.
func TestDrawReproducible(t *testing.T) {
	w1, w2 := newDrawWorld(t), newDrawWorld(t)
	p1, p2 := w1.plan(t, nil), w2.plan(t, nil)
	a, again := w1.draw(t, p1.ID, 42), w1.draw(t, p1.ID, 42)
	elsewhere, other := w2.draw(t, p2.ID, 42), w1.draw(t, p1.ID, 43)
	if !slices.Equal(drawKey(a), drawKey(again)) || !slices.Equal(drawKey(a), drawKey(elsewhere)) {
		t.Errorf("seed 42 drew\n%v\nthen\n%v\nand elsewhere\n%v", drawKey(a), drawKey(again), drawKey(elsewhere))
	}
	if slices.Equal(drawKey(a), drawKey(other)) {
		t.Errorf("seeds 42 and 43 drew the same: %v", drawKey(a))
	}
	if a.Seed != 42 || a.Params.Plan.Quota != 5 || a.Params.Algorithm != DrawAlgorithm ||
		len(a.Params.Period.Days) != 7 || a.Params.Period.Days[0] != "2026-03-02" {
		t.Errorf("stored seed %d, params %+v", a.Seed, a.Params)
	}
	fresh, err := w1.s.Draw(t.Context(), w1.manager, DrawRequest{PlanID: p1.ID, Period: "2026-03-02"})
	if err != nil || fresh.Seed < 0 || fresh.Seed >= maxSeed {
		t.Errorf("draw without a seed: seed %v, %v; want one generated in [0, 2^53)", fresh, err)
	}
}

// drawKey lists what a draw decided: call, reviewer, second review.
func drawKey(d *Draw) []string {
	var out []string
	for _, it := range d.Items {
		b, _ := json.Marshal([]any{it.CallID, it.ReviewerID, it.SecondReview, it.Day})
		out = append(out, string(b))
	}
	return out
}

// TestDrawAssignment checks the reviewer rules over many seeds: nobody
// reviews their own calls, each agent's calls go to at least two
// reviewers, a second review goes to a different reviewer, and the share
// of second reviews is the plan's, rounded.
func TestDrawAssignment(t *testing.T) {
	w := newDrawWorld(t)
	share := 0.25
	p := w.plan(t, func(in *PlanInput) { in.SecondReviewShare = &share })
	for seed := int64(1); seed <= 25; seed++ {
		d := w.draw(t, p.ID, seed)
		reviewers := map[int64]map[int64]bool{}
		primary := map[string]int64{}
		seconds := 0
		for _, it := range d.Items {
			if it.ReviewerID == nil {
				t.Fatalf("seed %d: call %s has no reviewer; the pool had room", seed, it.CallID)
			}
			r := *it.ReviewerID
			if it.AgentID == w.ben.ID && r == w.tom.ID {
				t.Errorf("seed %d: Tom reviews his own call %s", seed, it.CallID)
			}
			if it.SecondReview {
				seconds++
				if primary[it.CallID] == r {
					t.Errorf("seed %d: call %s has the same reviewer twice", seed, it.CallID)
				}
				continue
			}
			primary[it.CallID] = r
			if reviewers[it.AgentID] == nil {
				reviewers[it.AgentID] = map[int64]bool{}
			}
			reviewers[it.AgentID][r] = true
		}
		for agent, rs := range reviewers {
			if len(rs) < 2 {
				t.Errorf("seed %d: agent %d's calls all go to %v", seed, agent, rs)
			}
		}
		want := int(math.Round(share * float64(len(primary))))
		if seconds != want || d.Report.SecondReviews != want || d.Report.SecondReviewsWanted != want {
			t.Errorf("seed %d: %d second reviews of %d calls (report %d of %d), want %d",
				seed, seconds, len(primary), d.Report.SecondReviews, d.Report.SecondReviewsWanted, want)
		}
	}
}

// TestDrawDefaultSecondShare: without a share the plan stores 10%, and a
// draw of 12 calls sends one to a second reviewer.
func TestDrawDefaultSecondShare(t *testing.T) {
	w := newDrawWorld(t)
	p := w.plan(t, nil)
	if p.SecondReviewShare == nil || *p.SecondReviewShare != DefaultSecondReviewShare {
		t.Fatalf("stored share %v, want %v", p.SecondReviewShare, DefaultSecondReviewShare)
	}
	d := w.draw(t, p.ID, 3)
	if d.Report.SecondReviews != 1 {
		t.Errorf("%d second reviews of 12 calls, want round(1.2) = 1", d.Report.SecondReviews)
	}
}

// TestDrawCaps: caps hold; what does not fit is reported unassigned, and
// the shortfall of reviewers is spread over agents.
func TestDrawCaps(t *testing.T) {
	w := newDrawWorld(t)
	none := 0.0
	p := w.plan(t, func(in *PlanInput) {
		in.Reviewers = []PoolReviewer{{UserID: w.rae.ID, Cap: 3}, {UserID: w.sol.ID, Cap: 4}}
		in.SecondReviewShare = &none
	})
	d := w.draw(t, p.ID, 11)
	load := map[int64]int{}
	unassigned := map[int64]int{}
	for _, it := range d.Items {
		if it.ReviewerID == nil {
			unassigned[it.AgentID]++
			continue
		}
		load[*it.ReviewerID]++
	}
	if load[w.rae.ID] != 3 || load[w.sol.ID] != 4 || d.Report.Unassigned != 5 {
		t.Errorf("loads %v, %d unassigned; want Rae 3, Sol 4, 5 unassigned", load, d.Report.Unassigned)
	}
	for _, r := range d.Report.Reviewers {
		if r.Cap > 0 && r.Assigned > r.Cap {
			t.Errorf("reviewer %d got %d calls over a cap of %d", r.UserID, r.Assigned, r.Cap)
		}
	}
	// Round-robin over agents: Cy's two calls are served before the
	// third calls of Ana and Ben.
	if unassigned[w.cy.ID] != 0 || unassigned[w.ana.ID] > 3 || unassigned[w.ben.ID] > 3 {
		t.Errorf("unassigned by agent %v, want none of Cy's and the rest split", unassigned)
	}
}

// TestDrawExample prints a draw of the test world, for reading with -v:
// the seed, each agent's report and the assignments.
func TestDrawExample(t *testing.T) {
	w := newDrawWorld(t)
	share := 0.2
	p := w.plan(t, func(in *PlanInput) { in.SecondReviewShare = &share })
	d := w.draw(t, p.ID, 20260302)
	names := map[int64]string{w.rae.ID: "rae", w.sol.ID: "sol", w.tom.ID: "tom (agent Ben)"}
	agents := map[int64]string{w.ana.ID: "Ana", w.ben.ID: "Ben", w.cy.ID: "Cy"}
	t.Logf("plan %q, period %s to %s, seed %d", d.Params.PlanName, d.Params.Period.Days[0],
		d.Params.Period.Days[len(d.Params.Period.Days)-1], d.Seed)
	for _, a := range d.Report.Agents {
		t.Logf("agent %-4s quota %d eligible %2d drawn %d shortfall %d reviewers %v days %v",
			a.Name, a.Quota, a.Eligible, a.Drawn, a.Shortfall, a.Reviewers, a.Days)
	}
	for _, r := range d.Report.Reviewers {
		t.Logf("reviewer %-16s assigned %d (second reviews %d)", names[r.UserID], r.Assigned, r.SecondReviews)
	}
	for _, it := range d.Items {
		kind := "first"
		if it.SecondReview {
			kind = "second"
		}
		t.Logf("%s %s %-4s %s -> %-16s %s", it.Day, it.StartedAt.Format("15:04"), agents[it.AgentID],
			it.CallID, names[*it.ReviewerID], kind)
	}
	report, _ := json.Marshal(reportOf(t, d, w.cy.ID))
	t.Logf("report of Cy as JSON: %s", report)
}
