package ui

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"earshot/qa"
)

// dashScores gives Anna three evaluations and Ben two, by two
// reviewers, with one of Anna's calls scored by both so that there is a
// little to estimate bias from.
func dashScores(t *testing.T, f *dashFixture) {
	t.Helper()
	f.score(t, f.reviewer, f.callID, "no", "3")
	f.score(t, f.manager, f.addCall(t, time.Now().Add(-48*time.Hour), 3000), "yes", "5")
	f.score(t, f.reviewer, f.addCall(t, time.Now().Add(-72*time.Hour), 3000), "yes", "2")
	f.score(t, f.reviewer, f.benCall(t, time.Now().Add(-2*time.Hour), [2]int64{20000, 25000}), "yes", "4")
	f.score(t, f.reviewer, f.benCall(t, time.Now().Add(-3*time.Hour), [2]int64{30000, 15000}), "no", "1")
}

// cell returns the text of the cell with class class in the table row
// data-agent="id" of page.
func cell(t *testing.T, page string, id int64, class string) string {
	t.Helper()
	row := regexp.MustCompile(fmt.Sprintf(`(?s)<tr data-agent="%d">(.*?)</tr>`, id)).FindStringSubmatch(page)
	if row == nil {
		t.Fatalf("no row of agent %d on the page", id)
	}
	m := regexp.MustCompile(`<td class="` + class + `">([^<]*)</td>`).FindStringSubmatch(row[1])
	if m == nil {
		t.Fatalf("no %s cell in the row of agent %d", class, id)
	}
	return m[1]
}

// TestWebDashboardsNumbers: each agent's row shows the agents report's
// and the adjusted report's figures.
func TestWebDashboardsNumbers(t *testing.T) {
	f := newDashFixture(t)
	dashScores(t, f)
	ctx := t.Context()
	scores, err := f.qa.AgentScores(ctx, f.manager, qa.ReportFilter{})
	if err != nil {
		t.Fatal(err)
	}
	adj, err := f.qa.AgentsAdjusted(ctx, f.manager, qa.ReportFilter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(scores) != 2 || len(adj.Agents) != 2 {
		t.Fatalf("the reports have %d and %d rows, want 2", len(scores), len(adj.Agents))
	}
	resp, page := f.signIn(t, "maria").get(t, "/dashboards")
	pageStatus(t, "dashboards", resp, page, http.StatusOK)
	for i, sc := range scores {
		a := adj.Agents[i]
		if a.AgentID != sc.AgentID {
			t.Fatalf("the reports list agents in different orders")
		}
		want := map[string]string{"n": fmt.Sprint(sc.Score.N), "raw-mean": meanText(sc.Score),
			"raw-ci": fmt.Sprintf("%.1f to %.1f", *sc.Score.Low, *sc.Score.High),
			"more":   fmt.Sprint(sc.Score.MoreNeeded), "adj-mean": meanText(a.Adjusted),
			"adj-ci": ivText(a.Adjusted)}
		for class, w := range want {
			if got := cell(t, page, sc.AgentID, class); got != w {
				t.Errorf("%s %s = %q, want %q", sc.Agent, class, got, w)
			}
		}
	}
	pageHas(t, "dashboards", page, `<svg id="agents-chart"`, "Night shift",
		`href="/api/v1/reports/agents?format=csv"`)

	// Filtered to Ben's team, Anna is gone.
	team := regexp.MustCompile(`<option value="(\d+)">Night shift</option>`).FindStringSubmatch(page)
	if team == nil {
		t.Fatal("no team in the filter")
	}
	_, page = f.signIn(t, "maria").get(t, "/dashboards?team_id="+team[1])
	if strings.Contains(page, fmt.Sprintf(`data-agent="%d"`, f.agentID)) ||
		!strings.Contains(page, fmt.Sprintf(`data-agent="%d"`, f.benAgent)) {
		t.Error("the team filter does not keep Ben's team only")
	}
}

// TestWebDashboardsFilters: a form nobody was scored on and a window
// before every evaluation leave no rows; a malformed date is a 400 that
// says what to type.
func TestWebDashboardsFilters(t *testing.T) {
	f := newDashFixture(t)
	dashScores(t, f)
	var def qa.FormDefinition
	if err := json.Unmarshal([]byte(webForm), &def); err != nil {
		t.Fatal(err)
	}
	def.Name = "Sales calls"
	other, err := f.qa.CreateForm(t.Context(), f.manager, def)
	if err != nil {
		t.Fatal(err)
	}
	maria := f.signIn(t, "maria")
	for _, q := range []string{fmt.Sprintf("form_id=%d", other.ID), "from=2020-01-01&to=2020-01-31"} {
		resp, page := maria.get(t, "/dashboards?"+q)
		pageStatus(t, q, resp, page, http.StatusOK)
		if strings.Contains(page, "data-agent=") {
			t.Errorf("%s: rows shown", q)
		}
	}
	_, page := maria.get(t, fmt.Sprintf("/dashboards?form_id=%d", f.form.ID))
	if !strings.Contains(page, fmt.Sprintf(`data-agent="%d"`, f.agentID)) {
		t.Error("filtered by the form everyone was scored on, Anna is missing")
	}
	resp, page := maria.get(t, "/dashboards?from=yesterday")
	pageStatus(t, "bad date", resp, page, http.StatusBadRequest)
	pageHas(t, "bad date", page, "want a date such as 2026-03-02")
}

// TestWebDashboardsCSV: the CSV links answer a signed-in browser with
// its session cookie; a GET needs no CSRF token.
func TestWebDashboardsCSV(t *testing.T) {
	f := newDashFixture(t)
	dashScores(t, f)
	maria := f.signIn(t, "maria")
	_, page := maria.get(t, "/dashboards?from=2020-01-01")
	link := regexp.MustCompile(`href="(/api/v1/reports/agents\?[^"]+)"`).FindStringSubmatch(page)
	if link == nil {
		t.Fatal("no CSV link of the agents report")
	}
	resp, body := maria.get(t, strings.ReplaceAll(link[1], "&amp;", "&"))
	pageStatus(t, "agents CSV", resp, body, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type %q", ct)
	}
	pageHas(t, "agents CSV", body, "agent_id,agent,team", "Anna Agent", "Ben Agent")
}

// TestWebDashboardAgent: one agent's page shows the trend, the call
// figures, the question failures and the latest evaluations as the
// reports give them.
func TestWebDashboardAgent(t *testing.T) {
	f := newDashFixture(t)
	dashScores(t, f)
	ctx := t.Context()
	rf := qa.ReportFilter{AgentID: f.benAgent}
	trend, err := f.qa.WeeklyTrend(ctx, f.manager, rf)
	if err != nil {
		t.Fatal(err)
	}
	kpis, err := f.qa.CallKPIs(ctx, f.manager, rf)
	if err != nil || len(kpis) != 1 {
		t.Fatalf("ben's kpis: %v %v", kpis, err)
	}
	scores, err := f.qa.AgentScores(ctx, f.manager, rf)
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/dashboards/agents/%d", f.benAgent)
	resp, page := f.signIn(t, "maria").get(t, path)
	pageStatus(t, "ben's dashboard", resp, page, http.StatusOK)
	pageHas(t, "ben's dashboard", page, `id="trend-data"`, `<svg id="kpi-chart"`,
		`<span class="score" id="raw-mean">`+meanText(scores[0].Score)+`</span>`,
		"<dt>Agent talk</dt><dd>"+webDuration(int64(kpis[0].AgentTalkMS))+"</dd>",
		"<dt>Customer talk</dt><dd>"+webDuration(int64(kpis[0].CustomerTalkMS))+"</dd>",
		"<dt>Longest silence</dt><dd>"+webDuration(int64(kpis[0].LongestSilenceMS))+"</dd>",
		"Greeted the caller by name", `<td class="rate">50%</td>`, "The biases are estimated once")
	for _, p := range trend {
		pageHas(t, "ben's trend", page, "<th scope=\"row\">"+p.Week+"</th><td>"+fmt.Sprint(p.Score.N)+"</td>")
	}
	weeks, err := f.qa.KPITrend(ctx, f.manager, rf)
	if err != nil || len(weeks) == 0 {
		t.Fatalf("ben's weekly call figures: %v %v", weeks, err)
	}
	pageHas(t, "ben's weekly call figures", page, `id="kpi-trend-data"`, "/api/v1/reports/kpis-trend?")
	for _, w := range weeks {
		pageHas(t, "ben's weekly call figures", page, fmt.Sprintf(`<th scope="row">%s</th><td>%d</td><td>%s</td>`,
			w.Week, w.Calls, webDuration(int64(w.HandleMS))))
	}
	evs, err := f.qa.ListEvaluations(ctx, f.manager, qa.EvaluationFilter{AgentID: f.benAgent})
	if err != nil || len(evs) != 2 {
		t.Fatalf("ben's evaluations: %d %v", len(evs), err)
	}
	for _, ev := range evs {
		pageHas(t, "ben's latest", page, fmt.Sprintf(`href="/calls/%s?evaluation=%d"`, ev.CallID, ev.ID))
	}
	if strings.Contains(page, f.callID) {
		t.Error("ben's dashboard shows anna's call")
	}
	// A window in the past holds none of the evaluations just submitted.
	resp, page = f.signIn(t, "maria").get(t, path+"?from=2020-01-01&to=2020-01-31")
	pageStatus(t, "ben's dashboard in January 2020", resp, page, http.StatusOK)
	for _, ev := range evs {
		if strings.Contains(page, fmt.Sprintf(`?evaluation=%d"`, ev.ID)) {
			t.Errorf("ben's dashboard for January 2020 lists evaluation %d, submitted %v", ev.ID, ev.SubmittedAt)
		}
	}
	resp, body := f.signIn(t, "maria").get(t, "/dashboards/agents/98765")
	pageStatus(t, "no such agent", resp, body, http.StatusNotFound)
}

// TestWebDashboardsRoles: managers and admins only.
func TestWebDashboardsRoles(t *testing.T) {
	f := newDashFixture(t)
	agent := fmt.Sprintf("/dashboards/agents/%d", f.agentID)
	for _, tt := range []struct {
		user string
		code int
	}{{"maria", 200}, {"ada", 200}, {"rita", 403}, {"anna", 403}} {
		for _, path := range []string{"/dashboards", agent} {
			resp, body := f.signIn(t, tt.user).get(t, path)
			pageStatus(t, tt.user+" "+path, resp, body, tt.code)
		}
	}
	resp, _ := f.browser(t).get(t, "/dashboards")
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("signed out: %d", resp.StatusCode)
	}
}
