package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"earshot/qa"
)

// TestWebAuditPlayback: a playback shows as a sentence naming who played
// which call, linked to it, and the filters by action and object find
// it.
func TestWebAuditPlayback(t *testing.T) {
	f := newDashFixture(t)
	rita := f.signIn(t, "rita")
	resp, _ := rita.get(t, "/api/v1/calls/"+f.callID+"/audio")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("play the call: %d", resp.StatusCode)
	}
	ada := f.signIn(t, "ada")
	sentence := fmt.Sprintf(`<strong>rita</strong> played <a href="/calls/%s">call %s</a>`, f.callID, f.callID)
	for _, q := range []string{"", "?action=play", "?object_type=call&object_id=" + f.callID,
		fmt.Sprintf("?user_id=%d", f.reviewer.ID)} {
		resp, page := ada.get(t, "/audit"+q)
		pageStatus(t, "audit "+q, resp, page, http.StatusOK)
		pageHas(t, "audit "+q, page, sentence)
	}
	_, page := ada.get(t, "/audit?action=download")
	if strings.Contains(page, sentence) {
		t.Error("the download filter shows a playback")
	}
	_, page = ada.get(t, "/audit?object_id=01JNOTTHISCALL")
	if strings.Contains(page, sentence) {
		t.Error("the object filter shows another call's playback")
	}
	_, page = ada.get(t, "/audit?action=login")
	pageHas(t, "sign-ins", page, "<strong>rita</strong> signed in")

	resp, body := ada.get(t, "/audit?format=csv&action=play")
	pageStatus(t, "CSV", resp, body, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("CSV Content-Type %q", ct)
	}
	pageHas(t, "CSV", body, "id,at,user_id,username,action", "rita played call "+f.callID+" at ")
	if strings.Contains(body, ",login,") {
		t.Error("the CSV ignores the action filter")
	}
}

// TestWebAuditPages: the log pages by id, newest first, without gaps or
// repeats; a malformed time is a 400 saying what to type.
func TestWebAuditPages(t *testing.T) {
	f := newDashFixture(t)
	for i := range 2*auditPageSize + 5 {
		err := f.qa.Audit(t.Context(), qa.Entry{User: f.manager, Action: qa.ActionChange,
			ObjectType: "form", ObjectID: fmt.Sprint(i)})
		if err != nil {
			t.Fatal(err)
		}
	}
	ada := f.signIn(t, "ada")
	ids := regexp.MustCompile(`<tr data-action="change" data-id="\d+">\s*<td class="when">[^<]*</td>\s*` +
		`<td class="what"><strong>maria</strong> changed form (\d+)</td>`)
	next := regexp.MustCompile(`<a href="([^"]+)" id="next-page">`)
	path, want := "/audit?action=change", 2*auditPageSize+4
	pages := 0
	for path != "" {
		resp, page := ada.get(t, path)
		pageStatus(t, path, resp, page, http.StatusOK)
		pages++
		for _, m := range ids.FindAllStringSubmatch(page, -1) {
			if m[1] != fmt.Sprint(want) {
				t.Fatalf("page %d shows form %s, want %d next", pages, m[1], want)
			}
			want--
		}
		path = ""
		if m := next.FindStringSubmatch(page); m != nil {
			path = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	if want != -1 || pages != 3 {
		t.Errorf("%d pages, stopped before form %d; want 3 pages and every entry", pages, want)
	}
	resp, page := ada.get(t, "/audit?from="+url.QueryEscape("last week"))
	pageStatus(t, "bad time", resp, page, http.StatusBadRequest)
	pageHas(t, "bad time", page, "want a date and time such as")
}

// TestWebAuditRoles: admins only.
func TestWebAuditRoles(t *testing.T) {
	f := newDashFixture(t)
	for _, tt := range []struct {
		user string
		code int
	}{{"ada", 200}, {"maria", 403}, {"rita", 403}, {"anna", 403}} {
		for _, path := range []string{"/audit", "/audit?format=csv"} {
			resp, body := f.signIn(t, tt.user).get(t, path)
			pageStatus(t, tt.user+" "+path, resp, body, tt.code)
			if tt.code == 403 && strings.Contains(body, "signed in") {
				t.Errorf("%s sees audit entries", tt.user)
			}
		}
	}
	resp, _ := f.browser(t).get(t, "/audit")
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("signed out: %d", resp.StatusCode)
	}
}
