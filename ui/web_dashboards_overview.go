package ui

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// dashRow is one agent of the overview: the agents report's row and,
// beside it, the bias-adjusted mean (nil when the bias report has no row
// for the agent).
type dashRow struct {
	AgentID  int64
	Agent    string
	Team     string
	Raw      qa.Interval
	Adjusted *qa.Interval
}

// RawMean is the raw mean, or a dash.
func (r dashRow) RawMean() string { return meanText(r.Raw) }

// RawCI is the raw interval's bounds.
func (r dashRow) RawCI() string { return ivText(r.Raw) }

// AdjMean is the adjusted mean, or a dash.
func (r dashRow) AdjMean() string {
	if r.Adjusted == nil {
		return "–"
	}
	return meanText(*r.Adjusted)
}

// AdjCI is the adjusted interval's bounds, or a dash.
func (r dashRow) AdjCI() string {
	if r.Adjusted == nil {
		return "–"
	}
	return ivText(*r.Adjusted)
}

// teamRow is one team of the overview.
type teamRow struct {
	qa.TeamScore
	Mean, CI string
}

// dashboardsView is the overview page.
type dashboardsView struct {
	Q dashQuery
	dashChoices
	AgentRows   []dashRow
	TeamRows    []teamRow
	BiasWarning string
	Tolerance   float64
	Chart       ivChart
	// CSV links of the report API with the page's filter.
	AgentsCSV, TeamsCSV, AdjustedCSV string
}

func (s *Server) dashboardsPage(c echo.Context) error {
	ctx, u := c.Request().Context(), caller(c)
	q, f, ferr := readDashQuery(c)
	ch, err := s.dashChoices(ctx)
	if err != nil {
		return s.webFail(c, "list teams, agents and forms", err)
	}
	v := &dashboardsView{Q: q, dashChoices: ch}
	d := pageData{Title: "Dashboards", Nav: "dashboards", Page: v}
	if ferr != nil {
		d.Problem = "The filter was not applied: " + ferr.Error() + "."
		return s.render(c, http.StatusBadRequest, "dashboards", d)
	}
	scores, err := s.cfg.QA.AgentScores(ctx, u, f)
	if err != nil {
		return s.webQAError(c, "agent scores", err)
	}
	adjusted, err := s.cfg.QA.AgentsAdjusted(ctx, u, f, 0)
	if err != nil {
		return s.webQAError(c, "bias-adjusted scores", err)
	}
	teams, err := s.cfg.QA.TeamScores(ctx, u, f)
	if err != nil {
		return s.webQAError(c, "team scores", err)
	}
	v.AgentRows = dashRows(scores, adjusted)
	for _, t := range teams {
		v.TeamRows = append(v.TeamRows, teamRow{TeamScore: t, Mean: meanText(t.Score), CI: ivText(t.Score)})
	}
	if adjusted.Bias != nil {
		v.BiasWarning, v.Tolerance = adjusted.Bias.Warning, adjusted.Bias.Tolerance
	}
	v.Chart = intervalChart(v.AgentRows)
	api := apiQuery(f).Encode()
	v.AgentsCSV = "/api/v1/reports/agents?" + api
	v.TeamsCSV = "/api/v1/reports/teams?" + api
	v.AdjustedCSV = "/api/v1/reports/agents-adjusted?" + api
	return s.render(c, http.StatusOK, "dashboards", d)
}

// dashRows joins the agents report with the adjusted one, by agent, in
// the agents report's order.
func dashRows(scores []qa.AgentScore, adj *qa.AgentsAdjustedReport) []dashRow {
	byAgent := map[int64]*qa.Interval{}
	for i := range adj.Agents {
		byAgent[adj.Agents[i].AgentID] = &adj.Agents[i].Adjusted
	}
	out := make([]dashRow, 0, len(scores))
	for _, sc := range scores {
		out = append(out, dashRow{AgentID: sc.AgentID, Agent: sc.Agent, Team: sc.Team,
			Raw: sc.Score, Adjusted: byAgent[sc.AgentID]})
	}
	return out
}
