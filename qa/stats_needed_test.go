package qa

import (
	"math"
	"testing"
)

// TestNeededForIsTheLeastNarrowEnoughN checks the bisection against the
// definition: the least n whose 95% half-width is within the target.
func TestNeededForIsTheLeastNarrowEnoughN(t *testing.T) {
	narrow := func(n int, sd float64) bool {
		return tQuantile(n-1)*sd/math.Sqrt(float64(n)) <= targetHalfWidth
	}
	for _, sd := range []float64{0, 0.5, 3, 5, 7.3, 10, 15, 25, 40, 100, 250} {
		n := neededFor(sd)
		if n < 10000 && (!narrow(n, sd) || (n > 2 && narrow(n-1, sd))) {
			t.Errorf("neededFor(%v) = %d: narrow(n) %v, narrow(n-1) %v", sd, n, narrow(n, sd), narrow(n-1, sd))
		}
	}
	if got := neededFor(1e6); got != 10000 {
		t.Errorf("neededFor(1e6) = %d, want the cap 10000", got)
	}
}
