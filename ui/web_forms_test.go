package ui

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"earshot/qa"
)

// TestWebFormsRoles: managers and admins build forms; reviewers read
// them; agents get the 403 page; signed out, the sign-in page.
func TestWebFormsRoles(t *testing.T) {
	f := newWebFixture(t)
	f.webUser(t, "ada", "Ada Admin", nil, qa.RoleAdmin)
	form := fmt.Sprintf("/forms/%d", f.form.ID)
	version := fmt.Sprintf("%s/versions/%d", form, f.form.Latest.ID)
	tests := []struct {
		name, user, path string
		status           int
		// want is text the page must show, and absent text it must not.
		want, absent string
	}{
		{name: "manager list", user: "maria", path: "/forms", status: 200, want: `id="new-form"`},
		{name: "admin list", user: "ada", path: "/forms", status: 200, want: "Support calls"},
		{name: "reviewer list", user: "rita", path: "/forms", status: 200, absent: `id="new-form"`},
		{name: "agent list", user: "anna", path: "/forms", status: 403},
		{name: "manager new", user: "maria", path: "/forms/new", status: 200, want: `id="builder"`},
		{name: "reviewer new", user: "rita", path: "/forms/new", status: 403},
		{name: "manager builder", user: "maria", path: form, status: 200, want: `id="builder"`},
		{name: "admin builder", user: "ada", path: form, status: 200, want: `id="save-form"`},
		{name: "reviewer reads", user: "rita", path: form, status: 200, want: "Verified the caller",
			absent: `id="builder"`},
		{name: "agent form", user: "anna", path: form, status: 403},
		{name: "reviewer history", user: "rita", path: form + "/versions", status: 200, want: "version 1"},
		{name: "agent history", user: "anna", path: form + "/versions", status: 403},
		{name: "reviewer version", user: "rita", path: version, status: 200, want: "latest version"},
		{name: "unknown form", user: "maria", path: "/forms/999", status: 404},
		{name: "version of another form", user: "maria", path: "/forms/999/versions/" +
			fmt.Sprint(f.form.Latest.ID), status: 404},
	}
	browsers := map[string]*browser{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := browsers[tt.user]
			if b == nil {
				b = f.signIn(t, tt.user)
				browsers[tt.user] = b
			}
			resp, body := b.get(t, tt.path)
			if resp.StatusCode != tt.status {
				t.Fatalf("GET %s as %s = %d, want %d\n%s", tt.path, tt.user, resp.StatusCode, tt.status, body)
			}
			if tt.want != "" && !strings.Contains(body, tt.want) {
				t.Errorf("GET %s as %s does not show %q", tt.path, tt.user, tt.want)
			}
			if tt.absent != "" && strings.Contains(body, tt.absent) {
				t.Errorf("GET %s as %s shows %q", tt.path, tt.user, tt.absent)
			}
		})
	}
	signedOut := f.browser(t)
	for _, path := range []string{"/forms", "/forms/new", form, form + "/versions", version} {
		resp, _ := signedOut.get(t, path)
		want := "/login?next=" + url.QueryEscape(path)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Errorf("GET %s signed out = %d to %q", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

// TestWebFormsPostChecks: a post without the CSRF token, or by a
// reviewer, changes nothing.
func TestWebFormsPostChecks(t *testing.T) {
	f := newWebFixture(t)
	maria, rita := f.signIn(t, "maria"), f.signIn(t, "rita")
	_, page := rita.get(t, "/forms")
	def := builderDefinition("Outbound", 1)
	posts := []struct {
		name string
		b    *browser
		path string
		form url.Values
	}{
		{"create without token", maria, "/forms", url.Values{"definition": {def}}},
		{"update without token", maria, fmt.Sprintf("/forms/%d", f.form.ID), url.Values{"definition": {def}}},
		{"reviewer creates", rita, "/forms", url.Values{"definition": {def}, csrfField: {formToken(t, page)}}},
	}
	for _, p := range posts {
		resp, body := p.b.post(t, p.path, p.form)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d, want 403\n%s", p.name, resp.StatusCode, body)
		}
	}
	forms, err := f.qa.ListForms(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(forms) != 1 || forms[0].Latest.Version != 1 {
		t.Errorf("after refused posts there are %d forms, the first at version %d", len(forms),
			forms[0].Latest.Version)
	}
}

// builderDefinition is what the builder posts for a two-section form
// whose question "empathy" has the given weight.
func builderDefinition(name string, empathyWeight float64) string {
	def := qa.FormDefinition{Name: name, Sections: []qa.FormSection{
		{ID: "open", Title: "Opening", Weight: 1, Questions: []qa.FormQuestion{
			{ID: "greet", Text: "Greeted the caller", Type: qa.AnswerYesNo, Weight: 1},
		}},
		{ID: "care", Title: "Care", Weight: 2, Questions: []qa.FormQuestion{
			{ID: "empathy", Text: "Showed empathy", Type: qa.AnswerScale, Min: 1, Max: 5,
				Weight: empathyWeight, Guidance: "5 when the agent names the caller's worry."},
			{ID: "resolved", Text: "Resolved the issue", Type: qa.AnswerChoice, Weight: 1,
				Critical: qa.CriticalSection, Options: []qa.AnswerOption{
					{Value: "full", Label: "Fully", Points: 2}, {Value: "none", Label: "Not at all"}}},
		}},
	}}
	b, _ := json.Marshal(def)
	return string(b)
}

// saveForm posts a definition from the builder page at path and returns
// the answer.
func saveForm(t *testing.T, b *browser, path, target, def string) (*http.Response, string) {
	t.Helper()
	_, page := b.get(t, path)
	return b.post(t, target, url.Values{csrfField: {formToken(t, page)}, "definition": {def}})
}

// TestWebFormBuilderVersions: a form created with the builder is version
// 1; a weight change makes version 2, which the history lists with the
// change; a wording change edits version 2 in place.
func TestWebFormBuilderVersions(t *testing.T) {
	f := newWebFixture(t)
	maria := f.signIn(t, "maria")
	resp, body := saveForm(t, maria, "/forms/new", "/forms", builderDefinition("Outbound", 1))
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(loc, "?saved=created") {
		t.Fatalf("create: %d to %q\n%s", resp.StatusCode, loc, body)
	}
	formPath := strings.TrimSuffix(loc, "?saved=created")
	if _, body = maria.get(t, loc); !strings.Contains(body, "Form created as version 1.") {
		t.Errorf("after creating, the page does not say so:\n%s", body)
	}

	resp, _ = saveForm(t, maria, formPath, formPath, builderDefinition("Outbound", 3))
	if got := resp.Header.Get("Location"); got != formPath+"?saved=version" {
		t.Fatalf("a weight change went to %q, want a new version", got)
	}
	if _, body = maria.get(t, formPath+"?saved=version"); !strings.Contains(body, "Saved as version 2") {
		t.Errorf("after the weight change the page does not name version 2")
	}
	reworded := strings.Replace(builderDefinition("Outbound", 3), "Showed empathy", "Showed real empathy", 1)
	resp, _ = saveForm(t, maria, formPath, formPath, reworded)
	if got := resp.Header.Get("Location"); got != formPath+"?saved=wording" {
		t.Errorf("a wording change went to %q, want an edit in place", got)
	}

	_, body = maria.get(t, formPath+"/versions")
	rows := regexp.MustCompile(`(?s)<tr id="version-(\d+)">(.*?)</tr>`).FindAllStringSubmatch(body, -1)
	if len(rows) != 2 || rows[0][1] != "2" || rows[1][1] != "1" {
		t.Fatalf("history rows %v, want versions 2 then 1\n%s", rows, body)
	}
	v2 := html.UnescapeString(rows[0][2])
	for _, want := range []string{"Maria Manager", "weight: 1 → 3", "empathy", "wording edited"} {
		if !strings.Contains(v2, want) {
			t.Errorf("the row of version 2 does not show %q:\n%s", want, v2)
		}
	}
	if !strings.Contains(rows[1][2], "First version.") {
		t.Errorf("the row of version 1: %s", rows[1][2])
	}

	// Version 1 reads as it was scored: weight 1, the old wording kept.
	link := regexp.MustCompile(`href="(` + regexp.QuoteMeta(formPath) + `/versions/\d+)">version 1<`).
		FindStringSubmatch(body)
	if link == nil {
		t.Fatalf("no link to version 1 in the history")
	}
	_, body = maria.get(t, link[1])
	if !strings.Contains(body, "Read-only") || !strings.Contains(body, "weight 1") ||
		!strings.Contains(body, "Showed empathy") {
		t.Errorf("version 1 page:\n%s", body)
	}
}

// TestWebFormBadInput: what qa refuses comes back with 400, qa's reason
// next to the field it names, and the person's input as they sent it.
func TestWebFormBadInput(t *testing.T) {
	f := newWebFixture(t)
	maria := f.signIn(t, "maria")
	bad := strings.Replace(builderDefinition("Keep This Name", 1), `"weight":1,"questions":[{"id":"greet"`,
		`"weight":1,"questions":[{"id":"greet","weight":-2`, 1)
	bad = strings.Replace(bad, `"type":"yes_no","weight":1`, `"type":"yes_no"`, 1)
	resp, body := saveForm(t, maria, "/forms/new", "/forms", bad)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a negative weight: %d, want 400\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{"Section 1, question 1, weight: must be greater than 0",
		`data-error-field="sections[0].questions[0].weight"`, "Keep This Name", `"weight":-2`} {
		if !strings.Contains(html.UnescapeString(body), want) {
			t.Errorf("the refused page does not show %q", want)
		}
	}

	resp, body = saveForm(t, maria, "/forms/new", "/forms", `{"name": "half`)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `{&#34;name&#34;: &#34;half</textarea>`) {
		t.Errorf("text that is not JSON: %d, the text not kept in the field\n%s", resp.StatusCode, body)
	}

	formPath := fmt.Sprintf("/forms/%d", f.form.ID)
	resp, body = saveForm(t, maria, "/forms/new", "/forms", builderDefinition("Support calls", 1))
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "another form already has this name") {
		t.Errorf("a name in use: %d\n%s", resp.StatusCode, body)
	}
	if forms, _ := f.qa.ListForms(t.Context()); len(forms) != 1 {
		t.Errorf("%d forms after refused creations, want 1", len(forms))
	}
	resp, _ = saveForm(t, maria, formPath, formPath, strings.Replace(webFormJSON(t), `"critical":"form"`,
		`"critical":"always"`, 1))
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown critical setting: %d, want 400", resp.StatusCode)
	}
}

// webFormJSON is the fixture's form as the builder would post it.
func webFormJSON(t *testing.T) string {
	t.Helper()
	var def qa.FormDefinition
	if err := json.Unmarshal([]byte(webForm), &def); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(def)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
