package ui

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// One evaluation of the agent's call, with what the agent may do about
// it: acknowledge it, or dispute it with a reason (and, per question, the
// answer they think right) while the dispute window is open. The qa
// functions decide whether the evaluation is the agent's and whether the
// window is still open; the page only shows their answer.

func (s *Server) mountWebAgent(g *echo.Group) {
	agent := []qa.Role{qa.RoleAgent}
	g.GET("/agent/evaluations/:id", s.page(agent, s.agentEvaluationPage))
	g.POST("/agent/evaluations/:id/acknowledge", s.page(agent, s.agentAcknowledge))
	g.POST("/agent/evaluations/:id/dispute", s.page(agent, s.agentDispute))
	g.POST("/agent/coaching/:id/done", s.page(agent, s.agentCoachingDone))
}

// evaluationDetail is the agent's page of one evaluation.
type evaluationDetail struct {
	Ev       *qa.Evaluation
	Form     string
	Sections []answerSection
	Dispute  *qa.Dispute
	// Deadline is the end of the dispute window; WindowOpen is whether it
	// is still ahead.
	Deadline   time.Time
	WindowOpen bool
	// CanAcknowledge and CanDispute say which forms the page shows.
	CanAcknowledge, CanDispute bool
	History                    []qa.EvaluationRevision
	Coaching                   []coachingView
	// Comment is the reason typed into a dispute form shown again.
	Comment string
}

// webID reads the numeric id of the path; a malformed one is a page that
// does not exist.
func webID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("id %q: %w", c.Param("id"), qa.ErrNotFound)
	}
	return id, nil
}

func (s *Server) agentEvaluationPage(c echo.Context) error {
	return s.renderAgentEvaluation(c, http.StatusOK, agentNotice(c), "", "", nil)
}

// renderAgentEvaluation shows the evaluation of the path; problem,
// comment and picked re-show a refused dispute form.
func (s *Server) renderAgentEvaluation(
	c echo.Context,
	code int,
	notice, problem, comment string,
	picked map[string]string,
) error {
	id, err := webID(c)
	if err != nil {
		return s.webQAError(c, "evaluation", err)
	}
	v, err := s.evaluationDetail(c, id, picked)
	if err != nil {
		return s.webQAError(c, "evaluation", err)
	}
	v.Comment = comment
	return s.render(c, code, "agent_evaluation", pageData{Title: "Evaluation of " + clockOf(v.Ev),
		Nav: "agent", Notice: notice, Problem: problem, Page: v})
}

func clockOf(ev *qa.Evaluation) string { return webClock(ev.SubmittedAt) }

func (s *Server) evaluationDetail(
	c echo.Context,
	id int64,
	picked map[string]string,
) (*evaluationDetail, error) {
	ctx, u := c.Request().Context(), caller(c)
	ev, err := s.cfg.QA.GetEvaluation(ctx, u, id)
	if err != nil {
		return nil, err
	}
	// Agents see their submitted evaluations only; GetEvaluation also lets
	// a user who is both agent and reviewer see their own drafts, which
	// are not for this page.
	if ev.Status != qa.StatusSubmitted || !ownAgent(u, ev.AgentID) {
		return nil, fmt.Errorf("evaluation %d: %w", id, qa.ErrNotFound)
	}
	v := &evaluationDetail{Ev: ev}
	fv, err := s.cfg.QA.GetFormVersion(ctx, ev.FormVersionID)
	if err != nil {
		return nil, err
	}
	v.Form = fv.Definition.Name
	if ev.DisputeID != nil {
		if v.Dispute, err = s.cfg.QA.GetDispute(ctx, u, *ev.DisputeID); err != nil {
			return nil, err
		}
	}
	v.Sections = answerSections(fv.Definition, ev, v.Dispute, picked)
	window, err := s.cfg.QA.DisputeWindow(ctx)
	if err != nil {
		return nil, err
	}
	v.Deadline = ev.SubmittedAt.Add(window)
	// The page reads the wall clock; qa decides on its own clock when the
	// dispute is sent, and the page shows its refusal if they differ.
	v.WindowOpen = time.Now().Before(v.Deadline)
	open := v.Dispute != nil && v.Dispute.Status == qa.DisputeOpen
	v.CanAcknowledge = ev.AcknowledgedAt == nil && !open
	v.CanDispute = ev.AcknowledgedAt == nil && v.Dispute == nil
	if v.History, err = s.cfg.QA.EvaluationHistory(ctx, u, id); err != nil {
		return nil, err
	}
	v.Coaching, err = s.agentCoaching(c, id)
	return v, err
}

// ownAgent reports whether u is the agent agentID.
func ownAgent(u *qa.User, agentID *int64) bool {
	return u.AgentID != nil && agentID != nil && *u.AgentID == *agentID
}

func (s *Server) agentAcknowledge(c echo.Context) error {
	id, err := webID(c)
	if err != nil {
		return s.webQAError(c, "acknowledge", err)
	}
	_, err = s.cfg.QA.Acknowledge(c.Request().Context(), caller(c), id)
	if errors.Is(err, qa.ErrConflict) {
		return s.renderAgentEvaluation(c, http.StatusConflict, "", err.Error(), "", nil)
	}
	if err != nil {
		return s.webQAError(c, "acknowledge", err)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/agent/evaluations/%d?done=acknowledged", id))
}

func (s *Server) agentDispute(c echo.Context) error {
	ctx, u := c.Request().Context(), caller(c)
	id, err := webID(c)
	if err != nil {
		return s.webQAError(c, "dispute", err)
	}
	ev, err := s.cfg.QA.GetEvaluation(ctx, u, id)
	if err != nil {
		return s.webQAError(c, "dispute", err)
	}
	fv, err := s.cfg.QA.GetFormVersion(ctx, ev.FormVersionID)
	if err != nil {
		return s.webFail(c, "form version", err)
	}
	proposed, picked := pickedAnswers(c, fv.Definition, "p.")
	comment := c.FormValue("comment")
	_, err = s.cfg.QA.DisputeEvaluation(ctx, u, id, qa.DisputeInput{Comment: comment,
		Proposed: proposed})
	var in *qa.InputError
	switch {
	case errors.As(err, &in):
		return s.renderAgentEvaluation(c, http.StatusBadRequest, "",
			disputeProblem(fv.Definition, in), comment, picked)
	case errors.Is(err, qa.ErrConflict):
		// Most often the window has closed: qa's message names the day.
		return s.renderAgentEvaluation(c, http.StatusConflict, "",
			"The dispute was not sent: "+err.Error()+".", comment, picked)
	case err != nil:
		return s.webQAError(c, "dispute", err)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/agent/evaluations/%d?done=disputed", id))
}

// disputeProblem says what to fix in a refused dispute form.
func disputeProblem(def qa.FormDefinition, in *qa.InputError) string {
	if in.Field == "comment" {
		return "Give a reason: say what is wrong with the evaluation (" + in.Msg + ")."
	}
	texts := questionTexts(def)
	for id, text := range texts {
		if in.Field == "proposed."+id {
			return fmt.Sprintf("The answer you propose for %q: %s.", text, in.Msg)
		}
	}
	return in.Error()
}
