package qa

import (
	"math"
	"testing"
)

func TestMeanInterval(t *testing.T) {
	tests := []struct {
		name          string
		scores        []float64
		mean, low, hi float64
		moreNeeded    int
	}{
		// Mean 80, SD 8.165, n 4: t(3, 0.975) = 3.182, half-width 12.99.
		// Within ±5 needs n = 13 (t(12) 2.179 × 8.165 / √13 = 4.93).
		{name: "four scores", scores: []float64{70, 80, 90, 80}, mean: 80, low: 67.01, hi: 92.99, moreNeeded: 9},
		// With one score the spread is unknown: a prior of 15 points needs
		// n = 38 (t(37) 2.026 × 15 / √38 = 4.93).
		{name: "one score", scores: []float64{85}, mean: 85, low: math.NaN(), hi: math.NaN(), moreNeeded: 37},
		{name: "identical scores", scores: []float64{90, 90, 90}, mean: 90, low: 90, hi: 90, moreNeeded: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iv := meanInterval(tt.scores)
			if !near(iv.Mean, tt.mean) || !near(val(iv.Low), tt.low) || !near(val(iv.High), tt.hi) ||
				iv.MoreNeeded != tt.moreNeeded {
				t.Errorf("got %+v, want mean %.2f CI [%.2f, %.2f], %d more", iv, tt.mean, tt.low, tt.hi, tt.moreNeeded)
			}
		})
	}
}

func near(a, b float64) bool {
	if math.IsNaN(b) {
		return math.IsNaN(a)
	}
	return math.Abs(a-b) < 0.01
}

// val reads an optional bound, NaN when absent.
func val(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}
