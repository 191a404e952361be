package ui

import (
	"math"
	"strings"
	"testing"
)

func TestCalNiceStep(t *testing.T) {
	tests := []struct {
		name      string
		raw, want float64
	}{
		{name: "one", raw: 1, want: 1},
		{name: "up to two", raw: 1.3, want: 2},
		{name: "up to five", raw: 3.1, want: 5},
		{name: "up to ten", raw: 7, want: 10},
		{name: "tenths", raw: 0.17, want: 0.2},
		{name: "nothing", raw: 0, want: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := calNiceStep(tt.raw); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("calNiceStep(%v) = %v, want %v", tt.raw, got, tt.want)
			}
		})
	}
}

// TestCalRowChart: values map onto the plot linearly, zero included, the
// axis widened to whole ticks, and a value beyond it is kept at its edge.
func TestCalRowChart(t *testing.T) {
	ch := newCalRowChart("c", "title", "desc", 2, -5, 18)
	if ch.lo != -5 || ch.hi != 20 {
		t.Fatalf("axis %v to %v, want -5 to 20 (steps of 5)", ch.lo, ch.hi)
	}
	if !ch.HasZero || math.Abs(ch.ZeroX-(ch.PlotX+ch.PlotW/5)) > 1e-9 {
		t.Errorf("zero at %v, want a fifth of the way", ch.ZeroX)
	}
	var labels []string
	for _, tk := range ch.Ticks {
		labels = append(labels, tk.Label)
	}
	if got := strings.Join(labels, " "); got != "-5 0 5 10 15 20" {
		t.Errorf("ticks %q", got)
	}
	r := ch.row("a reviewer with a name far too long for the chart", "tip")
	ch.bar(r, -5, "out")
	if r.Bar.X != ch.PlotX || math.Abs(r.Bar.W-ch.PlotW/5) > 1e-9 {
		t.Errorf("bar of -5: %+v", r.Bar)
	}
	if !strings.HasSuffix(r.Label, "…") || len([]rune(r.Label)) > 24 {
		t.Errorf("label %q, want at most 24 characters ending in an ellipsis", r.Label)
	}
	lo, hi := -100.0, 3.0
	ch.mark(ch.row("b", "tip"), 50, &lo, &hi, 0, "", "")
	m := ch.Rows[1].Marks[0]
	if m.X != ch.PlotX+ch.PlotW || m.Low != ch.PlotX || m.Y != ch.Rows[1].Y {
		t.Errorf("mark beyond the axis: %+v, want held at the edges", m)
	}
}

// TestCalLineChart: a gap where a session has no value, and the band
// around zero as wide as each session's tolerance.
func TestCalLineChart(t *testing.T) {
	one, minus := 4.0, -8.0
	lc := newCalLineChart("l", "t", "d", []calLineIn{{Label: "a", Value: &one, Tolerance: 5},
		{Label: "b", Tolerance: 5}, {Label: "c", Value: &minus, Tolerance: 2}})
	if len(lc.Points) != 2 || len(strings.Fields(lc.Line)) != 2 {
		t.Fatalf("points %+v, line %q: want two, the gap left out", lc.Points, lc.Line)
	}
	if lc.Points[0].Y >= lc.ZeroY || lc.Points[1].Y <= lc.ZeroY {
		t.Errorf("+4 at y %v and -8 at y %v, zero at %v", lc.Points[0].Y, lc.Points[1].Y, lc.ZeroY)
	}
	if n := len(strings.Fields(lc.Band)); n != 6 {
		t.Errorf("band of %d corners, want 6", n)
	}
	single := newCalLineChart("s", "t", "d", []calLineIn{{Value: &one, Tolerance: 5}})
	if n := len(strings.Fields(single.Band)); n != 4 {
		t.Errorf("one session: band of %d corners, want 4, across the plot", n)
	}
}
