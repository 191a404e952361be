package ui

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// calCompareView is the comparison page of a revealed session: the
// figures of qa.CompareCalibration, worded and drawn, and for those who
// run the session the forms that record its outcome.
type calCompareView struct {
	S         *qa.CalibrationSession
	Cmp       *qa.CalibrationComparison
	Form      string
	Reference string
	CanRun    bool
	Agreement []calAgreementRow
	Reviewers []calReviewerRow
	Questions []calQuestionRow
	Calls     []calCallRow
	// DeviationChart and QuestionChart are rendered SVG.
	DeviationChart, QuestionChart template.HTML
	// Agreed holds a form per call to record the agreed answers.
	Agreed []calAgreedForm
	// Latest is the form's latest version, whose guidance a rewrite
	// starts from.
	Latest   *qa.FormVersion
	Guidance []calGuidanceRow
}

// calAgreementRow is one agreement figure with what makes it weak.
type calAgreementRow struct {
	Name, What       string
	Alpha, AlphaWarn string
	Kappa, KappaWhy  string
	Raw              string
	Units, Pairs     int
}

func (s *Server) calibrationComparisonPage(c echo.Context) error {
	return s.renderCalCompare(c, http.StatusOK, "")
}

// renderCalCompare builds and shows the comparison, with problem at the
// top when a form on it was refused.
func (s *Server) renderCalCompare(c echo.Context, code int, problem string) error {
	v, err := s.calCompare(c)
	var closed calClosedError
	if errors.As(err, &closed) {
		return s.webError(c, http.StatusConflict, closed.msg)
	}
	if err != nil {
		return s.webQAError(c, "compare calibration session", err)
	}
	return s.render(c, code, "calibration_comparison", pageData{Title: "Comparison: " + v.S.Title,
		Nav: "calibration", Problem: problem, Notice: calCompareNotice(c, v), Page: v})
}

// calClosedError: the comparison is not open to the caller yet.
type calClosedError struct{ msg string }

func (e calClosedError) Error() string { return e.msg }

func (s *Server) calCompare(c echo.Context) (*calCompareView, error) {
	ctx, u := c.Request().Context(), caller(c)
	sv, err := s.calSession(c)
	if err != nil {
		return nil, err
	}
	if !sv.S.AnswersVisible {
		// Said before asking qa, which refuses with a bare conflict.
		return nil, calClosedError{msg: "The comparison opens when the session is revealed. " +
			"Until then the session page shows who has submitted."}
	}
	cmp, err := s.cfg.QA.CompareCalibration(ctx, u, sv.S.ID)
	if err != nil {
		return nil, err
	}
	v := &calCompareView{S: sv.S, Cmp: cmp, Form: sv.Form, CanRun: sv.CanRun,
		Reference: "the group's consensus, question by question"}
	if sv.Benchmark != "" {
		v.Reference = "the benchmark, " + sv.Benchmark
	}
	version, err := s.cfg.QA.GetFormVersion(ctx, sv.S.FormVersionID)
	if err != nil {
		return nil, err
	}
	v.Agreement = calAgreementRows(cmp.Agreement)
	v.Reviewers = calReviewerRows(sv.S, cmp)
	v.Questions = calQuestionRows(version.Definition, cmp)
	v.Calls = calCallRows(cmp)
	v.DeviationChart, err = s.renderChart("rowchart", calDeviationChart(cmp, v.Reviewers))
	if err != nil {
		return nil, err
	}
	if v.QuestionChart, err = s.renderChart("rowchart", calQuestionChart(v.Questions)); err != nil {
		return nil, err
	}
	if v.CanRun {
		v.Agreed = calAgreedForms(version.Definition, sv.S, cmp)
		if err := s.calGuidanceView(c, v); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// calAgreementRows words the session's three agreement sets.
func calAgreementRows(a qa.SessionAgreement) []calAgreementRow {
	return []calAgreementRow{
		calAgreementRowOf("Answers", "yes/no and choice answers, each question of each call a unit",
			a.Answers),
		calAgreementRowOf("Scales", "scale answers, as the share of the question's marks", a.Scales),
		calAgreementRowOf("Total scores", "each call's total score; raw agreement counts pairs "+
			"within the tolerance", a.Scores),
	}
}

func calAgreementRowOf(name, what string, set qa.AgreementSet) calAgreementRow {
	r := calAgreementRow{Name: name, What: what, Alpha: calFigure(set.Alpha.Value),
		AlphaWarn: set.Alpha.Warning, Raw: calShare(set.Raw.Value), Units: set.Alpha.Units,
		Pairs: set.Alpha.Pairs, KappaWhy: set.KappaOmitted}
	if set.Kappa != nil {
		r.Kappa = calFigure(set.Kappa.Value)
		if r.KappaWhy == "" {
			r.KappaWhy = set.Kappa.Warning
		}
	}
	return r
}

// calFigure shows an alpha or a kappa; NaN (undefined) says so.
func calFigure(v float64) string {
	if math.IsNaN(v) {
		return "undefined"
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

// calShare shows a share from 0 to 1 as a percent.
func calShare(v float64) string {
	if math.IsNaN(v) {
		return "undefined"
	}
	return fmt.Sprintf("%.0f%%", 100*v)
}

// calPoints shows a signed number of points; nil is a dash.
func calPoints(v *float64) string {
	if v == nil {
		return "–"
	}
	return fmt.Sprintf("%+.1f", *v)
}

// calReviewerRow is one reviewer against the reference.
type calReviewerRow struct {
	ID                   int64
	Name                 string
	Mean, MeanAbs, Share string
	Within, Outside      int
	Matched, Compared    int
	// Calls are the deviations call by call, in the session's order.
	Calls []string

	mean *float64
	devs []float64
}

func calReviewerRows(cs *qa.CalibrationSession, cmp *qa.CalibrationComparison) []calReviewerRow {
	names := map[int64]string{}
	for _, p := range cs.Participants {
		names[p.UserID] = calName(p)
	}
	out := make([]calReviewerRow, 0, len(cmp.Reviewers))
	for _, r := range cmp.Reviewers {
		row := calReviewerRow{ID: r.ReviewerID, Name: names[r.ReviewerID],
			Mean: calPoints(r.MeanDeviation), MeanAbs: "–", Share: "–", Within: r.Within,
			Outside: r.Outside, Matched: r.QuestionsMatched, Compared: r.QuestionsCompared,
			mean: r.MeanDeviation}
		if r.MeanAbsDeviation != nil {
			row.MeanAbs = fmt.Sprintf("%.1f", *r.MeanAbsDeviation)
		}
		if r.MatchedShare != nil {
			row.Share = calShare(*r.MatchedShare)
		}
		for _, call := range r.Calls {
			row.Calls = append(row.Calls, calShort(call.CallID)+" "+calPoints(call.Deviation))
			if call.Deviation != nil {
				row.devs = append(row.devs, *call.Deviation)
			}
		}
		out = append(out, row)
	}
	return out
}

// calShort is the end of a recording id, enough to tell a session's
// calls apart.
func calShort(id string) string {
	if len(id) <= 8 {
		return id
	}
	return "…" + id[len(id)-6:]
}

// calDeviationChart draws each reviewer's mean deviation as a bar, each
// call's as a dot, over the ±tolerance band.
func calDeviationChart(cmp *qa.CalibrationComparison, rows []calReviewerRow) *calRowChart {
	tol := cmp.Tolerance
	lo, hi := -tol, tol
	for _, r := range rows {
		for _, d := range r.devs {
			lo, hi = math.Min(lo, d), math.Max(hi, d)
		}
	}
	ch := newCalRowChart("deviation-chart", "Deviation from the reference, by reviewer",
		fmt.Sprintf("Bars: each reviewer's mean deviation in points; dots: each call; "+
			"the shaded band is the tolerance of ±%g points.", tol), len(rows), lo, hi)
	ch.band(-tol, tol)
	ch.rule(-tol, fmt.Sprintf("−%g", tol))
	ch.rule(tol, fmt.Sprintf("+%g", tol))
	for _, r := range rows {
		row := ch.row(r.Name, fmt.Sprintf("%s: mean %s points, %d of %d calls within",
			r.Name, r.Mean, r.Within, r.Within+r.Outside))
		if r.mean == nil {
			row.Note = "no call compared"
			continue
		}
		class := "ok"
		if math.Abs(*r.mean) > tol+1e-9 {
			class = "out"
		}
		ch.bar(row, *r.mean, class)
		for i, d := range r.devs {
			ch.mark(row, d, nil, nil, 0, "call", fmt.Sprintf("call %d: %+.1f", i+1, d))
		}
	}
	return ch
}

// calCallRow is one call's reference.
type calCallRow struct {
	CallID, Source, Score, Agreed string
	Ratings                       int
	Tied                          int
}

func calCallRows(cmp *qa.CalibrationComparison) []calCallRow {
	out := make([]calCallRow, 0, len(cmp.Calls))
	for _, r := range cmp.Calls {
		row := calCallRow{CallID: r.CallID, Source: r.Source, Score: webPercent(r.Score),
			Ratings: r.Ratings, Tied: len(r.Tied), Agreed: "not recorded"}
		if r.AgreedScore != nil {
			row.Agreed = webPercent(r.AgreedScore)
		}
		out = append(out, row)
	}
	return out
}

// renderChart renders a chart of calibration_charts.html into HTML, which
// html/template escaped as it rendered.
func (s *Server) renderChart(name string, data any) (template.HTML, error) {
	t, ok := s.pages["calibration_charts"]
	if !ok {
		return "", errors.New("no chart templates")
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return "", fmt.Errorf("render %s: %w", name, err)
	}
	return template.HTML(buf.String()), nil
}
