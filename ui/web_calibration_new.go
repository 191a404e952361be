package ui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"earshot/qa"
	"earshot/storage/catalog"
)

// calRecentCalls is how many calls the new-session page offers to pick
// from when nothing is searched.
const calRecentCalls = 30

// calNewInput is the new-session form as sent, kept to fill the form
// again when qa refuses it.
type calNewInput struct {
	Title     string
	FormID    int64
	Calls     map[string]bool
	CallText  string
	Reviewers map[int64]bool
	Benchmark int64
	Tolerance string
	// RevealOnSubmit lets each participant see the others once they
	// submitted all theirs; unset, the session stays blind until revealed.
	RevealOnSubmit bool
	Due            string
	// Search is what the call search was last given.
	Search string
}

// calNewView is the new-session page.
type calNewView struct {
	In calNewInput
	// Search is the call search; Found the calls it offers to pick.
	Search string
	Found  []calCandidate
	Forms  []qa.Form
	People []qa.User
	// Field names the input qa refused, to mark it.
	Field string
}

func (s *Server) calibrationNewPage(c echo.Context) error {
	in := calNewInput{Tolerance: strconv.FormatFloat(qa.DefaultCalibrationTolerance, 'f', -1, 64),
		Search: c.QueryParam("search")}
	return s.renderCalNew(c, http.StatusOK, in, "", "")
}

// calibrationNewSearch is the form's Search button: it posts the whole
// form back here, so that a new search keeps what was typed and ticked,
// and shows it again with the calls found.
func (s *Server) calibrationNewSearch(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return s.renderCalNew(c, http.StatusBadRequest, calNewInput{}, "",
			"The form could not be read; send it again.")
	}
	return s.renderCalNew(c, http.StatusOK, readCalInput(form), "", "")
}

// renderCalNew shows the form with in, and the problem if any.
func (s *Server) renderCalNew(c echo.Context, code int, in calNewInput, field, problem string,
) error {
	ctx := c.Request().Context()
	v := calNewView{In: in, Search: strings.TrimSpace(in.Search), Field: field}
	var err error
	if v.Forms, err = s.cfg.QA.ListForms(ctx); err != nil {
		return s.webFail(c, "list forms", err)
	}
	users, err := s.cfg.QA.ListUsers(ctx)
	if err != nil {
		return s.webFail(c, "list users", err)
	}
	for _, u := range users {
		if !u.Disabled && u.HasAny(scoringRole...) {
			v.People = append(v.People, u)
		}
	}
	if v.Found, err = s.calCandidates(c, v.Search, in.Calls); err != nil {
		return s.webQAError(c, "search calls", err)
	}
	return s.render(c, code, "calibration_new", pageData{Title: "New calibration session",
		Nav: "calibration", Problem: problem, Page: v})
}

// calCandidate is a call offered to pick, with its parties worded.
type calCandidate struct {
	qa.LibraryCall
	Parties string
}

// calCandidates lists the calls to pick from: those found by the search
// (a recording id, a SIP Call-ID, or part of a participant's name or
// address), or the latest calls, and the calls already picked, so that
// calls ticked in one search stay ticked through the next.
func (s *Server) calCandidates(c echo.Context, search string, picked map[string]bool) (
	[]calCandidate, error,
) {
	if s.cfg.Calls == nil {
		return nil, nil
	}
	var found []qa.LibraryCall
	var err error
	if search == "" {
		found, err = s.listLibrary(c, calLibrary(catalog.ListFilter{Limit: calRecentCalls}))
	} else {
		found, err = s.calFind(c, search, true)
	}
	if err != nil {
		return nil, err
	}
	for id := range picked {
		if slices.ContainsFunc(found, func(x qa.LibraryCall) bool { return x.ID == id }) {
			continue
		}
		if more, err := s.calFind(c, id, false); err == nil {
			found = append(found, more...)
		}
	}
	out := make([]calCandidate, len(found))
	for i := range found {
		out[i] = calCandidate{LibraryCall: found[i], Parties: partyNames(&found[i].Call)}
	}
	return out, nil
}

func calLibrary(f catalog.ListFilter) qa.LibraryFilter { return qa.LibraryFilter{ListFilter: f} }

// calFind returns the calls with the recording id or SIP Call-ID q and,
// when byParty is set and there is none, those whose participants match
// q.
func (s *Server) calFind(c echo.Context, q string, byParty bool) ([]qa.LibraryCall, error) {
	call, err := s.cfg.Calls.Get(c.Request().Context(), q)
	if err == nil {
		return []qa.LibraryCall{{Call: *call}}, nil
	}
	if !errors.Is(err, catalog.ErrNotFound) {
		return nil, err
	}
	found, err := s.listLibrary(c, calLibrary(catalog.ListFilter{SIPCallID: q,
		Limit: calRecentCalls}))
	if err != nil || len(found) > 0 || !byParty {
		return found, err
	}
	return s.listLibrary(c, calLibrary(catalog.ListFilter{Participant: q, Limit: calRecentCalls}))
}

// calibrationCreate opens a session from the form.
func (s *Server) calibrationCreate(c echo.Context) error {
	in, n, problem := s.readCalNew(c)
	if problem != "" {
		return s.renderCalNew(c, http.StatusBadRequest, in, "", problem)
	}
	cs, err := s.cfg.QA.OpenCalibration(c.Request().Context(), caller(c), n)
	var bad *qa.InputError
	if errors.As(err, &bad) {
		return s.renderCalNew(c, http.StatusBadRequest, in, bad.Field, calFieldProblem(bad))
	}
	if err != nil {
		return s.webQAError(c, "open calibration session", err)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/calibration/%d?done=opened", cs.ID))
}

// readCalNew reads the form into what it keeps and what qa takes. The
// calls pasted in the text box may be recording ids or SIP Call-IDs. A
// problem is said for the person, with what to change.
func (s *Server) readCalNew(c echo.Context) (calNewInput, qa.NewCalibration, string) {
	form, err := c.FormParams()
	if err != nil {
		return calNewInput{}, qa.NewCalibration{}, "The form could not be read; send it again."
	}
	in := readCalInput(form)
	n := qa.NewCalibration{Title: in.Title, RevealOnSubmit: in.RevealOnSubmit, FormID: in.FormID}
	// The form's order, each once, as the person ticked them.
	for _, id := range form["call_id"] {
		if in.Calls[id] && !slices.Contains(n.CallIDs, id) {
			n.CallIDs = append(n.CallIDs, id)
		}
	}
	for id := range in.Reviewers {
		n.ReviewerIDs = append(n.ReviewerIDs, id)
	}
	slices.Sort(n.ReviewerIDs)
	if in.Benchmark > 0 {
		b := in.Benchmark
		n.BenchmarkID = &b
	}
	if problem := calReadNumbers(in, &n); problem != "" {
		return in, n, problem
	}
	for _, tok := range strings.FieldsFunc(in.CallText, calSeparator) {
		found, err := s.calFind(c, tok, false)
		if err != nil || len(found) == 0 {
			return in, n, fmt.Sprintf("Calls: no call has the id or SIP Call-ID %q; "+
				"check it, or search and tick the call instead.", tok)
		}
		for _, call := range found {
			if !in.Calls[call.ID] {
				in.Calls[call.ID] = true
				n.CallIDs = append(n.CallIDs, call.ID)
			}
		}
	}
	return in, n, ""
}

// readCalInput reads the new-session form as sent, without judging it.
func readCalInput(form url.Values) calNewInput {
	in := calNewInput{Title: form.Get("title"), CallText: form.Get("call_text"),
		Calls: map[string]bool{}, Reviewers: map[int64]bool{}, Tolerance: form.Get("tolerance"),
		RevealOnSubmit: form.Get("reveal_on_submit") == "yes", Due: form.Get("due"),
		Search: form.Get("search")}
	in.FormID, _ = strconv.ParseInt(form.Get("form_id"), 10, 64)
	for _, id := range form["call_id"] {
		in.Calls[id] = true
	}
	for _, v := range form["reviewer_id"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			in.Reviewers[id] = true
		}
	}
	if b, err := strconv.ParseInt(form.Get("benchmark_id"), 10, 64); err == nil && b > 0 {
		in.Benchmark = b
	}
	return in
}

// calReadNumbers reads the tolerance and the due date.
func calReadNumbers(in calNewInput, n *qa.NewCalibration) string {
	if v := strings.TrimSpace(in.Tolerance); v != "" {
		tol, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Sprintf("Tolerance: %q is not a number of points; give one from 0 to 100.", v)
		}
		n.Tolerance = tol
	}
	if in.Due != "" {
		d, err := time.ParseInLocation("2006-01-02", in.Due, time.UTC)
		if err != nil {
			return fmt.Sprintf("Due: %q is not a date; pick one such as 2026-04-30.", in.Due)
		}
		end := d.AddDate(0, 0, 1) // due by the end of the day
		n.DueAt = &end
	}
	return ""
}

func calSeparator(r rune) bool {
	return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
}

// calFieldProblem words a refusal of qa with the form's labels instead
// of the API's field names.
func calFieldProblem(e *qa.InputError) string {
	labels := map[string]string{"title": "Title", "call_ids": "Calls",
		"reviewer_ids": "Participants", "benchmark_id": "Benchmark", "tolerance": "Tolerance", "form_id": "Form",
		"form_version_id": "Form"}
	if l, ok := labels[e.Field]; ok {
		return l + ": " + e.Msg + "."
	}
	return e.Error() + "."
}
