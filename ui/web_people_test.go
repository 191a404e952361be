package ui

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"earshot/qa"
)

// csrfOf is the CSRF token of b's session, from the sign-out form every
// page carries.
func csrfOf(t *testing.T, b *browser) string {
	t.Helper()
	_, page := b.get(t, "/password")
	return formToken(t, page)
}

// signInWith signs a browser in through the sign-in form.
func (f *webFixture) signInWith(t *testing.T, name, password string) (*browser, int) {
	t.Helper()
	b := f.browser(t)
	_, page := b.get(t, "/login")
	resp, _ := b.post(t, "/login", url.Values{csrfField: {formToken(t, page)},
		"username": {name}, "password": {password}})
	return b, resp.StatusCode
}

// TestWebPeopleRoles: each people page and form lets in the roles of the
// API route it stands for, and no other: admins everything, managers
// teams and agents, reviewers the lists, agents nothing; signed out, the
// browser goes to the sign-in page.
func TestWebPeopleRoles(t *testing.T) {
	f := newDashFixture(t)
	// The admin's empty forms may reset this user's password: not one of
	// the browsers'.
	sam := f.webUser(t, "sam", "Sam Spare", nil, qa.RoleReviewer)
	user, agent := fmt.Sprint(sam.ID), fmt.Sprint(f.agentID)
	team, err := f.qa.CreateTeam(t.Context(), "Day shift")
	if err != nil {
		t.Fatal(err)
	}
	admin, staff, readers := "ada", "ada maria", "ada maria rita"
	routes := []struct {
		method, path, allowed string
	}{
		{"GET", "/people", readers},
		{"GET", "/people/users/new", admin},
		{"GET", "/people/users/" + user, admin},
		{"POST", "/people/users", admin},
		{"POST", "/people/users/" + user, admin},
		{"POST", "/people/users/" + user + "/disabled", admin},
		{"POST", "/people/users/" + user + "/password", admin},
		{"POST", "/people/teams", staff},
		{"POST", fmt.Sprintf("/people/teams/%d", team.ID), staff},
		{"GET", "/people/agents/new", staff},
		{"POST", "/people/agents", staff},
		{"GET", "/people/agents/" + agent, readers},
		{"POST", "/people/agents/" + agent, staff},
		{"POST", "/people/agents/" + agent + "/identities", staff},
		{"POST", "/people/agents/" + agent + "/identities/remove", staff},
		{"POST", "/people/remap", staff},
	}
	browsers := map[string]*browser{}
	tokens := map[string]string{}
	for _, name := range []string{"ada", "maria", "rita", "anna"} {
		browsers[name] = f.signIn(t, name)
		tokens[name] = csrfOf(t, browsers[name])
	}
	for _, rt := range routes {
		for name, b := range browsers {
			what := name + " " + rt.method + " " + rt.path
			resp, body := peopleRequest(t, b, rt.method, rt.path, tokens[name])
			allowed := slices.Contains(strings.Fields(rt.allowed), name)
			switch {
			case allowed && (resp.StatusCode == http.StatusForbidden || resp.StatusCode >= 500):
				t.Errorf("%s: %d, want it let in\n%s", what, resp.StatusCode, body)
			case !allowed && resp.StatusCode != http.StatusForbidden:
				t.Errorf("%s: %d, want 403", what, resp.StatusCode)
			case !allowed && !strings.Contains(body, "needs the role"):
				t.Errorf("%s: the refusal does not say which role it needs", what)
			}
		}
		resp, _ := peopleRequest(t, f.browser(t), rt.method, rt.path, "")
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
			t.Errorf("signed out %s %s: %d to %q, want the sign-in page", rt.method, rt.path,
				resp.StatusCode, loc)
		}
	}
}

// peopleRequest sends an empty form to a POST route, with the token, or
// gets a page.
func peopleRequest(t *testing.T, b *browser, method, path, token string) (*http.Response, string) {
	t.Helper()
	if method == http.MethodGet {
		return b.get(t, path)
	}
	return b.post(t, path, url.Values{csrfField: {token}})
}

// TestWebPeopleCSRF: a form posted without the session's token changes
// nothing and says what to do.
func TestWebPeopleCSRF(t *testing.T) {
	f := newDashFixture(t)
	ada := f.signIn(t, "ada")
	for _, path := range []string{"/people/users", "/people/teams", "/people/agents"} {
		resp, body := ada.post(t, path, url.Values{"username": {"mallory"}, "name": {"Mallory"},
			"roles": {"admin"}})
		pageStatus(t, path, resp, body, http.StatusForbidden)
		pageHas(t, path, body, "Reload the page and try again")
	}
	if _, err := f.qa.UserByName(t.Context(), "mallory"); err == nil {
		t.Error("a user was created without the CSRF token")
	}
	teams, err := f.qa.ListTeams(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(teams) != 1 {
		t.Errorf("%d teams after a forged post, want the fixture's one", len(teams))
	}
}

var shownPassword = regexp.MustCompile(`<code id="new-password">([^<]+)</code>`)

// TestWebPeopleCreateUser: an admin creates a user whose display name is
// markup; the page shows it as text, the generated password is shown
// once, and it signs the new user in.
func TestWebPeopleCreateUser(t *testing.T) {
	f := newDashFixture(t)
	ada := f.signIn(t, "ada")
	token := csrfOf(t, ada)
	resp, page := ada.post(t, "/people/users", url.Values{csrfField: {token},
		"username": {"zoe"}, "display_name": {xssName}, "roles": {"reviewer", "agent"},
		"agent_id": {fmt.Sprint(f.benAgent)}})
	pageStatus(t, "create", resp, page, http.StatusOK)
	m := shownPassword.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the result page shows no password:\n%s", page)
	}
	pageHas(t, "create", page, "User zoe created", "only time it is shown",
		html.EscapeString(xssName))
	if strings.Contains(page, xssName) {
		t.Error("the display name is printed as markup")
	}
	zoe, code := f.signInWith(t, "zoe", html.UnescapeString(m[1]))
	if code != http.StatusSeeOther {
		t.Fatalf("sign in with the shown password: %d", code)
	}
	_, home := zoe.get(t, "/calls")
	pageHas(t, "zoe's page", home, `<span class="user">`+html.EscapeString(xssName)+`</span>`)

	_, list := ada.get(t, "/people")
	pageHas(t, "list", list, `>zoe</a></th>`, "<td>"+html.EscapeString(xssName)+"</td>",
		"<td>reviewer, agent</td>", "<td>Ben Agent</td>")
	if strings.Contains(list, xssName) {
		t.Error("the list prints the display name as markup")
	}
	_, again := ada.post(t, "/people/users", url.Values{csrfField: {token},
		"username": {"zoe"}, "display_name": {"Zoe Two"}, "roles": {"reviewer"}})
	pageHas(t, "taken", again, `user &#34;zoe&#34; already exists`, `value="Zoe Two"`)
}

// TestWebPeopleCreateUserRefused: a refused form comes back with what was
// typed and says what to fix; a typed password is not shown again.
func TestWebPeopleCreateUserRefused(t *testing.T) {
	f := newDashFixture(t)
	ada := f.signIn(t, "ada")
	token := csrfOf(t, ada)
	for _, tt := range []struct {
		name      string
		form      url.Values
		code      int
		wants     []string
		notInPage string
	}{
		{name: "no role", form: url.Values{"username": {"sam"}, "display_name": {"Sam Smith"}},
			code:  400,
			wants: []string{"give at least one role", `value="sam"`, `value="Sam Smith"`}},
		{name: "bad username", form: url.Values{"username": {"Sam Smith"}, "roles": {"manager"}},
			code: 400, wants: []string{"use only a-z, 0-9", `value="manager" checked`}},
		{name: "short password", form: url.Values{"username": {"sam"}, "roles": {"agent"},
			"password": {"hunter2"}}, code: 400,
			wants: []string{"The user was not created: password:"}, notInPage: "hunter2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.form.Set(csrfField, token)
			resp, page := ada.post(t, "/people/users", tt.form)
			pageStatus(t, tt.name, resp, page, tt.code)
			pageHas(t, tt.name, page, tt.wants...)
			if tt.notInPage != "" && strings.Contains(page, tt.notInPage) {
				t.Errorf("the page shows %q again", tt.notInPage)
			}
		})
	}
	if _, err := f.qa.UserByName(t.Context(), "sam"); err == nil {
		t.Error("a refused form created the user")
	}
}
