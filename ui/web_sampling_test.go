package ui

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"earshot/qa"
)

// samplingWeb is the web fixture with two more agents to sample, on
// extensions as the PBX names them: Bo took a call on each day of the
// week of peopleMonday, Cy on its Monday and Tuesday only.
type samplingWeb struct {
	*webFixture
	bo, cy *qa.Agent
}

func newSamplingWeb(t *testing.T) *samplingWeb {
	t.Helper()
	w := &samplingWeb{webFixture: newWebFixture(t)}
	w.webUser(t, "ada", "Ada Admin", nil, qa.RoleAdmin)
	agent := func(name, ext string, days, n int) *qa.Agent {
		a, err := w.qa.CreateAgent(t.Context(), qa.AgentInput{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		ident := qa.Identity{Kind: qa.IdentityExtension, Value: ext}
		if _, err := w.qa.AddIdentity(t.Context(), a.ID, ident); err != nil {
			t.Fatal(err)
		}
		for d := range days {
			indexPeopleCall(t, w.authFixture, n+d, peopleMonday.AddDate(0, 0, d), "sip:"+ext+"@pbx.example")
		}
		return a
	}
	w.bo = agent("Bo Agent", "1001", 7, 10)
	w.cy = agent("Cy Agent", "1002", 2, 20)
	return w
}

// planForm is the plan form as a manager fills it in: Bo and Cy, three
// calls a week each, Rita and Maria reviewing, drafts on the form.
func (w *samplingWeb) planForm(token string) url.Values {
	return url.Values{csrfField: {token}, "name": {"Weekly support"}, "active": {"on"},
		"quota": {"3"}, "period": {"week"}, "spread": {"days"}, "time_zone": {"UTC"},
		"agent_id":                         {fmt.Sprint(w.bo.ID), fmt.Sprint(w.cy.ID)},
		"reviewer_id":                      {fmt.Sprint(w.reviewer.ID), fmt.Sprint(w.manager.ID)},
		"cap_" + fmt.Sprint(w.reviewer.ID): {"10"}, "second_share": {"50"},
		"form_version_id": {fmt.Sprint(w.form.Latest.ID)}, "min_sec": {"1"}}
}

// createPlan creates the plan through the page and returns its path.
func (w *samplingWeb) createPlan(t *testing.T, b *browser, change func(url.Values)) string {
	t.Helper()
	_, page := b.get(t, "/sampling/new")
	form := w.planForm(formToken(t, page))
	if change != nil {
		change(form)
	}
	resp, body := b.post(t, "/sampling", form)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(loc, "?saved=1") {
		t.Fatalf("create plan: %d to %q\n%s", resp.StatusCode, loc, body)
	}
	return strings.TrimSuffix(loc, "?saved=1")
}

// stored counts the draws and evaluations there are.
func (w *samplingWeb) stored(t *testing.T) (draws, evaluations int) {
	t.Helper()
	ds, err := w.qa.ListDraws(t.Context(), w.manager, 0)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := w.qa.ListEvaluations(t.Context(), w.manager, qa.EvaluationFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return len(ds), len(evs)
}

// agentRow returns the cells of an agent's row in the per-agent table.
func agentRow(t *testing.T, page string, a *qa.Agent) []string {
	t.Helper()
	re := regexp.MustCompile(`(?s)<tr class="(short)?" data-agent="` + fmt.Sprint(a.ID) + `">(.*?)</tr>`)
	m := re.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no row for %s in the page", a.Name)
	}
	cells := regexp.MustCompile(`(?s)<t[hd][^>]*>(.*?)</t[hd]>`).FindAllStringSubmatch(m[2], -1)
	var out []string
	for _, c := range cells {
		out = append(out, strings.TrimSpace(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(c[1], "")))
	}
	return append([]string{m[1]}, out...)
}

// TestWebSamplingPreviewAndRun: a manager creates a plan, previews the
// week (nothing stored), runs it with the preview's seed and reads the
// same figures on the draw page, with Cy's shortfall and what to do.
func TestWebSamplingPreviewAndRun(t *testing.T) {
	w := newSamplingWeb(t)
	maria := w.signIn(t, "maria")
	planPath := w.createPlan(t, maria, nil)
	if _, body := maria.get(t, planPath+"?saved=1"); !strings.Contains(body, "Plan saved.") ||
		!strings.Contains(body, `id="quota" name="quota" min="1" max="1000" value="3"`) {
		t.Errorf("the saved plan's page:\n%s", body)
	}

	draws, evs := w.stored(t)
	_, body := maria.get(t, planPath+"/preview?period=2026-03-04")
	if d, e := w.stored(t); d != draws || e != evs {
		t.Fatalf("a preview stored something: draws %d → %d, evaluations %d → %d", draws, d, evs, e)
	}
	// short flag, name, quota, eligible, would draw, shortfall
	if got := agentRow(t, body, w.bo); strings.Join(got[:6], "|") != "|Bo Agent|3|7|3|0" {
		t.Errorf("Bo's preview row %q", got)
	}
	if got := agentRow(t, body, w.cy); strings.Join(got[:6], "|") != "short|Cy Agent|3|2|2|1 short" {
		t.Errorf("Cy's preview row %q", got)
	}
	if !strings.Contains(body, "Preview of 2026-03-02 to 2026-03-08") ||
		!strings.Contains(body, "widen the period") {
		t.Errorf("the preview does not name its week or say what to do about the shortfall")
	}
	seed := regexp.MustCompile(`name="seed" value="(\d+)"`).FindStringSubmatch(body)
	if seed == nil {
		t.Fatal("the preview offers no run with its seed")
	}
	previewCalls := regexp.MustCompile(`href="/calls/([0-9A-Z]+)"`).FindAllStringSubmatch(body, -1)

	resp, _ := maria.post(t, planPath+"/draws", url.Values{csrfField: {formToken(t, body)},
		"period": {"2026-03-04"}, "seed": {seed[1]}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/sampling/draws/") {
		t.Fatalf("run: %d to %q", resp.StatusCode, loc)
	}
	_, page := maria.get(t, loc)
	if d, _ := w.stored(t); d != draws+1 {
		t.Errorf("%d draws after running one, want %d", d, draws+1)
	}
	if got := agentRow(t, page, w.cy); strings.Join(got[:6], "|") != "short|Cy Agent|3|2|2|1 short" {
		t.Errorf("Cy's draw row %q", got)
	}
	drawCalls := regexp.MustCompile(`href="/calls/([0-9A-Z]+)"`).FindAllStringSubmatch(page, -1)
	if len(drawCalls) != 5 || fmt.Sprint(drawCalls) != fmt.Sprint(previewCalls) {
		t.Errorf("the draw links calls %v, the preview %v; want the same 5", drawCalls, previewCalls)
	}
	text := html.UnescapeString(page)
	for _, want := range []string{"<code id=\"draw-seed\">" + seed[1], "Rita Reviewer", "Maria Manager",
		"second review", "1 agent is short of the quota by 1 call", "?evaluation="} {
		if !strings.Contains(text, want) {
			t.Errorf("the draw page does not show %q", want)
		}
	}
	if _, body = maria.get(t, planPath); !strings.Contains(body, `href="`+loc+`"`) {
		t.Errorf("the plan's past draws do not link %s", loc)
	}
}

// TestWebSamplingBadInput: what qa refuses comes back with 400, the
// reason beside its field and the form as it was filled in; nothing is
// stored.
func TestWebSamplingBadInput(t *testing.T) {
	w := newSamplingWeb(t)
	maria := w.signIn(t, "maria")
	_, page := maria.get(t, "/sampling/new")
	token := formToken(t, page)
	tests := []struct {
		name   string
		change func(url.Values)
		want   string
	}{
		{name: "quota zero", change: func(v url.Values) { v.Set("quota", "0") },
			want: "Calls per agent: give 1 to 1000 calls per agent"},
		{name: "quota words", change: func(v url.Values) { v.Set("quota", "lots") },
			want: "give a whole number of calls"},
		{name: "no reviewer", change: func(v url.Values) { v.Del("reviewer_id") },
			want: "give at least one reviewer"},
		{name: "unknown zone", change: func(v url.Values) { v.Set("time_zone", "Mars/Olympus") },
			want: "is not a known time zone"},
		{name: "window ends first", change: func(v url.Values) {
			v.Set("from", "2026-03-05T00:00")
			v.Set("to", "2026-03-01T00:00")
		}, want: "the window must end after it starts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := w.planForm(token)
			tt.change(form)
			resp, body := maria.post(t, "/sampling", form)
			body = html.UnescapeString(body)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, tt.want) {
				t.Fatalf("%d, want 400 saying %q\n%s", resp.StatusCode, tt.want, body)
			}
			if !strings.Contains(body, `class="field-error"`) || !strings.Contains(body, `value="Weekly support"`) {
				t.Errorf("the refused form lost its input or shows no reason beside a field")
			}
		})
	}
	if plans, _ := w.qa.ListPlans(t.Context(), w.manager); len(plans) != 0 {
		t.Errorf("%d plans after refused forms", len(plans))
	}

	planPath := w.createPlan(t, maria, func(v url.Values) { v.Del("active") })
	_, page = maria.get(t, planPath)
	resp, body := maria.post(t, planPath+"/draws", url.Values{csrfField: {formToken(t, page)},
		"period": {"2026-03-04"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "the plan is inactive") {
		t.Errorf("a draw of an inactive plan: %d\n%s", resp.StatusCode, body)
	}
	if resp, body = maria.get(t, planPath+"/preview?period=next+week"); resp.StatusCode != http.StatusBadRequest ||
		!strings.Contains(body, "is not a date") {
		t.Errorf("a preview of a bad period: %d\n%s", resp.StatusCode, body)
	}
	if resp, _ = maria.get(t, planPath+"/preview?period=2026-03-04"); resp.StatusCode != http.StatusOK {
		t.Errorf("a preview of an inactive plan: %d, want 200", resp.StatusCode)
	}
}

// TestWebSamplingEdit: saving the plan form changes the plan.
// TestWebSamplingPreviewEdit: the plan form's Preview shows what the
// plan as edited would draw, keeps the edit in the form, and saves
// nothing; a bad edit gets the field's reason.
func TestWebSamplingPreviewEdit(t *testing.T) {
	w := newSamplingWeb(t)
	maria := w.signIn(t, "maria")
	planPath := w.createPlan(t, maria, nil)
	_, page := maria.get(t, planPath)
	form := w.planForm(formToken(t, page))
	form.Set("quota", "1")
	form.Set("preview_period", "2026-03-04")
	draws, evs := w.stored(t)
	resp, body := maria.post(t, planPath+"/preview", form)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("preview of an edit: %d\n%s", resp.StatusCode, body)
	}
	if d, e := w.stored(t); d != draws || e != evs {
		t.Fatalf("a preview stored something: draws %d → %d, evaluations %d → %d", draws, d, evs, e)
	}
	// short flag, name, quota, eligible, would draw, shortfall
	if got := agentRow(t, body, w.bo); strings.Join(got[:6], "|") != "|Bo Agent|1|7|1|0" {
		t.Errorf("Bo's row in the preview of quota 1: %q", got)
	}
	for _, want := range []string{`id="preview-edit-state"`, "not saved",
		`id="quota" name="quota" min="1" max="1000" value="1"`, "Preview of 2026-03-02 to 2026-03-08"} {
		if !strings.Contains(body, want) {
			t.Errorf("the preview of an edit lacks %q", want)
		}
	}
	if strings.Contains(body, `id="run-previewed"`) {
		t.Error("the preview of an unsaved edit offers to run it")
	}
	plans, err := w.qa.ListPlans(t.Context(), w.manager)
	if err != nil || plans[0].Quota != 3 {
		t.Fatalf("the plan after previewing an edit: %+v %v, want quota 3 still", plans, err)
	}

	form.Set("quota", "many")
	resp, body = maria.post(t, planPath+"/preview", form)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "No preview. Calls per agent: give a whole number") {
		t.Errorf("a quota of many: %d\n%s", resp.StatusCode, body)
	}
	form.Del(csrfField)
	if resp, _ := maria.post(t, planPath+"/preview", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("without the token: %d, want 403", resp.StatusCode)
	}
}

// TestWebSamplingPreviewNew: a plan not yet created previews from the
// new-plan form, and neither it nor the draw is stored.
func TestWebSamplingPreviewNew(t *testing.T) {
	w := newSamplingWeb(t)
	maria := w.signIn(t, "maria")
	_, page := maria.get(t, "/sampling/new")
	if !strings.Contains(page, `formaction="/sampling/new/preview"`) {
		t.Fatalf("the new-plan form offers no preview:\n%s", page)
	}
	form := w.planForm(formToken(t, page))
	form.Set("preview_period", "2026-03-04")
	resp, body := maria.post(t, "/sampling/new/preview", form)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("preview of a new plan: %d\n%s", resp.StatusCode, body)
	}
	if got := agentRow(t, body, w.bo); strings.Join(got[:6], "|") != "|Bo Agent|3|7|3|0" {
		t.Errorf("Bo's row in the preview of the new plan: %q", got)
	}
	for _, want := range []string{`id="preview-edit-state"`, "Create the plan to draw with it",
		`value="Weekly support"`, `action="/sampling"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the preview of a new plan lacks %q", want)
		}
	}
	plans, err := w.qa.ListPlans(t.Context(), w.manager)
	if d, _ := w.stored(t); err != nil || len(plans) != 0 || d != 0 {
		t.Errorf("after previewing a new plan: %d plans, %d draws, %v; want none", len(plans), d, err)
	}
}

func TestWebSamplingEdit(t *testing.T) {
	w := newSamplingWeb(t)
	maria := w.signIn(t, "maria")
	planPath := w.createPlan(t, maria, nil)
	_, page := maria.get(t, planPath)
	form := w.planForm(formToken(t, page))
	form.Set("quota", "7")
	form.Set("period", "month")
	form.Del("agent_id")
	resp, body := maria.post(t, planPath, form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", resp.StatusCode, body)
	}
	plans, err := w.qa.ListPlans(t.Context(), w.manager)
	if err != nil {
		t.Fatal(err)
	}
	p := plans[0]
	if p.Quota != 7 || p.Period != qa.PeriodMonth || len(p.Filters.AgentIDs) != 0 ||
		*p.SecondReviewShare != 0.5 || p.Reviewers[0].Cap+p.Reviewers[1].Cap != 10 {
		t.Errorf("the plan after saving: %+v", p)
	}
}

// TestWebSamplingKeepsWhatTheFormCannotShow: a plan with more talk
// filters than the form's empty rows, and an agent who has since left,
// keeps both when its page is saved unchanged.
func TestWebSamplingKeepsWhatTheFormCannotShow(t *testing.T) {
	w := newSamplingWeb(t)
	ctx := t.Context()
	var talk []qa.TalkFilter
	for i, m := range []string{"talk_ms_left", "talk_ms_right", "silence_ms", "overtalk_ms"} {
		talk = append(talk, qa.TalkFilter{Metric: m, Op: ">=", Value: int64(i)})
	}
	p, err := w.qa.CreatePlan(ctx, w.manager, qa.PlanInput{Name: "wide", PlanDefinition: qa.PlanDefinition{
		Period: qa.PeriodWeek, Quota: 2, Reviewers: []qa.PoolReviewer{{UserID: w.reviewer.ID}},
		Filters: qa.PlanFilters{AgentIDs: []int64{w.cy.ID}, Talk: talk}}})
	if err != nil {
		t.Fatal(err)
	}
	off := false
	if _, err := w.qa.UpdateAgent(ctx, w.cy.ID, qa.AgentInput{Name: w.cy.Name, Active: &off}); err != nil {
		t.Fatal(err)
	}
	maria := w.signIn(t, "maria")
	path := fmt.Sprintf("/sampling/%d", p.ID)
	_, page := maria.get(t, path)
	form := url.Values{}
	for _, m := range regexp.MustCompile(`<input[^>]* name="([^"]+)"[^>]*>`).FindAllStringSubmatch(page, -1) {
		tag, name := m[0], m[1]
		val := regexp.MustCompile(`value="([^"]*)"`).FindStringSubmatch(tag)
		switch {
		case strings.Contains(tag, `type="checkbox"`) && !strings.Contains(tag, " checked"):
		case val != nil:
			form.Add(name, html.UnescapeString(val[1]))
		case strings.Contains(tag, `type="checkbox"`):
			form.Add(name, "on")
		}
	}
	selects := regexp.MustCompile(`(?s)<select[^>]* name="([^"]+)">(.*?)</select>`)
	for _, m := range selects.FindAllStringSubmatch(page, -1) {
		if sel := regexp.MustCompile(`<option value="([^"]*)" selected>`).FindStringSubmatch(m[2]); sel != nil {
			form.Set(m[1], html.UnescapeString(sel[1]))
		} else {
			form.Set(m[1], "")
		}
	}
	if resp, body := maria.post(t, path, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save unchanged: %d\n%s", resp.StatusCode, body)
	}
	got, err := w.qa.GetPlan(ctx, w.manager, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Filters.Talk) != 4 || len(got.Filters.AgentIDs) != 1 || got.Filters.AgentIDs[0] != w.cy.ID {
		t.Errorf("after saving unchanged: talk %+v, agents %v", got.Filters.Talk, got.Filters.AgentIDs)
	}
}

// TestWebSamplingRoles: only managers and admins reach the sampling
// pages; signed out, the sign-in page; a post needs the CSRF token.
func TestWebSamplingRoles(t *testing.T) {
	w := newSamplingWeb(t)
	maria := w.signIn(t, "maria")
	planPath := w.createPlan(t, maria, nil)
	seed := int64(5)
	id, err := w.qa.ListPlans(t.Context(), w.manager)
	if err != nil {
		t.Fatal(err)
	}
	d, err := w.qa.Draw(t.Context(), w.manager, qa.DrawRequest{PlanID: id[0].ID, Period: "2026-03-04", Seed: &seed})
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{"/sampling", "/sampling/new", planPath, planPath + "/preview?period=2026-03-04",
		fmt.Sprintf("/sampling/draws/%d", d.ID)}
	for _, user := range []string{"maria", "ada", "rita", "anna"} {
		b := w.signIn(t, user)
		want := http.StatusOK
		if user == "rita" || user == "anna" {
			want = http.StatusForbidden
		}
		for _, p := range paths {
			if resp, body := b.get(t, p); resp.StatusCode != want {
				t.Errorf("GET %s as %s = %d, want %d\n%s", p, user, resp.StatusCode, want, body)
			}
		}
	}
	signedOut := w.browser(t)
	for _, p := range paths {
		resp, _ := signedOut.get(t, p)
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=") {
			t.Errorf("GET %s signed out = %d to %q", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	rita := w.signIn(t, "rita")
	_, queue := rita.get(t, "/queue")
	posts := []struct {
		name string
		b    *browser
		path string
		form url.Values
	}{
		{"run without token", maria, planPath + "/draws", url.Values{"period": {"2026-03-04"}}},
		{"create without token", maria, "/sampling", w.planForm("")},
		{"reviewer runs", rita, planPath + "/draws", url.Values{"period": {"2026-03-04"},
			csrfField: {formToken(t, queue)}}},
		{"reviewer previews an edit", rita, planPath + "/preview", w.planForm(formToken(t, queue))},
		{"reviewer previews a new plan", rita, "/sampling/new/preview", w.planForm(formToken(t, queue))},
		{"new-plan preview without token", maria, "/sampling/new/preview", w.planForm("")},
	}
	for _, p := range posts {
		if resp, body := p.b.post(t, p.path, p.form); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d, want 403\n%s", p.name, resp.StatusCode, body)
		}
	}
	if n, _ := w.stored(t); n != 1 {
		t.Errorf("%d draws after refused posts, want 1", n)
	}
}
