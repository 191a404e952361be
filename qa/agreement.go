package qa

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Agreement statistics for calibration sessions: how far reviewers who
// scored the same calls agree, beyond what chance alone would give.

// Metric is the level of measurement of the ratings compared by
// KrippendorffAlpha. The zero value is MetricNominal.
type Metric int

const (
	// MetricNominal treats ratings as categories (answer choices): two
	// ratings agree or they do not, and every disagreement weighs the same.
	MetricNominal Metric = iota
	// MetricInterval treats ratings as points on a scale (scores): a
	// disagreement weighs the square of the difference.
	MetricInterval
)

// MinAgreementUnits is the fewest units rated by two or more reviewers for
// an agreement figure to be shown without a warning. Below it a single
// disagreement moves alpha or kappa by a tenth or more.
const MinAgreementUnits = 10

// ErrUnequalRatings is returned by FleissKappa when subjects were rated by
// different numbers of reviewers, which kappa cannot take: show
// Krippendorff's alpha alone.
var ErrUnequalRatings = errors.New("qa: subjects have different numbers of ratings")

// Warnings, written for the manager reading the figure.
const (
	warnNoPairs = "no item was rated by two or more reviewers: agreement cannot be measured"
	warnAllSame = "every rating is the same, so chance alone would agree perfectly and " +
		"the coefficient is undefined: read raw agreement instead"
	warnFewUnitsFmt = "only %d items were rated by two or more reviewers: below %d one " +
		"disagreement can swing the figure widely"
)

// Agreement is one agreement figure with what it rests on.
type Agreement struct {
	// Value is 1 for perfect agreement; for alpha and kappa 0 is what chance
	// gives and below 0 is systematic disagreement; raw agreement is a share
	// from 0 to 1. NaN when undefined (Warning says why), written as null in
	// JSON.
	Value float64 `json:"value"`
	// Pairs is the number of pairs of ratings of the same unit compared.
	Pairs int `json:"pairs"`
	// Units is the number of units rated by two or more reviewers: the only
	// ones that count.
	Units int `json:"units"`
	// Warning says why the figure means little or nothing; empty when it
	// rests on enough ratings.
	Warning string `json:"warning,omitempty"`
}

// MarshalJSON writes an undefined Value as null, which encoding/json
// cannot do for a NaN by itself.
func (a Agreement) MarshalJSON() ([]byte, error) {
	type fields Agreement // without this method
	out := struct {
		fields
		Value *float64 `json:"value"`
	}{fields: fields(a)}
	if !math.IsNaN(a.Value) && !math.IsInf(a.Value, 0) {
		out.Value = &a.Value
	}
	return json.Marshal(out)
}

// KrippendorffAlpha returns Krippendorff's alpha for data laid out units by
// coders: data[u][c] is reviewer c's rating of unit u (a call, or one
// question of a call), nil when the reviewer gave none or answered N/A.
// Rows may differ in length; a cell past the end of a row is missing. Units
// with fewer than two ratings cannot be paired and are left out.
//
// It follows the coincidence-matrix form of Krippendorff, "Computing
// Krippendorff's Alpha-Reliability" (2011): a unit with m ratings adds
// 1/(m-1) to o(c,k) for each ordered pair of its ratings (c, k); with
// n(c) = Σk o(c,k) and n = Σc n(c),
//
//	alpha = 1 - (n-1) Σ o(c,k) δ²(c,k) / Σ n(c) n(k) δ²(c,k)
//
// where δ² is 0 or 1 (nominal) or (c-k)² (interval). When every pairable
// rating is the same the expected disagreement is 0 and alpha is undefined:
// Value is NaN and Warning says so.
func KrippendorffAlpha(data [][]*float64, metric Metric) (Agreement, error) {
	delta, err := metric.delta()
	if err != nil {
		return Agreement{}, fmt.Errorf("krippendorff alpha: %w", err)
	}
	units, err := pairableUnits(data)
	if err != nil {
		return Agreement{}, fmt.Errorf("krippendorff alpha: %w", err)
	}
	a := Agreement{Pairs: pairsIn(units), Units: len(units)}
	if len(units) == 0 {
		a.Value, a.Warning = math.NaN(), warnNoPairs
		return a, nil
	}
	observed, expected := newCoincidences(units).disagreements(delta)
	if expected == 0 {
		a.Value, a.Warning = math.NaN(), warnAllSame
		return a, nil
	}
	a.Value = 1 - observed/expected
	a.Warning = fewUnitsWarning(len(units))
	return a, nil
}

// RawAgreement returns the share of pairs of ratings of the same unit that
// agree: that differ by at most tolerance (0 for answer choices, which
// agree only when equal). Pairs are pooled over units, so a unit rated by
// more reviewers weighs more. Data is laid out as for KrippendorffAlpha.
//
// It is shown beside alpha and kappa because those collapse, or are
// undefined, when nearly every rating is the same while reviewers do agree.
func RawAgreement(data [][]*float64, tolerance float64) (Agreement, error) {
	units, err := pairableUnits(data)
	if err != nil {
		return Agreement{}, fmt.Errorf("raw agreement: %w", err)
	}
	a := Agreement{Pairs: pairsIn(units), Units: len(units)}
	if len(units) == 0 {
		a.Value, a.Warning = math.NaN(), warnNoPairs
		return a, nil
	}
	agree := 0
	for _, u := range units {
		for i := range u {
			for j := i + 1; j < len(u); j++ {
				if math.Abs(u[i]-u[j]) <= tolerance {
					agree++
				}
			}
		}
	}
	a.Value = float64(agree) / float64(a.Pairs)
	a.Warning = fewUnitsWarning(len(units))
	return a, nil
}

// FleissKappa returns Fleiss' kappa for counts laid out subjects by
// categories: counts[i][j] is how many reviewers put subject i (a call, or
// one question of a call) in category j. Every subject must have the same
// number of ratings, at least two, else the error wraps ErrUnequalRatings.
// A row shorter than the others counts 0 in the categories it lacks.
//
// Fleiss (1971): with N subjects, n ratings each,
// p(j) = Σi counts[i][j] / (N n) and
// P(i) = (Σj counts[i][j]² - n) / (n (n-1)),
//
//	kappa = (mean P(i) - Σj p(j)²) / (1 - Σj p(j)²)
//
// When every rating falls in one category kappa is undefined: Value is NaN
// and Warning says so.
func FleissKappa(counts [][]int) (Agreement, error) {
	n, err := ratingsPerSubject(counts)
	if err != nil {
		return Agreement{}, fmt.Errorf("fleiss kappa: %w", err)
	}
	a := Agreement{Pairs: len(counts) * n * (n - 1) / 2, Units: len(counts)}
	if n < 2 {
		a.Units = 0
		a.Value, a.Warning = math.NaN(), warnNoPairs
		return a, nil
	}
	observed, chance := fleissShares(counts, n)
	if chance == 1 {
		a.Value, a.Warning = math.NaN(), warnAllSame
		return a, nil
	}
	a.Value = (observed - chance) / (1 - chance)
	a.Warning = fewUnitsWarning(len(counts))
	return a, nil
}

// ratingsPerSubject returns the number of ratings every subject has, 0 when
// there are no subjects.
func ratingsPerSubject(counts [][]int) (int, error) {
	n := 0
	for i, row := range counts {
		sum := 0
		for j, c := range row {
			if c < 0 {
				return 0, fmt.Errorf("subject %d, category %d: negative count %d", i, j, c)
			}
			sum += c
		}
		if i == 0 {
			n = sum
		} else if sum != n {
			return 0, fmt.Errorf("subject %d has %d ratings, subject 0 has %d: %w",
				i, sum, n, ErrUnequalRatings)
		}
	}
	return n, nil
}

// fleissShares returns the mean share of agreeing pairs per subject and the
// share expected by chance from the pooled category proportions.
func fleissShares(counts [][]int, n int) (observed, chance float64) {
	var perCategory []float64
	for _, row := range counts {
		sq := 0
		for j, c := range row {
			sq += c * c
			if j >= len(perCategory) {
				perCategory = append(perCategory, 0)
			}
			perCategory[j] += float64(c)
		}
		observed += float64(sq-n) / float64(n*(n-1))
	}
	observed /= float64(len(counts))
	total := float64(len(counts) * n)
	for _, c := range perCategory {
		p := c / total
		chance += p * p
	}
	return observed, chance
}

// pairableUnits returns the ratings of each unit that has two or more.
func pairableUnits(data [][]*float64) ([][]float64, error) {
	var units [][]float64
	for u, row := range data {
		var vals []float64
		for c, v := range row {
			if v == nil {
				continue
			}
			if math.IsNaN(*v) || math.IsInf(*v, 0) {
				return nil, fmt.Errorf("unit %d, coder %d: rating %v is not a number", u, c, *v)
			}
			vals = append(vals, *v)
		}
		if len(vals) >= 2 {
			units = append(units, vals)
		}
	}
	return units, nil
}

// pairsIn counts the unordered pairs of ratings within units.
func pairsIn(units [][]float64) int {
	pairs := 0
	for _, u := range units {
		pairs += len(u) * (len(u) - 1) / 2
	}
	return pairs
}

func fewUnitsWarning(units int) string {
	if units >= MinAgreementUnits {
		return ""
	}
	return fmt.Sprintf(warnFewUnitsFmt, units, MinAgreementUnits)
}

// deltaFunc is a metric's squared difference between two ratings.
type deltaFunc func(c, k float64) float64

// delta returns the metric's squared difference function.
func (m Metric) delta() (deltaFunc, error) {
	switch m {
	case MetricNominal:
		return func(c, k float64) float64 {
			if c == k {
				return 0
			}
			return 1
		}, nil
	case MetricInterval:
		return func(c, k float64) float64 { return (c - k) * (c - k) }, nil
	}
	return nil, fmt.Errorf("unknown metric %d", int(m))
}

// coincidences is Krippendorff's coincidence matrix over the distinct
// ratings of the pairable units.
type coincidences struct {
	values []float64   // distinct ratings, ascending
	o      [][]float64 // o[c][k]: pairs of ratings (values[c], values[k]) within units
	n      []float64   // n[c]: the row sums of o
	total  float64     // n: the number of pairable ratings
}

func newCoincidences(units [][]float64) coincidences {
	var co coincidences
	for _, u := range units {
		co.values = append(co.values, u...)
	}
	slices.Sort(co.values)
	co.values = slices.Compact(co.values)
	index := make(map[float64]int, len(co.values))
	for i, v := range co.values {
		index[v] = i
	}
	co.o = make([][]float64, len(co.values))
	for i := range co.o {
		co.o[i] = make([]float64, len(co.values))
	}
	co.n = make([]float64, len(co.values))
	for _, u := range units {
		// Each rating pairs with the m-1 others of its unit; weighting each
		// pair 1/(m-1) makes every rating count once in total.
		w := 1 / float64(len(u)-1)
		for i, c := range u {
			for j, k := range u {
				if i != j {
					co.o[index[c]][index[k]] += w
				}
			}
			co.n[index[c]]++
		}
		co.total += float64(len(u))
	}
	return co
}

// disagreements returns the observed and expected disagreement, Do and De.
func (co coincidences) disagreements(delta deltaFunc) (observed, expected float64) {
	for c, vc := range co.values {
		for k, vk := range co.values {
			d := delta(vc, vk)
			observed += co.o[c][k] * d
			expected += co.n[c] * co.n[k] * d
		}
	}
	return observed / co.total, expected / (co.total * (co.total - 1))
}
