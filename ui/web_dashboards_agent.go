package ui

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// agentDashboard is one agent in depth.
type agentDashboard struct {
	Agent *qa.Agent
	Team  string
	Q     dashQuery
	dashChoices
	// Raw is the agent's overall score, Adjusted the same with reviewers'
	// bias taken out (nil without one).
	Raw                            qa.Interval
	Adjusted                       *qa.Interval
	RawMean, RawCI, AdjMean, AdjCI string
	BiasWarning                    string
	Trend                          []trendRow
	Chart                          trendChart
	// KPIs is nil when no call of the agent's is in the window.
	KPIs      *qa.AgentKPIs
	KPIChart  barChart
	KPIWeeks  []kpiWeekRow
	KPITrend  kpiTrendChart
	Questions []questionRow
	Recent    []agentEvaluation
	// CSV links of the report API with the page's filter.
	TrendCSV, KPIsCSV, KPITrendCSV, QuestionsCSV string
}

// trendRow is one week of the trend table, raw and bias-adjusted.
type trendRow struct {
	Week, Mean, CI string
	AdjMean, AdjCI string
	N              int
}

// questionRow is one question of the failure table.
type questionRow struct {
	qa.QuestionStat
	Form, Text, Rate string
}

// recentLimit is how many of the agent's latest evaluations the page
// lists.
const recentLimit = 20

func (s *Server) agentDashboardPage(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := webID(c)
	if err != nil {
		return s.webQAError(c, "agent", err)
	}
	agent, err := s.cfg.QA.GetAgent(ctx, id)
	if err != nil {
		return s.webQAError(c, "agent", err)
	}
	q, f, ferr := readDashQuery(c)
	ch, err := s.dashChoices(ctx)
	if err != nil {
		return s.webFail(c, "list teams, agents and forms", err)
	}
	v := &agentDashboard{Agent: agent, Q: q, dashChoices: ch}
	for _, t := range ch.Teams {
		if agent.TeamID != nil && t.ID == *agent.TeamID {
			v.Team = t.Name
		}
	}
	d := pageData{Title: agent.Name, Nav: "dashboards", Page: v}
	if ferr != nil {
		d.Problem = "The filter was not applied: " + ferr.Error() + "."
		return s.render(c, http.StatusBadRequest, "dashboard_agent", d)
	}
	// The page is about this agent whatever the filter says of others.
	f.AgentID, f.TeamID = id, 0
	if err := s.fillAgentDashboard(c, v, f); err != nil {
		return s.webQAError(c, "agent dashboard", err)
	}
	return s.render(c, http.StatusOK, "dashboard_agent", d)
}

func (s *Server) fillAgentDashboard(c echo.Context, v *agentDashboard, f qa.ReportFilter) error {
	if err := s.agentScoresInto(c, v, f); err != nil {
		return err
	}
	ctx, u := c.Request().Context(), caller(c)
	trend, err := s.cfg.QA.AdjustedTrend(ctx, u, f, 0)
	if err != nil {
		return err
	}
	v.Trend, v.Chart = adjustedTrendView(trend.Weeks)
	kpis, err := s.cfg.QA.CallKPIs(ctx, u, f)
	if err != nil {
		return err
	}
	if len(kpis) > 0 {
		v.KPIs = &kpis[0]
		v.KPIChart = kpiChart(kpis[0])
	}
	weeks, err := s.cfg.QA.KPITrend(ctx, u, f)
	if err != nil {
		return err
	}
	v.KPIWeeks, v.KPITrend = kpiTrendView(weeks)
	if err := s.questionRowsInto(c, v, f); err != nil {
		return err
	}
	if err := s.recentInto(c, v, f); err != nil {
		return err
	}
	api := apiQuery(f).Encode()
	v.TrendCSV = "/api/v1/reports/trend-adjusted?" + api
	v.KPIsCSV = "/api/v1/reports/kpis?" + api
	v.KPITrendCSV = "/api/v1/reports/kpis-trend?" + api
	v.QuestionsCSV = "/api/v1/reports/questions?" + api
	return nil
}

// agentScoresInto reads the agent's overall raw and adjusted scores.
func (s *Server) agentScoresInto(c echo.Context, v *agentDashboard, f qa.ReportFilter) error {
	ctx, u := c.Request().Context(), caller(c)
	scores, err := s.cfg.QA.AgentScores(ctx, u, f)
	if err != nil {
		return err
	}
	if len(scores) > 0 {
		v.Raw = scores[0].Score
	}
	adj, err := s.cfg.QA.AgentsAdjusted(ctx, u, f, 0)
	if err != nil {
		return err
	}
	rows := dashRows(scores, adj)
	if len(rows) > 0 && rows[0].Adjusted != nil {
		v.Adjusted = rows[0].Adjusted
		v.AdjMean, v.AdjCI = rows[0].AdjMean(), rows[0].AdjCI()
	}
	if adj.Bias != nil {
		v.BiasWarning = adj.Bias.Warning
	}
	v.RawMean, v.RawCI = meanText(v.Raw), ivText(v.Raw)
	return nil
}

// questionRowsInto reads the agent's failure rates per question, named
// by the text of the form's latest version (a question dropped since
// shows by its id).
func (s *Server) questionRowsInto(c echo.Context, v *agentDashboard, f qa.ReportFilter) error {
	ctx, u := c.Request().Context(), caller(c)
	stats, err := s.cfg.QA.QuestionFailures(ctx, u, f)
	if err != nil {
		return err
	}
	forms := map[int64]qa.Form{}
	for _, fm := range v.Forms {
		forms[fm.ID] = fm
	}
	for _, st := range stats {
		fm := forms[st.FormID]
		text := questionTexts(fm.Latest.Definition)[st.QuestionID]
		if text == "" {
			text = st.QuestionID
		}
		v.Questions = append(v.Questions, questionRow{QuestionStat: st, Form: fm.Name, Text: text,
			Rate: fmt.Sprintf("%.0f%%", 100*st.FailureRate)})
	}
	return nil
}

// recentInto lists the agent's latest submitted evaluations on the
// filter's form, in the filter's window.
func (s *Server) recentInto(c echo.Context, v *agentDashboard, f qa.ReportFilter) error {
	ctx, u := c.Request().Context(), caller(c)
	evs, err := s.cfg.QA.ListEvaluations(ctx, u, qa.EvaluationFilter{AgentID: f.AgentID,
		Status: qa.StatusSubmitted, FormID: f.FormID, Limit: recentLimit,
		SubmittedFrom: f.From, SubmittedTo: f.To})
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, fm := range v.Forms {
		names[fm.ID] = fm.Name
	}
	for _, ev := range evs {
		if ev.Calibration {
			continue // never part of an agent's record
		}
		v.Recent = append(v.Recent, agentEvaluation{Evaluation: ev, Form: names[ev.FormID]})
	}
	return nil
}

// adjustedTrendView lays out the weekly trend as the table's rows and the
// chart's columns.
func adjustedTrendView(weeks []qa.AdjustedTrendPoint) ([]trendRow, trendChart) {
	var rows []trendRow
	var ch trendChart
	for _, p := range weeks {
		rows = append(rows, trendRow{Week: p.Week, N: p.Raw.N, Mean: meanText(p.Raw),
			CI: ivText(p.Raw), AdjMean: meanText(p.Adjusted), AdjCI: ivText(p.Adjusted)})
		ch.Weeks = append(ch.Weeks, p.Week)
		ch.Mean = append(ch.Mean, p.Raw.Mean)
		ch.Low = append(ch.Low, p.Raw.Low)
		ch.High = append(ch.High, p.Raw.High)
		ch.N = append(ch.N, p.Raw.N)
		ch.AdjMean = append(ch.AdjMean, p.Adjusted.Mean)
		ch.AdjLow = append(ch.AdjLow, p.Adjusted.Low)
		ch.AdjHigh = append(ch.AdjHigh, p.Adjusted.High)
	}
	return rows, ch
}
