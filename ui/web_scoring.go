package ui

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"earshot/qa"
	"earshot/storage/catalog"
)

// The scoring form beside the player. Its fields are named after the
// question ids (ids are letters, digits, '_', '-' and '.', see the form
// definition):
//
//	q.ID  the answer's value, or naValue for N/A
//	c.ID  the reviewer's comment on the answer
//	m.ID  the answer's marks in ms, comma-separated (kept as they were)
//
// and overall_comment. The page's script reads the same fields to save
// the draft through the API and to ask the server for the score.
const naValue = "__na__"

// scoringView is the scoring side of the call page.
type scoringView struct {
	// Evaluation is the one shown: the caller's draft of the call, the
	// one asked for, or their latest submitted one; nil for none.
	Evaluation *qa.Evaluation
	Version    *qa.FormVersion
	Editable   bool
	Sections   []sectionView
	// Forms can be picked to start scoring, for those who score.
	Forms []qa.Form
	// CanScore is set for the roles that score calls.
	CanScore bool
	// CalibrationSession is the session of a calibration evaluation, for
	// the way back to it; 0 otherwise.
	CalibrationSession int64
	// Coaching is the coaching of a submitted evaluation, for those who
	// coach; nil otherwise.
	Coaching *coachingPanel
}

type sectionView struct {
	Section   qa.FormSection
	Questions []questionView
}

type questionView struct {
	Q       qa.FormQuestion
	Choices []choiceView
	NA      bool
	Comment string
	Marks   string
}

type choiceView struct {
	Value, Label, Guidance string
	Checked                bool
}

// scoring loads the evaluation to show beside the player.
func (s *Server) scoring(
	c echo.Context,
	call *catalog.Call,
	evaluationID int64,
) (*scoringView, error) {
	ctx, u := c.Request().Context(), caller(c)
	sv := &scoringView{CanScore: u.HasAny(scoringRole...)}
	ev, err := s.pickEvaluation(c, call.ID, evaluationID)
	if err != nil {
		return nil, err
	}
	if sv.CanScore && (ev == nil || ev.Status != qa.StatusDraft) {
		if sv.Forms, err = s.unusedForms(c, call.ID); err != nil {
			return nil, err
		}
	}
	if ev == nil {
		return sv, nil
	}
	v, err := s.cfg.QA.GetFormVersion(ctx, ev.FormVersionID)
	if err != nil {
		return nil, err
	}
	sv.Evaluation, sv.Version = ev, v
	sv.Editable = ev.Status == qa.StatusDraft && ev.ReviewerID == u.ID
	if ev.Calibration {
		if sv.CalibrationSession, err = s.cfg.QA.CalibrationSessionOf(ctx, ev.ID); err != nil {
			return nil, err
		}
	}
	sv.Sections = sectionViews(v.Definition, ev.Answers)
	return sv, nil
}

// unusedForms lists the forms the caller has not scored the call with
// yet: a reviewer scores a call once per form.
func (s *Server) unusedForms(c echo.Context, callID string) ([]qa.Form, error) {
	ctx, u := c.Request().Context(), caller(c)
	forms, err := s.cfg.QA.ListForms(ctx)
	if err != nil {
		return nil, err
	}
	evs, err := s.cfg.QA.ListEvaluations(ctx, u, qa.EvaluationFilter{ReviewerID: u.ID, CallID: callID})
	if err != nil {
		return nil, err
	}
	used := map[int64]bool{}
	for _, ev := range evs {
		used[ev.FormID] = true
	}
	out := forms[:0]
	for _, f := range forms {
		if !used[f.ID] {
			out = append(out, f)
		}
	}
	return out, nil
}

// pickEvaluation returns the evaluation id if given, else the caller's
// draft of the call, else their newest evaluation of it (for an agent:
// the newest submitted one of their call), or nil.
func (s *Server) pickEvaluation(c echo.Context, callID string, id int64) (*qa.Evaluation, error) {
	ctx, u := c.Request().Context(), caller(c)
	if id != 0 {
		ev, err := s.cfg.QA.GetEvaluation(ctx, u, id)
		if err == nil && ev.CallID != callID {
			err = fmt.Errorf("evaluation %d is of another call: %w", id, qa.ErrNotFound)
		}
		return ev, err
	}
	f := qa.EvaluationFilter{CallID: callID}
	if u.HasAny(scoringRole...) {
		f.ReviewerID = u.ID
	}
	evs, err := s.cfg.QA.ListEvaluations(ctx, u, f)
	if err != nil || len(evs) == 0 {
		return nil, err
	}
	for i := range evs {
		if evs[i].Status == qa.StatusDraft && evs[i].ReviewerID == u.ID {
			return &evs[i], nil
		}
	}
	return &evs[0], nil
}

func sectionViews(def qa.FormDefinition, answers map[string]qa.Answer) []sectionView {
	out := make([]sectionView, 0, len(def.Sections))
	for _, sec := range def.Sections {
		sv := sectionView{Section: sec}
		for _, q := range sec.Questions {
			a := answers[q.ID]
			qv := questionView{Q: q, NA: a.NA, Comment: a.Comment, Marks: formatMarks(a.MarksMS)}
			for _, ch := range questionChoices(q) {
				ch.Checked = !a.NA && a.Value == ch.Value
				qv.Choices = append(qv.Choices, ch)
			}
			sv.Questions = append(sv.Questions, qv)
		}
		out = append(out, sv)
	}
	return out
}

// questionChoices lists the answers a question takes, with the labels
// and guidance its options give them.
func questionChoices(q qa.FormQuestion) []choiceView {
	labelled := map[string]qa.AnswerOption{}
	for _, o := range q.Options {
		labelled[o.Value] = o
	}
	var values []string
	switch q.Type {
	case qa.AnswerYesNo:
		values = []string{"yes", "no"}
	case qa.AnswerScale:
		for n := q.Min; n <= q.Max; n++ {
			values = append(values, strconv.Itoa(n))
		}
	default:
		for _, o := range q.Options {
			values = append(values, o.Value)
		}
	}
	out := make([]choiceView, 0, len(values))
	for _, v := range values {
		o := labelled[v]
		label := o.Label
		if label == "" {
			label = strings.ToUpper(v[:1]) + v[1:]
		}
		out = append(out, choiceView{Value: v, Label: label, Guidance: o.Guidance})
	}
	return out
}

func formatMarks(ms []int64) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = strconv.FormatInt(m, 10)
	}
	return strings.Join(parts, ",")
}

// formAnswers reads the scoring form's fields into answers to def.
func formAnswers(c echo.Context, def qa.FormDefinition) (map[string]qa.Answer, error) {
	out := map[string]qa.Answer{}
	for _, sec := range def.Sections {
		for _, q := range sec.Questions {
			a := qa.Answer{Comment: c.FormValue("c." + q.ID)}
			switch v := c.FormValue("q." + q.ID); v {
			case naValue:
				a.NA = true
			default:
				a.Value = v
			}
			for _, m := range strings.Split(c.FormValue("m."+q.ID), ",") {
				if m = strings.TrimSpace(m); m == "" {
					continue
				}
				n, err := strconv.ParseInt(m, 10, 64)
				if err != nil {
					return nil, &qa.InputError{Field: "answers." + q.ID + ".marks_ms",
						Msg: fmt.Sprintf("%q is not a time in milliseconds", m)}
				}
				a.MarksMS = append(a.MarksMS, n)
			}
			if a.Value != "" || a.NA || a.Comment != "" || len(a.MarksMS) > 0 {
				out[q.ID] = a
			}
		}
	}
	return out, nil
}

// submitPage saves the form as the draft, then submits it. A refusal (a
// question left unanswered) shows the call page again with the problem;
// the answers given are kept in the draft.
func (s *Server) submitPage(c echo.Context) error {
	ctx, u := c.Request().Context(), caller(c)
	id, err := formPathID(c, "evaluation")
	if err != nil {
		return s.webQAError(c, "submit", err)
	}
	ev, err := s.cfg.QA.GetEvaluation(ctx, u, id)
	if err != nil {
		return s.webQAError(c, "submit", err)
	}
	v, err := s.cfg.QA.GetFormVersion(ctx, ev.FormVersionID)
	if err != nil {
		return s.webFail(c, "submit", err)
	}
	answers, err := formAnswers(c, v.Definition)
	if err == nil {
		_, err = s.cfg.QA.SaveDraft(ctx, u, id, qa.Draft{Answers: answers,
			OverallComment: c.FormValue("overall_comment")})
	}
	if err == nil {
		_, err = s.cfg.QA.Submit(ctx, u, id)
	}
	var in *qa.InputError
	if errors.As(err, &in) {
		return s.renderCall(c, callPageArgs{callID: ev.CallID, evaluationID: ev.ID,
			code: http.StatusBadRequest, problem: answerProblem(v.Definition, in)})
	}
	if err != nil {
		return s.webQAError(c, "submit", err)
	}
	return c.Redirect(http.StatusSeeOther, evaluationLink(ev)+"&submitted=1")
}

// answerProblem words a refused answer with the question's text instead
// of its id.
func answerProblem(def qa.FormDefinition, in *qa.InputError) string {
	id, _, _ := strings.Cut(strings.TrimPrefix(in.Field, "answers."), ".")
	for _, sec := range def.Sections {
		for _, q := range sec.Questions {
			if strings.HasPrefix(in.Field, "answers.") && q.ID == id {
				return fmt.Sprintf("“%s”: %s.", q.Text, in.Msg)
			}
		}
	}
	return in.Error()
}

// scorePreviewRequest is the body of the score preview.
type scorePreviewRequest struct {
	Answers map[string]qa.Answer `json:"answers"`
}

// scorePreview is the answer of the score preview: the score of the
// questions answered so far, computed by qa.Score as a submission is.
type scorePreview struct {
	Answered  int        `json:"answered"`
	Questions int        `json:"questions"`
	Complete  bool       `json:"complete"`
	Result    *qa.Result `json:"result,omitempty"`
}

// scorePreview scores the answers given so far against a form version:
// the questions not answered yet are left out, as if the form had only
// the others. With every question answered it is the score a submission
// would store.
func (s *Server) scorePreview(c echo.Context) error {
	id, err := formPathID(c, "form version")
	if err != nil {
		return s.apiError(c, err)
	}
	var req scorePreviewRequest
	if err := decodeFormBody(c, &req); err != nil {
		return s.apiError(c, err)
	}
	v, err := s.cfg.QA.GetFormVersion(c.Request().Context(), id)
	if err != nil {
		return s.apiError(c, err)
	}
	part, answered, total := answeredPart(v.Definition, req.Answers)
	out := scorePreview{Answered: answered, Questions: total, Complete: answered == total}
	if answered > 0 {
		res, err := qa.Score(part, req.Answers)
		if err != nil {
			return s.apiError(c, err)
		}
		out.Result = &res
	}
	return c.JSON(http.StatusOK, out)
}

// answeredPart returns def cut down to the questions answered (a value
// or N/A) and drops the empty answers from answers; sections left with
// no question go too. It counts the questions answered and in all.
func answeredPart(def qa.FormDefinition, answers map[string]qa.Answer) (qa.FormDefinition, int, int) {
	part := def
	part.Sections = nil
	answered, total := 0, 0
	for _, sec := range def.Sections {
		kept := sec
		kept.Questions = nil
		for _, q := range sec.Questions {
			total++
			if a, ok := answers[q.ID]; ok && (a.NA || a.Value != "") {
				kept.Questions = append(kept.Questions, q)
				answered++
			} else {
				delete(answers, q.ID)
			}
		}
		if len(kept.Questions) > 0 {
			part.Sections = append(part.Sections, kept)
		}
	}
	return part, answered, total
}
