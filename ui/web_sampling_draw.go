package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// drawSource is a draw or a preview of one, as the report shows it.
type drawSource struct {
	drawID, planID int64
	seed           int64
	params         qa.DrawParams
	report         qa.DrawReport
	items          []qa.DrawItem
	// csrf, set on the page of a stored draw, offers each sampled call a
	// form that takes it out.
	csrf string
}

// drawView is the report of a draw or of a preview: per agent figures,
// the chart, the calls and who reviews them.
type drawView struct {
	DrawID, PlanID int64
	CSRF           string
	PlanName       string
	Seed           int64
	Params         qa.DrawParams
	Report         qa.DrawReport
	Agents         []agentDrawRow
	Chart          drawChart
	Reviewers      []reviewerRow
	Skipped        []reviewerRow
	// Advice says what to do about a shortfall or unassigned calls.
	Advice []string
}

// agentDrawRow is one agent's part of a draw, with their calls.
type agentDrawRow struct {
	qa.AgentDraw
	ReviewerNames string
	Calls         []drawnCallRow
}

// drawnCallRow is one sampled call and its reviews.
type drawnCallRow struct {
	CallID    string
	Day       string
	StartedAt time.Time
	Reviews   []reviewCell
	Replaced  *qa.ItemReplacement
}

// reviewCell is one review of a sampled call.
type reviewCell struct {
	Name         string
	Second       bool
	EvaluationID *int64
}

// reviewerRow is what one reviewer got, or why they got nothing.
type reviewerRow struct {
	qa.ReviewerLoad
	Name, Reason string
}

// drawPage shows a stored draw.
func (s *Server) drawPage(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return s.webError(c, http.StatusNotFound, "There is no such draw.")
	}
	return s.renderDraw(c, http.StatusOK, id, "")
}

// renderDraw shows draw id with status, and problem, if any, on top.
func (s *Server) renderDraw(c echo.Context, status int, id int64, problem string) error {
	ctx := c.Request().Context()
	d, err := s.cfg.QA.GetDraw(ctx, caller(c), id)
	if err != nil {
		return s.webQAError(c, "get draw", err)
	}
	csrf, _ := c.Get(csrfKey).(string)
	report, err := s.drawReport(ctx, drawSource{drawID: d.ID, planID: d.PlanID, seed: d.Seed,
		params: d.Params, report: d.Report, items: d.Items, csrf: csrf})
	if err != nil {
		return s.webFail(c, "draw report", err)
	}
	names, err := s.userNames(ctx)
	if err != nil {
		return s.webFail(c, "list users", err)
	}
	title := fmt.Sprintf("Draw %d of %s", d.ID, d.Params.PlanName)
	days := d.Params.Period.Days
	return s.render(c, status, "sampling_draw", pageData{Title: title, Nav: "sampling",
		Notice: drawNotices[c.QueryParam("notice")], Problem: problem,
		Page: map[string]any{"Draw": d, "Report": report, "By": formAuthor(names, d.CreatedBy),
			"Last": days[len(days)-1]}})
}

// drawReport renders the report of src with the sampling_report
// template, for the draw page and the plan page's preview alike.
func (s *Server) drawReport(ctx context.Context, src drawSource) (template.HTML, error) {
	names, err := s.userNames(ctx)
	if err != nil {
		return "", err
	}
	v := buildDrawView(src, names)
	t, ok := s.pages["sampling_report"]
	if !ok {
		return "", errors.New("no sampling_report template")
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "report", v); err != nil {
		return "", err
	}
	// html/template escaped everything in it, in the context of a page's
	// body, which is where it goes.
	return template.HTML(buf.String()), nil
}

func buildDrawView(src drawSource, names map[int64]string) drawView {
	v := drawView{DrawID: src.drawID, PlanID: src.planID, PlanName: src.params.PlanName,
		Seed: src.seed, Params: src.params, Report: src.report, CSRF: src.csrf}
	calls := drawCallsByAgent(src.items, names)
	for _, a := range src.report.Agents {
		row := agentDrawRow{AgentDraw: a, Calls: calls[a.AgentID]}
		var rs []string
		for _, id := range a.Reviewers {
			rs = append(rs, formAuthor(names, &id))
		}
		row.ReviewerNames = strings.Join(rs, ", ")
		v.Agents = append(v.Agents, row)
	}
	for _, r := range src.report.Reviewers {
		v.Reviewers = append(v.Reviewers, reviewerRow{ReviewerLoad: r, Name: formAuthor(names, &r.UserID)})
	}
	for _, sk := range src.report.Skipped {
		v.Skipped = append(v.Skipped, reviewerRow{Name: formAuthor(names, &sk.UserID), Reason: sk.Reason})
	}
	v.Chart = newDrawChart(src.report.Agents)
	v.Advice = drawAdvice(src.report)
	return v
}

// drawCallsByAgent groups the reviews of a draw into one row per call, by
// agent, keeping the draw's order (by start, first reviews first).
func drawCallsByAgent(items []qa.DrawItem, names map[int64]string) map[int64][]drawnCallRow {
	out := map[int64][]drawnCallRow{}
	for _, it := range items {
		rows := out[it.AgentID]
		n := len(rows)
		if n == 0 || rows[n-1].CallID != it.CallID || (rows[n-1].Replaced == nil) != (it.Replaced == nil) {
			rows = append(rows, drawnCallRow{CallID: it.CallID, Day: it.Day, StartedAt: it.StartedAt,
				Replaced: it.Replaced})
			n++
		}
		if it.ReviewerID != nil {
			rows[n-1].Reviews = append(rows[n-1].Reviews, reviewCell{Name: formAuthor(names, it.ReviewerID),
				Second: it.SecondReview, EvaluationID: it.EvaluationID})
		}
		out[it.AgentID] = rows
	}
	return out
}

// drawAdvice words what a manager can do about what the draw could not
// do.
func drawAdvice(r qa.DrawReport) []string {
	var out []string
	short := 0
	for _, a := range r.Agents {
		if a.Shortfall > 0 {
			short++
		}
	}
	if r.Shortfall > 0 {
		out = append(out, fmt.Sprintf("%d %s short of the quota by %d %s in all: %s fewer "+
			"eligible calls in the period than the quota. To fill the sample, widen the period "+
			"(a month rather than a week), widen the scope (more teams or agents), or relax the "+
			"filters (direction, duration, talk metrics, “not yet evaluated”).",
			short, drawPlural(short, "agent is", "agents are"),
			r.Shortfall, drawPlural(r.Shortfall, "call", "calls"),
			drawPlural(short, "this agent had", "they had")))
	}
	if r.Unassigned > 0 {
		out = append(out, fmt.Sprintf("%d sampled %s no reviewer: every reviewer of the pool was at "+
			"their cap or was the agent. Add reviewers to the plan or raise their caps, then draw again.",
			r.Unassigned, drawPlural(r.Unassigned, "call has", "calls have")))
	}
	if r.SecondReviews < r.SecondReviewsWanted {
		out = append(out, fmt.Sprintf("Only %d of the %d second reviews wanted were made: a second "+
			"reviewer must differ from the first and have room. Add reviewers to the pool.",
			r.SecondReviews, r.SecondReviewsWanted))
	}
	return out
}

func drawPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// drawChart is drawn versus quota per agent, as SVG coordinates: the page
// draws it without script. The per-agent table says the same in text.
type drawChart struct {
	Width, Height, LabelW, BarW int
	Rows                        []drawBar
}

// drawBar is one agent's bars.
type drawBar struct {
	Y, TextY       int
	Name, Label    string
	QuotaW, DrawnW int
	Short          bool
}

const (
	drawBarH   = 30
	drawLabelW = 170
	drawAreaW  = 420
)

func newDrawChart(agents []qa.AgentDraw) drawChart {
	c := drawChart{LabelW: drawLabelW, BarW: drawAreaW, Width: drawLabelW + drawAreaW + 90,
		Height: drawBarH*len(agents) + 8}
	top := 1
	for _, a := range agents {
		top = max(top, a.Quota, a.Drawn)
	}
	for i, a := range agents {
		y := 4 + i*drawBarH
		c.Rows = append(c.Rows, drawBar{Y: y + 4, TextY: y + 19, Name: drawShortName(a.Name, 24),
			QuotaW: a.Quota * drawAreaW / top, DrawnW: a.Drawn * drawAreaW / top,
			Label: fmt.Sprintf("%d of %d", a.Drawn, a.Quota), Short: a.Shortfall > 0})
	}
	return c
}

// drawShortName cuts a name to n characters for the chart, whose labels do
// not wrap; the table beside it has the full name.
func drawShortName(name string, n int) string {
	r := []rune(name)
	if len(r) <= n {
		return name
	}
	return string(r[:n-1]) + "…"
}

// drawPeriodText is a period as its first and last days.
func drawPeriodText(p qa.DrawPeriod) string {
	if len(p.Days) == 0 {
		return ""
	}
	return p.Days[0] + " to " + p.Days[len(p.Days)-1]
}
