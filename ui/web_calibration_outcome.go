package ui

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// What a session's discussion records: the agreed answers of each call
// (its calibrated score), the notes, and rewritten guidance, which makes
// a new version of the form.

// calAgreedForm is the form that records one call's agreed answers,
// filled with what was agreed or, before that, with the reference.
type calAgreedForm struct {
	CallID, Short string
	Sections      []sectionView
	Notes         string
	// Score is the calibrated score recorded, or "not recorded".
	Score string
	// FromReference is set while nothing is agreed yet.
	FromReference bool
}

func calAgreedForms(def qa.FormDefinition, cs *qa.CalibrationSession,
	cmp *qa.CalibrationComparison,
) []calAgreedForm {
	out := make([]calAgreedForm, 0, len(cs.Calls))
	for i, call := range cs.Calls {
		f := calAgreedForm{CallID: call.CallID, Short: calShort(call.CallID), Notes: call.Notes,
			Score: "not recorded"}
		answers := call.AgreedAnswers
		if answers == nil && i < len(cmp.Calls) {
			answers, f.FromReference = cmp.Calls[i].Answers, true
		} else {
			f.Score = webPercent(call.AgreedScore)
		}
		f.Sections = sectionViews(def, answers)
		out = append(out, f)
	}
	return out
}

// calGuidanceRow is a guidance rewritten from the session.
type calGuidanceRow struct {
	Question, Before, After string
	Version                 int
	When                    string
}

// calGuidanceView adds the latest version of the form, whose guidance a
// rewrite changes, and the rewrites made so far.
func (s *Server) calGuidanceView(c echo.Context, v *calCompareView) error {
	versions, err := s.cfg.QA.ListFormVersions(c.Request().Context(), v.S.FormID)
	if err != nil {
		return err
	}
	if len(versions) > 0 {
		v.Latest = &versions[len(versions)-1]
	}
	texts := map[string]string{}
	for _, q := range v.Questions {
		texts[q.ID] = q.Text
	}
	for _, g := range v.S.Guidance {
		v.Guidance = append(v.Guidance, calGuidanceRow{Question: calOr(texts[g.QuestionID],
			g.QuestionID), Before: g.Before, After: g.After, Version: g.Version,
			When: webClock(g.ChangedAt)})
	}
	return nil
}

// calCompareNotice words the outcome of a form of the comparison page.
func calCompareNotice(c echo.Context, v *calCompareView) string {
	if id, err := strconv.ParseInt(c.QueryParam("guidance"), 10, 64); err == nil {
		for _, g := range v.S.Guidance {
			if g.ID == id {
				return fmt.Sprintf("Guidance rewritten: version %d of the form was made, and "+
					"evaluations started from now on use it.", g.Version)
			}
		}
	}
	return calNotice(c)
}

// calibrationAgreed records one call's agreed answers and notes, or,
// without a call, the session's notes.
func (s *Server) calibrationAgreed(c echo.Context) error {
	ctx, u := c.Request().Context(), caller(c)
	id, err := formPathID(c, "calibration session")
	if err != nil {
		return s.webQAError(c, "record agreed answers", err)
	}
	var in qa.AgreedInput
	var def *qa.FormDefinition
	if callID := c.FormValue("call_id"); callID == "" {
		notes := c.FormValue("session_notes")
		in.Notes = &notes
	} else {
		cs, err := s.cfg.QA.GetCalibration(ctx, u, id)
		if err != nil {
			return s.webQAError(c, "record agreed answers", err)
		}
		v, err := s.cfg.QA.GetFormVersion(ctx, cs.FormVersionID)
		if err != nil {
			return s.webFail(c, "record agreed answers", err)
		}
		def = &v.Definition
		answers, err := formAnswers(c, v.Definition)
		if err != nil {
			return s.calOutcomeRefused(c, def, err)
		}
		in.Calls = []qa.AgreedCall{{CallID: callID, Answers: answers, Notes: c.FormValue("notes")}}
	}
	if _, err := s.cfg.QA.RecordAgreed(ctx, u, id, in); err != nil {
		return s.calOutcomeRefused(c, def, err)
	}
	return c.Redirect(http.StatusSeeOther,
		fmt.Sprintf("/calibration/%d/comparison?done=agreed#agreed", id))
}

// calOutcomeRefused shows the comparison again with a refusal of qa, the
// question named by its text; other errors get the error page.
func (s *Server) calOutcomeRefused(c echo.Context, def *qa.FormDefinition, err error) error {
	var bad *qa.InputError
	if !errors.As(err, &bad) {
		return s.webQAError(c, "record the session's outcome", err)
	}
	problem := bad.Error()
	if def != nil {
		// qa names the call first ("calls[0].answers.greet"): one call is
		// sent at a time, so the question is what matters.
		_, rest, ok := strings.Cut(bad.Field, "].")
		if !ok {
			rest = bad.Field
		}
		problem = answerProblem(*def, &qa.InputError{Field: rest, Msg: bad.Msg})
	}
	return s.renderCalCompare(c, http.StatusBadRequest, problem)
}

// calibrationGuidance rewrites a question's guidance as a new version of
// the form.
func (s *Server) calibrationGuidance(c echo.Context) error {
	id, err := formPathID(c, "calibration session")
	if err != nil {
		return s.webQAError(c, "rewrite guidance", err)
	}
	up, err := s.cfg.QA.UpdateCalibrationGuidance(c.Request().Context(), caller(c), id,
		qa.GuidanceInput{QuestionID: c.FormValue("question_id"), Guidance: c.FormValue("guidance")})
	if err != nil {
		return s.calOutcomeRefused(c, nil, err)
	}
	return c.Redirect(http.StatusSeeOther,
		fmt.Sprintf("/calibration/%d/comparison?guidance=%d#guidance", id, up.ID))
}
