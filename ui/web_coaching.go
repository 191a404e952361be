package ui

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// Coaching from the call page: beside a submitted evaluation, those who
// may coach (the roles of POST /api/v1/coaching) see the items raised
// from it, open or done, and add one: a note, the questions to work on
// and a due time. qa decides who may coach from which evaluation (a
// reviewer from their own, never from a blind one) and audits the item;
// the page shows its refusal.

// coachingForm is the coaching form as typed; Due is datetime-local,
// in UTC.
type coachingForm struct {
	Note, Due string
	Focus     []string
	fieldProblem
}

// coachingPanel is the coaching part of the call page.
type coachingPanel struct {
	EvaluationID int64
	Items        []coachingView
	// CanAdd shows the form: the evaluation's agent is known to the
	// caller.
	CanAdd    bool
	Questions []coachingQuestion
	Form      coachingForm
	// Added is set right after an item was added.
	Added bool
}

// coachingQuestion is a question of the evaluation's form, offered as a
// focus.
type coachingQuestion struct {
	ID, Text string
	Picked   bool
}

// coachingPanel loads the coaching of the evaluation sv shows, for
// those who may coach; nil when there is none to show. typed, if not
// nil, is a refused form shown again.
func (s *Server) coachingPanel(
	c echo.Context,
	sv *scoringView,
	typed *coachingForm,
) (*coachingPanel, error) {
	ev, u := sv.Evaluation, caller(c)
	if ev == nil || ev.Status != qa.StatusSubmitted ||
		!s.apiRoleTable().allows(u, "POST /api/v1/coaching") {
		return nil, nil
	}
	p := &coachingPanel{EvaluationID: ev.ID, CanAdd: ev.AgentID != nil,
		Added: c.QueryParam("coached") != ""}
	if typed != nil {
		p.Form = *typed
	}
	var f qa.CoachingFilter
	if ev.AgentID != nil {
		f.AgentID = *ev.AgentID
	}
	items, err := s.cfg.QA.ListCoaching(c.Request().Context(), u, f)
	if err != nil {
		return nil, err
	}
	texts, now := questionTexts(sv.Version.Definition), time.Now()
	for _, it := range items {
		if it.EvaluationID != nil && *it.EvaluationID == ev.ID {
			p.Items = append(p.Items, coachingItemView(it, texts, now))
		}
	}
	for _, sec := range sv.Version.Definition.Sections {
		for _, q := range sec.Questions {
			p.Questions = append(p.Questions, coachingQuestion{ID: q.ID, Text: q.Text,
				Picked: slices.Contains(p.Form.Focus, q.ID)})
		}
	}
	return p, nil
}

// coachingItemView words an item's focus with the questions' texts.
func coachingItemView(it qa.CoachingItem, texts map[string]string, now time.Time) coachingView {
	overdue := it.DoneAt == nil && it.DueAt != nil && it.DueAt.Before(now)
	cv := coachingView{Item: it, Overdue: overdue}
	for _, id := range it.Focus {
		if text, ok := texts[id]; ok {
			cv.Focus = append(cv.Focus, text)
		} else {
			cv.Focus = append(cv.Focus, id)
		}
	}
	return cv
}

// coachingAdd adds a coaching item to the evaluation of the path and
// goes back to it; a refusal shows the call page again with the form as
// typed.
func (s *Server) coachingAdd(c echo.Context) error {
	ctx, u := c.Request().Context(), caller(c)
	id, err := webID(c)
	if err != nil {
		return s.webQAError(c, "coaching", err)
	}
	ev, err := s.cfg.QA.GetEvaluation(ctx, u, id)
	if err != nil {
		return s.webQAError(c, "coaching", err)
	}
	f := coachingForm{Note: c.FormValue("note"), Due: c.FormValue("due"),
		Focus: c.Request().PostForm["focus"]}
	n := qa.NewCoaching{EvaluationID: id, Focus: f.Focus, Note: f.Note}
	due, err := webTime("due", f.Due)
	if err != nil {
		err = &qa.InputError{Field: "due_at", Msg: err.Error()}
	} else if !due.IsZero() {
		n.DueAt = &due
	}
	if err == nil {
		_, err = s.cfg.QA.AddCoaching(ctx, u, n)
	}
	if p, code, ok := refusal(err); ok {
		f.fieldProblem = p
		return s.renderCall(c, callPageArgs{callID: ev.CallID, evaluationID: id, code: code,
			problem: p.problemText("The coaching item was not added:"), coaching: &f})
	}
	if err != nil {
		return s.webQAError(c, "coaching", err)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s&coached=1#coaching", evaluationLink(ev)))
}
