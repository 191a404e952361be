package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"earshot/qa"
)

// TestWebPeopleUserEdit: an admin changes a user's roles and agent, and
// the audit names only what changed; a form that would leave no role
// comes back as typed.
func TestWebPeopleUserEdit(t *testing.T) {
	f := newDashFixture(t)
	ada := f.signIn(t, "ada")
	token := csrfOf(t, ada)
	path := fmt.Sprintf("/people/users/%d", f.reviewer.ID)
	form := url.Values{csrfField: {token}, "display_name": {"Rita Reviewer"},
		"roles": {"manager", "reviewer"}, "agent_id": {fmt.Sprint(f.benAgent)}}
	resp, page := ada.post(t, path, form)
	pageStatus(t, "save", resp, page, http.StatusSeeOther)
	_, page = ada.get(t, resp.Header.Get("Location"))
	pageHas(t, "saved", page, "Saved.", `value="manager" checked`, `value="reviewer" checked`,
		fmt.Sprintf(`<option value="%d" selected>Ben Agent</option>`, f.benAgent))
	u, err := f.qa.GetUser(t.Context(), f.reviewer.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !u.Has(qa.RoleManager) || u.AgentID == nil || *u.AgentID != f.benAgent {
		t.Errorf("after the save: %+v", u)
	}
	rec := lastAudit(t, f.webFixture, "user", fmt.Sprint(f.reviewer.ID))
	if got := fmt.Sprint(rec.Detail["changed"]); got != "[roles agent_id]" {
		t.Errorf("audited changes %s, want [roles agent_id]", got)
	}

	resp, _ = ada.post(t, path, form)
	if loc := resp.Header.Get("Location"); !strings.HasSuffix(loc, "done=same") {
		t.Errorf("an unchanged form goes to %q, want done=same", loc)
	}
	resp, page = ada.post(t, path, url.Values{csrfField: {token}, "display_name": {"Rita R."}})
	pageStatus(t, "no role", resp, page, http.StatusBadRequest)
	pageHas(t, "no role", page, "Not saved: roles: give at least one role", `value="Rita R."`)
}

// TestWebPeopleDisable: disabling signs the user out and keeps them out
// until enabled; the last admin cannot be disabled.
func TestWebPeopleDisable(t *testing.T) {
	f := newDashFixture(t)
	ada, rita := f.signIn(t, "ada"), f.signIn(t, "rita")
	token := csrfOf(t, ada)
	path := fmt.Sprintf("/people/users/%d/disabled", f.reviewer.ID)
	resp, _ := ada.post(t, path, url.Values{csrfField: {token}, "disabled": {"true"}})
	_, page := ada.get(t, resp.Header.Get("Location"))
	pageHas(t, "disabled", page, "Account disabled", `id="disabled-badge"`, `id="enable"`)
	if resp, _ := rita.get(t, "/queue"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the disabled user's session still works: %d", resp.StatusCode)
	}
	if _, code := f.signInWith(t, "rita", "rita-password"); code != http.StatusUnauthorized {
		t.Errorf("a disabled user signs in: %d", code)
	}
	ada.post(t, path, url.Values{csrfField: {token}, "disabled": {"false"}})
	if _, code := f.signInWith(t, "rita", "rita-password"); code != http.StatusSeeOther {
		t.Errorf("an enabled user cannot sign in: %d", code)
	}

	resp, page = ada.post(t, fmt.Sprintf("/people/users/%d/disabled", f.admin.ID),
		url.Values{csrfField: {token}, "disabled": {"true"}})
	pageStatus(t, "last admin", resp, page, http.StatusConflict)
	pageHas(t, "last admin", page, "no enabled admin; make another user admin first")
}

// TestWebPeopleResetPassword: a typed password is set and not shown; an
// empty one is generated and shown once; either signs the user in.
func TestWebPeopleResetPassword(t *testing.T) {
	f := newDashFixture(t)
	ada := f.signIn(t, "ada")
	token := csrfOf(t, ada)
	path := fmt.Sprintf("/people/users/%d/password", f.reviewer.ID)
	resp, page := ada.post(t, path, url.Values{csrfField: {token}, "password": {"a typed secret"}})
	pageStatus(t, "typed", resp, page, http.StatusOK)
	pageHas(t, "typed", page, "Password of rita set", "The password you typed is set")
	if strings.Contains(page, "a typed secret") {
		t.Error("the typed password is shown")
	}
	if _, code := f.signInWith(t, "rita", "a typed secret"); code != http.StatusSeeOther {
		t.Errorf("sign in with the typed password: %d", code)
	}
	_, page = ada.post(t, path, url.Values{csrfField: {token}})
	m := shownPassword.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no generated password shown:\n%s", page)
	}
	if _, code := f.signInWith(t, "rita", m[1]); code != http.StatusSeeOther {
		t.Errorf("sign in with the generated password: %d", code)
	}
	resp, page = ada.post(t, path, url.Values{csrfField: {token}, "password": {"short"}})
	pageStatus(t, "short", resp, page, http.StatusBadRequest)
	pageHas(t, "short", page, "The password was not set: password:")
}

// lastAudit is the newest audit entry of an object.
func lastAudit(t *testing.T, f *webFixture, objectType, id string) qa.AuditRecord {
	t.Helper()
	recs, err := f.qa.ListAudit(t.Context(), qa.AuditFilter{ObjectType: objectType, ObjectID: id,
		Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 {
		t.Fatalf("no audit entry of %s %s", objectType, id)
	}
	return recs[0]
}

// TestWebPeopleAuditLikeAPI: a change made from the pages is audited as
// the same change made through the API: same action, object and detail
// fields.
func TestWebPeopleAuditLikeAPI(t *testing.T) {
	f := newDashFixture(t)
	ada := f.signIn(t, "ada")
	token, bearer := csrfOf(t, ada), f.token(t, f.admin)
	for _, tt := range []struct {
		name           string
		page, api      string
		form           url.Values
		body           map[string]any
		object, method string
	}{
		{name: "create team", page: "/people/teams", api: "/api/v1/teams", object: "team",
			method: http.MethodPost,
			form:   url.Values{"name": {"Web team"}}, body: map[string]any{"name": "API team"}},
		{name: "create agent", page: "/people/agents", api: "/api/v1/agents", object: "agent",
			method: http.MethodPost,
			form:   url.Values{"name": {"Web agent"}, "active": {"1"}},
			body:   map[string]any{"name": "API agent"}},
		{name: "create user", page: "/people/users", api: "/api/v1/users", object: "user",
			method: http.MethodPost,
			form:   url.Values{"username": {"web"}, "roles": {"reviewer"}},
			body:   map[string]any{"username": "api", "roles": []string{"reviewer"}}},
		{name: "add identity", object: "agent", method: http.MethodPost,
			page: fmt.Sprintf("/people/agents/%d/identities", f.agentID),
			api:  fmt.Sprintf("/api/v1/agents/%d/identities", f.benAgent),
			form: url.Values{"kind": {"extension"}, "value": {"2001"}},
			body: map[string]any{"kind": "extension", "value": "2002"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.form.Set(csrfField, token)
			if resp, body := ada.post(t, tt.page, tt.form); resp.StatusCode >= 400 {
				t.Fatalf("page: %d %s", resp.StatusCode, body)
			}
			web := newestAudit(t, f.webFixture, tt.object)
			resp, body := f.do(t, nil, authReq{method: tt.method, path: tt.api, body: tt.body,
				bearer: bearer})
			if resp.StatusCode >= 400 {
				t.Fatalf("API: %d %s", resp.StatusCode, body)
			}
			api := newestAudit(t, f.webFixture, tt.object)
			if web.ID == api.ID || web.Action != api.Action || !sameKeys(web.Detail, api.Detail) {
				t.Errorf("page audited %s %v, API %s %v",
					web.Action, web.Detail, api.Action, api.Detail)
			}
		})
	}
}

func newestAudit(t *testing.T, f *webFixture, objectType string) qa.AuditRecord {
	t.Helper()
	return lastAudit(t, f, objectType, "")
}

func sameKeys(a, b map[string]any) bool {
	var ka, kb []string
	for k := range a {
		ka = append(ka, k)
	}
	for k := range b {
		kb = append(kb, k)
	}
	slices.Sort(ka)
	slices.Sort(kb)
	return slices.Equal(ka, kb)
}
