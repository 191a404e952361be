package ui

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

var reportReaders = []qa.Role{qa.RoleAdmin, qa.RoleManager, qa.RoleAgent}

// reportAPI are the routes of reports. Each answers JSON, or CSV with
// ?format=csv. Agents get their own figures only.
func (s *Server) reportAPI() []route {
	if s.cfg.QA == nil {
		return nil
	}
	return []route{
		{method: http.MethodGet, path: "/api/v1/reports/agents", roles: reportReaders, h: s.agentReport,
			summary: "Mean score per agent with its 95% interval and the evaluations still needed"},
		{method: http.MethodGet, path: "/api/v1/reports/teams", roles: staff, h: s.teamReport,
			summary: "Mean score per team with its 95% interval"},
		{method: http.MethodGet, path: "/api/v1/reports/trend", roles: reportReaders, h: s.trendReport,
			summary: "Scores by ISO week, for one agent or everyone in the filter"},
		{method: http.MethodGet, path: "/api/v1/reports/kpis", roles: reportReaders, h: s.kpiReport,
			summary: "Call KPIs per agent: handle time, talk, silence, overtalk"},
		{method: http.MethodGet, path: "/api/v1/reports/kpis-trend", roles: reportReaders, h: s.kpiTrendReport,
			summary: "Call KPIs per agent and ISO week (UTC), for following them over time"},
		{method: http.MethodGet, path: "/api/v1/reports/questions", roles: reportReaders, h: s.questionReport,
			summary: "Failure rate per form question, worst first"},
	}
}

func (s *Server) questionReport(c echo.Context) error {
	return s.report(c, func(f qa.ReportFilter) ([][]string, any, error) {
		rows, err := s.cfg.QA.QuestionFailures(c.Request().Context(), caller(c), f)
		table := [][]string{{"form_id", "question_id", "answered", "na", "failed", "failure_rate", "mean_fraction"}}
		for _, r := range rows {
			table = append(table, []string{itoa(r.FormID), r.QuestionID, strconv.Itoa(r.Answered),
				strconv.Itoa(r.NA), strconv.Itoa(r.Failed), ftoa(r.FailureRate), ftoa(r.MeanFraction)})
		}
		return table, rows, err
	})
}

// reportFilter reads from, to, team_id, agent_id and form_id.
func reportFilter(c echo.Context) (qa.ReportFilter, error) {
	var f qa.ReportFilter
	var err error
	if f.From, err = queryTime(c, "from"); err != nil {
		return f, err
	}
	if f.To, err = queryTime(c, "to"); err != nil {
		return f, err
	}
	if f.TeamID, err = queryInt(c, "team_id"); err != nil {
		return f, err
	}
	if f.FormID, err = queryInt(c, "form_id"); err != nil {
		return f, err
	}
	f.AgentID, err = queryInt(c, "agent_id")
	return f, err
}

func (s *Server) agentReport(c echo.Context) error {
	return s.report(c, func(f qa.ReportFilter) ([][]string, any, error) {
		rows, err := s.cfg.QA.AgentScores(c.Request().Context(), caller(c), f)
		table := [][]string{append([]string{"agent_id", "agent", "team"}, intervalHeader...)}
		for _, r := range rows {
			table = append(table, append([]string{itoa(r.AgentID), r.Agent, r.Team}, intervalCells(r.Score)...))
		}
		return table, rows, err
	})
}

func (s *Server) teamReport(c echo.Context) error {
	return s.report(c, func(f qa.ReportFilter) ([][]string, any, error) {
		rows, err := s.cfg.QA.TeamScores(c.Request().Context(), caller(c), f)
		table := [][]string{append([]string{"team_id", "team", "agents"}, intervalHeader...)}
		for _, r := range rows {
			table = append(table, append([]string{itoa(r.TeamID), r.Team, strconv.Itoa(r.Agents)},
				intervalCells(r.Score)...))
		}
		return table, rows, err
	})
}

func (s *Server) trendReport(c echo.Context) error {
	return s.report(c, func(f qa.ReportFilter) ([][]string, any, error) {
		rows, err := s.cfg.QA.WeeklyTrend(c.Request().Context(), caller(c), f)
		table := [][]string{append([]string{"week", "agent_id"}, intervalHeader...)}
		for _, r := range rows {
			table = append(table, append([]string{r.Week, itoa(r.AgentID)}, intervalCells(r.Score)...))
		}
		return table, rows, err
	})
}

func (s *Server) kpiTrendReport(c echo.Context) error {
	return s.report(c, func(f qa.ReportFilter) ([][]string, any, error) {
		rows, err := s.cfg.QA.KPITrend(c.Request().Context(), caller(c), f)
		table := [][]string{append([]string{"week"}, kpiHeader...)}
		for _, r := range rows {
			table = append(table, append([]string{r.Week}, kpiCells(r.AgentKPIs)...))
		}
		return table, rows, err
	})
}

// kpiHeader and kpiCells are the CSV columns of an agent's call figures.
var kpiHeader = []string{"agent_id", "agent", "calls", "handle_ms", "agent_talk_ms", "customer_talk_ms",
	"silence_ms", "overtalk_ms", "longest_silence_ms"}

func kpiCells(r qa.AgentKPIs) []string {
	return []string{itoa(r.AgentID), r.Agent, strconv.Itoa(r.Calls), ftoa(r.HandleMS),
		ftoa(r.AgentTalkMS), ftoa(r.CustomerTalkMS), ftoa(r.SilenceMS), ftoa(r.OvertalkMS),
		ftoa(r.LongestSilenceMS)}
}

func (s *Server) kpiReport(c echo.Context) error {
	return s.report(c, func(f qa.ReportFilter) ([][]string, any, error) {
		rows, err := s.cfg.QA.CallKPIs(c.Request().Context(), caller(c), f)
		table := [][]string{kpiHeader}
		for _, r := range rows {
			table = append(table, kpiCells(r))
		}
		return table, rows, err
	})
}

// report runs a report and answers it as JSON or, with ?format=csv, as a
// CSV download.
func (s *Server) report(c echo.Context, run func(qa.ReportFilter) ([][]string, any, error)) error {
	f, err := reportFilter(c)
	if err != nil {
		return apiErr(c, http.StatusBadRequest, "%v", err)
	}
	table, rows, err := run(f)
	if err != nil {
		return s.apiError(c, err)
	}
	switch c.QueryParam("format") {
	case "", "json":
		return c.JSON(http.StatusOK, map[string]any{"rows": rows})
	case "csv":
		name := c.Path()[len("/api/v1/reports/"):]
		c.Response().Header().Set("Content-Type", "text/csv; charset=utf-8")
		c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="earshot-%s.csv"`, name))
		c.Response().WriteHeader(http.StatusOK)
		return csv.NewWriter(c.Response()).WriteAll(table)
	}
	return apiErr(c, http.StatusBadRequest, "format=%q: use json or csv", c.QueryParam("format"))
}

var intervalHeader = []string{"evaluations", "mean", "ci_low", "ci_high", "more_needed"}

func intervalCells(iv qa.Interval) []string {
	return []string{strconv.Itoa(iv.N), ftoa(iv.Mean), ptoa(iv.Low), ptoa(iv.High), strconv.Itoa(iv.MoreNeeded)}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// ftoa renders a figure for CSV with two decimals.
func ftoa(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }

// ptoa renders an optional figure, empty when unknown.
func ptoa(x *float64) string {
	if x == nil {
		return ""
	}
	return ftoa(*x)
}
