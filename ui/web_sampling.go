package ui

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// The sampling pages: managers and admins write sampling plans, preview
// what a draw would pick, run draws and read them. The pages are plain
// HTML forms; qa checks every plan and makes every draw, and a preview
// is qa's own dry run of the draw, so that what the page announces is
// what a draw does.

func (s *Server) mountWebSampling(g *echo.Group) {
	g.GET("/sampling", s.page(staff, s.samplingPage))
	g.GET("/sampling/new", s.page(staff, s.planNewPage))
	g.POST("/sampling/new/preview", s.page(staff, s.planPreviewNew))
	g.POST("/sampling", s.page(staff, s.planCreate))
	g.GET("/sampling/:id", s.page(staff, s.planPage))
	g.POST("/sampling/:id", s.page(staff, s.planUpdate))
	g.GET("/sampling/:id/preview", s.page(staff, s.planPreview))
	g.POST("/sampling/:id/preview", s.page(staff, s.planPreviewEdit))
	g.POST("/sampling/:id/draws", s.page(staff, s.planRun))
	g.GET("/sampling/draws/:id", s.page(staff, s.drawPage))
	g.POST("/sampling/draws/:id/replace", s.page(staff, s.drawReplace))
}

// planRow is one plan of the list, with its newest draw.
type planRow struct {
	qa.Plan
	LastDraw *qa.Draw
}

func (s *Server) samplingPage(c echo.Context) error {
	ctx, u := c.Request().Context(), caller(c)
	plans, err := s.cfg.QA.ListPlans(ctx, u)
	if err != nil {
		return s.webQAError(c, "list plans", err)
	}
	draws, err := s.cfg.QA.ListDraws(ctx, u, 0)
	if err != nil {
		return s.webQAError(c, "list draws", err)
	}
	rows := make([]planRow, 0, len(plans))
	for _, p := range plans {
		row := planRow{Plan: p}
		for i := range draws { // newest first: the first found is the last made
			if draws[i].PlanID == p.ID {
				row.LastDraw = &draws[i]
				break
			}
		}
		rows = append(rows, row)
	}
	return s.render(c, http.StatusOK, "sampling", pageData{Title: "Sampling plans", Nav: "sampling",
		Page: rows})
}

// planPageView is the plan page: the plan's form, and for a stored plan
// its preview and draw forms and its past draws.
type planPageView struct {
	Form planForm
	Plan *qa.Plan
	// Period is the day the preview and draw forms hold.
	Period string
	// Preview, if set, is what a draw would pick now; Report is its
	// rendering, shared with the draw page.
	Preview       *qa.DrawPreview
	PreviewPeriod string
	// PreviewOfEdit is set when Preview is of the form as edited, not
	// saved: it cannot be run as it is.
	PreviewOfEdit bool
	Report        template.HTML
	Draws         []pastDraw
}

// pastDraw is a draw of the plan's list.
type pastDraw struct {
	qa.Draw
	Period string
}

func (s *Server) planNewPage(c echo.Context) error {
	f, err := s.planChoices(c.Request().Context(), newPlanForm())
	if err != nil {
		return s.webFail(c, "plan choices", err)
	}
	return s.renderPlan(c, http.StatusOK, planPageView{Form: f, Period: todayUTC()}, "")
}

func todayUTC() string { return time.Now().UTC().Format(time.DateOnly) }

// planPreviewNew is the new-plan form's Preview button: what a draw would
// pick with the plan as written, before it is created.
func (s *Server) planPreviewNew(c echo.Context) error {
	return s.previewPosted(c, planPageView{Period: todayUTC()})
}

func (s *Server) renderPlan(c echo.Context, code int, v planPageView, problem string) error {
	title := "New sampling plan"
	if v.Plan != nil {
		title = v.Plan.Name
	}
	notice := ""
	if c.QueryParam("saved") == "1" && code == http.StatusOK {
		notice = "Plan saved."
	}
	return s.render(c, code, "sampling_plan", pageData{Title: title, Nav: "sampling", Page: v,
		Problem: problem, Notice: notice})
}

func (s *Server) planCreate(c echo.Context) error {
	ctx := c.Request().Context()
	f := planFormFromPost(c)
	in, err := f.input()
	if err == nil {
		var p *qa.Plan
		if p, err = s.cfg.QA.CreatePlan(ctx, caller(c), in); err == nil {
			if err := s.audit(c, qa.ActionCreate, "sampling_plan", fmt.Sprint(p.ID),
				map[string]any{"name": p.Name}); err != nil {
				return s.webFail(c, "audit", err)
			}
			return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/sampling/%d?saved=1", p.ID))
		}
	}
	return s.planSaveError(c, planPageView{Form: f}, "create plan", err)
}

func (s *Server) planUpdate(c echo.Context) error {
	ctx := c.Request().Context()
	v, err := s.planView(c)
	if err != nil {
		return s.webQAError(c, "get plan", err)
	}
	f := planFormFromPost(c)
	f.ID = v.Plan.ID
	v.Form = f
	in, err := f.input()
	if err == nil {
		var p *qa.Plan
		if p, err = s.cfg.QA.UpdatePlan(ctx, caller(c), v.Plan.ID, in); err == nil {
			if err := s.audit(c, qa.ActionChange, "sampling_plan", fmt.Sprint(p.ID),
				map[string]any{"name": p.Name, "active": p.Active}); err != nil {
				return s.webFail(c, "audit", err)
			}
			return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/sampling/%d?saved=1", p.ID))
		}
	}
	return s.planSaveError(c, v, "update plan", err)
}

// planSaveError shows the plan form again, as sent, with qa's reason
// beside the field it names.
func (s *Server) planSaveError(c echo.Context, v planPageView, op string, err error) error {
	var in *qa.InputError
	code := http.StatusBadRequest
	switch {
	case errors.As(err, &in):
		v.Form.ErrField, v.Form.ErrMsg = in.Field, in.Msg
	case errors.Is(err, qa.ErrConflict):
		v.Form.ErrField, v.Form.ErrMsg = "name", "another plan has this name; choose another"
		code = http.StatusConflict
	default:
		return s.webQAError(c, op, err)
	}
	f, cerr := s.planChoices(c.Request().Context(), v.Form)
	if cerr != nil {
		return s.webFail(c, "plan choices", cerr)
	}
	v.Form = f
	return s.renderPlan(c, code, v, "Not saved. "+planFieldLabel(v.Form.ErrField)+": "+v.Form.ErrMsg+".")
}

// planView reads the plan of the path with its past draws, its form
// filled from it, and today in its time zone as the period to draw.
func (s *Server) planView(c echo.Context) (planPageView, error) {
	ctx, u := c.Request().Context(), caller(c)
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return planPageView{}, fmt.Errorf("plan %q: %w", c.Param("id"), qa.ErrNotFound)
	}
	p, err := s.cfg.QA.GetPlan(ctx, u, id)
	if err != nil {
		return planPageView{}, err
	}
	draws, err := s.cfg.QA.ListDraws(ctx, u, id)
	if err != nil {
		return planPageView{}, err
	}
	f, err := s.planChoices(ctx, planFormFromPlan(p))
	if err != nil {
		return planPageView{}, err
	}
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	v := planPageView{Form: f, Plan: p, Period: time.Now().In(loc).Format(time.DateOnly)}
	for _, d := range draws {
		v.Draws = append(v.Draws, pastDraw{Draw: d, Period: drawPeriodText(d.Params.Period)})
	}
	return v, nil
}

func (s *Server) planPage(c echo.Context) error {
	v, err := s.planView(c)
	if err != nil {
		return s.webQAError(c, "get plan", err)
	}
	return s.renderPlan(c, http.StatusOK, v, "")
}

// planPreview shows what a draw of the period would pick now. It is a
// GET: qa stores nothing for it.
func (s *Server) planPreview(c echo.Context) error {
	ctx := c.Request().Context()
	v, err := s.planView(c)
	if err != nil {
		return s.webQAError(c, "get plan", err)
	}
	if p := c.QueryParam("period"); p != "" {
		v.Period = p
	}
	pv, err := s.cfg.QA.PreviewDraw(ctx, caller(c), qa.DrawRequest{PlanID: v.Plan.ID, Period: v.Period})
	return s.showPreview(c, v, pv, err)
}

// planPreviewEdit is the plan form's Preview button: what a draw of the
// current period would pick if the plan were saved as the form now
// reads. The form comes back as sent, still unsaved.
func (s *Server) planPreviewEdit(c echo.Context) error {
	v, err := s.planView(c)
	if err != nil {
		return s.webQAError(c, "get plan", err)
	}
	return s.previewPosted(c, v)
}

// previewPosted previews the plan form as posted, of v's plan or, with
// none, of a plan not yet created, and shows the form again as sent.
func (s *Server) previewPosted(c echo.Context, v planPageView) error {
	ctx := c.Request().Context()
	if p := c.FormValue("preview_period"); p != "" {
		v.Period = p
	}
	f := planFormFromPost(c)
	var planID int64
	if v.Plan != nil {
		planID = v.Plan.ID
	}
	f.ID = planID
	var err error
	if v.Form, err = s.planChoices(ctx, f); err != nil {
		return s.webFail(c, "plan choices", err)
	}
	in, err := f.input()
	if err == nil {
		req := qa.DrawRequest{PlanID: planID, Period: v.Period}
		var pv *qa.DrawPreview
		if pv, err = s.cfg.QA.PreviewPlanEdit(ctx, caller(c), req, in); err == nil {
			v.PreviewOfEdit = true
			return s.showPreview(c, v, pv, nil)
		}
	}
	var bad *qa.InputError
	if errors.As(err, &bad) {
		v.Form.ErrField, v.Form.ErrMsg = bad.Field, bad.Msg
		return s.renderPlan(c, http.StatusBadRequest, v,
			"No preview. "+planFieldLabel(bad.Field)+": "+bad.Msg+".")
	}
	return s.webQAError(c, "preview plan edit", err)
}

// showPreview renders the plan page with the preview pv, or with why
// there is none.
func (s *Server) showPreview(c echo.Context, v planPageView, pv *qa.DrawPreview, err error) error {
	var in *qa.InputError
	if errors.As(err, &in) {
		return s.renderPlan(c, http.StatusBadRequest, v, "No preview: "+in.Msg+".")
	}
	if err != nil {
		return s.webQAError(c, "preview draw", err)
	}
	ctx := c.Request().Context()
	v.Preview, v.PreviewPeriod = pv, drawPeriodText(pv.Params.Period)
	if v.Report, err = s.drawReport(ctx, drawSource{planID: pv.PlanID, seed: pv.Seed,
		params: pv.Params, report: pv.Report, items: pv.Items}); err != nil {
		return s.webFail(c, "preview report", err)
	}
	return s.renderPlan(c, http.StatusOK, v, "")
}

// planRun draws the plan for the period posted, with the seed of a
// preview when the form carries one, and shows the draw.
func (s *Server) planRun(c echo.Context) error {
	ctx := c.Request().Context()
	v, err := s.planView(c)
	if err != nil {
		return s.webQAError(c, "get plan", err)
	}
	req := qa.DrawRequest{PlanID: v.Plan.ID, Period: c.FormValue("period")}
	if sd := c.FormValue("seed"); sd != "" {
		seed, err := strconv.ParseInt(sd, 10, 64)
		if err != nil {
			return s.renderPlan(c, http.StatusBadRequest, v, "Not drawn: the seed must be a whole number.")
		}
		req.Seed = &seed
	}
	v.Period = req.Period
	d, err := s.cfg.QA.Draw(ctx, caller(c), req)
	var in *qa.InputError
	switch {
	case errors.As(err, &in):
		return s.renderPlan(c, http.StatusBadRequest, v, "Not drawn: "+in.Msg+".")
	case errors.Is(err, qa.ErrConflict):
		return s.renderPlan(c, http.StatusConflict, v,
			"Not drawn: the plan is inactive. Tick “Active” below and save it to draw.")
	case err != nil:
		return s.webQAError(c, "draw", err)
	}
	if err := s.audit(c, qa.ActionCreate, "draw", fmt.Sprint(d.ID), map[string]any{"plan_id": v.Plan.ID,
		"seed": d.Seed, "period": req.Period, "drawn": d.Report.Drawn}); err != nil {
		return s.webFail(c, "audit", err)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/sampling/draws/%d", d.ID))
}
