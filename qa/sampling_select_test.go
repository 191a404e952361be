package qa

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// Settings of the statistical tests. The seeds are fixed, so each test
// computes the same statistic on every run: it cannot flake, and a change
// to the draw that moves it is a change to look at.
const (
	statDraws = 2000  // seeded draws per test
	statAlpha = 0.001 // the significance level
)

// drawRNG is the random stream a draw with seed uses.
func drawRNG(seed int64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), pcgStream))
}

// weekCalls returns candidates with perDay[d] calls on day d.
func weekCalls(perDay []int) []candidate {
	var out []candidate
	for d, n := range perDay {
		for range n {
			out = append(out, candidate{callID: string(rune('A' + len(out))), day: d})
		}
	}
	return out
}

// countPicks runs pick over statDraws seeds and counts how often each of n
// calls is picked; it fails the test if a draw picks a call twice or not k
// calls.
func countPicks(t *testing.T, n, k int, pick func(rng *rand.Rand) []int) []int {
	t.Helper()
	counts := make([]int, n)
	for seed := int64(1); seed <= statDraws; seed++ {
		got := pick(drawRNG(seed))
		if len(got) != k || len(slices.Compact(slices.Clone(got))) != k {
			t.Fatalf("seed %d picked %v, want %d distinct calls", seed, got, k)
		}
		for _, i := range got {
			counts[i]++
		}
	}
	return counts
}

// sattoloPick is a deliberately broken pick: the classic off-by-one in a
// Fisher-Yates shuffle (j drawn from i+1 on, never i itself), which makes
// some calls likelier than others. The test must catch it.
func sattoloPick(rng *rand.Rand, n, k int) []int {
	pool := make([]int, n)
	for i := range pool {
		pool[i] = i
	}
	for i := range k {
		j := i + 1 + rng.IntN(n-i-1)
		pool[i], pool[j] = pool[j], pool[i]
	}
	return pool[:k]
}

// TestDrawUniformWithinAgent: 2000 seeded draws of 3 calls out of an
// agent's 12, without spreading over days; every call must be picked
// equally often, up to chance. The same test must reject a pick with a
// known bias, which shows it has the power to see one.
func TestDrawUniformWithinAgent(t *testing.T) {
	const n, k = 12, 3
	calls := weekCalls([]int{4, 1, 0, 3, 2, 0, 2})
	counts := countPicks(t, n, k, func(rng *rand.Rand) []int {
		return selectCalls(rng, calls, 7, k, SpreadNone)
	})
	x, df := chiSquareUniform(counts, statDraws, k)
	p := chiSquareSF(x, df)
	t.Logf("uniform draw: counts %v (expected %d each), chi-square %.2f, df %d, p = %.4f",
		counts, statDraws*k/n, x, df, p)
	if math.IsNaN(p) || p <= statAlpha {
		t.Errorf("selection is not uniform: chi-square %.2f, df %d, p = %.2g <= %g", x, df, p, statAlpha)
	}

	biased := countPicks(t, n, k, func(rng *rand.Rand) []int { return sattoloPick(rng, n, k) })
	bx, bdf := chiSquareUniform(biased, statDraws, k)
	bp := chiSquareSF(bx, bdf)
	t.Logf("biased pick: counts %v, chi-square %.2f, p = %.2g (0: below 1e-15)", biased, bx, bp)
	if math.IsNaN(bp) || bp > statAlpha {
		t.Errorf("the test misses a biased pick: chi-square %.2f, p = %.2g > %g", bx, bp, statAlpha)
	}
}

// TestDrawUniformWithinDays: with the quota spread over days, a week of
// 24 calls, unevenly spread, and a quota of 7 gives one call a day; within
// each day every call must be picked equally often. The per-day statistics
// add up to one chi-square with the sum of their degrees of freedom.
func TestDrawUniformWithinDays(t *testing.T) {
	perDay := []int{2, 3, 4, 5, 1, 6, 3}
	calls := weekCalls(perDay)
	counts := countPicks(t, len(calls), 7, func(rng *rand.Rand) []int {
		got := selectCalls(rng, calls, 7, 7, SpreadDays)
		days := map[int]bool{}
		for _, i := range got {
			days[calls[i].day] = true
		}
		if len(days) != 7 {
			t.Fatalf("picked %v: %d days, want one call on each of 7", got, len(days))
		}
		return got
	})
	x, df, first := 0.0, 0, 0
	for _, n := range perDay {
		dx, ddf := chiSquareUniform(counts[first:first+n], statDraws, 1)
		x, df, first = x+dx, df+ddf, first+n
	}
	p := chiSquareSF(x, df)
	t.Logf("per-day draw: counts %v, chi-square %.2f, df %d, p = %.4f", counts, x, df, p)
	if df != 17 || math.IsNaN(p) || p <= statAlpha {
		t.Errorf("selection within days is not uniform: chi-square %.2f, df %d, p = %.2g", x, df, p)
	}
}

// TestDrawRemainderDaysUniform: a quota smaller than the days goes to days
// chosen uniformly at random.
func TestDrawRemainderDaysUniform(t *testing.T) {
	counts := make([]int, 7)
	for seed := int64(1); seed <= statDraws; seed++ {
		for d, n := range allocateDays(drawRNG(seed), []int{5, 5, 5, 5, 5, 5, 5}, 3) {
			counts[d] += n
		}
	}
	x, df := chiSquareUniform(counts, statDraws, 3)
	if p := chiSquareSF(x, df); math.IsNaN(p) || p <= statAlpha {
		t.Errorf("remainder days %v are not uniform: chi-square %.2f, p = %.2g", counts, x, p)
	}
}

func TestSamplingAllocateDays(t *testing.T) {
	tests := []struct {
		name   string
		counts []int
		k      int
		want   []int // nil: check only the sum and the evenness
	}{
		{name: "even", counts: []int{5, 5, 5, 5, 5, 0, 0}, k: 10, want: []int{2, 2, 2, 2, 2, 0, 0}},
		{name: "short day shared out", counts: []int{1, 10, 10}, k: 9, want: []int{1, 4, 4}},
		{name: "two short days", counts: []int{0, 1, 2, 9}, k: 9, want: []int{0, 1, 2, 6}},
		{name: "fewer calls than the quota", counts: []int{2, 0, 2}, k: 4, want: []int{2, 0, 2}},
		{name: "remainder", counts: []int{5, 5, 5, 5}, k: 6},
		{name: "nothing", counts: []int{0, 0}, k: 0, want: []int{0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := allocateDays(drawRNG(1), tt.counts, tt.k)
			if tt.want != nil {
				if !slices.Equal(got, tt.want) {
					t.Errorf("allocateDays(%v, %d) = %v, want %v", tt.counts, tt.k, got, tt.want)
				}
				return
			}
			sum := 0
			for _, n := range got {
				sum += n
			}
			if sum != tt.k || slices.Max(got)-slices.Min(got) > 1 {
				t.Errorf("allocateDays(%v, %d) = %v, want %d calls within one of each other",
					tt.counts, tt.k, got, tt.k)
			}
		})
	}
}
