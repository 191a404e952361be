package ui

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// The managers' dashboards: every agent's mean score with its 95%
// interval, raw and with reviewers' bias taken out, per team too, and one
// agent in depth. The figures are the qa reports' own (AgentScores,
// AgentsAdjusted, TeamScores, WeeklyTrend, CallKPIs, QuestionFailures),
// called with the filter of the page; the CSV links point at the report
// API with the same filter.

var dashboardReaders = []qa.Role{qa.RoleAdmin, qa.RoleManager}

// mountWebDashboards registers the dashboards pages.
func (s *Server) mountWebDashboards(g *echo.Group) {
	g.GET("/dashboards", s.page(dashboardReaders, s.dashboardsPage))
	g.GET("/dashboards/agents/:id", s.page(dashboardReaders, s.agentDashboardPage))
}

// dashQuery is the dashboards' filter as the form sends it: dates as
// YYYY-MM-DD (UTC, both days included) and ids.
type dashQuery struct {
	Team, Agent, Form, From, To string
}

const dashDateLayout = time.DateOnly

// readDashQuery reads the filter; a malformed field is an error that
// names it.
func readDashQuery(c echo.Context) (dashQuery, qa.ReportFilter, error) {
	q := dashQuery{Team: c.QueryParam("team_id"), Agent: c.QueryParam("agent_id"),
		Form: c.QueryParam("form_id"), From: c.QueryParam("from"), To: c.QueryParam("to")}
	var f qa.ReportFilter
	var err error
	if f.TeamID, err = pickedID("team", q.Team); err != nil {
		return q, f, err
	}
	if f.AgentID, err = pickedID("agent", q.Agent); err != nil {
		return q, f, err
	}
	if f.FormID, err = pickedID("form", q.Form); err != nil {
		return q, f, err
	}
	if f.From, err = dashDate("from", q.From); err != nil {
		return q, f, err
	}
	if f.To, err = dashDate("to", q.To); err != nil {
		return q, f, err
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1) // the last day counts whole
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return q, f, fmt.Errorf("the first day %s is after the last day %s", q.From, q.To)
	}
	return q, f, nil
}

func dashDate(name, v string) (time.Time, error) {
	return formTime(name, v, dashDateLayout, "a date such as 2026-03-02")
}

// AgentLink is the dashboard of agent id with the window and form of q.
func (q dashQuery) AgentLink(id int64) string {
	v := url.Values{}
	for k, val := range map[string]string{"from": q.From, "to": q.To, "form_id": q.Form} {
		if val != "" {
			v.Set(k, val)
		}
	}
	link := "/dashboards/agents/" + strconv.FormatInt(id, 10)
	if len(v) == 0 {
		return link
	}
	return link + "?" + v.Encode()
}

// apiQuery is f as the report API reads it, for the CSV links.
func apiQuery(f qa.ReportFilter) url.Values {
	v := url.Values{"format": {"csv"}}
	if !f.From.IsZero() {
		v.Set("from", f.From.Format(time.RFC3339))
	}
	if !f.To.IsZero() {
		v.Set("to", f.To.Format(time.RFC3339))
	}
	for k, id := range map[string]int64{"team_id": f.TeamID, "agent_id": f.AgentID, "form_id": f.FormID} {
		if id != 0 {
			v.Set(k, strconv.FormatInt(id, 10))
		}
	}
	return v
}

// dashChoices are the filter's lists.
type dashChoices struct {
	Teams     []qa.Team
	AllAgents []qa.Agent
	Forms     []qa.Form
}

func (s *Server) dashChoices(ctx context.Context) (dashChoices, error) {
	var ch dashChoices
	var err error
	if ch.Teams, err = s.cfg.QA.ListTeams(ctx); err != nil {
		return ch, err
	}
	if ch.AllAgents, err = s.cfg.QA.ListAgents(ctx, qa.AgentFilter{Inactive: true}); err != nil {
		return ch, err
	}
	ch.Forms, err = s.cfg.QA.ListForms(ctx)
	return ch, err
}

// ivText shows an interval's bounds, or why there are none.
func ivText(iv qa.Interval) string {
	if iv.Low == nil || iv.High == nil {
		if iv.N == 0 {
			return "no evaluation"
		}
		return "needs 2 evaluations"
	}
	return fmt.Sprintf("%.1f to %.1f", *iv.Low, *iv.High)
}

// meanText shows an interval's mean, or a dash without evaluations.
func meanText(iv qa.Interval) string {
	if iv.N == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", iv.Mean)
}
