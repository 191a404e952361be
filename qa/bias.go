package qa

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Reviewer bias: how much more leniently or severely each reviewer scores
// than the others on the same calls, and agents' scores corrected for it.

// DefaultBiasTolerance is how far, in points, a reviewer's bias may be from
// the average reviewer's before the reviewer is flagged, when EstimateBias
// is given no tolerance: the calibration tolerance.
const DefaultBiasTolerance = 5.0

// ErrTooFewShared is returned by EstimateBias when too few calls were
// scored by two or more reviewers to estimate any bias with a confidence
// interval: more calls need a second review.
var ErrTooFewShared = errors.New("qa: too few calls scored by two or more reviewers")

// CallScore is one reviewer's total score of one call of one agent, in
// points on the form's scale.
type CallScore struct {
	CallID     string
	ReviewerID int64
	AgentID    int64
	Value      float64
}

// ReviewerBias is one reviewer's estimated leniency or severity.
type ReviewerBias struct {
	ReviewerID int64 `json:"reviewer_id"`
	// Bias is how many points the reviewer scores above (lenient, positive)
	// or below (severe, negative) the average reviewer on the same calls.
	Bias float64 `json:"bias"`
	// Low and High bound the 95% confidence interval of Bias.
	Low  float64 `json:"ci_low"`
	High float64 `json:"ci_high"`
	// SE is the standard error of Bias.
	SE float64 `json:"se"`
	// SharedCalls is the number of calls the reviewer scored that another
	// reviewer also scored: the evidence behind Bias.
	SharedCalls int `json:"shared_calls"`
	// Scores is the number of the reviewer's scores of those calls.
	Scores int `json:"scores"`
	// Flagged is set when Bias is more than the tolerance from 0. It goes
	// by the estimate alone: the interval tells how sure it is.
	Flagged bool `json:"flagged"`
	// Significant is set when the 95% interval leaves out 0: the scores
	// tell this reviewer from an average one. A flag without it rests on
	// too few shared calls to act on.
	Significant bool `json:"significant"`
}

// BiasReport is the outcome of EstimateBias.
type BiasReport struct {
	// Reviewers holds one entry per reviewer linked to the others by shared
	// calls, by ReviewerID.
	Reviewers []ReviewerBias `json:"reviewers"`
	// Unlinked lists the reviewers, by ID, who scored calls but have no
	// estimate: they share no call with another reviewer, or share calls
	// only within a group that never overlaps the main one, so their bias
	// cannot be put on the same scale.
	Unlinked []int64 `json:"unlinked"`
	// ResidualSD is the spread, in points, of a score around the call's
	// quality plus the reviewer's bias: the noise left once both are known.
	ResidualSD float64 `json:"residual_sd"`
	// Tolerance is the tolerance the flags were set with.
	Tolerance float64 `json:"tolerance"`

	// cov is the covariance of the biases, in the order of Reviewers; nil
	// in a report not made by EstimateBias.
	cov *mat.SymDense
}

// EstimateBias estimates each reviewer's bias from the calls in scores that
// two or more different reviewers scored; the other scores are ignored. A
// tolerance of 0 or less means DefaultBiasTolerance.
//
// The model is additive: score(call, reviewer) = quality(call) +
// bias(reviewer) + noise, with independent noise of equal spread. Biases are
// identified by making them sum to zero over the linked reviewers, each
// reviewer counting once whatever the number of scores: a bias is relative
// to the average reviewer. The fit is least squares solved directly: call
// qualities are eliminated within each call, leaving normal equations
// A b = g for the biases, whose singular direction (all biases moved
// together) is closed by the constraint. The covariance of the biases is
// σ² A⁺ (the pseudo-inverse of A), σ² the residual variance on
// scores - calls - (reviewers - 1) degrees of freedom; the 95% interval is
// Bias ± t(0.975, df) × SE.
//
// Only the largest group of reviewers linked by shared calls is estimated
// (by number of scores); the others are listed in Unlinked. When fewer
// than two reviewers are linked, or no degree of freedom is left for the
// noise, the error wraps ErrTooFewShared.
func EstimateBias(scores []CallScore, tolerance float64) (BiasReport, error) {
	if tolerance <= 0 {
		tolerance = DefaultBiasTolerance
	}
	for _, s := range scores {
		if math.IsNaN(s.Value) || math.IsInf(s.Value, 0) {
			return BiasReport{}, fmt.Errorf(
				"estimate bias: call %q, reviewer %d: score %v is not a number",
				s.CallID, s.ReviewerID, s.Value)
		}
	}
	calls, reviewers := linkedCalls(scores)
	df := 0
	for _, c := range calls {
		df += len(c) - 1
	}
	df -= len(reviewers) - 1
	if len(reviewers) < 2 || df < 1 {
		return BiasReport{}, fmt.Errorf(
			"estimate bias: %d linked reviewers, %d degrees of freedom: %w",
			len(reviewers), df, ErrTooFewShared)
	}
	fit, err := fitBias(calls, reviewers)
	if err != nil {
		return BiasReport{}, fmt.Errorf("estimate bias: %w", err)
	}
	sigma2 := fit.rss / float64(df)
	fit.cov.ScaleSym(sigma2, fit.cov)
	report := BiasReport{
		ResidualSD: math.Sqrt(sigma2),
		Tolerance:  tolerance,
		Unlinked:   unlinkedReviewers(scores, reviewers),
		cov:        fit.cov,
	}
	t := tQuantile(df)
	for i, id := range reviewers {
		se := math.Sqrt(fit.cov.At(i, i))
		b := fit.bias[i]
		report.Reviewers = append(report.Reviewers, ReviewerBias{
			ReviewerID: id, Bias: b, Low: b - t*se, High: b + t*se, SE: se,
			SharedCalls: fit.calls[i], Scores: fit.scores[i],
			Flagged: math.Abs(b) > tolerance, Significant: b-t*se > 0 || b+t*se < 0,
		})
	}
	return report, nil
}

// AgentAdjusted is an agent's mean score as scored and with each
// reviewer's bias taken out.
type AgentAdjusted struct {
	AgentID  int64    `json:"agent_id"`
	Raw      Interval `json:"raw"`
	Adjusted Interval `json:"adjusted"`
}

// AdjustAgentScores returns, per agent in scores (by AgentID), the mean
// score raw and bias-adjusted, each with its 95% interval. The caller
// passes only the evaluations that count toward agents' scores.
//
// An adjusted score is the score minus the reviewer's estimated bias. A
// reviewer without an estimate in report is taken as average (bias 0) but
// as uncertain as a reviewer picked at random: with the variance of the
// estimated biases. The adjusted interval adds the uncertainty of the
// biases to that of the agent's own scores:
//
//	mean ± t(0.975, n-1) × √(s²/n + wᵀ C w)
//
// with s the spread of the adjusted scores, w the share of the agent's n
// scores given by each reviewer and C the covariance of the biases (only
// the variances, SE², in a report not made by EstimateBias, which
// overstates the width). The agent's scores and the bias estimates are
// treated as independent, which they are when the agent's calls did not
// serve to estimate the biases. MoreNeeded counts the agent's own spread
// only.
func AdjustAgentScores(scores []CallScore, report BiasReport) []AgentAdjusted {
	byAgent := make(map[int64][]CallScore)
	for _, s := range scores {
		byAgent[s.AgentID] = append(byAgent[s.AgentID], s)
	}
	agents := make([]int64, 0, len(byAgent))
	for id := range byAgent {
		agents = append(agents, id)
	}
	slices.Sort(agents)
	lookup := newBiasLookup(report)
	out := make([]AgentAdjusted, 0, len(agents))
	for _, id := range agents {
		out = append(out, adjustAgent(id, byAgent[id], lookup))
	}
	return out
}

func adjustAgent(id int64, scores []CallScore, lookup biasLookup) AgentAdjusted {
	raw := make([]float64, len(scores))
	adjusted := make([]float64, len(scores))
	weights := make(map[int64]float64)
	for i, s := range scores {
		raw[i] = s.Value
		adjusted[i] = s.Value - lookup.bias(s.ReviewerID)
		weights[s.ReviewerID] += 1 / float64(len(scores))
	}
	a := AgentAdjusted{AgentID: id, Raw: meanInterval(raw), Adjusted: meanInterval(adjusted)}
	if a.Adjusted.Low != nil {
		n := float64(len(scores))
		v := a.Adjusted.SD*a.Adjusted.SD/n + lookup.variance(weights)
		h := tQuantile(len(scores)-1) * math.Sqrt(v)
		low, high := a.Adjusted.Mean-h, a.Adjusted.Mean+h
		a.Adjusted.Low, a.Adjusted.High = &low, &high
	}
	return a
}

// biasLookup answers AdjustAgentScores' questions about a report.
type biasLookup struct {
	report  BiasReport
	index   map[int64]int // reviewer ID to position in report.Reviewers
	unknown float64       // the variance given an unestimated reviewer's bias
}

func newBiasLookup(report BiasReport) biasLookup {
	l := biasLookup{report: report, index: make(map[int64]int)}
	for i, r := range report.Reviewers {
		l.index[r.ReviewerID] = i
		l.unknown += r.Bias * r.Bias
	}
	if len(report.Reviewers) > 0 {
		// Biases average 0, so their variance is their mean square.
		l.unknown /= float64(len(report.Reviewers))
	}
	return l
}

func (l biasLookup) bias(reviewer int64) float64 {
	if i, ok := l.index[reviewer]; ok {
		return l.report.Reviewers[i].Bias
	}
	return 0
}

// variance returns wᵀ C w, the variance of the weighted sum of the biases.
func (l biasLookup) variance(weights map[int64]float64) float64 {
	v := 0.0
	for r1, w1 := range weights {
		i, ok := l.index[r1]
		if !ok {
			v += w1 * w1 * l.unknown
			continue
		}
		if l.report.cov == nil {
			se := l.report.Reviewers[i].SE
			v += w1 * w1 * se * se
			continue
		}
		for r2, w2 := range weights {
			if j, ok := l.index[r2]; ok {
				v += w1 * w2 * l.report.cov.At(i, j)
			}
		}
	}
	return v
}

// sharedCall is the scores of one call by two or more reviewers, as
// (reviewer position, value).
type sharedCall []biasObs

type biasObs struct {
	reviewer int
	value    float64
}

// linkedCalls returns the calls scored by two or more different reviewers
// within the largest group of reviewers linked by such calls, and that
// group's reviewer IDs in ascending order, which the calls' positions index.
func linkedCalls(scores []CallScore) ([]sharedCall, []int64) {
	byCall := make(map[string][]CallScore)
	for _, s := range scores {
		byCall[s.CallID] = append(byCall[s.CallID], s)
	}
	groups := make(reviewerGroups)
	var shared [][]CallScore
	for _, id := range slices.Sorted(maps.Keys(byCall)) {
		c := byCall[id]
		if !scoredByTwo(c) {
			continue
		}
		shared = append(shared, c)
		for _, s := range c[1:] {
			groups.join(c[0].ReviewerID, s.ReviewerID)
		}
	}
	main := groups.largest(shared)
	reviewers := slices.Sorted(maps.Keys(main))
	pos := make(map[int64]int, len(reviewers))
	for i, id := range reviewers {
		pos[id] = i
	}
	var calls []sharedCall
	for _, c := range shared {
		if !main[c[0].ReviewerID] {
			continue
		}
		call := make(sharedCall, len(c))
		for i, s := range c {
			call[i] = biasObs{reviewer: pos[s.ReviewerID], value: s.Value}
		}
		calls = append(calls, call)
	}
	return calls, reviewers
}

func scoredByTwo(c []CallScore) bool {
	for _, s := range c[1:] {
		if s.ReviewerID != c[0].ReviewerID {
			return true
		}
	}
	return false
}

func unlinkedReviewers(scores []CallScore, linked []int64) []int64 {
	var out []int64
	for _, s := range scores {
		if _, ok := slices.BinarySearch(linked, s.ReviewerID); !ok {
			out = append(out, s.ReviewerID)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// reviewerGroups is a union-find over reviewer IDs: each joined reviewer
// maps to another of its group, a group's root to nothing.
type reviewerGroups map[int64]int64

func (g reviewerGroups) root(id int64) int64 {
	for {
		parent, ok := g[id]
		if !ok {
			return id
		}
		if grand, ok := g[parent]; ok {
			g[id] = grand // halve the path
		}
		id = parent
	}
}

func (g reviewerGroups) join(a, b int64) {
	ra, rb := g.root(a), g.root(b)
	if ra != rb {
		g[max(ra, rb)] = min(ra, rb)
	}
}

// largest returns the members of the group with the most scores in calls,
// the group with the lowest reviewer ID on a tie.
func (g reviewerGroups) largest(calls [][]CallScore) map[int64]bool {
	weight := make(map[int64]int)
	for _, c := range calls {
		weight[g.root(c[0].ReviewerID)] += len(c)
	}
	best, bestWeight := int64(0), 0
	for _, root := range slices.Sorted(maps.Keys(weight)) {
		if weight[root] > bestWeight {
			best, bestWeight = root, weight[root]
		}
	}
	members := make(map[int64]bool)
	for _, c := range calls {
		for _, s := range c {
			if g.root(s.ReviewerID) == best {
				members[s.ReviewerID] = true
			}
		}
	}
	return members
}

// biasFit is the least-squares solution before scaling by the noise.
type biasFit struct {
	bias   []float64
	cov    *mat.SymDense // A⁺: the covariance of bias over σ²
	rss    float64       // residual sum of squares
	calls  []int         // shared calls per reviewer
	scores []int         // scores of shared calls per reviewer
}

// fitBias solves the normal equations of the additive model with call
// qualities eliminated. Within a call with m scores, the residuals from
// the call's mean depend on the biases alone, giving
//
//	A = Σ calls Xᵀ (I - J/m) X,  g = Σ calls Xᵀ (y - ȳ)
//
// with X the call's rows of reviewer indicators. A has all-ones in its null
// space (moving every bias together changes nothing), and so has g. With
// M = A + J/R, M is invertible for linked reviewers, M⁻¹ g is the solution
// whose biases sum to zero and M⁻¹ - J/R is A⁺.
func fitBias(calls []sharedCall, reviewers []int64) (biasFit, error) {
	r := len(reviewers)
	fit := biasFit{calls: make([]int, r), scores: make([]int, r)}
	m := mat.NewSymDense(r, nil)
	g := mat.NewVecDense(r, nil)
	for _, c := range calls {
		fit.addCall(c, m, g)
	}
	for i := range r {
		for j := i; j < r; j++ {
			m.SetSym(i, j, m.At(i, j)+1/float64(r))
		}
	}
	var chol mat.Cholesky
	if !chol.Factorize(m) {
		return biasFit{}, errors.New("reviewers are not linked by shared calls")
	}
	b := mat.NewVecDense(r, nil)
	if err := chol.SolveVecTo(b, g); err != nil {
		return biasFit{}, fmt.Errorf("solve for biases: %w", err)
	}
	fit.cov = mat.NewSymDense(r, nil)
	if err := chol.InverseTo(fit.cov); err != nil {
		return biasFit{}, fmt.Errorf("invert normal equations: %w", err)
	}
	for i := range r {
		for j := i; j < r; j++ {
			fit.cov.SetSym(i, j, fit.cov.At(i, j)-1/float64(r))
		}
	}
	fit.bias = b.RawVector().Data
	fit.rss = residualSS(calls, fit.bias)
	return fit, nil
}

// addCall adds one call's terms to the normal equations, M and g, and
// counts it for its reviewers. With n(r) the call's scores by reviewer r,
// its part of A is n(r) on the diagonal less n(r) n(s) / m everywhere.
func (fit *biasFit) addCall(c sharedCall, m *mat.SymDense, g *mat.VecDense) {
	mean := callMean(c)
	counts := make(map[int]float64)
	for _, o := range c {
		counts[o.reviewer]++
		g.SetVec(o.reviewer, g.AtVec(o.reviewer)+o.value-mean)
		fit.scores[o.reviewer]++
	}
	w := 1 / float64(len(c))
	for r, nr := range counts {
		fit.calls[r]++
		m.SetSym(r, r, m.At(r, r)+nr)
		for s, ns := range counts {
			if s >= r { // SetSym writes both triangles
				m.SetSym(r, s, m.At(r, s)-nr*ns*w)
			}
		}
	}
}

// residualSS returns the sum of squared residuals: a score less its call's
// fitted quality (the call's mean less its reviewers' mean bias) and its
// reviewer's bias.
func residualSS(calls []sharedCall, bias []float64) float64 {
	rss := 0.0
	for _, c := range calls {
		mean, meanBias := callMean(c), 0.0
		for _, o := range c {
			meanBias += bias[o.reviewer] / float64(len(c))
		}
		for _, o := range c {
			e := o.value - mean - (bias[o.reviewer] - meanBias)
			rss += e * e
		}
	}
	return rss
}

func callMean(c sharedCall) float64 {
	sum := 0.0
	for _, o := range c {
		sum += o.value
	}
	return sum / float64(len(c))
}
