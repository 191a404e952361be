package qa

import (
	"math/rand/v2"
	"slices"
)

// candidate is an eligible call of one agent.
type candidate struct {
	callID    string
	startedAt int64 // unix milliseconds
	day       int   // index into the period's days
}

// selectCalls draws min(quota, len(calls)) of one agent's calls, uniformly
// at random within each day with SpreadDays, or among all calls with
// SpreadNone. calls must be in a fixed order (by start, then id) for the
// draw to be reproducible; the result indexes calls, in ascending order.
func selectCalls(rng *rand.Rand, calls []candidate, days, quota int, spread Spread) []int {
	k := min(quota, len(calls))
	if spread == SpreadNone {
		all := make([]int, len(calls))
		for i := range all {
			all[i] = i
		}
		return pickUniform(rng, all, k)
	}
	byDay := make([][]int, days)
	for i, c := range calls {
		byDay[c.day] = append(byDay[c.day], i)
	}
	counts := make([]int, days)
	for d := range byDay {
		counts[d] = len(byDay[d])
	}
	var out []int
	for d, n := range allocateDays(rng, counts, k) {
		out = append(out, pickUniform(rng, byDay[d], n)...)
	}
	slices.Sort(out)
	return out
}

// pickUniform returns k of from, each k-subset equally likely: the first
// k steps of a Fisher-Yates shuffle of a copy. The result is sorted.
func pickUniform(rng *rand.Rand, from []int, k int) []int {
	if k <= 0 {
		return nil
	}
	pool := slices.Clone(from)
	for i := range k {
		j := i + rng.IntN(len(pool)-i)
		pool[i], pool[j] = pool[j], pool[i]
	}
	out := pool[:k]
	slices.Sort(out)
	return out
}

// allocateDays splits k calls over days that hold counts[d] calls each, as
// evenly as the counts allow: every day gets the same share, a day short of
// calls gives all it has and its shortfall is shared among the others, and
// what cannot be split evenly goes to days chosen at random. k must not
// exceed the sum of counts.
func allocateDays(rng *rand.Rand, counts []int, k int) []int {
	alloc := make([]int, len(counts))
	need := k
	for need > 0 {
		var open []int
		for d, n := range counts {
			if alloc[d] < n {
				open = append(open, d)
			}
		}
		if len(open) == 0 {
			break // k was more than the calls; give what there is
		}
		share := need / len(open)
		if share == 0 {
			for _, i := range rng.Perm(len(open))[:need] {
				alloc[open[i]]++
			}
			break
		}
		for _, d := range open {
			give := min(share, counts[d]-alloc[d])
			alloc[d] += give
			need -= give
		}
	}
	return alloc
}
