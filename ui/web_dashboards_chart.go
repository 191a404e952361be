package ui

import (
	"fmt"

	"earshot/qa"
)

// The dashboards' static charts, drawn on the server as SVG: no script
// to run, nothing to load, and the same numbers as the tables beside
// them (which are what a screen reader reads; the charts are hidden from
// it). The weekly trend, which wants hover read-outs, is drawn by the
// uPlot script of the agent's page instead.

// Chart geometry in SVG user units.
const (
	chartWidth = 760.0
	chartLeft  = 190.0 // room for the names
	chartRight = 730.0
	chartTop   = 28.0
	chartRowH  = 30.0
)

// chartX places a percentage on the horizontal axis.
func chartX(pct float64) float64 {
	pct = min(max(pct, 0), 100)
	return chartLeft + (chartRight-chartLeft)*pct/100
}

// ivMark is a mean with its interval, in chart coordinates.
type ivMark struct {
	X, Y, Lo, Hi float64
	// HasCI is false when the interval is unknown (one evaluation).
	HasCI bool
	Title string
}

func markOf(what string, iv qa.Interval, y float64) *ivMark {
	if iv.N == 0 {
		return nil
	}
	m := &ivMark{X: chartX(iv.Mean), Y: y, Title: fmt.Sprintf("%s %.1f%%, 95%% interval %s, n = %d",
		what, iv.Mean, ivText(iv), iv.N)}
	if iv.Low != nil && iv.High != nil {
		m.HasCI, m.Lo, m.Hi = true, chartX(*iv.Low), chartX(*iv.High)
	}
	return m
}

// ivRow is one agent of the interval chart.
type ivRow struct {
	Label    string
	Y        float64
	Raw, Adj *ivMark
}

// chartTick is a labelled gridline.
type chartTick struct {
	X     float64
	Label string
}

// ivChart is every agent's raw and adjusted mean with their intervals.
type ivChart struct {
	Width, Height, Left, Right, Top, Bottom float64
	Rows                                    []ivRow
	Ticks                                   []chartTick
}

func percentTicks() []chartTick {
	var out []chartTick
	for p := 0; p <= 100; p += 20 {
		out = append(out, chartTick{X: chartX(float64(p)), Label: fmt.Sprintf("%d%%", p)})
	}
	return out
}

// intervalChart lays out rows as the overview's chart.
func intervalChart(rows []dashRow) ivChart {
	ch := ivChart{Width: chartWidth, Left: chartLeft, Right: chartRight, Top: chartTop,
		Ticks: percentTicks()}
	for i, r := range rows {
		y := chartTop + chartRowH*(float64(i)+0.5)
		// Raw just above the row's middle, adjusted just below, so that
		// overlapping intervals stay apart.
		row := ivRow{Label: r.Agent, Y: y, Raw: markOf("raw", r.Raw, y-5)}
		if r.Adjusted != nil {
			row.Adj = markOf("bias-adjusted", *r.Adjusted, y+5)
		}
		ch.Rows = append(ch.Rows, row)
	}
	ch.Bottom = chartTop + chartRowH*float64(len(rows))
	ch.Height = ch.Bottom + 30
	return ch
}

// barRow is one bar of a bar chart.
type barRow struct {
	Label, Value string
	Y, W         float64
}

// barChart is a horizontal bar chart on a linear scale from zero.
type barChart struct {
	Width, Height, Left float64
	Rows                []barRow
}

// kpiChart draws an agent's call figures in seconds, all on one scale so
// that talk, silence and handle time compare at a glance.
func kpiChart(k qa.AgentKPIs) barChart {
	figures := []struct {
		label string
		ms    float64
	}{
		{"Handle time", k.HandleMS}, {"Agent talk", k.AgentTalkMS},
		{"Customer talk", k.CustomerTalkMS}, {"Silence", k.SilenceMS},
		{"Overtalk", k.OvertalkMS}, {"Longest silence", k.LongestSilenceMS},
	}
	top := 1.0
	for _, f := range figures {
		top = max(top, f.ms)
	}
	ch := barChart{Width: chartWidth, Left: chartLeft}
	for i, f := range figures {
		ch.Rows = append(ch.Rows, barRow{Label: f.label, Value: webDuration(int64(f.ms)),
			Y: 8 + chartRowH*float64(i), W: (chartRight - chartLeft - 60) * f.ms / top})
	}
	ch.Height = 8 + chartRowH*float64(len(figures)) + 8
	return ch
}
