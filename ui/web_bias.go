package ui

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// biasFewShared is the number of shared calls under which the page warns
// that a reviewer's estimate rests on little: with fewer, one unusual
// call moves it by several points. A reading aid, not a statistical rule;
// the interval says the rest.
const biasFewShared = 10

// biasView is the reviewer-bias page.
type biasView struct {
	From, To, Tolerance string
	Bias                *qa.ReviewerBiasReport
	Reviewers           []biasReviewerRow
	Agents              []biasAgentRow
	ResidualSD          string
	ForestChart         template.HTML
	AgentChart          template.HTML
	FewShared           int
}

// biasReviewerRow is one reviewer's estimate, worded.
type biasReviewerRow struct {
	ID                  int64
	Name                string
	Bias, Low, High     string
	SharedCalls, Scores int
	// Flagged is beyond the tolerance; Unsure a flag whose interval holds
	// 0, too uncertain to act on.
	Flagged, Unsure, Few bool
}

// biasAgentRow is one agent's mean, raw and bias-adjusted.
type biasAgentRow struct {
	Name, Team      string
	N               int
	Raw, RawCI      string
	Adjusted, AdjCI string
}

// biasPage shows qa.AgentsAdjusted, which carries the bias estimate it
// used, so the estimate is computed once. Scores of calibration sessions
// still blind are not in it (qa leaves them out until the reveal).
func (s *Server) biasPage(c echo.Context) error {
	v := biasView{From: c.QueryParam("from"), To: c.QueryParam("to"),
		Tolerance: c.QueryParam("tolerance"), FewShared: biasFewShared}
	f, tol, problem := biasPageQuery(v)
	if problem != "" {
		return s.render(c, http.StatusBadRequest, "bias", pageData{Title: "Reviewer bias",
			Nav: "bias", Problem: problem, Page: v})
	}
	r, err := s.cfg.QA.AgentsAdjusted(c.Request().Context(), caller(c), f, tol)
	if err != nil {
		return s.webQAError(c, "reviewer bias", err)
	}
	v.Bias = r.Bias
	if v.Tolerance == "" {
		v.Tolerance = strconv.FormatFloat(r.Bias.Tolerance, 'f', -1, 64)
	}
	if r.Bias.ResidualSD != nil {
		v.ResidualSD = fmt.Sprintf("%.1f", *r.Bias.ResidualSD)
	}
	for _, b := range r.Bias.Reviewers {
		v.Reviewers = append(v.Reviewers, biasReviewerRow{ID: b.ReviewerID, Name: b.Username,
			Bias: fmt.Sprintf("%+.1f", b.Bias), Low: fmt.Sprintf("%+.1f", b.Low),
			High: fmt.Sprintf("%+.1f", b.High), SharedCalls: b.SharedCalls, Scores: b.Scores,
			Flagged: b.Flagged, Unsure: b.Flagged && !b.Significant,
			Few: b.SharedCalls < biasFewShared})
	}
	for _, a := range r.Agents {
		v.Agents = append(v.Agents, biasAgentRow{Name: a.Agent, Team: a.Team, N: a.Raw.N,
			Raw: fmt.Sprintf("%.1f", a.Raw.Mean), RawCI: biasInterval(a.Raw),
			Adjusted: fmt.Sprintf("%.1f", a.Adjusted.Mean), AdjCI: biasInterval(a.Adjusted)})
	}
	if len(r.Bias.Reviewers) > 0 {
		if v.ForestChart, err = s.renderChart("rowchart", biasForest(r.Bias)); err != nil {
			return s.webFail(c, "reviewer bias chart", err)
		}
	}
	if len(r.Agents) > 0 {
		if v.AgentChart, err = s.renderChart("rowchart", biasAgentChart(r.Agents)); err != nil {
			return s.webFail(c, "agents chart", err)
		}
	}
	return s.render(c, http.StatusOK, "bias", pageData{Title: "Reviewer bias", Nav: "bias",
		Page: v})
}

// biasPageQuery reads the page's filter: dates as a date input sends
// them, the window running to the end of the To day.
func biasPageQuery(v biasView) (qa.ReportFilter, float64, string) {
	var f qa.ReportFilter
	for _, d := range []struct {
		name, value string
		into        *time.Time
		days        int
	}{{"From", v.From, &f.From, 0}, {"To", v.To, &f.To, 1}} {
		if d.value == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", d.value, time.UTC)
		if err != nil {
			return f, 0, fmt.Sprintf("%s: %q is not a date; pick one such as 2026-04-30.",
				d.name, d.value)
		}
		*d.into = t.AddDate(0, 0, d.days)
	}
	tol := 0.0
	if t := strings.TrimSpace(v.Tolerance); t != "" {
		var err error
		tol, err = strconv.ParseFloat(t, 64)
		if err != nil || tol <= 0 || tol > 100 {
			return f, 0, fmt.Sprintf("Tolerance: %q is not a number of points from 0 to 100.", t)
		}
	}
	return f, tol, ""
}

// biasInterval shows a 95% interval; with fewer than two scores there is
// none.
func biasInterval(in qa.Interval) string {
	if in.Low == nil || in.High == nil {
		return "not known (fewer than 2 scores)"
	}
	return fmt.Sprintf("%.1f to %.1f", *in.Low, *in.High)
}

// biasForest draws each reviewer's bias and its 95% interval around the
// zero line, with the tolerance lines.
func biasForest(r *qa.ReviewerBiasReport) *calRowChart {
	tol := r.Tolerance
	lo, hi := -tol, tol
	for _, b := range r.Reviewers {
		lo, hi = math.Min(lo, b.Low), math.Max(hi, b.High)
	}
	ch := newCalRowChart("forest-chart", "Reviewer bias with 95% intervals",
		fmt.Sprintf("Each reviewer's bias in points (dot) and its 95%% interval (line); the "+
			"vertical lines are 0 and the tolerance of ±%g points.", tol), len(r.Reviewers), lo, hi)
	ch.rule(-tol, fmt.Sprintf("−%g", tol))
	ch.rule(tol, fmt.Sprintf("+%g", tol))
	for _, b := range r.Reviewers {
		class := "est"
		switch {
		case b.Flagged && b.Significant:
			class = "flag"
		case b.Flagged:
			class = "unsure"
		}
		low, high := b.Low, b.High
		row := ch.row(b.Username, fmt.Sprintf("%s: %+.1f points, 95%% interval %+.1f to %+.1f, "+
			"%d shared calls", b.Username, b.Bias, b.Low, b.High, b.SharedCalls))
		ch.mark(row, b.Bias, &low, &high, 0, class, row.Tip)
	}
	return ch
}

// biasAgentChart draws each agent's raw and adjusted means with their
// intervals, one above the other.
func biasAgentChart(agents []qa.AgentAdjustedRow) *calRowChart {
	lo, hi := 100.0, 0.0
	for _, a := range agents {
		for _, in := range []qa.Interval{a.Raw, a.Adjusted} {
			lo, hi = math.Min(lo, in.Mean), math.Max(hi, in.Mean)
			if in.Low != nil && in.High != nil {
				lo, hi = math.Min(lo, *in.Low), math.Max(hi, *in.High)
			}
		}
	}
	lo, hi = math.Max(lo, 0), math.Min(hi, 100)
	ch := newCalRowChart("agent-chart", "Agents' mean score, raw and bias-adjusted",
		"For each agent, the upper dot is the mean score as scored, the lower dot the mean with "+
			"the reviewers' bias taken out; lines are 95% intervals.", len(agents), lo, hi)
	for _, a := range agents {
		row := ch.row(a.Agent, fmt.Sprintf("%s: raw %.1f, adjusted %.1f", a.Agent, a.Raw.Mean,
			a.Adjusted.Mean))
		ch.mark(row, a.Raw.Mean, a.Raw.Low, a.Raw.High, -6, "raw",
			fmt.Sprintf("raw %.1f", a.Raw.Mean))
		ch.mark(row, a.Adjusted.Mean, a.Adjusted.Low, a.Adjusted.High, 6, "adj",
			fmt.Sprintf("adjusted %.1f", a.Adjusted.Mean))
	}
	return ch
}
