package ui

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// coachingView is one coaching item of the agent, with the questions it
// focuses on in words.
type coachingView struct {
	Item    qa.CoachingItem
	Focus   []string
	Overdue bool
}

// agentCoaching lists the caller's own coaching items, those raised from
// evaluation evaluationID when it is not zero.
func (s *Server) agentCoaching(c echo.Context, evaluationID int64) ([]coachingView, error) {
	ctx, u := c.Request().Context(), caller(c)
	if u.AgentID == nil {
		return nil, nil
	}
	items, err := s.cfg.QA.ListCoaching(ctx, u, qa.CoachingFilter{AgentID: *u.AgentID})
	if err != nil {
		return nil, err
	}
	now := time.Now()
	var out []coachingView
	texts := map[int64]map[string]string{} // by evaluation
	for _, it := range items {
		if evaluationID != 0 && (it.EvaluationID == nil || *it.EvaluationID != evaluationID) {
			continue
		}
		cv := coachingView{Item: it, Overdue: it.DoneAt == nil && it.DueAt != nil && it.DueAt.Before(now)}
		var t map[string]string
		if it.EvaluationID != nil {
			if t, err = s.evaluationQuestions(c, *it.EvaluationID, texts); err != nil {
				return nil, err
			}
		}
		for _, id := range it.Focus {
			if text, ok := t[id]; ok {
				cv.Focus = append(cv.Focus, text)
			} else {
				cv.Focus = append(cv.Focus, id)
			}
		}
		out = append(out, cv)
	}
	return out, nil
}

// evaluationQuestions returns the question texts of an evaluation's form
// version, remembered in seen.
func (s *Server) evaluationQuestions(
	c echo.Context,
	id int64,
	seen map[int64]map[string]string,
) (map[string]string, error) {
	if t, ok := seen[id]; ok {
		return t, nil
	}
	ctx := c.Request().Context()
	ev, err := s.cfg.QA.GetEvaluation(ctx, caller(c), id)
	if errors.Is(err, qa.ErrForbidden) || errors.Is(err, qa.ErrNotFound) {
		// An item of an evaluation the agent cannot see (a calibration
		// one) still shows, by question id.
		seen[id] = nil
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	fv, err := s.cfg.QA.GetFormVersion(ctx, ev.FormVersionID)
	if err != nil {
		return nil, err
	}
	seen[id] = questionTexts(fv.Definition)
	return seen[id], nil
}

// agentCoachingDone marks the agent's coaching item done and goes back
// to the agent's page.
func (s *Server) agentCoachingDone(c echo.Context) error {
	id, err := webID(c)
	if err != nil {
		return s.webQAError(c, "coaching", err)
	}
	if _, err := s.cfg.QA.CompleteCoaching(c.Request().Context(), caller(c), id); err != nil {
		return s.webQAError(c, "coaching", err)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/agent?done=coaching#coaching-%d", id))
}
