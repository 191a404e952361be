package ui

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// calibrationAPI are the routes of calibration sessions, reviewer
// deviation and bias, and bias-adjusted agent scores. Managers and admins
// run sessions; participants score with the evaluation routes and read
// the session; the qa package decides what each may see of it.
func (s *Server) calibrationAPI() []route {
	if s.cfg.QA == nil {
		return nil
	}
	return append(s.calibrationSessionRoutes(), s.calibrationReportRoutes()...)
}

func (s *Server) calibrationSessionRoutes() []route {
	const session = "/api/v1/calibration/sessions/:id"
	return []route{
		{method: http.MethodPost, path: "/api/v1/calibration/sessions", roles: staff,
			h: s.openCalibration,
			summary: "Open a calibration session {title, call_ids, form_version_id or form_id, " +
				"reviewer_ids, benchmark_id, tolerance, reveal_on_submit, due_at}; every " +
				"participant gets a calibration draft of every call"},
		{method: http.MethodGet, path: "/api/v1/calibration/sessions", roles: scoringRole,
			h: s.listCalibrations,
			summary: "Calibration sessions you run or score in, newest first, with your " +
				"drafts still pending"},
		{method: http.MethodGet, path: session, roles: scoringRole, h: s.getCalibration,
			summary: "One session: calls, participants and evaluations; the others' answers " +
				"stay hidden until the reveal"},
		{method: http.MethodDelete, path: session, roles: staff, h: s.deleteCalibration,
			summary: "Delete a session still blind, with its calibration evaluations; " +
				"a revealed session is kept (409)"},
		{method: http.MethodPost, path: session + "/reveal", roles: staff,
			h:       s.revealCalibration,
			summary: "Reveal a session: every participant sees every answer; the comparison opens"},
		{method: http.MethodGet, path: session + "/comparison", roles: scoringRole,
			h: s.compareCalibration,
			summary: "Each reviewer against the benchmark or the consensus, answers per " +
				"question, and alpha, kappa and raw agreement"},
		{method: http.MethodPost, path: session + "/agreed", roles: staff,
			h: s.recordAgreed,
			summary: "Record the agreed answers of calls (the calibrated score) and notes " +
				"{calls: [{call_id, answers, notes}], notes}"},
		{method: http.MethodPost, path: session + "/guidance", roles: staff,
			h: s.updateCalibrationGuidance,
			summary: "Rewrite a question's guidance after discussion {question_id, guidance}: " +
				"makes a new form version"},
	}
}

func (s *Server) calibrationReportRoutes() []route {
	return []route{
		{method: http.MethodGet, path: "/api/v1/calibration/reviewers/:id/deviation",
			roles: scoringRole, h: s.reviewerDeviation,
			summary: "A reviewer's deviation from the reference, session by session; " +
				"reviewers see their own"},
		{method: http.MethodGet, path: "/api/v1/reports/reviewer-bias", roles: staff,
			h: s.reviewerBiasReport,
			summary: "Each reviewer's bias with its 95% interval, shared calls and flag; " +
				"from, to, tolerance; JSON or CSV"},
		{method: http.MethodGet, path: "/api/v1/reports/agents-adjusted", roles: staff,
			h: s.agentsAdjustedReport,
			summary: "Agents' mean scores raw and bias-adjusted, each with its 95% interval; " +
				"from, to, team_id, agent_id, tolerance; JSON or CSV"},
		{method: http.MethodGet, path: "/api/v1/reports/trend-adjusted", roles: staff,
			h: s.adjustedTrendReport,
			summary: "The weekly trend raw and bias-adjusted, each week with its 95% interval; " +
				"from, to, team_id, agent_id, form_id, tolerance; JSON or CSV"},
	}
}

func (s *Server) openCalibration(c echo.Context) error {
	var n qa.NewCalibration
	if err := decodeFormBody(c, &n); err != nil {
		return s.apiError(c, err)
	}
	cs, err := s.cfg.QA.OpenCalibration(formCtx(c), caller(c), n)
	return s.formReply(c, http.StatusCreated, cs, err)
}

func (s *Server) listCalibrations(c echo.Context) error {
	list, err := s.cfg.QA.ListCalibrations(formCtx(c), caller(c))
	return s.formReply(c, http.StatusOK, map[string]any{"sessions": list}, err)
}

func (s *Server) getCalibration(c echo.Context) error {
	id, err := formPathID(c, "calibration session")
	if err != nil {
		return s.apiError(c, err)
	}
	cs, err := s.cfg.QA.GetCalibration(formCtx(c), caller(c), id)
	return s.formReply(c, http.StatusOK, cs, err)
}

func (s *Server) revealCalibration(c echo.Context) error {
	id, err := formPathID(c, "calibration session")
	if err != nil {
		return s.apiError(c, err)
	}
	cs, err := s.cfg.QA.RevealCalibration(formCtx(c), caller(c), id)
	return s.formReply(c, http.StatusOK, cs, err)
}

func (s *Server) deleteCalibration(c echo.Context) error {
	id, err := formPathID(c, "calibration session")
	if err != nil {
		return s.apiError(c, err)
	}
	if err := s.cfg.QA.DeleteCalibration(formCtx(c), caller(c), id); err != nil {
		return s.apiError(c, err)
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) compareCalibration(c echo.Context) error {
	id, err := formPathID(c, "calibration session")
	if err != nil {
		return s.apiError(c, err)
	}
	cmp, err := s.cfg.QA.CompareCalibration(formCtx(c), caller(c), id)
	return s.formReply(c, http.StatusOK, cmp, err)
}

func (s *Server) recordAgreed(c echo.Context) error {
	id, err := formPathID(c, "calibration session")
	if err != nil {
		return s.apiError(c, err)
	}
	var in qa.AgreedInput
	if err := decodeFormBody(c, &in); err != nil {
		return s.apiError(c, err)
	}
	cs, err := s.cfg.QA.RecordAgreed(formCtx(c), caller(c), id, in)
	return s.formReply(c, http.StatusOK, cs, err)
}

func (s *Server) updateCalibrationGuidance(c echo.Context) error {
	id, err := formPathID(c, "calibration session")
	if err != nil {
		return s.apiError(c, err)
	}
	var in qa.GuidanceInput
	if err := decodeFormBody(c, &in); err != nil {
		return s.apiError(c, err)
	}
	up, err := s.cfg.QA.UpdateCalibrationGuidance(formCtx(c), caller(c), id, in)
	return s.formReply(c, http.StatusCreated, up, err)
}

func (s *Server) reviewerDeviation(c echo.Context) error {
	id, err := formPathID(c, "reviewer")
	if err != nil {
		return s.apiError(c, err)
	}
	d, err := s.cfg.QA.ReviewerDeviation(formCtx(c), caller(c), id)
	return s.formReply(c, http.StatusOK, d, err)
}

func (s *Server) reviewerBiasReport(c echo.Context) error {
	f, tolerance, err := biasQuery(c)
	if err != nil {
		return s.apiError(c, err)
	}
	r, err := s.cfg.QA.ReviewerBias(formCtx(c), caller(c), f, tolerance)
	if err != nil {
		return s.apiError(c, err)
	}
	table := [][]string{{"reviewer_id", "username", "bias", "ci_low", "ci_high", "se",
		"shared_calls", "scores", "flagged", "significant"}}
	for _, b := range r.Reviewers {
		table = append(table, []string{itoa(b.ReviewerID), b.Username, ftoa(b.Bias),
			ftoa(b.Low), ftoa(b.High), ftoa(b.SE), strconv.Itoa(b.SharedCalls),
			strconv.Itoa(b.Scores), strconv.FormatBool(b.Flagged),
			strconv.FormatBool(b.Significant)})
	}
	return s.tableOrJSON(c, "reviewer-bias", r, table)
}

func (s *Server) agentsAdjustedReport(c echo.Context) error {
	f, tolerance, err := biasQuery(c)
	if err != nil {
		return s.apiError(c, err)
	}
	r, err := s.cfg.QA.AgentsAdjusted(formCtx(c), caller(c), f, tolerance)
	if err != nil {
		return s.apiError(c, err)
	}
	table := [][]string{rawAdjustedHead("agent_id", "agent", "team")}
	for _, a := range r.Agents {
		row := append([]string{itoa(a.AgentID), a.Agent, a.Team}, intervalCells(a.Raw)...)
		table = append(table, append(row, intervalCells(a.Adjusted)...))
	}
	return s.tableOrJSON(c, "agents-adjusted", r, table)
}

func (s *Server) adjustedTrendReport(c echo.Context) error {
	f, tolerance, err := biasQuery(c)
	if err != nil {
		return s.apiError(c, err)
	}
	r, err := s.cfg.QA.AdjustedTrend(formCtx(c), caller(c), f, tolerance)
	if err != nil {
		return s.apiError(c, err)
	}
	table := [][]string{rawAdjustedHead("week", "agent_id")}
	for _, w := range r.Weeks {
		row := append([]string{w.Week, itoa(w.AgentID)}, intervalCells(w.Raw)...)
		table = append(table, append(row, intervalCells(w.Adjusted)...))
	}
	return s.tableOrJSON(c, "trend-adjusted", r, table)
}

// rawAdjustedHead is a CSV header of the columns lead, then an interval
// raw and one bias-adjusted.
func rawAdjustedHead(lead ...string) []string {
	head := append([]string(nil), lead...)
	for _, h := range intervalHeader {
		head = append(head, "raw_"+h)
	}
	for _, h := range intervalHeader {
		head = append(head, "adjusted_"+h)
	}
	return head
}

// biasQuery reads the report filter and the tolerance in points.
func biasQuery(c echo.Context) (qa.ReportFilter, float64, error) {
	f, err := reportFilter(c)
	if err != nil {
		return f, 0, &qa.InputError{Msg: err.Error()}
	}
	v := c.QueryParam("tolerance")
	if v == "" {
		return f, 0, nil
	}
	tol, err := strconv.ParseFloat(v, 64)
	if err != nil || tol <= 0 || tol > 100 {
		return f, 0, &qa.InputError{Field: "tolerance",
			Msg: fmt.Sprintf("%q: give a number of points from 0 to 100", v)}
	}
	return f, tol, nil
}

// tableOrJSON answers v as JSON or, with ?format=csv, table as a CSV
// download named after the report.
func (s *Server) tableOrJSON(c echo.Context, name string, v any, table [][]string) error {
	switch c.QueryParam("format") {
	case "", "json":
		return c.JSON(http.StatusOK, v)
	case "csv":
		h := c.Response().Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="earshot-%s.csv"`, name))
		c.Response().WriteHeader(http.StatusOK)
		return csv.NewWriter(c.Response()).WriteAll(table)
	}
	return apiErr(c, http.StatusBadRequest, "format=%q: use json or csv", c.QueryParam("format"))
}
