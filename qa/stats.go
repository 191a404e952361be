package qa

import (
	"math"
	"sync"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// targetHalfWidth is how precisely an agent's mean score should be known
// before it is used to judge them: within plus or minus 5 points.
const targetHalfWidth = 5.0

// priorSD stands in for the spread of an agent's scores while fewer than
// two evaluations exist: typical of contact-center scorecards.
const priorSD = 15.0

// Interval is a mean with its 95% confidence interval (Student's t).
type Interval struct {
	N    int     `json:"n"`
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"`
	// Low and High bound the interval; null (nil) with fewer than two
	// evaluations, when the spread is unknown.
	Low  *float64 `json:"ci_low"`
	High *float64 `json:"ci_high"`
	// MoreNeeded is how many more evaluations would make the interval at
	// most ±5 points wide, at the spread seen so far (or a prior spread of
	// 15 points while there are fewer than two).
	MoreNeeded int `json:"more_needed"`
}

// meanInterval summarizes scores.
func meanInterval(xs []float64) Interval {
	iv := Interval{N: len(xs)}
	if len(xs) == 0 {
		iv.MoreNeeded = neededFor(priorSD)
		return iv
	}
	iv.Mean = stat.Mean(xs, nil)
	sd := priorSD
	if len(xs) > 1 {
		iv.SD = stat.StdDev(xs, nil)
		sd = iv.SD
		h := tQuantile(len(xs)-1) * iv.SD / math.Sqrt(float64(len(xs)))
		low, high := iv.Mean-h, iv.Mean+h
		iv.Low, iv.High = &low, &high
	}
	iv.MoreNeeded = max(0, neededFor(sd)-len(xs))
	return iv
}

// neededFor returns the smallest n whose 95% interval half-width, at
// spread sd, is within targetHalfWidth.
func neededFor(sd float64) int {
	// The half-width shrinks as n grows, so the least n that is narrow
	// enough is found by bisection: a dashboard asks this of every agent,
	// and a scan of n one by one cost a t quantile per step.
	narrow := func(n int) bool { return tQuantile(n-1)*sd/math.Sqrt(float64(n)) <= targetHalfWidth }
	const most = 10000
	if !narrow(most) {
		return most
	}
	lo, hi := 2, most // narrow(hi) holds
	for lo < hi {
		mid := (lo + hi) / 2
		if narrow(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// tQuantiles caches tQuantile by degrees of freedom: every interval and
// every "more needed" figure of a report asks for one, and few distinct.
var tQuantiles sync.Map // int -> float64

func tQuantile(df int) float64 {
	if q, ok := tQuantiles.Load(df); ok {
		return q.(float64)
	}
	q := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.975)
	tQuantiles.Store(df, q)
	return q
}
