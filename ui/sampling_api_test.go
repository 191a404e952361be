package ui

import (
	"net/http"
	"testing"
	"time"

	"earshot/qa"
)

// samplingWorld is a server with two agents who took calls on each day of
// the week of peopleMonday, a manager and two reviewers.
type samplingWorld struct {
	f        *authFixture
	boss     string // bearer tokens
	rev      string
	revUsers []*qa.User
	agents   []*qa.Agent
}

func newSamplingWorld(t *testing.T) *samplingWorld {
	t.Helper()
	f := newAuthFixture(t)
	w := &samplingWorld{f: f, boss: f.token(t, f.user(t, "boss", qa.RoleManager))}
	for _, name := range []string{"rae", "sol"} {
		w.revUsers = append(w.revUsers, f.user(t, name, qa.RoleReviewer))
	}
	w.rev = f.token(t, w.revUsers[0])
	for i, ext := range []string{"1001", "1002"} {
		a, err := f.qa.CreateAgent(t.Context(), qa.AgentInput{Name: "agent " + ext})
		if err != nil {
			t.Fatal(err)
		}
		ident := qa.Identity{Kind: qa.IdentityExtension, Value: ext}
		if _, err := f.qa.AddIdentity(t.Context(), a.ID, ident); err != nil {
			t.Fatal(err)
		}
		w.agents = append(w.agents, a)
		for d := range 7 {
			start := peopleMonday.AddDate(0, 0, d).Add(time.Duration(i) * time.Minute)
			indexPeopleCall(t, f, 10*i+d, start, "sip:"+ext+"@pbx.example")
		}
	}
	return w
}

// createPlan creates a weekly plan of quota calls per agent.
func (w *samplingWorld) createPlan(t *testing.T, quota int) qa.Plan {
	t.Helper()
	resp, body := w.f.do(t, nil, authReq{method: http.MethodPost, path: "/api/v1/sampling/plans",
		bearer: w.boss, body: map[string]any{
			"name": "weekly", "period": "week", "quota": quota,
			"reviewers": []map[string]any{{"user_id": w.revUsers[0].ID, "cap": 0}, {"user_id": w.revUsers[1].ID}},
			"filters":   map[string]any{"direction": "inbound", "min_duration_ms": 1000},
		}})
	wantStatus(t, "create plan", resp, body, http.StatusCreated)
	var p qa.Plan
	decodeTestJSON(t, body, &p)
	return p
}

// TestSamplingAPI: a manager creates a plan, draws with a seed, reads the
// draw back and replaces a call with a reason, which is kept.
func TestSamplingAPI(t *testing.T) {
	w := newSamplingWorld(t)
	p := w.createPlan(t, 3)
	if p.Quota != 3 || *p.SecondReviewShare != qa.DefaultSecondReviewShare || p.Spread != qa.SpreadDays {
		t.Errorf("plan %+v, want quota 3 and the defaults", p)
	}
	planPath := "/api/v1/sampling/plans/" + peopleID(p.ID)
	// Previews, of the plan as saved and as an edit would make it.
	resp, body := w.f.do(t, nil, authReq{method: http.MethodPost, path: planPath + "/preview",
		bearer: w.boss, body: map[string]any{"period": "2026-03-04", "seed": 123}})
	wantStatus(t, "preview", resp, body, http.StatusOK)
	var pv qa.DrawPreview
	decodeTestJSON(t, body, &pv)
	edit := qa.PlanInput{Name: p.Name, PlanDefinition: p.PlanDefinition}
	edit.Quota = 1
	resp, body = w.f.do(t, nil, authReq{method: http.MethodPost, path: planPath + "/preview",
		bearer: w.boss, body: map[string]any{"period": "2026-03-04", "plan": edit}})
	wantStatus(t, "preview of an edit", resp, body, http.StatusOK)
	var pvEdit qa.DrawPreview
	decodeTestJSON(t, body, &pvEdit)
	if pvEdit.Report.Drawn != 2 || pvEdit.Params.Plan.Quota != 1 {
		t.Errorf("preview of quota 1 over two agents: %+v", pvEdit.Report)
	}
	edit.Name = "not yet created"
	resp, body = w.f.do(t, nil, authReq{method: http.MethodPost, path: "/api/v1/sampling/preview",
		bearer: w.boss, body: map[string]any{"period": "2026-03-04", "plan": edit}})
	wantStatus(t, "preview of a new plan", resp, body, http.StatusOK)
	var pvNew qa.DrawPreview
	decodeTestJSON(t, body, &pvNew)
	if pvNew.PlanID != 0 || pvNew.Report.Drawn != 2 {
		t.Errorf("preview of a new plan of quota 1: plan %d, %+v", pvNew.PlanID, pvNew.Report)
	}
	resp, body = w.f.do(t, nil, authReq{method: http.MethodPost, path: "/api/v1/sampling/preview",
		bearer: w.boss, body: map[string]any{"period": "2026-03-04"}})
	wantStatus(t, "preview of no plan", resp, body, http.StatusBadRequest)
	edit.Quota = 0
	resp, body = w.f.do(t, nil, authReq{method: http.MethodPost, path: planPath + "/preview",
		bearer: w.boss, body: map[string]any{"period": "2026-03-04", "plan": edit}})
	wantStatus(t, "preview of a quota of 0", resp, body, http.StatusBadRequest)

	resp, body = w.f.do(t, nil, authReq{method: http.MethodPost, path: planPath + "/draws",
		bearer: w.boss, body: map[string]any{"period": "2026-03-04", "seed": 123}})
	wantStatus(t, "draw", resp, body, http.StatusCreated)
	var d qa.Draw
	decodeTestJSON(t, body, &d)
	if d.Seed != 123 || d.Report.Drawn != 6 || len(d.Report.Agents) != 2 ||
		d.Params.Period.Days[0] != "2026-03-02" {
		t.Fatalf("draw: seed %d, report %+v, period %+v", d.Seed, d.Report, d.Params.Period)
	}
	if pv.Seed != 123 || pv.Report.Drawn != d.Report.Drawn || len(pv.Items) != len(d.Items) {
		t.Errorf("the preview with seed 123 drew %d in %d items, the draw %d in %d",
			pv.Report.Drawn, len(pv.Items), d.Report.Drawn, len(d.Items))
	}

	drawPath := "/api/v1/sampling/draws/" + peopleID(d.ID)
	resp, body = w.f.do(t, nil, authReq{method: http.MethodGet, path: drawPath, bearer: w.boss})
	wantStatus(t, "get draw", resp, body, http.StatusOK)
	var got qa.Draw
	decodeTestJSON(t, body, &got)
	if len(got.Items) < 6 {
		t.Fatalf("draw has %d items, want 6 and any second reviews", len(got.Items))
	}
	callID := got.Items[0].CallID

	resp, body = w.f.do(t, nil, authReq{method: http.MethodPost, path: drawPath + "/replace",
		bearer: w.boss, body: map[string]any{"call_id": callID}})
	wantStatus(t, "replace without a reason", resp, body, http.StatusBadRequest)
	resp, body = w.f.do(t, nil, authReq{method: http.MethodPost, path: drawPath + "/replace",
		bearer: w.boss, body: map[string]any{"call_id": callID, "reason": "test call"}})
	wantStatus(t, "replace", resp, body, http.StatusOK)
	var res qa.ReplaceResult
	decodeTestJSON(t, body, &res)
	replaced := res.Replaced[0].Replaced
	if replaced == nil || replaced.Reason != "test call" || len(res.Replacement) == 0 {
		t.Errorf("replace answered %s", body)
	}

	resp, body = w.f.do(t, nil, authReq{method: http.MethodGet,
		path: "/api/v1/sampling/draws?plan_id=" + peopleID(p.ID), bearer: w.boss})
	wantStatus(t, "list draws", resp, body, http.StatusOK)
	var list struct{ Draws []qa.Draw }
	decodeTestJSON(t, body, &list)
	if len(list.Draws) != 1 || list.Draws[0].Items != nil {
		t.Errorf("draws %+v, want one without items", list.Draws)
	}
}

func TestSamplingAPIErrors(t *testing.T) {
	w := newSamplingWorld(t)
	p := w.createPlan(t, 2)
	planPath := "/api/v1/sampling/plans/" + peopleID(p.ID)
	tests := []struct {
		name   string
		req    authReq
		status int
	}{
		{name: "reviewer reads plans", req: authReq{method: http.MethodGet, path: "/api/v1/sampling/plans",
			bearer: w.rev}, status: http.StatusForbidden},
		{name: "reviewer draws", req: authReq{method: http.MethodPost, path: planPath + "/draws",
			bearer: w.rev, body: map[string]any{"period": "2026-03-02"}}, status: http.StatusForbidden},
		{name: "bad period", req: authReq{method: http.MethodPost, path: planPath + "/draws",
			bearer: w.boss, body: map[string]any{"period": "next week"}}, status: http.StatusBadRequest},
		{name: "unknown plan", req: authReq{method: http.MethodPost, path: "/api/v1/sampling/plans/99/draws",
			bearer: w.boss, body: map[string]any{"period": "2026-03-02"}}, status: http.StatusNotFound},
		{name: "misspelt field", req: authReq{method: http.MethodPost, path: "/api/v1/sampling/plans",
			bearer: w.boss, body: map[string]any{"name": "x", "period": "week", "quota": 1, "reviewer": []int{1}}},
			status: http.StatusBadRequest},
		{name: "update keeping its name", req: authReq{method: http.MethodPut, path: planPath, bearer: w.boss,
			body: map[string]any{"name": "weekly", "period": "day", "quota": 1,
				"reviewers": []map[string]any{{"user_id": w.revUsers[0].ID}}}}, status: http.StatusOK},
		{name: "bad plan id in list", req: authReq{method: http.MethodGet, path: "/api/v1/sampling/draws?plan_id=x",
			bearer: w.boss}, status: http.StatusBadRequest},
		{name: "unknown draw", req: authReq{method: http.MethodGet, path: "/api/v1/sampling/draws/5",
			bearer: w.boss}, status: http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := w.f.do(t, nil, tt.req)
			wantStatus(t, tt.req.method+" "+tt.req.path, resp, body, tt.status)
		})
	}
}
