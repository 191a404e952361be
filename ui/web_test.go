package ui

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"earshot/qa"
	"earshot/storage"
)

// TestWebPageSignedOut: every page sends a browser that is not signed in
// to the sign-in page, and back to the page after.
func TestWebPageSignedOut(t *testing.T) {
	f := newWebFixture(t)
	b := f.browser(t)
	for _, path := range []string{"/", "/queue", "/calls", "/calls/" + f.callID, "/agent", "/password"} {
		resp, body := b.get(t, path)
		want := "/login?next=" + url.QueryEscape(path)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Errorf("GET %s signed out: %d to %q, want 303 to %q\n%s", path, resp.StatusCode,
				resp.Header.Get("Location"), want, body)
		}
	}
	resp, _ := b.post(t, "/logout", nil)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("POST /logout signed out: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestWebPageRoles: each role reaches its pages and gets the 403 page on
// the others; the start page sends each to their work.
func TestWebPageRoles(t *testing.T) {
	f := newWebFixture(t)
	call := "/calls/" + f.callID
	tests := []struct {
		name   string
		user   string
		path   string
		status int
		// location is where a redirect goes.
		location string
	}{
		{name: "reviewer start", user: "rita", path: "/", status: 303, location: "/queue"},
		{name: "agent start", user: "anna", path: "/", status: 303, location: "/agent"},
		{name: "manager start", user: "maria", path: "/", status: 303, location: "/queue"},
		{name: "reviewer queue", user: "rita", path: "/queue", status: 200},
		{name: "reviewer library", user: "rita", path: "/calls", status: 200},
		{name: "reviewer call", user: "rita", path: call, status: 200},
		{name: "reviewer agent page", user: "rita", path: "/agent", status: 403},
		{name: "manager agent page", user: "maria", path: "/agent", status: 403},
		{name: "agent queue", user: "anna", path: "/queue", status: 403},
		{name: "agent library", user: "anna", path: "/calls", status: 200},
		{name: "agent own call", user: "anna", path: call, status: 200},
		{name: "agent page", user: "anna", path: "/agent", status: 200},
		{name: "password", user: "anna", path: "/password", status: 200},
		{name: "unknown call", user: "rita", path: "/calls/01JNOSUCHCALL0000000000000", status: 404},
		{name: "bad evaluation", user: "rita", path: call + "?evaluation=x", status: 404},
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
			if resp.StatusCode != tt.status || resp.Header.Get("Location") != tt.location {
				t.Fatalf("GET %s = %d to %q, want %d to %q\n%s", tt.path, resp.StatusCode,
					resp.Header.Get("Location"), tt.status, tt.location, body)
			}
			if tt.status == http.StatusForbidden && !strings.Contains(body, "needs the role") {
				t.Errorf("the 403 page does not say which role is needed:\n%s", body)
			}
		})
	}
}

var scriptTag = regexp.MustCompile(`<script[^>]*>`)

// TestWebPageHeaders: every page and asset has the Content-Security-Policy,
// which allows no inline script, and no page has an inline script.
func TestWebPageHeaders(t *testing.T) {
	f := newWebFixture(t)
	f.webUser(t, "ada", "Ada Admin", nil, qa.RoleAdmin)
	rita, anna := f.signIn(t, "rita"), f.signIn(t, "anna")
	maria, ada := f.signIn(t, "maria"), f.signIn(t, "ada")
	pages := []struct {
		b    *browser
		path string
	}{
		{f.browser(t), "/login"}, {rita, "/queue"}, {rita, "/calls"}, {rita, "/calls/" + f.callID},
		{rita, "/password"}, {anna, "/agent"}, {rita, "/agent"}, {rita, "/calls/01JNOSUCHCALL0000000000000"},
		{rita, "/static/app.css"}, {rita, "/static/call.js"},
		{maria, "/forms"}, {maria, "/forms/new"}, {maria, "/sampling"}, {maria, "/sampling/new"},
		{maria, "/calibration"}, {maria, "/calibration/new"}, {maria, "/bias"}, {maria, "/dashboards"},
		{maria, fmt.Sprintf("/dashboards/agents/%d", f.agentID)}, {maria, "/disputes"}, {ada, "/audit"},
	}
	for _, p := range pages {
		resp, body := p.b.get(t, p.path)
		if resp.StatusCode >= 500 {
			t.Errorf("%s: status %d", p.path, resp.StatusCode)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "script-src 'self';") {
			t.Errorf("%s: Content-Security-Policy %q", p.path, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no X-Content-Type-Options", p.path)
		}
		for _, tag := range scriptTag.FindAllString(body, -1) {
			if !strings.Contains(tag, ` src="/static/`) && !strings.Contains(tag, `type="application/json"`) {
				t.Errorf("%s: inline script %s", p.path, tag)
			}
		}
	}
	for path, ctype := range map[string]string{
		"/static/vendor/wavesurfer.esm.js": "text/javascript",
		"/static/vendor/uPlot.iife.min.js": "text/javascript",
		"/static/app.css":                  "text/css",
	} {
		resp, _ := rita.get(t, path)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), ctype) {
			t.Errorf("GET %s = %d %s, want 200 %s", path, resp.StatusCode,
				resp.Header.Get("Content-Type"), ctype)
		}
	}
}

// TestWebPageEscapes: a caller whose SIP display name is markup is shown
// as text in the library and on the call page.
func TestWebPageEscapes(t *testing.T) {
	f := newWebFixture(t)
	rita := f.signIn(t, "rita")
	search := "/calls?participant=" + url.QueryEscape(xssName)
	for _, path := range []string{"/calls", "/calls/" + f.callID, search} {
		_, body := rita.get(t, path)
		if strings.Contains(body, xssName) || strings.Contains(body, "<img") {
			t.Errorf("%s prints the display name or address unescaped", path)
		}
		if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s does not show the display name as text:\n%s", path, body)
		}
	}
}

// TestWebPageCSRF: every form post needs the session's token; without it
// nothing changes.
func TestWebPageCSRF(t *testing.T) {
	f := newWebFixture(t)
	rita := f.signIn(t, "rita")
	posts := []struct {
		path string
		form url.Values
	}{
		{"/logout", nil},
		{"/password", url.Values{"current_password": {"rita-password"}, "new_password": {"a new long password"},
			"confirm_password": {"a new long password"}}},
		{"/calls/" + f.callID + "/evaluations", url.Values{"form_id": {fmt.Sprint(f.form.ID)}}},
		{"/evaluations/1/submit", nil},
	}
	for _, p := range posts {
		for _, token := range []string{"", "not-the-token"} {
			form := url.Values{csrfField: {token}}
			for k, v := range p.form {
				form[k] = v
			}
			resp, body := rita.post(t, p.path, form)
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Reload the page") {
				t.Errorf("POST %s with token %q: %d, want 403\n%s", p.path, token, resp.StatusCode, body)
			}
		}
	}
	previewPath := fmt.Sprintf("/web/form-versions/%d/score-preview", f.form.Latest.ID)
	resp, body := rita.send(t, http.MethodPost, previewPath, "application/json",
		strings.NewReader(`{"answers": {}}`))
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("score preview without X-CSRF-Token: %d %s, want 403", resp.StatusCode, body)
	}
	if resp, _ := rita.get(t, "/queue"); resp.StatusCode != http.StatusOK {
		t.Errorf("after the refused posts the session is gone: %d", resp.StatusCode)
	}
	evs, err := f.qa.ListEvaluations(t.Context(), f.reviewer, qa.EvaluationFilter{})
	if err != nil || len(evs) != 0 {
		t.Errorf("a refused post started an evaluation: %v %v", evs, err)
	}

	// The sign-in form has its own token, tied to a cookie.
	b := f.browser(t)
	resp, _ = b.post(t, "/login", url.Values{"username": {"rita"}, "password": {"rita-password"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("sign-in without the form's token: %d, want 403", resp.StatusCode)
	}
}

func TestWebPageLoginLogout(t *testing.T) {
	f := newWebFixture(t)
	b := f.browser(t)
	_, page := b.get(t, "/login?next="+url.QueryEscape("//evil.example/"))
	token := formToken(t, page)
	resp, body := b.post(t, "/login", url.Values{csrfField: {token}, "username": {"rita"},
		"password": {"wrong password"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Wrong username or password") {
		t.Errorf("wrong password: %d\n%s", resp.StatusCode, body)
	}
	token = formToken(t, body)
	resp, _ = b.post(t, "/login", url.Values{csrfField: {token}, "username": {"rita"},
		"password": {"rita-password"}, "next": {"//evil.example/"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Errorf("sign in with next=//evil.example/: %d to %q, want 303 to /", resp.StatusCode,
			resp.Header.Get("Location"))
	}
	_, page = b.get(t, "/calls")
	if !strings.Contains(page, "Rita Reviewer") {
		t.Errorf("the signed-in page does not name the user:\n%s", page)
	}
	resp, _ = b.post(t, "/logout", url.Values{csrfField: {formToken(t, page)}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Errorf("sign out: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := b.get(t, "/calls"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after signing out /calls = %d, want 303 to the sign-in page", resp.StatusCode)
	}
}

func TestWebPagePassword(t *testing.T) {
	f := newWebFixture(t)
	b := f.signIn(t, "anna")
	_, page := b.get(t, "/password")
	token := formToken(t, page)
	tests := []struct {
		name            string
		current, n, rep string
		status          int
		says            string
	}{
		{"mismatch", "anna-password", "a long new password", "another one", 400, "differ"},
		{"wrong current", "nope", "a long new password", "a long new password", 400, "not right"},
		{"too short", "anna-password", "short", "short", 400, "at least"},
		{"changed", "anna-password", "a long new password", "a long new password", 303, ""},
	}
	for _, tt := range tests {
		resp, body := b.post(t, "/password", url.Values{csrfField: {token}, "current_password": {tt.current},
			"new_password": {tt.n}, "confirm_password": {tt.rep}})
		if resp.StatusCode != tt.status || !strings.Contains(body, tt.says) {
			t.Errorf("%s: %d, want %d saying %q\n%s", tt.name, resp.StatusCode, tt.status, tt.says, body)
		}
	}
	if _, err := f.qa.Login(t.Context(), "anna", "a long new password", "127.0.0.1"); err != nil {
		t.Errorf("sign in with the new password: %v", err)
	}
	if resp, _ := b.get(t, "/agent"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the old session still works after the change: %d", resp.StatusCode)
	}
}

// TestWebPageScoring: a reviewer starts scoring from the call page, sees
// the score of the answers so far, is refused a submission with a
// question unanswered, submits, and the agent sees the score.
func TestWebPageScoring(t *testing.T) {
	f := newWebFixture(t)
	rita := f.signIn(t, "rita")
	call := "/calls/" + f.callID
	_, page := rita.get(t, call)
	for _, want := range []string{`id="start-form"`, "Support calls (v1)", "Agent", "Customer",
		"DTMF 5", "Paused (api)", "Customer on hold"} {
		if !strings.Contains(page, want) {
			t.Errorf("the call page lacks %q", want)
		}
	}
	token := formToken(t, page)
	resp, _ := rita.post(t, call+"/evaluations",
		url.Values{csrfField: {token}, "form_id": {fmt.Sprint(f.form.ID)}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, call+"?evaluation=") {
		t.Fatalf("start scoring: %d to %q", resp.StatusCode, loc)
	}
	evID := strings.TrimPrefix(loc, call+"?evaluation=")
	_, page = rita.get(t, call)
	for _, want := range []string{`id="score-form"`, "Two of: date of birth", "critical: form",
		`name="q.hold" value="__na__"`, "5 warm"} {
		if !strings.Contains(page, want) {
			t.Errorf("the scoring form lacks %q", want)
		}
	}
	if strings.Contains(page, `name="q.greet" value="__na__"`) {
		t.Error("N/A is offered on a question that does not allow it")
	}

	preview := func(answers string) scorePreview {
		t.Helper()
		req := fmt.Sprintf(`{"answers": %s}`, answers)
		r, _ := http.NewRequestWithContext(t.Context(), http.MethodPost,
			fmt.Sprintf("%s/web/form-versions/%d/score-preview", f.url, f.form.Latest.ID), strings.NewReader(req))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set(csrfHeader, token)
		resp, err := rita.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out scorePreview
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("score preview: %d %v", resp.StatusCode, err)
		}
		return out
	}
	if p := preview(`{}`); p.Answered != 0 || p.Questions != 4 || p.Result != nil {
		t.Errorf("preview of nothing: %+v", p)
	}
	// Opening 100% (weight 1), handling: empathy 4 of 1-5 = 75% (weight 2).
	p := preview(`{"greet": {"value": "yes"}, "verify": {"value": "yes"}, "empathy": {"value": "4"}}`)
	if p.Answered != 3 || p.Complete || p.Result == nil || fmt.Sprintf("%.2f", p.Result.Percent) != "83.33" {
		t.Errorf("preview of three answers: %+v %+v", p, p.Result)
	}
	all := map[string]qa.Answer{"greet": {Value: "yes"}, "verify": {Value: "no"}, "empathy": {Value: "4"},
		"hold": {NA: true}}
	want, err := qa.Score(f.form.Latest.Definition, all)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(all)
	p = preview(string(body))
	if !p.Complete || p.Result == nil || p.Result.Percent != want.Percent || !p.Result.CriticalFailed {
		t.Errorf("preview of every answer: %+v %+v, want %+v", p, p.Result, want)
	}

	submit := "/evaluations/" + evID + "/submit"
	resp, page = rita.post(t, submit, url.Values{csrfField: {token}, "q.greet": {"yes"}, "q.verify": {"yes"},
		"q.empathy": {"4"}, "c.empathy": {"warm <b>tone</b>"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "“Asked before putting on hold”") {
		t.Errorf("submit with a question unanswered: %d\n%s", resp.StatusCode, page)
	}
	if !strings.Contains(page, "warm &lt;b&gt;tone&lt;/b&gt;") || !strings.Contains(page, `value="4" checked`) {
		t.Errorf("the refused submission lost the answers given:\n%s", page)
	}
	resp, _ = rita.post(t, submit, url.Values{csrfField: {token}, "q.greet": {"yes"}, "q.verify": {"yes"},
		"q.empathy": {"4"}, "q.hold": {naValue}, "overall_comment": {"Good call."}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(resp.Header.Get("Location"), "&submitted=1") {
		t.Fatalf("submit: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page = rita.get(t, resp.Header.Get("Location"))
	if !strings.Contains(page, "Evaluation submitted: 83.3%.") || strings.Contains(page, `id="score-form"`) {
		t.Errorf("the page after submitting:\n%s", page)
	}

	_, page = f.signIn(t, "anna").get(t, "/agent")
	for _, want := range []string{"83.3%", "Support calls", `id="trend-data"`, "?evaluation=" + evID} {
		if !strings.Contains(page, want) {
			t.Errorf("the agent page lacks %q:\n%s", want, page)
		}
	}
}

// TestWebPageQueue: an evaluation assigned to a reviewer is in their
// queue with its due date, and the first row is the one n opens.
func TestWebPageQueue(t *testing.T) {
	f := newWebFixture(t)
	due := time.Date(2026, 3, 9, 17, 0, 0, 0, time.UTC)
	ev, err := f.qa.CreateEvaluation(t.Context(), f.manager, qa.NewEvaluation{CallID: f.callID,
		FormID: f.form.ID, ReviewerID: f.reviewer.ID, DueAt: &due})
	if err != nil {
		t.Fatal(err)
	}
	_, page := f.signIn(t, "rita").get(t, "/queue")
	link := fmt.Sprintf(`href="/calls/%s?evaluation=%d" data-next`, f.callID, ev.ID)
	for _, want := range []string{link, "2026-03-09 17:00", "Support calls", "overdue", "Anna Agent"} {
		if !strings.Contains(page, want) {
			t.Errorf("the queue lacks %q:\n%s", want, page)
		}
	}
	_, page = f.signIn(t, "maria").get(t, "/queue")
	if !strings.Contains(page, "Nothing to score") {
		t.Errorf("the manager's empty queue:\n%s", page)
	}
}

// TestWebPageLibrary: the library filters by participant, time and
// duration, pages with the catalog's cursor and reorders a page.
func TestWebPageLibrary(t *testing.T) {
	f := newWebFixture(t)
	start := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for i := range webPageSize + 5 {
		at := start.Add(time.Duration(i) * time.Minute)
		sc := &storage.Sidecar{RecordingID: storage.NewRecordingID(at), StartedAt: at,
			EndedAt: at.Add(time.Duration(10+i) * time.Second), DurationMS: int64(10+i) * 1000,
			Audio: storage.Audio{Encoding: "pcma", SampleRate: 8000, Channels: 2},
			Participants: []storage.Participant{
				{Channel: 0, SIPAddress: fmt.Sprintf("sip:bulk%02d@pbx.example.com", i)}}}
		if err := f.cat.Index(t.Context(), sc); err != nil {
			t.Fatal(err)
		}
	}
	rita := f.signIn(t, "rita")
	rows := func(page string) int { return strings.Count(page, `<td><a href="/calls/`) }

	_, page := rita.get(t, "/calls")
	next := regexp.MustCompile(`<a href="([^"]+)" id="next-page"`).FindStringSubmatch(page)
	if rows(page) != webPageSize || next == nil {
		t.Fatalf("first page: %d rows, next %v", rows(page), next)
	}
	// The fixture's call is the newest.
	if !strings.Contains(page, `<td><a href="/calls/`+f.callID) {
		t.Error("the newest call is not on the first page")
	}
	_, page = rita.get(t, strings.ReplaceAll(next[1], "&amp;", "&"))
	if rows(page) != 6 || strings.Contains(page, `id="next-page"`) || !strings.Contains(page, "First page") {
		t.Errorf("second page: %d rows, want 6 and no next page", rows(page))
	}

	ben := libraryBen(t, f)
	tests := []struct {
		name  string
		query string
		rows  int
		has   string
		// calls, when set, are the calls the page must list, in order,
		// and no other.
		calls []string
	}{
		{name: "participant", query: "participant=bulk07", rows: 1, has: "sip:bulk07@pbx.example.com"},
		{name: "time range", query: "from=2026-03-01T08:10&to=2026-03-01T08:15", rows: 5, has: "bulk10"},
		{name: "duration", query: "min_sec=60&max_sec=61", rows: 2, has: "1:01"},
		{name: "oldest first", query: "to=2026-03-01T08:03&sort=oldest", rows: 3, has: "bulk00"},
		{name: "agent", query: fmt.Sprintf("agent=%d", f.agentID), rows: 1, has: f.callID,
			calls: []string{f.callID}},
		// Anna answered her call: it is inbound, and she made none.
		{name: "agent and direction", query: fmt.Sprintf("agent=%d&direction=inbound", f.agentID),
			rows: 1, calls: []string{f.callID}},
		{name: "agent and the other direction",
			query: fmt.Sprintf("agent=%d&direction=outbound", f.agentID), has: "No call matches"},
		{name: "direction", query: "direction=outbound", rows: 2,
			calls: []string{ben.quiet, ben.loud}},
		{name: "team", query: fmt.Sprintf("team=%d", ben.team), rows: 2,
			calls: []string{ben.quiet, ben.loud}},
		{name: "overtalk", query: "min_overtalk=10", rows: 1, calls: []string{ben.loud}},
		{name: "overtalk, none so much", query: "min_overtalk=13", has: "No call matches"},
		{name: "silence", query: "min_silence=15", rows: 1, calls: []string{ben.quiet}},
		{name: "silence and team", query: fmt.Sprintf("min_silence=2&team=%d", ben.team), rows: 2,
			calls: []string{ben.quiet, ben.loud}},
		{name: "not evaluated", query: "evaluated=no&participant=bulk1", rows: 10, has: "bulk19"},
		{name: "evaluated", query: "evaluated=yes", has: "No call matches"},
	}
	for _, tt := range tests {
		resp, page := rita.get(t, "/calls?"+tt.query)
		if resp.StatusCode != http.StatusOK || rows(page) != tt.rows || !strings.Contains(page, tt.has) {
			t.Errorf("%s: %d, %d rows, want %d with %q", tt.name, resp.StatusCode, rows(page), tt.rows, tt.has)
		}
		if got := libraryIDs(page); tt.calls != nil && !slices.Equal(got, tt.calls) {
			t.Errorf("%s: lists %v, want %v", tt.name, got, tt.calls)
		}
	}
	_, page = rita.get(t, "/calls?to=2026-03-01T08:03&sort=oldest")
	if strings.Index(page, "bulk00") > strings.Index(page, "bulk02") {
		t.Error("sort=oldest does not put the oldest call first")
	}
	checkLibraryOrder(t, rita)
	for _, q := range []string{"from=yesterday", "min_sec=-1", "sort=random", "agent=x", "direction=up",
		"evaluated=maybe", "min_overtalk=1.5"} {
		if resp, _ := rita.get(t, "/calls?"+q); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("/calls?%s = %d, want 400", q, resp.StatusCode)
		}
	}
	// An agent's library holds only her own calls.
	_, page = f.signIn(t, "anna").get(t, "/calls")
	if rows(page) != 1 {
		t.Errorf("the agent's library has %d calls, want her 1", rows(page))
	}
}

// libraryBenCalls are two calls Ben, an agent of the Night shift team,
// made after the others of TestWebPageLibrary: loud, with 12 s of
// overtalk and at most 3 s of silence, then quiet, with 2 s of overtalk
// and a 20 s silence.
type libraryBenCalls struct {
	team        int64
	loud, quiet string
}

func libraryBen(t *testing.T, f *webFixture) libraryBenCalls {
	t.Helper()
	ctx := t.Context()
	team, err := f.qa.CreateTeam(ctx, "Night shift")
	if err != nil {
		t.Fatal(err)
	}
	agent, err := f.qa.CreateAgent(ctx, qa.AgentInput{Name: "Ben Agent", TeamID: &team.ID})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.qa.AddIdentity(ctx, agent.ID, qa.Identity{Kind: qa.IdentityUser, Value: "ben"})
	if err != nil {
		t.Fatal(err)
	}
	call := func(at time.Time, overtalk, silence int64) string {
		id := storage.NewRecordingID(at)
		sc := &storage.Sidecar{RecordingID: id, SIPCallID: "ben-" + id + "@pbx.example.com",
			StartedAt: at, EndedAt: at.Add(40 * time.Second), DurationMS: 40_000,
			Audio: storage.Audio{Encoding: "pcmu", SampleRate: 8000, Channels: 2},
			Participants: []storage.Participant{
				{Channel: 0, Name: "Ben Agent", SIPAddress: "sip:ben@pbx.example.com", Role: "caller"},
				{Channel: 1, SIPAddress: "sip:+15550122@carrier.example.net", Role: "callee"}},
			Talk: &storage.TalkMetrics{TalkMS: [2]int64{15_000, 12_000}, SilenceMS: silence + 1000,
				OvertalkMS: overtalk, LongestSilenceMS: silence},
		}
		if err := f.cat.Index(ctx, sc); err != nil {
			t.Fatal(err)
		}
		if err := f.qa.OnCallIndexed(ctx, id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	at := time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC)
	return libraryBenCalls{team: team.ID, loud: call(at, 12_000, 3000),
		quiet: call(at.Add(time.Hour), 2000, 20_000)}
}

// checkLibraryOrder walks the library longest first: the order holds
// across the page boundary, not just within a page.
func checkLibraryOrder(t *testing.T, b *browser) {
	t.Helper()
	lengths := regexp.MustCompile(`</a></td>\s*<td>(\d+):(\d\d)</td>`)
	next := regexp.MustCompile(`<a href="([^"]+)" id="next-page"`)
	var secs []int
	path := "/calls?sort=longest"
	for path != "" {
		_, page := b.get(t, path)
		for _, m := range lengths.FindAllStringSubmatch(page, -1) {
			mm, _ := strconv.Atoi(m[1])
			ss, _ := strconv.Atoi(m[2])
			secs = append(secs, mm*60+ss)
		}
		path = ""
		if n := next.FindStringSubmatch(page); n != nil {
			path = strings.ReplaceAll(n[1], "&amp;", "&")
		}
	}
	// The bulk calls, Anna's and Ben's two.
	if len(secs) != webPageSize+8 || !slices.IsSortedFunc(secs, func(a, b int) int { return b - a }) {
		t.Errorf("longest first over two pages: %d calls %v", len(secs), secs)
	}
	if len(secs) > 0 && (secs[0] != 64 || secs[len(secs)-1] != 8) {
		t.Errorf("longest first runs %d s to %d s, want 64 s to 8 s", secs[0], secs[len(secs)-1])
	}
}
