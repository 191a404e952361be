package qa

import (
	"math"
	"testing"
)

// chiSquareSF returns P(X >= x) for X chi-square distributed with df
// degrees of freedom: the upper regularized gamma function Q(df/2, x/2),
// computed as 1 - P from the power series
//
//	P(a, z) = z^a e^-z / Γ(a+1) · Σ_{n≥0} z^n / ((a+1)(a+2)…(a+n)).
//
// The series converges for every z; its terms are built one from the
// last, so they do not overflow for the statistics these tests meet. The
// result is accurate to about 1e-12 in absolute terms, plenty for a
// threshold of 0.001.
func chiSquareSF(x float64, df int) float64 {
	if x <= 0 {
		return 1
	}
	a, z := float64(df)/2, x/2
	lg, _ := math.Lgamma(a + 1)
	prefix := math.Exp(a*math.Log(z) - z - lg)
	sum, term := 1.0, 1.0
	for n := 1; n < 100_000; n++ {
		term *= z / (a + float64(n))
		sum += term
		if term < sum*1e-16 {
			break
		}
	}
	return math.Max(0, 1-prefix*sum)
}

// chiSquareUniform returns Pearson's statistic for counts against equal
// expected counts, where each of trials picked k distinct items out of
// len(counts), and its degrees of freedom.
//
// Picks without replacement are not a multinomial: the counts covary
// negatively, and Pearson's sum is then (n-k)/(n-1) times a chi-square
// with n-1 degrees of freedom (its covariance matrix is that factor times
// the projection I - J/n). The statistic is scaled back by (n-1)/(n-k), so
// that it can be read against the chi-square table. For k = 1 the factor
// is 1. When k >= n every item is always picked: there is nothing to test,
// and the statistic is 0 with no degrees of freedom.
func chiSquareUniform(counts []int, trials, k int) (float64, int) {
	n := len(counts)
	if k >= n {
		return 0, 0
	}
	want := float64(trials*k) / float64(n)
	x := 0.0
	for _, c := range counts {
		d := float64(c) - want
		x += d * d / want
	}
	return x * float64(n-1) / float64(n-k), n - 1
}

func TestSamplingChiSquareSF(t *testing.T) {
	tests := []struct {
		name string
		x    float64
		df   int
		want float64
		tol  float64 // relative
	}{
		// For 2 degrees of freedom the tail is exactly e^(-x/2).
		{name: "df 2", x: 2, df: 2, want: math.Exp(-1), tol: 1e-12},
		{name: "df 2 far tail", x: 40, df: 2, want: math.Exp(-20), tol: 1e-3},
		// Critical values from the chi-square table, given to 4 or 5
		// digits.
		{name: "df 11 at 0.001", x: 31.264, df: 11, want: 0.001, tol: 1e-3},
		{name: "df 17 at 0.001", x: 40.790, df: 17, want: 0.001, tol: 1e-3},
		{name: "df 1 at 0.05", x: 3.841, df: 1, want: 0.05, tol: 1e-3},
		{name: "df 6 median", x: 5.348, df: 6, want: 0.5, tol: 1e-3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := chiSquareSF(tt.x, tt.df)
			if math.Abs(got-tt.want) > tt.tol*tt.want {
				t.Errorf("chiSquareSF(%v, %d) = %.6g, want %.6g", tt.x, tt.df, got, tt.want)
			}
		})
	}
}
