package qa

import (
	"math"
	"math/rand/v2"
	"slices"
)

// drawnCall is a call a draw picked, and who reviews it.
type drawnCall struct {
	agentID int64
	cand    candidate
	// reviewer is the user assigned, or nil when every reviewer was at
	// their cap or was the agent.
	reviewer *poolMember
	second   bool
}

// assigner hands out reviews: for each call, the reviewer who has reviewed
// the call's agent least in this draw, then the least loaded, then the
// first in a rotation order drawn at random. So an agent's calls go to as
// many different reviewers as the pool allows, and the load evens out.
type assigner struct {
	pool     []*poolMember     // in rotation order
	perAgent map[[2]int64]int  // reviews by (user, agent)
	agents   map[int64][]int64 // distinct reviewers of each agent, in order
}

func newAssigner(rng *rand.Rand, pool []*poolMember) *assigner {
	a := &assigner{perAgent: map[[2]int64]int{}, agents: map[int64][]int64{}}
	for _, i := range rng.Perm(len(pool)) {
		a.pool = append(a.pool, pool[i])
	}
	return a
}

// pick returns the reviewer for a call of agentID, never the agent
// themself nor the user not, or nil when nobody has room.
func (a *assigner) pick(agentID, not int64) *poolMember {
	var best *poolMember
	for _, m := range a.pool {
		own := m.agentID != nil && *m.agentID == agentID
		full := m.cap > 0 && m.load >= m.cap
		if own || full || m.userID == not {
			continue
		}
		if best == nil || a.before(m, best, agentID) {
			best = m
		}
	}
	return best
}

// before reports whether m should get agentID's next call rather than
// best; on a tie the one earlier in the rotation, best, keeps it.
func (a *assigner) before(m, best *poolMember, agentID int64) bool {
	mi, bi := a.perAgent[[2]int64{m.userID, agentID}], a.perAgent[[2]int64{best.userID, agentID}]
	if mi != bi {
		return mi < bi
	}
	return m.load < best.load
}

func (a *assigner) give(m *poolMember, agentID int64, second bool) {
	key := [2]int64{m.userID, agentID}
	if a.perAgent[key] == 0 {
		a.agents[agentID] = append(a.agents[agentID], m.userID)
	}
	a.perAgent[key]++
	m.load++
	if second {
		m.seconds++
	}
}

// assignPrimaries gives every drawn call its reviewer. Calls are taken
// round-robin across agents (each agent's first call, then each one's
// second...), so that when the caps run out the shortfall is spread over
// agents instead of falling on the last ones.
func (a *assigner) assignPrimaries(byAgent [][]drawnCall) []*drawnCall {
	var order []*drawnCall
	for round := 0; ; round++ {
		more := false
		for _, calls := range byAgent {
			if round < len(calls) {
				order = append(order, &calls[round])
				more = true
			}
		}
		if !more {
			break
		}
	}
	for _, c := range order {
		if m := a.pick(c.agentID, 0); m != nil {
			c.reviewer = m
			a.give(m, c.agentID, false)
		}
	}
	return order
}

// secondReviews picks round(share × calls) of the assigned calls uniformly
// at random and gives each a second, different reviewer. It returns the
// second reviews made and how many were wanted; fewer are made when
// nobody else has room.
func (a *assigner) secondReviews(rng *rand.Rand, calls []*drawnCall, share float64) ([]drawnCall, int) {
	var assigned []*drawnCall
	for _, c := range calls {
		if c.reviewer != nil {
			assigned = append(assigned, c)
		}
	}
	want := min(int(math.Round(share*float64(len(calls)))), len(assigned))
	chosen := rng.Perm(len(assigned))[:want]
	slices.Sort(chosen) // assign in a fixed order, whatever the permutation
	var out []drawnCall
	for _, i := range chosen {
		c := assigned[i]
		m := a.pick(c.agentID, c.reviewer.userID)
		if m == nil {
			continue
		}
		a.give(m, c.agentID, true)
		out = append(out, drawnCall{agentID: c.agentID, cand: c.cand, reviewer: m, second: true})
	}
	return out, want
}
