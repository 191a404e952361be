package ui

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// samplingAPI are the routes of sampling plans and draws: staff only.
func (s *Server) samplingAPI() []route {
	if s.cfg.QA == nil {
		return nil
	}
	return []route{
		{method: http.MethodGet, path: "/api/v1/sampling/plans", roles: staff, h: s.listPlans,
			summary: "List sampling plans by name"},
		{method: http.MethodPost, path: "/api/v1/sampling/plans", roles: staff, h: s.createPlan,
			summary: "Create a sampling plan {name, period, quota, spread, time_zone, filters, reviewers, " +
				"blind, second_review_share, form_version_id}"},
		{method: http.MethodGet, path: "/api/v1/sampling/plans/:id", roles: staff, h: s.getPlan,
			summary: "One sampling plan"},
		{method: http.MethodPut, path: "/api/v1/sampling/plans/:id", roles: staff, h: s.updatePlan,
			summary: "Replace a sampling plan's definition, or set {active}; draws made keep the one they used"},
		{method: http.MethodPost, path: "/api/v1/sampling/plans/:id/draws", roles: staff, h: s.drawPlan,
			summary: "Draw calls for the period holding the day {period: 2026-03-02}; {seed} repeats a draw"},
		{method: http.MethodPost, path: "/api/v1/sampling/plans/:id/preview", roles: staff,
			h: s.previewPlan, summary: "What a draw of the period holding the day {period} would " +
				"pick now, storing nothing; with {plan} (as in PUT), of the plan so edited, unsaved"},
		{method: http.MethodPost, path: "/api/v1/sampling/preview", roles: staff,
			h: s.previewNewPlan, summary: "What a draw of the period holding the day {period} " +
				"would pick with a plan not yet created {plan} (as in POST), storing nothing"},
		{method: http.MethodGet, path: "/api/v1/sampling/draws", roles: staff, h: s.listDraws,
			summary: "List draws newest first, with seed and report but no items: plan_id"},
		{method: http.MethodGet, path: "/api/v1/sampling/draws/:id", roles: staff, h: s.getDraw,
			summary: "One draw: seed, parameters, per-agent report and items"},
		{method: http.MethodPost, path: "/api/v1/sampling/draws/:id/replace", roles: staff, h: s.replaceDrawItem,
			summary: "Replace a sampled {call_id} with another call of its agent; needs a {reason}, which is kept"},
	}
}

func (s *Server) listPlans(c echo.Context) error {
	plans, err := s.cfg.QA.ListPlans(c.Request().Context(), caller(c))
	if err != nil {
		return s.apiError(c, err)
	}
	return c.JSON(http.StatusOK, map[string]any{"plans": plans})
}

func (s *Server) getPlan(c echo.Context) error {
	id, err := peoplePathID(c, "plan")
	if err != nil {
		return s.apiError(c, err)
	}
	p, err := s.cfg.QA.GetPlan(c.Request().Context(), caller(c), id)
	if err != nil {
		return s.apiError(c, err)
	}
	return c.JSON(http.StatusOK, p)
}

func (s *Server) createPlan(c echo.Context) error {
	var req qa.PlanInput
	if err := decodePeopleBody(c, &req); err != nil {
		return s.apiError(c, err)
	}
	p, err := s.cfg.QA.CreatePlan(c.Request().Context(), caller(c), req)
	if err != nil {
		return s.apiError(c, err)
	}
	return s.changed(c, http.StatusCreated, p, change{qa.ActionCreate, "sampling_plan", p.ID,
		map[string]any{"name": p.Name}})
}

func (s *Server) updatePlan(c echo.Context) error {
	id, err := peoplePathID(c, "plan")
	if err != nil {
		return s.apiError(c, err)
	}
	var req qa.PlanInput
	if err := decodePeopleBody(c, &req); err != nil {
		return s.apiError(c, err)
	}
	p, err := s.cfg.QA.UpdatePlan(c.Request().Context(), caller(c), id, req)
	if err != nil {
		return s.apiError(c, err)
	}
	return s.changed(c, http.StatusOK, p, change{qa.ActionChange, "sampling_plan", id,
		map[string]any{"name": p.Name, "active": p.Active}})
}

// drawRequest is the body of a draw; the plan is in the path.
type drawRequest struct {
	Period string `json:"period"`
	Seed   *int64 `json:"seed"`
}

func (s *Server) drawPlan(c echo.Context) error {
	id, err := peoplePathID(c, "plan")
	if err != nil {
		return s.apiError(c, err)
	}
	var req drawRequest
	if err := decodePeopleBody(c, &req); err != nil {
		return s.apiError(c, err)
	}
	d, err := s.cfg.QA.Draw(c.Request().Context(), caller(c),
		qa.DrawRequest{PlanID: id, Period: req.Period, Seed: req.Seed})
	if err != nil {
		return s.apiError(c, err)
	}
	return s.changed(c, http.StatusCreated, d, change{qa.ActionCreate, "draw", d.ID,
		map[string]any{"plan_id": id, "seed": d.Seed, "period": req.Period, "drawn": d.Report.Drawn}})
}

// previewRequest is the body of a preview: a draw's, and optionally an
// edit of the plan to preview instead of the plan as saved.
type previewRequest struct {
	drawRequest
	Plan *qa.PlanInput `json:"plan"`
}

func (s *Server) previewPlan(c echo.Context) error {
	id, err := peoplePathID(c, "plan")
	if err != nil {
		return s.apiError(c, err)
	}
	var req previewRequest
	if err := decodePeopleBody(c, &req); err != nil {
		return s.apiError(c, err)
	}
	ctx, u := c.Request().Context(), caller(c)
	dr := qa.DrawRequest{PlanID: id, Period: req.Period, Seed: req.Seed}
	var pv *qa.DrawPreview
	if req.Plan != nil {
		pv, err = s.cfg.QA.PreviewPlanEdit(ctx, u, dr, *req.Plan)
	} else {
		pv, err = s.cfg.QA.PreviewDraw(ctx, u, dr)
	}
	if err != nil {
		return s.apiError(c, err)
	}
	return c.JSON(http.StatusOK, pv)
}

func (s *Server) previewNewPlan(c echo.Context) error {
	var req previewRequest
	if err := decodePeopleBody(c, &req); err != nil {
		return s.apiError(c, err)
	}
	if req.Plan == nil {
		return s.apiError(c, &qa.InputError{Field: "plan", Msg: "give the plan to preview"})
	}
	pv, err := s.cfg.QA.PreviewPlanEdit(c.Request().Context(), caller(c),
		qa.DrawRequest{Period: req.Period, Seed: req.Seed}, *req.Plan)
	if err != nil {
		return s.apiError(c, err)
	}
	return c.JSON(http.StatusOK, pv)
}

func (s *Server) listDraws(c echo.Context) error {
	var plan int64
	if v := c.QueryParam("plan_id"); v != "" {
		var err error
		if plan, err = strconv.ParseInt(v, 10, 64); err != nil || plan <= 0 {
			return s.apiError(c, &qa.InputError{Field: "plan_id", Msg: fmt.Sprintf("%q is not a plan id", v)})
		}
	}
	draws, err := s.cfg.QA.ListDraws(c.Request().Context(), caller(c), plan)
	if err != nil {
		return s.apiError(c, err)
	}
	return c.JSON(http.StatusOK, map[string]any{"draws": draws})
}

func (s *Server) getDraw(c echo.Context) error {
	id, err := peoplePathID(c, "draw")
	if err != nil {
		return s.apiError(c, err)
	}
	d, err := s.cfg.QA.GetDraw(c.Request().Context(), caller(c), id)
	if err != nil {
		return s.apiError(c, err)
	}
	return c.JSON(http.StatusOK, d)
}

type replaceRequest struct {
	CallID string `json:"call_id"`
	Reason string `json:"reason"`
}

func (s *Server) replaceDrawItem(c echo.Context) error {
	id, err := peoplePathID(c, "draw")
	if err != nil {
		return s.apiError(c, err)
	}
	var req replaceRequest
	if err := decodePeopleBody(c, &req); err != nil {
		return s.apiError(c, err)
	}
	res, err := s.cfg.QA.ReplaceItem(c.Request().Context(), caller(c), id, req.CallID, req.Reason)
	if err != nil {
		return s.apiError(c, err)
	}
	detail := map[string]any{"call_id": req.CallID, "reason": req.Reason}
	if len(res.Replacement) > 0 {
		detail["replacement"] = res.Replacement[0].CallID
	}
	return s.changed(c, http.StatusOK, res, change{qa.ActionChange, "draw", id, detail})
}
