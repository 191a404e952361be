package ui

import (
	"context"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// The disputes pages: managers and admins see every dispute and decide
// the open ones; a reviewer sees the disputes of their own evaluations
// (qa.ListDisputes and qa.GetDispute apply that rule), read-only. The
// agents' side of a dispute is on their own pages (web_agent_*.go),
// mounted here since it is the other half of the same flow.

// disputeReaders may open the disputes pages; disputeDeciders may
// decide.
var (
	disputeReaders  = []qa.Role{qa.RoleAdmin, qa.RoleManager, qa.RoleReviewer}
	disputeDeciders = []qa.Role{qa.RoleAdmin, qa.RoleManager}
)

// mountWebDisputes registers the disputes pages and the agent's
// evaluation pages.
func (s *Server) mountWebDisputes(g *echo.Group) {
	g.GET("/disputes", s.page(disputeReaders, s.disputesPage))
	g.GET("/disputes/:id", s.page(disputeReaders, s.disputePage))
	g.POST("/disputes/:id/resolve", s.page(disputeDeciders, s.resolvePage))
	s.mountWebAgent(g)
}

// disputeRow is one dispute of the list, with what it is about.
type disputeRow struct {
	qa.Dispute
	Ev    *qa.Evaluation
	Agent string
	Form  string
}

// disputesView is the list page.
type disputesView struct {
	Status   string
	Statuses []statusOption
	Rows     []disputeRow
	// Capped is set when the list holds as many disputes as qa returns at
	// most: older ones are left out.
	Capped bool
}

type statusOption struct{ Value, Label string }

// disputeStatuses are the filter's choices, in the order a manager
// thinks of them.
var disputeStatuses = []statusOption{
	{"", "All"}, {string(qa.DisputeOpen), "Open"},
	{string(qa.DisputeAccepted), "Accepted (re-scored with the agent's answers)"},
	{string(qa.DisputePartlyAccepted), "Partly accepted (re-scored)"},
	{string(qa.DisputeRejected), "Rejected (score upheld)"},
}

func (s *Server) disputesPage(c echo.Context) error {
	ctx, u := c.Request().Context(), caller(c)
	v := disputesView{Status: c.QueryParam("status"), Statuses: disputeStatuses}
	ds, err := s.cfg.QA.ListDisputes(ctx, u, qa.DisputeFilter{Status: qa.DisputeStatus(v.Status)})
	if err != nil {
		return s.webQAError(c, "list disputes", err)
	}
	v.Capped = len(ds) == qa.MaxEvaluationLimit
	names, err := s.disputeAgentNames(ctx)
	if err != nil {
		return s.webFail(c, "list agents", err)
	}
	forms, err := s.formNames(ctx)
	if err != nil {
		return s.webFail(c, "list forms", err)
	}
	for _, d := range ds {
		// One read per dispute: the list is capped, and GetEvaluation
		// hides what the caller may not know (the agent of a blind
		// evaluation, for its reviewer).
		ev, err := s.cfg.QA.GetEvaluation(ctx, u, d.EvaluationID)
		if err != nil {
			return s.webQAError(c, "get evaluation", err)
		}
		row := disputeRow{Dispute: d, Ev: ev, Form: forms[ev.FormID]}
		if ev.AgentID != nil {
			row.Agent = names[*ev.AgentID]
		}
		v.Rows = append(v.Rows, row)
	}
	return s.render(c, http.StatusOK, "disputes", pageData{Title: "Disputes", Nav: "disputes", Page: v})
}

// disputeAgentNames maps agent ids to names, agents who have left included.
func (s *Server) disputeAgentNames(ctx context.Context) (map[int64]string, error) {
	agents, err := s.cfg.QA.ListAgents(ctx, qa.AgentFilter{Inactive: true})
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(agents))
	for _, a := range agents {
		out[a.ID] = a.Name
	}
	return out, nil
}

func itoaID(id int64) string { return strconv.FormatInt(id, 10) }
