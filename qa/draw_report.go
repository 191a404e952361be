package qa

import (
	"cmp"
	"slices"
)

// DrawReport says what a draw found and did, for the manager who reads it
// and for the agents whose samples fell short.
type DrawReport struct {
	Agents    []AgentDraw       `json:"agents"`
	Reviewers []ReviewerLoad    `json:"reviewers"`
	Skipped   []SkippedReviewer `json:"skipped_reviewers,omitempty"`
	// Drawn counts sampled calls, Shortfall the calls the quota asked for
	// beyond those eligible, over all agents.
	Drawn     int `json:"drawn"`
	Shortfall int `json:"shortfall"`
	// Unassigned counts sampled calls no reviewer could take (caps, or a
	// pool that holds only the agent).
	Unassigned int `json:"unassigned"`
	// SecondReviews were made of SecondReviewsWanted.
	SecondReviews       int `json:"second_reviews"`
	SecondReviewsWanted int `json:"second_reviews_wanted"`
}

// AgentDraw is one agent's part of a draw.
type AgentDraw struct {
	AgentID  int64  `json:"agent_id"`
	Name     string `json:"name"`
	Quota    int    `json:"quota"`
	Eligible int    `json:"eligible"`
	Drawn    int    `json:"drawn"`
	// Shortfall is how many calls short of the quota the agent's sample
	// is: fewer eligible calls than the quota, or calls removed without a
	// replacement.
	Shortfall int `json:"shortfall"`
	// Replaced counts calls swapped for another; Removed those for which
	// no other call was left.
	Replaced int `json:"replaced,omitempty"`
	Removed  int `json:"removed,omitempty"`
	// Reviewers are the users who review the agent's calls.
	Reviewers []int64    `json:"reviewers"`
	Days      []DayCount `json:"days,omitempty"`
}

// DayCount is an agent's calls on one day of the period: those eligible
// and those drawn. Days without eligible calls are left out.
type DayCount struct {
	Day      string `json:"day"`
	Eligible int    `json:"eligible"`
	Drawn    int    `json:"drawn"`
}

// ReviewerLoad is what one reviewer got from a draw.
type ReviewerLoad struct {
	UserID   int64  `json:"user_id"`
	Username string `json:"username"`
	// Cap is the reviewer's cap in the plan; zero means none.
	Cap           int `json:"cap"`
	Assigned      int `json:"assigned"`
	SecondReviews int `json:"second_reviews"`
}

// agentReport builds one agent's entry from its eligible and drawn calls.
func (in sampleInput) agentReport(a drawAgent, eligible []candidate, drawn []drawnCall) AgentDraw {
	quota, days := in.def.Quota, in.period.Days
	r := AgentDraw{AgentID: a.id, Name: a.name, Quota: quota, Eligible: len(eligible),
		Drawn: len(drawn), Shortfall: quota - len(drawn), Reviewers: []int64{}}
	perDay := make([]DayCount, len(days))
	for _, c := range eligible {
		perDay[c.day].Eligible++
	}
	for _, c := range drawn {
		perDay[c.cand.day].Drawn++
	}
	for i, dc := range perDay {
		if dc.Eligible > 0 {
			dc.Day = days[i]
			r.Days = append(r.Days, dc)
		}
	}
	return r
}

// finish fills in the totals and the reviewers' loads.
func (r *DrawReport) finish(a *assigner, byAgent [][]drawnCall, seconds []drawnCall, wanted int) {
	for i := range r.Agents {
		ag := &r.Agents[i]
		r.Drawn += ag.Drawn
		r.Shortfall += ag.Shortfall
		ag.Reviewers = append(ag.Reviewers, a.agents[ag.AgentID]...)
	}
	for _, calls := range byAgent {
		for _, c := range calls {
			if c.reviewer == nil {
				r.Unassigned++
			}
		}
	}
	r.SecondReviews, r.SecondReviewsWanted = len(seconds), wanted
	r.Reviewers = []ReviewerLoad{}
	for _, m := range a.pool {
		r.Reviewers = append(r.Reviewers, ReviewerLoad{UserID: m.userID, Username: m.username,
			Cap: m.cap, Assigned: m.load, SecondReviews: m.seconds})
	}
	slices.SortFunc(r.Reviewers, func(x, y ReviewerLoad) int { return cmp.Compare(x.UserID, y.UserID) })
}
