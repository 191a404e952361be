package qa

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// pairedScores: reviewers 1 and 2 score calls a-c; reviewer 1 is 8, 8 and
// 10 points above reviewer 2. With two reviewers the model is a paired
// t-test: mean difference 8.667 (biases ±4.333), SD of the differences
// 1.155, so SE of a bias √(1.333/3)/2 = 0.333 and, with t(0.975, 2) =
// 4.303, the interval ±1.434. Residual variance: ½ Σ(d - d̄)² / 2 = 0.667.
var pairedScores = []CallScore{
	{CallID: "a", ReviewerID: 1, AgentID: 7, Value: 80},
	{CallID: "a", ReviewerID: 2, AgentID: 7, Value: 72},
	{CallID: "b", ReviewerID: 1, AgentID: 7, Value: 90},
	{CallID: "b", ReviewerID: 2, AgentID: 7, Value: 82},
	{CallID: "c", ReviewerID: 2, AgentID: 8, Value: 60},
	{CallID: "c", ReviewerID: 1, AgentID: 8, Value: 70},
	// Scored once: no evidence of bias.
	{CallID: "d", ReviewerID: 1, AgentID: 8, Value: 75},
	{CallID: "e", ReviewerID: 3, AgentID: 8, Value: 65},
}

func TestEstimateBiasPairedExample(t *testing.T) {
	got, err := EstimateBias(pairedScores, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []ReviewerBias{
		{ReviewerID: 1, Bias: 4.3333, Low: 2.8991, High: 5.7676, SE: 0.3333,
			SharedCalls: 3, Scores: 3},
		{ReviewerID: 2, Bias: -4.3333, Low: -5.7676, High: -2.8991, SE: 0.3333,
			SharedCalls: 3, Scores: 3},
	}
	if len(got.Reviewers) != len(want) {
		t.Fatalf("got %d reviewers, want %d", len(got.Reviewers), len(want))
	}
	for i, w := range want {
		if g := got.Reviewers[i]; !sameBias(g, w) {
			t.Errorf("reviewer %d: got %+v, want %+v", w.ReviewerID, g, w)
		}
	}
	if math.Abs(got.ResidualSD-math.Sqrt(2.0/3)) > 1e-9 ||
		!slices.Equal(got.Unlinked, []int64{3}) || got.Tolerance != DefaultBiasTolerance {
		t.Errorf("residual SD %.4f, unlinked %v, tolerance %v; want 0.8165, [3], 5",
			got.ResidualSD, got.Unlinked, got.Tolerance)
	}
}

func TestEstimateBiasFlagsBeyondTolerance(t *testing.T) {
	tests := []struct {
		name      string
		tolerance float64
		wantFlags []bool // reviewers 1 and 2
	}{
		{name: "default tolerance", tolerance: 0, wantFlags: []bool{false, false}},
		{name: "tighter than the bias", tolerance: 4, wantFlags: []bool{true, true}},
		{name: "just beyond the bias", tolerance: 4.34, wantFlags: []bool{false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EstimateBias(pairedScores, tt.tolerance)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range got.Reviewers {
				if r.Flagged != tt.wantFlags[i] {
					t.Errorf("reviewer %d (bias %.3f): flagged %v, want %v",
						r.ReviewerID, r.Bias, r.Flagged, tt.wantFlags[i])
				}
			}
		})
	}
}

func TestEstimateBiasLinksReviewers(t *testing.T) {
	// pair returns two calls both scored by reviewers a and b.
	pair := func(name string, a, b int64) []CallScore {
		return []CallScore{
			{CallID: name + "1", ReviewerID: a, Value: 80},
			{CallID: name + "1", ReviewerID: b, Value: 75},
			{CallID: name + "2", ReviewerID: a, Value: 60},
			{CallID: name + "2", ReviewerID: b, Value: 58},
		}
	}
	tests := []struct {
		name         string
		scores       []CallScore
		wantLinked   []int64
		wantUnlinked []int64
	}{
		{name: "separate pair", scores: append(slices.Clone(pairedScores),
			CallScore{CallID: "f", ReviewerID: 4, Value: 70},
			CallScore{CallID: "f", ReviewerID: 5, Value: 75}),
			wantLinked: []int64{1, 2}, wantUnlinked: []int64{3, 4, 5}},
		// 0 shares with 9, 9 with 3, 3 with 7: one chain, whatever the
		// order the links are met in; 5 and 6 form a smaller group.
		{name: "chain",
			scores: slices.Concat(pair("x", 9, 3), pair("y", 0, 9), pair("z", 3, 7),
				pair("w", 5, 6)),
			wantLinked: []int64{0, 3, 7, 9}, wantUnlinked: []int64{5, 6}},
		{name: "tie goes to the lowest ID",
			scores:     slices.Concat(pair("x", 8, 9), pair("y", 2, 4)),
			wantLinked: []int64{2, 4}, wantUnlinked: []int64{8, 9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EstimateBias(tt.scores, 0)
			if err != nil {
				t.Fatal(err)
			}
			var linked []int64
			for _, r := range got.Reviewers {
				linked = append(linked, r.ReviewerID)
			}
			if !slices.Equal(linked, tt.wantLinked) ||
				!slices.Equal(got.Unlinked, tt.wantUnlinked) {
				t.Errorf("estimated %v, unlinked %v; want %v, %v",
					linked, got.Unlinked, tt.wantLinked, tt.wantUnlinked)
			}
		})
	}
}

func TestEstimateBiasRejects(t *testing.T) {
	tests := []struct {
		name    string
		scores  []CallScore
		wantErr error // nil: any error
	}{
		{name: "no scores", scores: nil, wantErr: ErrTooFewShared},
		{name: "no shared call", scores: pairedScores[6:], wantErr: ErrTooFewShared},
		// Two scores of one call fix two biases exactly: nothing is left to
		// measure the noise with.
		{name: "no degree of freedom", scores: pairedScores[:2], wantErr: ErrTooFewShared},
		{name: "same reviewer twice", scores: []CallScore{
			{CallID: "a", ReviewerID: 1, Value: 80}, {CallID: "a", ReviewerID: 1, Value: 82},
		}, wantErr: ErrTooFewShared},
		{name: "not a number", scores: append(slices.Clone(pairedScores),
			CallScore{CallID: "a", ReviewerID: 3, Value: math.NaN()})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := EstimateBias(tt.scores, 0)
			if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestAdjustAgentScoresWorked(t *testing.T) {
	// A report kept without its covariance: only the SEs count.
	stored := BiasReport{Reviewers: []ReviewerBias{
		{ReviewerID: 1, Bias: 4, SE: 1},
		{ReviewerID: 2, Bias: -2, SE: 0.5},
	}}
	paired, err := EstimateBias(pairedScores, 0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		scores []CallScore
		report BiasReport
		want   AgentAdjusted
	}{
		// Adjusted 80, 76, 72: mean 76, s 4; weights ⅔ and ⅓ give a bias
		// variance of 4/9 × 1 + 1/9 × 0.25 = 0.472; √(16/3 + 0.472) × t(2)
		// = 10.367. Raw: 78 ± 4.303 × 7.211 / √3 = 17.914.
		{name: "stored report", report: stored, scores: []CallScore{
			{AgentID: 7, ReviewerID: 1, Value: 84},
			{AgentID: 7, ReviewerID: 1, Value: 80},
			{AgentID: 7, ReviewerID: 2, Value: 70},
		}, want: AgentAdjusted{AgentID: 7,
			Raw:      Interval{N: 3, Mean: 78, Low: ptrTo(60.086), High: ptrTo(95.914)},
			Adjusted: Interval{N: 3, Mean: 76, Low: ptrTo(65.633), High: ptrTo(86.367)},
		}},
		// Reviewer 3 has no estimate: bias 0, variance the mean square of
		// the known biases, (16 + 4) / 2 = 10. s 7.071: √(25 + 10) × t(1)
		// = 75.17.
		{name: "unestimated reviewer", report: stored, scores: []CallScore{
			{AgentID: 8, ReviewerID: 3, Value: 60},
			{AgentID: 8, ReviewerID: 3, Value: 70},
		}, want: AgentAdjusted{AgentID: 8,
			Raw:      Interval{N: 2, Mean: 65, Low: ptrTo(1.469), High: ptrTo(128.531)},
			Adjusted: Interval{N: 2, Mean: 65, Low: ptrTo(-10.17), High: ptrTo(140.17)},
		}},
		// One score from each of two reviewers whose biases sum to zero:
		// their average bias is known exactly, so only the spread counts.
		// Adjusted 75.667 and 74.333: s 0.943, ± 12.706 × 0.943 / √2.
		{name: "full covariance", report: paired, scores: []CallScore{
			{AgentID: 9, ReviewerID: 1, Value: 80},
			{AgentID: 9, ReviewerID: 2, Value: 70},
		}, want: AgentAdjusted{AgentID: 9,
			Raw:      Interval{N: 2, Mean: 75, Low: ptrTo(11.469), High: ptrTo(138.531)},
			Adjusted: Interval{N: 2, Mean: 75, Low: ptrTo(66.529), High: ptrTo(83.471)},
		}},
		{name: "one score", report: stored, scores: []CallScore{
			{AgentID: 10, ReviewerID: 1, Value: 90},
		}, want: AgentAdjusted{AgentID: 10,
			Raw:      Interval{N: 1, Mean: 90},
			Adjusted: Interval{N: 1, Mean: 86},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AdjustAgentScores(tt.scores, tt.report)
			if len(got) != 1 || got[0].AgentID != tt.want.AgentID ||
				!sameInterval(got[0].Raw, tt.want.Raw) ||
				!sameInterval(got[0].Adjusted, tt.want.Adjusted) {
				t.Errorf("got %s, want %s",
					describeAdjusted(got), describeAdjusted([]AgentAdjusted{tt.want}))
			}
		})
	}
}

// biasSimConfig describes a simulated contact center.
type biasSimConfig struct {
	biases         []float64 // true bias of reviewers 1, 2, ...
	agents         int
	sharedCalls    int     // calls scored by two or three reviewers
	singlePerAgent int     // calls per agent scored by one reviewer
	callSD         float64 // spread of a call's quality around its agent's
	noiseSD        float64 // spread of a score around quality plus bias
}

// biasSim is one simulated run: the truth and the scores it produced.
type biasSim struct {
	quality []float64 // true quality of agents 1, 2, ...
	shared  []CallScore
	// single are evaluations scored once, by the agent's team reviewer
	// three times in four: what reviewer an agent draws is not random.
	single []CallScore
}

func simulateBias(seed uint64, cfg biasSimConfig) biasSim {
	rng := rand.New(rand.NewPCG(seed, 0xb1a5))
	sim := biasSim{quality: make([]float64, cfg.agents)}
	for a := range sim.quality {
		sim.quality[a] = 60 + 30*rng.Float64()
	}
	score := func(call string, agent, reviewer int) CallScore {
		return CallScore{CallID: call, AgentID: int64(agent + 1), ReviewerID: int64(reviewer + 1)}
	}
	value := func(q float64, reviewer int) float64 {
		return q + cfg.biases[reviewer] + cfg.noiseSD*rng.NormFloat64()
	}
	for c := range cfg.sharedCalls {
		agent := rng.IntN(cfg.agents)
		q := sim.quality[agent] + cfg.callSD*rng.NormFloat64()
		for _, r := range rng.Perm(len(cfg.biases))[:2+rng.IntN(2)] {
			s := score(fmt.Sprintf("shared-%d", c), agent, r)
			s.Value = value(q, r)
			sim.shared = append(sim.shared, s)
		}
	}
	for agent := range cfg.agents {
		for j := range cfg.singlePerAgent {
			r := agent % len(cfg.biases)
			if rng.IntN(4) == 0 {
				r = rng.IntN(len(cfg.biases))
			}
			s := score(fmt.Sprintf("single-%d-%d", agent, j), agent, r)
			s.Value = value(sim.quality[agent]+cfg.callSD*rng.NormFloat64(), r)
			sim.single = append(sim.single, s)
		}
	}
	return sim
}

// The test: on simulated data the model recovers each reviewer's
// bias within the interval it reports in at least 90% of runs.
func TestEstimateBiasCoverageSimulated(t *testing.T) {
	cfg := biasSimConfig{biases: []float64{-8, -3, 0, 4, 7}, agents: 12, sharedCalls: 60,
		singlePerAgent: 8, callSD: 4, noiseSD: 5}
	const runs = 200
	covered, total, width := 0, 0, 0.0
	for seed := range uint64(runs) {
		sim := simulateBias(seed, cfg)
		report, err := EstimateBias(append(sim.shared, sim.single...), 0)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if len(report.Reviewers) != len(cfg.biases) {
			t.Fatalf("seed %d: %d reviewers estimated, unlinked %v",
				seed, len(report.Reviewers), report.Unlinked)
		}
		for i, r := range report.Reviewers {
			total++
			width += r.High - r.Low
			if r.Low <= cfg.biases[i] && cfg.biases[i] <= r.High {
				covered++
			}
		}
	}
	coverage := float64(covered) / float64(total)
	t.Logf("95%% intervals cover the true bias in %d of %d reviewer-runs (%.1f%%), "+
		"mean width %.2f points", covered, total, 100*coverage, width/float64(total))
	if coverage < 0.90 {
		t.Errorf("coverage %.3f, want at least 0.90", coverage)
	}
}

// Reviewers far from the tolerance are flagged exactly when their true
// bias is beyond it.
func TestEstimateBiasFlagsSimulated(t *testing.T) {
	cfg := biasSimConfig{biases: []float64{-12, -1, 0, 1, 12}, agents: 12, sharedCalls: 60,
		singlePerAgent: 0, callSD: 4, noiseSD: 5}
	for seed := range uint64(50) {
		report, err := EstimateBias(simulateBias(seed, cfg).shared, 0)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		for i, r := range report.Reviewers {
			if want := math.Abs(cfg.biases[i]) > DefaultBiasTolerance; r.Flagged != want {
				t.Errorf("seed %d, reviewer %d: true bias %v, estimate %.2f, flagged %v",
					seed, r.ReviewerID, cfg.biases[i], r.Bias, r.Flagged)
			}
		}
	}
}

// Adjusted agent means are closer to the agents' true quality than raw
// means, and their intervals, widened by the bias uncertainty, cover it.
func TestAdjustAgentScoresSimulated(t *testing.T) {
	cfg := biasSimConfig{biases: []float64{-8, -3, 0, 4, 7}, agents: 12, sharedCalls: 60,
		singlePerAgent: 8, callSD: 4, noiseSD: 5}
	var rawErr, adjErr float64
	var rawCovered, adjCovered, agents int
	for seed := range uint64(200) {
		sim := simulateBias(seed, cfg)
		report, err := EstimateBias(append(sim.shared, sim.single...), 0)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		for _, a := range AdjustAgentScores(sim.single, report) {
			q := sim.quality[a.AgentID-1]
			agents++
			rawErr += math.Abs(a.Raw.Mean - q)
			adjErr += math.Abs(a.Adjusted.Mean - q)
			if *a.Raw.Low <= q && q <= *a.Raw.High {
				rawCovered++
			}
			if *a.Adjusted.Low <= q && q <= *a.Adjusted.High {
				adjCovered++
			}
		}
	}
	n := float64(agents)
	t.Logf("mean distance to true quality: raw %.2f, adjusted %.2f points; "+
		"95%% intervals cover it: raw %.1f%%, adjusted %.1f%% (%d agent-runs)",
		rawErr/n, adjErr/n, 100*float64(rawCovered)/n, 100*float64(adjCovered)/n, agents)
	if adjErr >= rawErr {
		t.Errorf("adjusted means are no closer: %.2f against raw %.2f", adjErr/n, rawErr/n)
	}
	if float64(adjCovered)/n < 0.90 {
		t.Errorf("adjusted intervals cover the true quality in %.1f%%, want at least 90%%",
			100*float64(adjCovered)/n)
	}
}

func sameBias(got, want ReviewerBias) bool {
	close := func(a, b float64) bool { return math.Abs(a-b) < 5e-4 }
	return got.ReviewerID == want.ReviewerID && close(got.Bias, want.Bias) &&
		close(got.Low, want.Low) && close(got.High, want.High) && close(got.SE, want.SE) &&
		got.SharedCalls == want.SharedCalls && got.Scores == want.Scores &&
		got.Flagged == want.Flagged
}

// sameInterval compares an interval's count, mean and bounds to 0.01.
func sameInterval(got, want Interval) bool {
	bound := func(a, b *float64) bool {
		if a == nil || b == nil {
			return a == nil && b == nil
		}
		return math.Abs(*a-*b) < 0.01
	}
	return got.N == want.N && math.Abs(got.Mean-want.Mean) < 0.01 &&
		bound(got.Low, want.Low) && bound(got.High, want.High)
}

func describeAdjusted(as []AgentAdjusted) string {
	iv := func(i Interval) string {
		if i.Low == nil {
			return fmt.Sprintf("%.3f (no interval)", i.Mean)
		}
		return fmt.Sprintf("%.3f [%.3f, %.3f]", i.Mean, *i.Low, *i.High)
	}
	s := ""
	for _, a := range as {
		s += fmt.Sprintf("agent %d: raw %s, adjusted %s; ", a.AgentID, iv(a.Raw), iv(a.Adjusted))
	}
	return s
}

func ptrTo(v float64) *float64 { return &v }

// TestBiasFlagOnFewCallsIsNotSignificant: two reviewers apart by 30
// points on one call and agreeing on the other are each 7.5 points from
// the middle, beyond the tolerance, but two calls cannot tell that from
// chance: the flag is set, Significant is not.
func TestBiasFlagOnFewCallsIsNotSignificant(t *testing.T) {
	scores := []CallScore{
		{CallID: "a", ReviewerID: 1, Value: 90}, {CallID: "a", ReviewerID: 2, Value: 60},
		{CallID: "b", ReviewerID: 1, Value: 70}, {CallID: "b", ReviewerID: 2, Value: 70},
	}
	r, err := EstimateBias(scores, DefaultBiasTolerance)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range r.Reviewers {
		if math.Abs(math.Abs(b.Bias)-7.5) > 1e-9 || !b.Flagged || b.Significant ||
			b.Low > 0 || b.High < 0 {
			t.Errorf("reviewer %+v, want ±7.5 flagged, its interval holding 0, not significant", b)
		}
	}
}
