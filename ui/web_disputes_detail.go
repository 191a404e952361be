package ui

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// disputeView is the page of one dispute.
type disputeView struct {
	D        *qa.Dispute
	Ev       *qa.Evaluation
	Agent    string
	Reviewer string
	Resolver string
	Form     string
	Sections []answerSection
	// HasProposal is set when the agent proposed answers, which an
	// acceptance applies as they are.
	HasProposal bool
	// CanDecide shows the decision form.
	CanDecide bool
	// Decision and Comment re-show a refused decision form.
	Decision, Comment string
}

func (s *Server) disputePage(c echo.Context) error {
	notice := ""
	if c.QueryParam("done") == "resolved" {
		notice = "Decision saved. The agent sees it on their evaluation."
	}
	return s.renderDispute(c, http.StatusOK, notice, "", disputeForm{})
}

// disputeForm is what a refused decision form had in it.
type disputeForm struct {
	decision, comment string
	picked            map[string]string
}

func (s *Server) renderDispute(c echo.Context, code int, notice, problem string, f disputeForm) error {
	id, err := webID(c)
	if err != nil {
		return s.webQAError(c, "dispute", err)
	}
	v, err := s.disputeView(c, id, f)
	if err != nil {
		return s.webQAError(c, "dispute", err)
	}
	return s.render(c, code, "dispute", pageData{Title: fmt.Sprintf("Dispute %d", id),
		Nav: "disputes", Notice: notice, Problem: problem, Page: v})
}

func (s *Server) disputeView(c echo.Context, id int64, f disputeForm) (*disputeView, error) {
	ctx, u := c.Request().Context(), caller(c)
	d, err := s.cfg.QA.GetDispute(ctx, u, id)
	if err != nil {
		return nil, err
	}
	ev, err := s.cfg.QA.GetEvaluation(ctx, u, d.EvaluationID)
	if err != nil {
		return nil, err
	}
	fv, err := s.cfg.QA.GetFormVersion(ctx, ev.FormVersionID)
	if err != nil {
		return nil, err
	}
	v := &disputeView{D: d, Ev: ev, Form: fv.Definition.Name, HasProposal: len(d.Proposed) > 0,
		Sections:  answerSections(fv.Definition, ev, d, f.picked),
		CanDecide: d.Status == qa.DisputeOpen && u.HasAny(disputeDeciders...),
		Decision:  f.decision, Comment: f.comment}
	names, err := s.disputeAgentNames(ctx)
	if err != nil {
		return nil, err
	}
	if ev.AgentID != nil {
		v.Agent = names[*ev.AgentID]
	}
	users, err := s.userNames(ctx)
	if err != nil {
		return nil, err
	}
	v.Reviewer = users[ev.ReviewerID]
	if d.ResolvedBy != nil {
		v.Resolver = users[*d.ResolvedBy]
	}
	return v, nil
}

// resolvePage decides a dispute: uphold (qa's "rejected"), re-score
// with the agent's proposed answers ("accepted") or with answers the
// manager picks ("partly_accepted"), through qa.ResolveDispute, the
// function the API's resolve route calls; it re-scores in the same
// transaction. The page asks for a note on every decision, though qa
// needs one only to uphold: the agent reads it.
func (s *Server) resolvePage(c echo.Context) error {
	ctx, u := c.Request().Context(), caller(c)
	id, err := webID(c)
	if err != nil {
		return s.webQAError(c, "dispute", err)
	}
	d, err := s.cfg.QA.GetDispute(ctx, u, id)
	if err != nil {
		return s.webQAError(c, "dispute", err)
	}
	ev, err := s.cfg.QA.GetEvaluation(ctx, u, d.EvaluationID)
	if err != nil {
		return s.webQAError(c, "dispute", err)
	}
	fv, err := s.cfg.QA.GetFormVersion(ctx, ev.FormVersionID)
	if err != nil {
		return s.webFail(c, "form version", err)
	}
	f := disputeForm{decision: c.FormValue("decision"), comment: strings.TrimSpace(c.FormValue("comment"))}
	r := qa.Resolution{Decision: qa.DisputeStatus(f.decision), Comment: f.comment}
	if r.Decision == qa.DisputePartlyAccepted {
		r.Answers, f.picked = pickedAnswers(c, fv.Definition, "a.")
	}
	if f.comment == "" {
		return s.renderDispute(c, http.StatusBadRequest, "",
			"Write a note for the agent: say why you decided as you did.", f)
	}
	_, err = s.cfg.QA.ResolveDispute(ctx, u, id, r)
	var in *qa.InputError
	switch {
	case errors.As(err, &in):
		return s.renderDispute(c, http.StatusBadRequest, "", resolveProblem(fv.Definition, in), f)
	case errors.Is(err, qa.ErrConflict):
		return s.renderDispute(c, http.StatusConflict, "", "Not saved: "+err.Error()+".", f)
	case err != nil:
		return s.webQAError(c, "resolve dispute", err)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/disputes/%d?done=resolved", id))
}

// resolveProblem says what to fix in a refused decision.
func resolveProblem(def qa.FormDefinition, in *qa.InputError) string {
	switch in.Field {
	case "decision":
		return "Pick a decision: " + in.Msg + "."
	case "answers":
		return "To re-score with your answers, pick at least one answer that changes (" + in.Msg + ")."
	}
	for id, text := range questionTexts(def) {
		if in.Field == "answers."+id {
			return fmt.Sprintf("The answer for %q: %s.", text, in.Msg)
		}
	}
	return in.Error()
}
