package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// maxFormBody bounds the JSON bodies of the routes below; a form with
// every question's guidance filled in is the largest.
const maxFormBody = 2 << 20

// formAPI are the routes of evaluation forms, evaluations, disputes and
// coaching. The role on each route is the first check; the qa package
// applies the finer rules (a reviewer changes only their own drafts, an
// agent sees only their own evaluations).
func (s *Server) formAPI() []route {
	if s.cfg.QA == nil {
		return nil
	}
	return append(s.formRoutes(), s.evaluationRoutes()...)
}

func (s *Server) formRoutes() []route {
	return []route{
		{method: http.MethodGet, path: "/api/v1/forms", roles: anyRole,
			h: s.listForms, summary: "List evaluation forms, each with its latest version"},
		{method: http.MethodPost, path: "/api/v1/forms", roles: staff,
			h:       s.createForm,
			summary: "Create a form from its definition {name, description, sections}"},
		{method: http.MethodGet, path: "/api/v1/forms/:id", roles: anyRole,
			h: s.getForm, summary: "One form with its latest version"},
		{method: http.MethodPut, path: "/api/v1/forms/:id", roles: staff,
			h:       s.updateForm,
			summary: "New definition: a new version if scores can change, else edited in place"},
		{method: http.MethodGet, path: "/api/v1/forms/:id/versions", roles: anyRole,
			h: s.listFormVersions, summary: "Every version of a form, oldest first"},
		{method: http.MethodGet, path: "/api/v1/form-versions/:id", roles: anyRole,
			h:       s.getFormVersion,
			summary: "One form version, by the form_version_id of an evaluation"},
	}
}

func (s *Server) evaluationRoutes() []route {
	agent := []qa.Role{qa.RoleAgent}
	return []route{
		{method: http.MethodPost, path: "/api/v1/evaluations", roles: scoringRole,
			h:       s.createEvaluation,
			summary: "Start a draft {call_id, form_version_id or form_id, reviewer_id, due_at}"},
		{method: http.MethodGet, path: "/api/v1/evaluations", roles: anyRole,
			h: s.listEvaluations,
			summary: "Evaluations you may see, newest first; filters: reviewer_id, agent_id, " +
				"status, call_id, form_id, submitted_from, submitted_to (RFC 3339); paging: limit, before"},
		{method: http.MethodGet, path: "/api/v1/evaluations/:id", roles: anyRole,
			h: s.getEvaluation, summary: "One evaluation with its answers and score"},
		{method: http.MethodPut, path: "/api/v1/evaluations/:id", roles: scoringRole,
			h: s.saveDraft, summary: "Save your draft {answers, overall_comment}"},
		{method: http.MethodPost, path: "/api/v1/evaluations/:id/submit", roles: scoringRole,
			h:       s.submitEvaluation,
			summary: "Submit your draft: every question answered or N/A; stores the score"},
		{method: http.MethodPost, path: "/api/v1/evaluations/:id/rescore", roles: staff,
			h:       s.rescoreEvaluation,
			summary: "Re-score a submitted evaluation: {answers that change, reason}"},
		{method: http.MethodGet, path: "/api/v1/evaluations/:id/history", roles: anyRole,
			h: s.evaluationHistory, summary: "Earlier revisions of a re-scored evaluation"},
		{method: http.MethodPost, path: "/api/v1/evaluations/:id/acknowledge", roles: agent,
			h: s.acknowledgeEvaluation, summary: "Acknowledge an evaluation of your call"},
		{method: http.MethodPost, path: "/api/v1/evaluations/:id/dispute", roles: agent,
			h:       s.disputeEvaluation,
			summary: "Dispute an evaluation of your call: {comment, proposed}, within the window"},
		{method: http.MethodGet, path: "/api/v1/disputes", roles: anyRole,
			h:       s.listDisputes,
			summary: "Disputes you may see, open first: status, evaluation_id, agent_id"},
		{method: http.MethodGet, path: "/api/v1/disputes/:id", roles: anyRole,
			h: s.getDispute, summary: "One dispute and its outcome"},
		{method: http.MethodPost, path: "/api/v1/disputes/:id/resolve", roles: staff,
			h:       s.resolveDispute,
			summary: "Decide a dispute {decision: accepted|partly_accepted|rejected, comment, answers}"},
		{method: http.MethodGet, path: "/api/v1/queue", roles: scoringRole,
			h: s.reviewQueue, summary: "Your drafts to score, soonest due first"},
		{method: http.MethodPost, path: "/api/v1/coaching", roles: scoringRole,
			h:       s.addCoaching,
			summary: "Coach the agent of an evaluation {evaluation_id, focus, note, due_at}"},
		{method: http.MethodGet, path: "/api/v1/coaching", roles: anyRole,
			h: s.listCoaching, summary: "Coaching items you may see, open first: agent_id, open"},
		{method: http.MethodPost, path: "/api/v1/coaching/:id/done", roles: agent,
			h: s.completeCoaching, summary: "Mark your coaching item done"},
	}
}

// formReply answers v with code, or err with its status.
func (s *Server) formReply(c echo.Context, code int, v any, err error) error {
	if err != nil {
		return s.apiError(c, err)
	}
	return c.JSON(code, v)
}

func formCtx(c echo.Context) context.Context { return c.Request().Context() }

func (s *Server) listForms(c echo.Context) error {
	forms, err := s.cfg.QA.ListForms(formCtx(c))
	return s.formReply(c, http.StatusOK, map[string]any{"forms": forms}, err)
}

func (s *Server) createForm(c echo.Context) error {
	var def qa.FormDefinition
	if err := decodeFormBody(c, &def); err != nil {
		return s.apiError(c, err)
	}
	f, err := s.cfg.QA.CreateForm(formCtx(c), caller(c), def)
	return s.formReply(c, http.StatusCreated, f, err)
}

func (s *Server) getForm(c echo.Context) error {
	id, err := formPathID(c, "form")
	if err != nil {
		return s.apiError(c, err)
	}
	f, err := s.cfg.QA.GetForm(formCtx(c), id)
	return s.formReply(c, http.StatusOK, f, err)
}

func (s *Server) updateForm(c echo.Context) error {
	id, err := formPathID(c, "form")
	if err != nil {
		return s.apiError(c, err)
	}
	var def qa.FormDefinition
	if err := decodeFormBody(c, &def); err != nil {
		return s.apiError(c, err)
	}
	v, err := s.cfg.QA.UpdateForm(formCtx(c), caller(c), id, def)
	return s.formReply(c, http.StatusOK, v, err)
}

func (s *Server) listFormVersions(c echo.Context) error {
	id, err := formPathID(c, "form")
	if err != nil {
		return s.apiError(c, err)
	}
	vs, err := s.cfg.QA.ListFormVersions(formCtx(c), id)
	return s.formReply(c, http.StatusOK, map[string]any{"versions": vs}, err)
}

func (s *Server) getFormVersion(c echo.Context) error {
	id, err := formPathID(c, "form version")
	if err != nil {
		return s.apiError(c, err)
	}
	v, err := s.cfg.QA.GetFormVersion(formCtx(c), id)
	return s.formReply(c, http.StatusOK, v, err)
}

func (s *Server) createEvaluation(c echo.Context) error {
	var n qa.NewEvaluation
	if err := decodeFormBody(c, &n); err != nil {
		return s.apiError(c, err)
	}
	ev, err := s.cfg.QA.CreateEvaluation(formCtx(c), caller(c), n)
	return s.formReply(c, http.StatusCreated, ev, err)
}

// evaluationPage is the answer of GET /api/v1/evaluations.
type evaluationPage struct {
	Evaluations []qa.Evaluation `json:"evaluations"`
	// Next is the before= of the next page; absent on the last page.
	Next int64 `json:"next,omitempty"`
}

func (s *Server) listEvaluations(c echo.Context) error {
	f, err := evaluationFilter(c)
	if err != nil {
		return s.apiError(c, err)
	}
	evs, err := s.cfg.QA.ListEvaluations(formCtx(c), caller(c), f)
	if err != nil {
		return s.apiError(c, err)
	}
	page := evaluationPage{Evaluations: evs}
	limit := f.Limit
	if limit == 0 {
		limit = qa.DefaultEvaluationLimit
	}
	if len(evs) == limit {
		page.Next = evs[len(evs)-1].ID
	}
	return c.JSON(http.StatusOK, page)
}

// evaluationFilter reads the query of GET /api/v1/evaluations.
func evaluationFilter(c echo.Context) (qa.EvaluationFilter, error) {
	f := qa.EvaluationFilter{
		Status: qa.EvaluationStatus(c.QueryParam("status")),
		CallID: c.QueryParam("call_id"),
	}
	ints := []struct {
		name string
		into *int64
	}{
		{"reviewer_id", &f.ReviewerID}, {"agent_id", &f.AgentID},
		{"form_id", &f.FormID}, {"before", &f.BeforeID},
	}
	for _, p := range ints {
		if err := formQueryInt(c, p.name, p.into); err != nil {
			return f, err
		}
	}
	var limit int64
	if err := formQueryInt(c, "limit", &limit); err != nil {
		return f, err
	}
	f.Limit = int(limit)
	for _, p := range []struct {
		name string
		into *time.Time
	}{{"submitted_from", &f.SubmittedFrom}, {"submitted_to", &f.SubmittedTo}} {
		t, err := queryTime(c, p.name)
		if err != nil {
			return f, &qa.InputError{Field: p.name, Msg: err.Error()}
		}
		*p.into = t
	}
	return f, nil
}

func (s *Server) getEvaluation(c echo.Context) error {
	return s.onEvaluation(c, func(ctx context.Context, u *qa.User, id int64) (any, error) {
		return s.cfg.QA.GetEvaluation(ctx, u, id)
	})
}

func (s *Server) saveDraft(c echo.Context) error {
	var d qa.Draft
	if err := decodeFormBody(c, &d); err != nil {
		return s.apiError(c, err)
	}
	return s.onEvaluation(c, func(ctx context.Context, u *qa.User, id int64) (any, error) {
		return s.cfg.QA.SaveDraft(ctx, u, id, d)
	})
}

func (s *Server) submitEvaluation(c echo.Context) error {
	return s.onEvaluation(c, func(ctx context.Context, u *qa.User, id int64) (any, error) {
		return s.cfg.QA.Submit(ctx, u, id)
	})
}

type rescoreRequest struct {
	Answers map[string]qa.Answer `json:"answers"`
	Reason  string               `json:"reason"`
}

func (s *Server) rescoreEvaluation(c echo.Context) error {
	var r rescoreRequest
	if err := decodeFormBody(c, &r); err != nil {
		return s.apiError(c, err)
	}
	return s.onEvaluation(c, func(ctx context.Context, u *qa.User, id int64) (any, error) {
		return s.cfg.QA.Rescore(ctx, u, id, r.Answers, r.Reason)
	})
}

func (s *Server) evaluationHistory(c echo.Context) error {
	return s.onEvaluation(c, func(ctx context.Context, u *qa.User, id int64) (any, error) {
		h, err := s.cfg.QA.EvaluationHistory(ctx, u, id)
		return map[string]any{"revisions": h}, err
	})
}

func (s *Server) acknowledgeEvaluation(c echo.Context) error {
	return s.onEvaluation(c, func(ctx context.Context, u *qa.User, id int64) (any, error) {
		return s.cfg.QA.Acknowledge(ctx, u, id)
	})
}

func (s *Server) disputeEvaluation(c echo.Context) error {
	var in qa.DisputeInput
	if err := decodeFormBody(c, &in); err != nil {
		return s.apiError(c, err)
	}
	id, err := formPathID(c, "evaluation")
	if err != nil {
		return s.apiError(c, err)
	}
	d, err := s.cfg.QA.DisputeEvaluation(formCtx(c), caller(c), id, in)
	return s.formReply(c, http.StatusCreated, d, err)
}

// evaluationOp is an action of the qa package on one evaluation.
type evaluationOp func(ctx context.Context, u *qa.User, id int64) (any, error)

// onEvaluation runs op on the evaluation of the path and answers 200
// with what it returns.
func (s *Server) onEvaluation(c echo.Context, op evaluationOp) error {
	id, err := formPathID(c, "evaluation")
	if err != nil {
		return s.apiError(c, err)
	}
	v, err := op(formCtx(c), caller(c), id)
	return s.formReply(c, http.StatusOK, v, err)
}

func (s *Server) listDisputes(c echo.Context) error {
	f := qa.DisputeFilter{Status: qa.DisputeStatus(c.QueryParam("status"))}
	if err := formQueryInt(c, "evaluation_id", &f.EvaluationID); err != nil {
		return s.apiError(c, err)
	}
	if err := formQueryInt(c, "agent_id", &f.AgentID); err != nil {
		return s.apiError(c, err)
	}
	ds, err := s.cfg.QA.ListDisputes(formCtx(c), caller(c), f)
	return s.formReply(c, http.StatusOK, map[string]any{"disputes": ds}, err)
}

func (s *Server) getDispute(c echo.Context) error {
	id, err := formPathID(c, "dispute")
	if err != nil {
		return s.apiError(c, err)
	}
	d, err := s.cfg.QA.GetDispute(formCtx(c), caller(c), id)
	return s.formReply(c, http.StatusOK, d, err)
}

func (s *Server) resolveDispute(c echo.Context) error {
	var r qa.Resolution
	if err := decodeFormBody(c, &r); err != nil {
		return s.apiError(c, err)
	}
	id, err := formPathID(c, "dispute")
	if err != nil {
		return s.apiError(c, err)
	}
	d, err := s.cfg.QA.ResolveDispute(formCtx(c), caller(c), id, r)
	return s.formReply(c, http.StatusOK, d, err)
}

func (s *Server) reviewQueue(c echo.Context) error {
	evs, err := s.cfg.QA.Queue(formCtx(c), caller(c))
	return s.formReply(c, http.StatusOK, map[string]any{"evaluations": evs}, err)
}

func (s *Server) addCoaching(c echo.Context) error {
	var n qa.NewCoaching
	if err := decodeFormBody(c, &n); err != nil {
		return s.apiError(c, err)
	}
	item, err := s.cfg.QA.AddCoaching(formCtx(c), caller(c), n)
	return s.formReply(c, http.StatusCreated, item, err)
}

func (s *Server) listCoaching(c echo.Context) error {
	var f qa.CoachingFilter
	if err := formQueryInt(c, "agent_id", &f.AgentID); err != nil {
		return s.apiError(c, err)
	}
	switch open := c.QueryParam("open"); open {
	case "", "false", "0":
	case "true", "1":
		f.Open = true
	default:
		err := &qa.InputError{Field: "open", Msg: fmt.Sprintf("%q: use true or false", open)}
		return s.apiError(c, err)
	}
	items, err := s.cfg.QA.ListCoaching(formCtx(c), caller(c), f)
	return s.formReply(c, http.StatusOK, map[string]any{"coaching": items}, err)
}

func (s *Server) completeCoaching(c echo.Context) error {
	id, err := formPathID(c, "coaching item")
	if err != nil {
		return s.apiError(c, err)
	}
	item, err := s.cfg.QA.CompleteCoaching(formCtx(c), caller(c), id)
	return s.formReply(c, http.StatusOK, item, err)
}

// formPathID reads the numeric :id of a path; anything else names
// nothing, so it is a 404.
func formPathID(c echo.Context, what string) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%s %q: %w", what, c.Param("id"), qa.ErrNotFound)
	}
	return id, nil
}

// formQueryInt reads an optional whole-number query parameter into into.
func formQueryInt(c echo.Context, name string, into *int64) error {
	v := c.QueryParam(name)
	if v == "" {
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return &qa.InputError{Field: name, Msg: fmt.Sprintf("%q is not a whole number", v)}
	}
	*into = n
	return nil
}

// decodeFormBody reads a JSON object body into v, refusing unknown fields
// so that a misspelt field ("wieght") is an error, not a silent default.
func decodeFormBody(c echo.Context, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, maxFormBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return &qa.InputError{Msg: "send a JSON object as the request body"}
	case errors.As(err, &tooBig):
		return &qa.InputError{Msg: fmt.Sprintf("the body is over %d bytes", tooBig.Limit)}
	case err != nil:
		return &qa.InputError{Msg: fmt.Sprintf("the body is not the JSON object expected: %v", err)}
	}
	return nil
}
