package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"earshot/qa"
	"earshot/storage"
	"earshot/storage/catalog"
)

func (s *Server) mountWebPages(g *echo.Group) {
	g.GET("/queue", s.page(scoringRole, s.queuePage))
	g.GET("/agent", s.page([]qa.Role{qa.RoleAgent}, s.agentPage))
	g.POST("/web/form-versions/:id/score-preview", s.webJSON(scoringRole, s.scorePreview))
}

// queueItem is one row of the review queue.
type queueItem struct {
	Evaluation qa.Evaluation
	Form       string
	// Call is nil when the call is no longer in the catalog.
	Call    *catalog.Call
	Overdue bool
}

func (s *Server) queuePage(c echo.Context) error {
	ctx := c.Request().Context()
	evs, err := s.cfg.QA.Queue(ctx, caller(c))
	if err != nil {
		return s.webQAError(c, "review queue", err)
	}
	forms, err := s.formNames(ctx)
	if err != nil {
		return s.webFail(c, "list forms", err)
	}
	now := time.Now()
	items := make([]queueItem, 0, len(evs))
	for _, ev := range evs {
		it := queueItem{Evaluation: ev, Form: forms[ev.FormID],
			Overdue: ev.DueAt != nil && ev.DueAt.Before(now)}
		if s.cfg.Calls != nil {
			call, err := s.cfg.Calls.Get(ctx, ev.CallID)
			if err != nil && !errors.Is(err, catalog.ErrNotFound) {
				return s.webFail(c, "get call", err)
			}
			it.Call = call
		}
		items = append(items, it)
	}
	return s.render(c, http.StatusOK, "queue", pageData{Title: "My queue", Nav: "queue", Page: items})
}

// formNames maps form ids to names.
func (s *Server) formNames(ctx context.Context) (map[int64]string, error) {
	forms, err := s.cfg.QA.ListForms(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(forms))
	for _, f := range forms {
		out[f.ID] = f.Name
	}
	return out, nil
}

// agentView is an agent's own page.
type agentView struct {
	Linked      bool
	Evaluations []agentEvaluation
	Trend       []qa.TrendPoint
	// Chart is the trend as the chart script reads it.
	Chart trendChart
}

type agentEvaluation struct {
	qa.Evaluation
	Form string
}

// trendChart is the weekly trend in columns, as uPlot takes its data.
type trendChart struct {
	Weeks []string   `json:"weeks"`
	Mean  []float64  `json:"mean"`
	Low   []*float64 `json:"low"`
	High  []*float64 `json:"high"`
	N     []int      `json:"n"`
}

func (s *Server) agentPage(c echo.Context) error {
	ctx, u := c.Request().Context(), caller(c)
	v := agentView{Linked: u.AgentID != nil}
	if !v.Linked {
		return s.render(c, http.StatusOK, "agent", pageData{Title: "My evaluations", Nav: "agent", Page: v})
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
	// Newest submission first: a re-scored or late evaluation is news.
	slices.SortStableFunc(evs, func(a, b qa.Evaluation) int {
		return cmp.Compare(submittedMS(b), submittedMS(a))
	})
	for _, ev := range evs {
		v.Evaluations = append(v.Evaluations, agentEvaluation{Evaluation: ev, Form: forms[ev.FormID]})
	}
	if v.Trend, err = s.cfg.QA.WeeklyTrend(ctx, u, qa.ReportFilter{AgentID: *u.AgentID}); err != nil {
		return s.webQAError(c, "score trend", err)
	}
	for _, p := range v.Trend {
		v.Chart.Weeks = append(v.Chart.Weeks, p.Week)
		v.Chart.Mean = append(v.Chart.Mean, p.Score.Mean)
		v.Chart.Low = append(v.Chart.Low, p.Score.Low)
		v.Chart.High = append(v.Chart.High, p.Score.High)
		v.Chart.N = append(v.Chart.N, p.Score.N)
	}
	return s.render(c, http.StatusOK, "agent", pageData{Title: "My evaluations", Nav: "agent", Page: v})
}

func submittedMS(ev qa.Evaluation) int64 {
	if ev.SubmittedAt == nil {
		return 0
	}
	return ev.SubmittedAt.UnixMilli()
}

// webClock shows a time in UTC to the minute; the zero time is empty.
func webClock(t any) string {
	switch v := t.(type) {
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.UTC().Format("2006-01-02 15:04")
	case *time.Time:
		if v == nil {
			return ""
		}
		return webClock(*v)
	}
	return ""
}

// webDuration shows milliseconds as m:ss, or h:mm:ss past an hour.
func webDuration(ms int64) string {
	sec := ms / 1000
	if sec >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", sec/3600, sec/60%60, sec%60)
	}
	return fmt.Sprintf("%d:%02d", sec/60, sec%60)
}

// webPercent shows a score; nil (all N/A, or not scored) is a dash.
func webPercent(p *float64) string {
	if p == nil {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", *p)
}

// partyName is how a participant is shown: the display name, else the
// SIP address.
func partyName(p storage.Participant) string {
	if p.Name != "" {
		return p.Name
	}
	if p.SIPAddress != "" {
		return p.SIPAddress
	}
	return "unknown"
}

// partyNames lists a call's participants for a table cell.
func partyNames(call *catalog.Call) string {
	names := make([]string, 0, len(call.Participants))
	for _, p := range call.Participants {
		names = append(names, partyName(p))
	}
	return strings.Join(names, " ↔ ")
}
