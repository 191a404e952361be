package ui

import (
	"cmp"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// The agent's own page: their evaluations, newest first, their weekly
// trend and their coaching items. Every read goes through the qa
// functions with the agent as caller, which limit it to the agent's own
// calls; the page never passes another agent's id.

// agentView is an agent's own page.
type agentView struct {
	Linked      bool
	Evaluations []agentEvaluation
	Trend       []qa.TrendPoint
	// Chart is the trend as the chart script reads it.
	Chart    trendChart
	Coaching []coachingView
}

type agentEvaluation struct {
	qa.Evaluation
	Form string
	// Dispute is the agent's dispute of it, nil for none.
	Dispute *qa.Dispute
}

// trendChart is the weekly trend in columns, as uPlot takes its data.
// The adjusted columns, when set, are each week's bias-adjusted mean and
// its interval, drawn as a second line and band.
type trendChart struct {
	Weeks   []string   `json:"weeks"`
	Mean    []float64  `json:"mean"`
	Low     []*float64 `json:"low"`
	High    []*float64 `json:"high"`
	N       []int      `json:"n"`
	AdjMean []float64  `json:"adj_mean,omitempty"`
	AdjLow  []*float64 `json:"adj_low,omitempty"`
	AdjHigh []*float64 `json:"adj_high,omitempty"`
}

// chartOf puts a trend in the chart's columns.
func chartOf(trend []qa.TrendPoint) trendChart {
	var ch trendChart
	for _, p := range trend {
		ch.Weeks = append(ch.Weeks, p.Week)
		ch.Mean = append(ch.Mean, p.Score.Mean)
		ch.Low = append(ch.Low, p.Score.Low)
		ch.High = append(ch.High, p.Score.High)
		ch.N = append(ch.N, p.Score.N)
	}
	return ch
}

func (s *Server) agentPage(c echo.Context) error {
	ctx, u := c.Request().Context(), caller(c)
	v := agentView{Linked: u.AgentID != nil}
	d := pageData{Title: "My evaluations", Nav: "agent", Page: &v, Notice: agentNotice(c)}
	if !v.Linked {
		return s.render(c, http.StatusOK, "agent", d)
	}
	evs, err := s.cfg.QA.ListEvaluations(ctx, u, qa.EvaluationFilter{AgentID: *u.AgentID,
		Status: qa.StatusSubmitted})
	if err != nil {
		return s.webQAError(c, "list evaluations", err)
	}
	forms, err := s.formNames(ctx)
	if err != nil {
		return s.webFail(c, "list forms", err)
	}
	disputes, err := s.cfg.QA.ListDisputes(ctx, u, qa.DisputeFilter{AgentID: *u.AgentID})
	if err != nil {
		return s.webQAError(c, "list disputes", err)
	}
	byEval := map[int64]*qa.Dispute{}
	for i := range disputes {
		byEval[disputes[i].EvaluationID] = &disputes[i]
	}
	// Newest submission first: a re-scored or late evaluation is news.
	slices.SortStableFunc(evs, func(a, b qa.Evaluation) int {
		return cmp.Compare(submittedMS(b), submittedMS(a))
	})
	for _, ev := range evs {
		v.Evaluations = append(v.Evaluations, agentEvaluation{Evaluation: ev,
			Form: forms[ev.FormID], Dispute: byEval[ev.ID]})
	}
	if v.Trend, err = s.cfg.QA.WeeklyTrend(ctx, u, qa.ReportFilter{AgentID: *u.AgentID}); err != nil {
		return s.webQAError(c, "score trend", err)
	}
	v.Chart = chartOf(v.Trend)
	if v.Coaching, err = s.agentCoaching(c, 0); err != nil {
		return s.webQAError(c, "list coaching", err)
	}
	return s.render(c, http.StatusOK, "agent", d)
}

// agentNotice confirms what the agent just did, from the done parameter
// the action redirected with.
func agentNotice(c echo.Context) string {
	switch c.QueryParam("done") {
	case "acknowledged":
		return "Evaluation acknowledged."
	case "disputed":
		return "Dispute sent. A manager will decide it; the outcome shows here."
	case "coaching":
		return "Coaching item marked done."
	}
	return ""
}

func submittedMS(ev qa.Evaluation) int64 {
	if ev.SubmittedAt == nil {
		return 0
	}
	return ev.SubmittedAt.UnixMilli()
}
