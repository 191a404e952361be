package ui

import (
	"fmt"
	"math"
	"strings"
)

// Charts of the calibration and bias pages, drawn on the server as SVG:
// no script runs, the chart prints and scales with the page, and each
// sits beside a table that says the same in words. Go computes every
// coordinate; the templates only place them.

// Sizes of the horizontal charts, in SVG user units.
const (
	calWidth  = 680.0
	calLabelW = 170.0 // the row labels' column
	calRightM = 24.0
	calTopM   = 30.0 // room for the axis labels above the rows
	calRowH   = 30.0
	calBottom = 24.0
)

// calRowChart is a chart of one row per item along a horizontal value axis:
// bars from zero, or points with intervals (a forest plot).
type calRowChart struct {
	ID            string // prefix of the ids of its title and description
	Title, Desc   string
	Width, Height float64
	PlotX, PlotW  float64
	// PlotTop, PlotBottom and PlotH bound the rows; TickY and RuleY are
	// the baselines of the axis and rule labels, LabelX the right edge of
	// the row labels, NoteY a row note's offset.
	PlotTop, PlotBottom, PlotH float64
	TickY, RuleY, LabelX       float64
	Ticks                      []calTick
	// ZeroX is where 0 is on the axis; HasZero is false when 0 is outside.
	ZeroX   float64
	HasZero bool
	// Band is a shaded span across every row (the tolerance), if any.
	Band  *calSpan
	Lines []calRule
	Rows  []calChartRow

	lo, hi float64
}

// calTick is a labelled value on the axis.
type calTick struct {
	X     float64
	Label string
}

// calSpan is a horizontal span, from X over W.
type calSpan struct{ X, W float64 }

// calRule is a vertical reference line with a label above the plot.
type calRule struct {
	X     float64
	Label string
}

// calChartRow is one item: a label, and a bar or marks.
type calChartRow struct {
	Label string
	Y     float64 // the row's middle
	BarY  float64 // the bar's top
	// Bar runs from zero to the value; nil for none.
	Bar *calSpan
	// BarClass colours the bar ("ok", "out", "neg").
	BarClass string
	Marks    []calChartMark
	// Note is what the row says when it has no value; NoteY is where.
	Note  string
	NoteY float64
	// Tip is the hover text of the row, the same words as its table row.
	Tip string
}

// calChartMark is a point with an optional interval.
type calChartMark struct {
	X, Y        float64
	Low, High   float64
	HasInterval bool
	Class       string
	Tip         string
}

// newCalRowChart sets up a chart of n rows over the values [lo, hi],
// widened to nice tick values.
func newCalRowChart(id, title, desc string, n int, lo, hi float64) *calRowChart {
	if lo > hi {
		lo, hi = hi, lo
	}
	if hi-lo < 1e-9 {
		lo, hi = lo-1, hi+1
	}
	step := calNiceStep((hi - lo) / 5)
	lo, hi = math.Floor(lo/step)*step, math.Ceil(hi/step)*step
	ch := &calRowChart{ID: id, Title: title, Desc: desc, Width: calWidth,
		PlotX: calLabelW, PlotW: calWidth - calLabelW - calRightM,
		Height: calTopM + float64(n)*calRowH + calBottom, lo: lo, hi: hi,
		PlotTop: calTopM - 4, PlotH: float64(n)*calRowH + 8, TickY: calTopM - 18,
		LabelX: calLabelW - 8}
	// Rule labels go below the rows, where no tick label can hide them.
	ch.PlotBottom = ch.PlotTop + ch.PlotH
	ch.RuleY = ch.PlotBottom + 13
	for v := lo; v <= hi+step/2; v += step {
		ch.Ticks = append(ch.Ticks, calTick{X: ch.x(v), Label: calTickLabel(v, step)})
	}
	if lo <= 0 && hi >= 0 {
		ch.ZeroX, ch.HasZero = ch.x(0), true
	}
	return ch
}

// x maps a value to its horizontal position.
func (ch *calRowChart) x(v float64) float64 {
	v = math.Max(ch.lo, math.Min(ch.hi, v))
	return ch.PlotX + (v-ch.lo)/(ch.hi-ch.lo)*ch.PlotW
}

// band shades the values from lo to hi.
func (ch *calRowChart) band(lo, hi float64) {
	a, b := ch.x(lo), ch.x(hi)
	ch.Band = &calSpan{X: a, W: b - a}
}

// rule draws a vertical line at v.
func (ch *calRowChart) rule(v float64, label string) {
	ch.Lines = append(ch.Lines, calRule{X: ch.x(v), Label: label})
}

// row adds a row and returns it, to give it a bar or marks.
func (ch *calRowChart) row(label, tip string) *calChartRow {
	y := calTopM + (float64(len(ch.Rows))+0.5)*calRowH
	ch.Rows = append(ch.Rows, calChartRow{Label: calClip(label, 24), Tip: tip, Y: y, BarY: y - 8,
		NoteY: y})
	return &ch.Rows[len(ch.Rows)-1]
}

// bar gives row r a bar from zero (or the axis' end nearest it) to v.
func (ch *calRowChart) bar(r *calChartRow, v float64, class string) {
	base := ch.x(0)
	end := ch.x(v)
	r.Bar, r.BarClass = &calSpan{X: math.Min(base, end), W: math.Abs(end - base)}, class
}

// mark gives row r a point at v with the interval [lo, hi] unless lo or
// hi is nil.
func (ch *calRowChart) mark(
	r *calChartRow,
	v float64,
	lo, hi *float64,
	dy float64,
	class, tip string,
) {
	// dy moves the mark within its row, so that two marks of one row
	// (raw and adjusted) do not overlap.
	m := calChartMark{X: ch.x(v), Y: r.Y + dy, Class: class, Tip: tip}
	if lo != nil && hi != nil {
		m.Low, m.High, m.HasInterval = ch.x(*lo), ch.x(*hi), true
	}
	r.Marks = append(r.Marks, m)
}

// calNiceStep rounds a raw tick step up to 1, 2 or 5 times a power of ten.
func calNiceStep(raw float64) float64 {
	if raw <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// calTickLabel shows v with as many decimals as the step needs.
func calTickLabel(v, step float64) string {
	if math.Abs(v) < step/1e6 {
		v = 0
	}
	decimals := 0
	if step < 1 {
		decimals = int(math.Ceil(-math.Log10(step)))
	}
	return fmt.Sprintf("%.*f", decimals, v)
}

// clip shortens a label for the chart; the table holds it whole.
func calClip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// calLineChart is a line over time: one point per session, with the
// tolerance band around zero.
type calLineChart struct {
	ID            string
	Title, Desc   string
	Width, Height float64
	PlotX, PlotY  float64
	PlotW, PlotH  float64
	// PlotRight is PlotX + PlotW; LabelY the baseline of the x labels.
	PlotRight, LabelY float64
	// Line is the polyline's points; Band the band's polygon.
	Line, Band string
	Points     []calLinePoint
	YTicks     []calYTick
	ZeroY      float64
	HasZero    bool
}

// calLinePoint is one point of the line, with its axis label below.
type calLinePoint struct {
	X, Y  float64
	Label string
	Tip   string
}

// calYTick is a labelled value on the vertical axis.
type calYTick struct {
	Y     float64
	Label string
}

// calLineIn is a value to plot; Value nil leaves a gap in the line.
type calLineIn struct {
	Label, Tip string
	Value      *float64
	Tolerance  float64
}

// newCalLineChart lays out points, oldest first, on a vertical axis that
// holds every value and every tolerance.
func newCalLineChart(id, title, desc string, in []calLineIn) *calLineChart {
	lc := &calLineChart{ID: id, Title: title, Desc: desc, Width: calWidth, Height: 280,
		PlotX: 56, PlotY: 16}
	lc.PlotW, lc.PlotH = lc.Width-lc.PlotX-calRightM, lc.Height-lc.PlotY-48
	lc.PlotRight, lc.LabelY = lc.PlotX+lc.PlotW, lc.PlotY+lc.PlotH+20
	lo, hi := 0.0, 0.0
	for _, p := range in {
		lo, hi = math.Min(lo, -p.Tolerance), math.Max(hi, p.Tolerance)
		if p.Value != nil {
			lo, hi = math.Min(lo, *p.Value), math.Max(hi, *p.Value)
		}
	}
	if hi-lo < 1e-9 {
		lo, hi = -1, 1
	}
	step := calNiceStep((hi - lo) / 5)
	lo, hi = math.Floor(lo/step)*step, math.Ceil(hi/step)*step
	y := func(v float64) float64 { return lc.PlotY + (hi-v)/(hi-lo)*lc.PlotH }
	for v := lo; v <= hi+step/2; v += step {
		lc.YTicks = append(lc.YTicks, calYTick{Y: y(v), Label: calTickLabel(v, step)})
	}
	lc.ZeroY, lc.HasZero = y(0), true
	var line, upper, lower []string
	for i, p := range in {
		x := lc.PlotX + lc.PlotW/2
		edges := []float64{lc.PlotX, lc.PlotX + lc.PlotW} // one point: a band across
		if len(in) > 1 {
			x = lc.PlotX + float64(i)/float64(len(in)-1)*lc.PlotW
			edges = []float64{x}
		}
		for _, ex := range edges {
			upper = append(upper, fmt.Sprintf("%.1f,%.1f", ex, y(p.Tolerance)))
			lower = append([]string{fmt.Sprintf("%.1f,%.1f", ex, y(-p.Tolerance))}, lower...)
		}
		if p.Value == nil {
			continue
		}
		line = append(line, fmt.Sprintf("%.1f,%.1f", x, y(*p.Value)))
		lc.Points = append(lc.Points, calLinePoint{X: x, Y: y(*p.Value), Label: calClip(p.Label, 14),
			Tip: p.Tip})
	}
	lc.Line, lc.Band = strings.Join(line, " "), strings.Join(append(upper, lower...), " ")
	return lc
}
