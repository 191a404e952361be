package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// The calibration pages: the sessions, a session's blind scoring and its
// reveal, and the comparison after it. The qa package decides what each
// caller may see of a session; these pages print only what it returns,
// so before the reveal nobody's page holds another's answers.

// mountWebCalibration registers the calibration and reviewer-bias pages.
func (s *Server) mountWebCalibration(g *echo.Group) {
	g.GET("/calibration", s.page(scoringRole, s.calibrationListPage))
	g.GET("/calibration/new", s.page(staff, s.calibrationNewPage))
	g.POST("/calibration/new", s.page(staff, s.calibrationNewSearch))
	g.POST("/calibration", s.page(staff, s.calibrationCreate))
	g.GET("/calibration/:id", s.page(scoringRole, s.calibrationSessionPage))
	g.POST("/calibration/:id/reveal", s.page(staff, s.calibrationReveal))
	g.POST("/calibration/:id/delete", s.page(staff, s.calibrationDelete))
	g.GET("/calibration/:id/comparison", s.page(scoringRole, s.calibrationComparisonPage))
	g.POST("/calibration/:id/agreed", s.page(staff, s.calibrationAgreed))
	g.POST("/calibration/:id/guidance", s.page(staff, s.calibrationGuidance))
	g.GET("/bias", s.page(staff, s.biasPage))
	// qa lets a reviewer read their own deviation and nobody else's.
	g.GET("/bias/reviewers/:id", s.page(scoringRole, s.biasReviewerPage))
}

// calListView is the list of sessions.
type calListView struct {
	Rows []calListRow
	// CanRun is set for those who open and reveal sessions.
	CanRun bool
	Me     int64
}

// calListRow is one session of the list.
type calListRow struct {
	qa.CalibrationSummary
	Form string
	// Mine says where the caller stands: "to score", "submitted", or ""
	// when they do not score in the session.
	Mine string
}

func (s *Server) calibrationListPage(c echo.Context) error {
	ctx, u := c.Request().Context(), caller(c)
	list, err := s.cfg.QA.ListCalibrations(ctx, u)
	if err != nil {
		return s.webQAError(c, "list calibration sessions", err)
	}
	forms := calFormNames{s: s, ctx: ctx}
	v := calListView{CanRun: u.HasAny(staff...), Me: u.ID}
	for _, sum := range list {
		row := calListRow{CalibrationSummary: sum}
		if row.Form, err = forms.name(sum.FormVersionID); err != nil {
			return s.webFail(c, "list calibration sessions", err)
		}
		row.Mine = calMyState(sum)
		v.Rows = append(v.Rows, row)
	}
	return s.render(c, http.StatusOK, "calibration", pageData{Title: "Calibration",
		Nav: "calibration", Notice: calNotice(c), Page: v})
}

// calMyState says where the caller stands in a session: calls left to
// score, all submitted, or nothing for a manager who does not score in it.
func calMyState(sum qa.CalibrationSummary) string {
	switch {
	case sum.Pending > 0:
		return fmt.Sprintf("to score (%d of %d left)", sum.Pending, sum.Calls)
	case sum.Participating:
		return "submitted"
	}
	return ""
}

// calFormNames names form versions ("Support calls, version 2"),
// reading each version once.
type calFormNames struct {
	s     *Server
	ctx   context.Context
	cache map[int64]string
	forms map[int64]string
}

func (n *calFormNames) name(versionID int64) (string, error) {
	if got, ok := n.cache[versionID]; ok {
		return got, nil
	}
	if n.forms == nil {
		var err error
		if n.forms, err = n.s.formNames(n.ctx); err != nil {
			return "", err
		}
		n.cache = map[int64]string{}
	}
	v, err := n.s.cfg.QA.GetFormVersion(n.ctx, versionID)
	if err != nil {
		return "", err
	}
	n.cache[versionID] = fmt.Sprintf("%s, version %d", n.forms[v.FormID], v.Version)
	return n.cache[versionID], nil
}

// calNotice words the outcome of the step a redirect came back from;
// the query names the step, never the text, so that a link cannot put
// words on the page.
func calNotice(c echo.Context) string {
	switch c.QueryParam("done") {
	case "opened":
		return "Session opened: every participant has a draft of every call to score."
	case "revealed":
		return "Session revealed: everyone now sees every answer, and the comparison is open."
	case "agreed":
		return "Agreed answers recorded."
	case "deleted":
		return "Session deleted, with its calibration evaluations."
	}
	return ""
}

// calSessionView is a session's page.
type calSessionView struct {
	S    *qa.CalibrationSession
	Form string
	// Calls are the session's calls with the caller's own evaluation.
	Calls []calSessionCall
	// Me is the caller as a participant; nil when they do not score.
	Me *qa.CalibrationParticipant
	// Progress is shown to those who run sessions: who has submitted
	// how many, never what.
	Progress  []calProgress
	CanRun    bool
	Benchmark string
	// RevealProblem and DeleteProblem are set on the reveal and the
	// delete form when it was sent unconfirmed.
	RevealProblem, DeleteProblem string
}

// calSessionCall is one call of the session, for the caller.
type calSessionCall struct {
	CallID string
	Link   string
	Mine   *qa.CalibrationEntry
	When   string
	Length string
}

// calProgress is one participant's progress.
type calProgress struct {
	Name      string
	Benchmark bool
	Submitted int
	Done      bool
}

func (s *Server) calibrationSessionPage(c echo.Context) error {
	v, err := s.calSession(c)
	if err != nil {
		return s.webQAError(c, "calibration session", err)
	}
	return s.renderCalSession(c, http.StatusOK, v)
}

func (s *Server) renderCalSession(c echo.Context, code int, v *calSessionView) error {
	return s.render(c, code, "calibration_session", pageData{Title: v.S.Title,
		Nav: "calibration", Notice: calNotice(c), Page: v})
}

// calSession loads the session of the path as the caller may see it.
func (s *Server) calSession(c echo.Context) (*calSessionView, error) {
	ctx, u := c.Request().Context(), caller(c)
	id, err := formPathID(c, "calibration session")
	if err != nil {
		return nil, err
	}
	cs, err := s.cfg.QA.GetCalibration(ctx, u, id)
	if err != nil {
		return nil, err
	}
	forms := calFormNames{s: s, ctx: ctx}
	v := &calSessionView{S: cs, CanRun: u.HasAny(staff...)}
	if v.Form, err = forms.name(cs.FormVersionID); err != nil {
		return nil, err
	}
	for i, p := range cs.Participants {
		if p.UserID == u.ID {
			v.Me = &cs.Participants[i]
		}
		if p.Benchmark {
			v.Benchmark = calName(p)
		}
		if v.CanRun {
			v.Progress = append(v.Progress, calProgress{Name: calName(p), Benchmark: p.Benchmark,
				Submitted: p.Submitted, Done: p.Submitted == len(cs.Calls)})
		}
	}
	for _, call := range cs.Calls {
		sc := calSessionCall{CallID: call.CallID, Link: "/calls/" + url.PathEscape(call.CallID)}
		for i, e := range cs.Evaluations {
			if e.CallID == call.CallID && e.ReviewerID == u.ID {
				sc.Mine = &cs.Evaluations[i]
				sc.Link = fmt.Sprintf("%s?evaluation=%d", sc.Link, e.EvaluationID)
			}
		}
		s.calCallFacts(ctx, &sc)
		v.Calls = append(v.Calls, sc)
	}
	return v, nil
}

// calCallFacts adds when the call was and how long; a call gone from the
// catalog is listed without them.
func (s *Server) calCallFacts(ctx context.Context, sc *calSessionCall) {
	if s.cfg.Calls == nil {
		return
	}
	if call, err := s.cfg.Calls.Get(ctx, sc.CallID); err == nil {
		sc.When, sc.Length = webClock(call.StartedAt), webDuration(call.DurationMS)
	}
}

// calName is how a participant is shown.
func calName(p qa.CalibrationParticipant) string {
	if p.DisplayName != "" {
		return p.DisplayName
	}
	return p.Username
}

// calibrationReveal ends the blind phase. The form asks to confirm, since
// a reveal cannot be undone: a missing confirmation shows the session
// again with the reason.
func (s *Server) calibrationReveal(c echo.Context) error {
	return s.calConfirmed(c, "reveal calibration session", func(v *calSessionView) {
		v.RevealProblem = "Tick the box to confirm: after the reveal nobody scores blind."
	}, func(id int64) (string, error) {
		_, err := s.cfg.QA.RevealCalibration(c.Request().Context(), caller(c), id)
		return fmt.Sprintf("/calibration/%d/comparison?done=revealed", id), err
	})
}

// calibrationDelete deletes a session still blind, once confirmed.
func (s *Server) calibrationDelete(c echo.Context) error {
	return s.calConfirmed(c, "delete calibration session", func(v *calSessionView) {
		v.DeleteProblem = "Tick the box to confirm: the session's evaluations go with it."
	}, func(id int64) (string, error) {
		err := s.cfg.QA.DeleteCalibration(c.Request().Context(), caller(c), id)
		return "/calibration?done=deleted", err
	})
}

// calConfirmed runs act on the session of the path once the form's
// confirm box is ticked, and redirects where act says; unticked, it
// shows the session again with the problem unconfirmed sets.
func (s *Server) calConfirmed(c echo.Context, op string, unconfirmed func(*calSessionView),
	act func(id int64) (string, error),
) error {
	if c.FormValue("confirm") != "yes" {
		v, err := s.calSession(c)
		if err != nil {
			return s.webQAError(c, op, err)
		}
		unconfirmed(v)
		return s.renderCalSession(c, http.StatusBadRequest, v)
	}
	id, err := formPathID(c, "calibration session")
	if err != nil {
		return s.webQAError(c, op, err)
	}
	to, err := act(id)
	if err != nil {
		return s.webQAError(c, op, err)
	}
	return c.Redirect(http.StatusSeeOther, to)
}
