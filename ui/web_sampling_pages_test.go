package ui

import (
	"fmt"
	"html"
	"strings"
	"testing"

	"earshot/qa"
)

// TestWebFormsAndSamplingHeaders: the forms and sampling pages carry
// the Content-Security-Policy and load scripts only from /static, and
// print what people typed as text.
func TestWebFormsAndSamplingHeaders(t *testing.T) {
	w := newSamplingWeb(t)
	maria := w.signIn(t, "maria")
	planPath := w.createPlan(t, maria, nil)
	def := strings.Replace(builderDefinition("<b>Bold</b> form", 1), "Greeted the caller",
		`Greeted <img src=x onerror=alert(1)>`, 1)
	saveForm(t, maria, "/forms/new", "/forms", def)
	forms, err := w.qa.ListForms(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var bold *qa.Form
	for i := range forms {
		if strings.HasPrefix(forms[i].Name, "<b>") {
			bold = &forms[i]
		}
	}
	if bold == nil {
		t.Fatal("the form with markup in its name was not created")
	}
	seed := int64(9)
	plans, err := w.qa.ListPlans(t.Context(), w.manager)
	if err != nil {
		t.Fatal(err)
	}
	d, err := w.qa.Draw(t.Context(), w.manager, qa.DrawRequest{PlanID: plans[0].ID, Period: "2026-03-04",
		Seed: &seed})
	if err != nil {
		t.Fatal(err)
	}
	formPath := fmt.Sprintf("/forms/%d", bold.ID)
	pages := []string{"/forms", "/forms/new", formPath, formPath + "/versions",
		fmt.Sprintf("%s/versions/%d", formPath, bold.Latest.ID), "/sampling", "/sampling/new", planPath,
		planPath + "/preview?period=2026-03-04", fmt.Sprintf("/sampling/draws/%d", d.ID)}
	for _, p := range pages {
		resp, body := maria.get(t, p)
		if resp.StatusCode != 200 {
			t.Errorf("GET %s = %d", p, resp.StatusCode)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self';") {
			t.Errorf("%s: Content-Security-Policy %q", p, csp)
		}
		for _, tag := range scriptTag.FindAllString(body, -1) {
			if !strings.Contains(tag, ` src="/static/`) && !strings.Contains(tag, `type="application/json"`) {
				t.Errorf("%s: inline script %s", p, tag)
			}
		}
		if strings.Contains(body, "<b>Bold</b>") || strings.Contains(body, "<img src=x") {
			t.Errorf("%s prints markup that was typed as text", p)
		}
	}
	_, list := maria.get(t, "/sampling")
	list = html.UnescapeString(list)
	for _, want := range []string{"Weekly support", "3 a week, spread over days", "2 agent(s)",
		"5 drawn", "1 short"} {
		if !strings.Contains(list, want) {
			t.Errorf("the plan list does not show %q", want)
		}
	}
	_, list = maria.get(t, "/forms")
	if !strings.Contains(list, `<td class="questions-cell">3</td>`) ||
		!strings.Contains(list, ">version 1</a>") {
		t.Errorf("the forms list does not show 3 questions at version 1:\n%s", list)
	}
}
