package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"earshot/qa"
)

// The web pages' role matrix: every page the server serves, as each role
// and signed out, against a table of what each should see. The routes
// come from the server, so a page added later fails here until the table
// says who may open it.

// webObjects names the fixture's objects that fill the pages' path
// parameters, each one that every role allowed in may open: "{form}" in a
// path of the table stands for webObjects["form"].
type webObjects map[string]string

// fill puts the objects into path.
func (o webObjects) fill(path string) string {
	var pairs []string
	for k, v := range o {
		pairs = append(pairs, "{"+k+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(path)
}

// pageWant is what a role sees on a page: a status and, for a redirect,
// where it goes.
type pageWant struct {
	code     int
	location string
}

var (
	pageShown   = pageWant{code: http.StatusOK}
	pageRefused = pageWant{code: http.StatusForbidden}
)

// pageTo is a redirect to location.
func pageTo(location string) pageWant {
	return pageWant{code: http.StatusSeeOther, location: location}
}

// The roles as the table groups them.
var (
	mxEveryone = []qa.Role{qa.RoleAdmin, qa.RoleManager, qa.RoleReviewer, qa.RoleAgent}
	mxScorers  = []qa.Role{qa.RoleAdmin, qa.RoleManager, qa.RoleReviewer}
	mxStaff    = []qa.Role{qa.RoleAdmin, qa.RoleManager}
)

// pagesFor shows a page to the roles named and refuses it to the others.
func pagesFor(roles ...qa.Role) map[qa.Role]pageWant {
	out := map[qa.Role]pageWant{}
	for _, r := range qa.AllRoles {
		out[r] = pageRefused
		if slices.Contains(roles, r) {
			out[r] = pageShown
		}
	}
	return out
}

// webPage is the table's word on one GET route.
type webPage struct {
	// path is the route with its parameters named as objects of the
	// fixture (see webObjects); empty means the route has none.
	path string
	want map[qa.Role]pageWant
	// public pages are shown signed out; every other page sends the
	// browser to the sign-in page.
	public bool
	// signedIn is what every signed-in role sees of a public page.
	signedIn pageWant
}

// webPages says who may open each page. The roles are written out here,
// not taken from the server's own lists, so that a change to those shows
// up as a failure to look at.
var webPages = map[string]webPage{
	"/": {want: map[qa.Role]pageWant{qa.RoleAdmin: pageTo("/queue"), qa.RoleManager: pageTo("/queue"),
		qa.RoleReviewer: pageTo("/queue"), qa.RoleAgent: pageTo("/agent")}},
	"/login":    {public: true, signedIn: pageTo("/")},
	"/password": {want: pagesFor(mxEveryone...)},
	"/queue":    {want: pagesFor(mxScorers...)},
	"/agent":    {want: pagesFor(qa.RoleAgent)},
	"/agent/evaluations/:id": {want: pagesFor(qa.RoleAgent),
		path: "/agent/evaluations/{evaluation}"},
	"/calls": {want: pagesFor(mxEveryone...)},
	"/calls/:id": {want: pagesFor(mxEveryone...),
		path: "/calls/{call}"},
	"/forms":     {want: pagesFor(mxScorers...)},
	"/forms/new": {want: pagesFor(mxStaff...)},
	"/forms/:id": {want: pagesFor(mxScorers...),
		path: "/forms/{form}"},
	"/forms/:id/versions": {want: pagesFor(mxScorers...),
		path: "/forms/{form}/versions"},
	"/forms/:id/versions/:vid": {want: pagesFor(mxScorers...),
		path: "/forms/{form}/versions/{version}"},
	"/sampling":     {want: pagesFor(mxStaff...)},
	"/sampling/new": {want: pagesFor(mxStaff...)},
	"/sampling/:id": {want: pagesFor(mxStaff...),
		path: "/sampling/{plan}"},
	"/sampling/:id/preview": {want: pagesFor(mxStaff...),
		path: "/sampling/{plan}/preview?period=2026-03-02"},
	"/sampling/draws/:id": {want: pagesFor(mxStaff...),
		path: "/sampling/draws/{draw}"},
	"/calibration":     {want: pagesFor(mxScorers...)},
	"/calibration/new": {want: pagesFor(mxStaff...)},
	"/calibration/:id": {want: pagesFor(mxScorers...),
		path: "/calibration/{session}"},
	"/calibration/:id/comparison": {want: pagesFor(mxScorers...),
		path: "/calibration/{session}/comparison"},
	"/bias": {want: pagesFor(mxStaff...)},
	// The reviewer is the one the page is about.
	"/bias/reviewers/:id": {want: pagesFor(mxScorers...),
		path: "/bias/reviewers/{reviewer}"},
	"/dashboards": {want: pagesFor(mxStaff...)},
	"/dashboards/agents/:id": {want: pagesFor(mxStaff...),
		path: "/dashboards/agents/{agent}"},
	"/disputes": {want: pagesFor(mxScorers...)},
	// The reviewer scored the disputed evaluation.
	"/disputes/:id": {want: pagesFor(mxScorers...),
		path: "/disputes/{dispute}"},
	"/audit": {want: pagesFor(qa.RoleAdmin)},
	// The people pages take the roles of the API routes they stand for:
	// admins manage users, staff agents, and reviewers read.
	"/people":            {want: pagesFor(mxScorers...)},
	"/people/users/new":  {want: pagesFor(qa.RoleAdmin)},
	"/people/users/:id":  {want: pagesFor(qa.RoleAdmin), path: "/people/users/{user}"},
	"/people/agents/new": {want: pagesFor(mxStaff...)},
	"/people/agents/:id": {want: pagesFor(mxScorers...), path: "/people/agents/{agent}"},
}

// notPages are served outside /api and /static but are no pages: they
// answer machines, and have tests of their own.
var notPages = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// webMatrix is a fixture with one user per role and an object for every
// path parameter: Rita's submitted evaluation of Anna's second call, which
// Anna disputed and was coached on, a revealed calibration session of
// Rita's and Rob's, a sampling plan with a draw, and a team.
type webMatrix struct {
	*calWebFixture
	objects webObjects
	users   map[qa.Role]*qa.User
	session int64
}

func newWebMatrix(t *testing.T) *webMatrix {
	t.Helper()
	ctx := t.Context()
	f := &webMatrix{calWebFixture: newCalWebFixture(t)}
	ada := f.webUser(t, "ada", "Ada Admin", nil, qa.RoleAdmin)
	f.users = map[qa.Role]*qa.User{qa.RoleAdmin: ada, qa.RoleManager: f.manager,
		qa.RoleReviewer: f.reviewer, qa.RoleAgent: f.anna}
	o := webObjects{"call": f.call2, "form": fmt.Sprint(f.form.ID),
		"version": fmt.Sprint(f.form.Latest.ID), "agent": fmt.Sprint(f.agentID),
		"reviewer": fmt.Sprint(f.reviewer.ID), "user": fmt.Sprint(f.rob.ID)}
	team, err := f.qa.CreateTeam(ctx, "Day shift")
	if err != nil {
		t.Fatal(err)
	}
	o["team"] = fmt.Sprint(team.ID)

	ev, err := f.qa.CreateEvaluation(ctx, f.manager, qa.NewEvaluation{CallID: f.call2,
		FormID: f.form.ID, ReviewerID: f.reviewer.ID})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.qa.SaveDraft(ctx, f.reviewer, ev.ID, qa.Draft{Answers: calRitaAnswers})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.qa.Submit(ctx, f.reviewer, ev.ID); err != nil {
		t.Fatal(err)
	}
	o["evaluation"] = fmt.Sprint(ev.ID)
	d, err := f.qa.DisputeEvaluation(ctx, f.anna, ev.ID, qa.DisputeInput{Comment: "Unfair"})
	if err != nil {
		t.Fatal(err)
	}
	o["dispute"] = fmt.Sprint(d.ID)
	item, err := f.qa.AddCoaching(ctx, f.manager, qa.NewCoaching{EvaluationID: ev.ID,
		Note: "Greet by name"})
	if err != nil {
		t.Fatal(err)
	}
	o["coaching"] = fmt.Sprint(item.ID)

	cs := f.open(t)
	f.score(t, cs, f.reviewer, calRitaAnswers)
	f.score(t, cs, f.rob, calRobAnswers)
	if _, err := f.qa.RevealCalibration(ctx, f.manager, cs.ID); err != nil {
		t.Fatal(err)
	}
	o["session"], f.session = fmt.Sprint(cs.ID), cs.ID

	p, err := f.qa.CreatePlan(ctx, f.manager, qa.PlanInput{Name: "Weekly",
		PlanDefinition: qa.PlanDefinition{Period: qa.PeriodWeek, Quota: 1,
			Reviewers: []qa.PoolReviewer{{UserID: f.reviewer.ID}}}})
	if err != nil {
		t.Fatal(err)
	}
	o["plan"] = fmt.Sprint(p.ID)
	seed := int64(3)
	draw, err := f.qa.Draw(ctx, f.manager, qa.DrawRequest{PlanID: p.ID, Period: "2026-03-02",
		Seed: &seed})
	if err != nil {
		t.Fatal(err)
	}
	o["draw"] = fmt.Sprint(draw.ID)
	f.objects = o
	return f
}

// webRoutes are the routes the server serves outside the API and the
// assets, by method.
func webRoutes(t *testing.T, s *Server) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, r := range s.echo.Routes() {
		if strings.HasPrefix(r.Path, "/api/") || strings.HasPrefix(r.Path, "/static/") ||
			notPages[r.Path] || r.Method == echoNotFound {
			continue
		}
		out[r.Method] = append(out[r.Method], r.Path)
	}
	for m := range out {
		slices.Sort(out[m])
	}
	return out
}

// echoNotFound is the method Echo lists its catch-all routes under.
const echoNotFound = "echo_route_not_found"

// routeFits reports whether path, without its query, is one that route
// serves: the same segments, a parameter standing for any.
func routeFits(route, path string) bool {
	path, _, _ = strings.Cut(path, "?")
	rs, ps := strings.Split(route, "/"), strings.Split(path, "/")
	if len(rs) != len(ps) {
		return false
	}
	for i := range rs {
		if rs[i] != ps[i] && !strings.HasPrefix(rs[i], ":") {
			return false
		}
	}
	return true
}

var (
	errorHeading = regexp.MustCompile(`<h1>(\d{3}) · `)
	pageTitle    = regexp.MustCompile(`<title>(.*?)</title>`)
	errorMessage = regexp.MustCompile(`(?s)<h1>\d{3} · .*?</h1>\s*<p>(.*?)</p>`)
)

// pageGist is what a failure prints of a page: its title and, on the
// error page, the message.
func pageGist(body string) string {
	var out []string
	for _, re := range []*regexp.Regexp{pageTitle, errorMessage} {
		if m := re.FindStringSubmatch(body); m != nil {
			out = append(out, m[1])
		}
	}
	if len(out) == 0 {
		return body[:min(len(body), 200)]
	}
	return strings.Join(out, ": ")
}

// TestWebRoleMatrix opens every page as each role and signed out, and
// checks each sees what the table says: the page, the 403 page, or a
// redirect; signed out, the sign-in page and back.
func TestWebRoleMatrix(t *testing.T) {
	f := newWebMatrix(t)
	routes := webRoutes(t, f.srv)
	for m := range routes {
		if m != http.MethodGet && m != http.MethodPost {
			t.Errorf("%s %v: the web matrix knows GET pages and POST forms only; add a check for %s",
				m, routes[m], m)
		}
	}
	browsers := map[qa.Role]*browser{}
	for _, r := range qa.AllRoles {
		browsers[r] = f.signIn(t, f.users[r].Username)
	}
	for _, route := range routes[http.MethodGet] {
		t.Run(route, func(t *testing.T) {
			page, ok := webPages[route]
			if !ok {
				t.Fatalf("GET %s is served but not in webPages in web_rolematrix_test.go: "+
					"add it with the roles that may open it", route)
			}
			path := route
			if page.path != "" {
				path = f.objects.fill(page.path)
			}
			if !routeFits(route, path) {
				t.Fatalf("the table fills %s as %s", route, path)
			}
			checkSignedOut(t, f.browser(t), path, page.public)
			for _, r := range qa.AllRoles {
				want, ok := page.want[r]
				if page.public {
					want, ok = page.signedIn, true
				}
				if !ok {
					t.Errorf("webPages has no outcome for %s on %s: add one", r, route)
					continue
				}
				checkPage(t, browsers[r], f.users[r], path, want)
			}
		})
	}
	for route := range webPages {
		if !slices.Contains(routes[http.MethodGet], route) {
			t.Errorf("webPages lists %s, which the server does not serve: remove it", route)
		}
	}
}

// checkSignedOut: a public page is shown signed out, any other sends the
// browser to sign in and come back.
func checkSignedOut(t *testing.T, b *browser, path string, public bool) {
	t.Helper()
	resp, body := b.get(t, path)
	if public {
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="password"`) {
			t.Errorf("signed out: %d, want the sign-in form (%s)", resp.StatusCode, pageGist(body))
		}
		return
	}
	want := "/login?next=" + url.QueryEscape(path)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
		t.Errorf("signed out: %d to %q, want 303 to %q (%s)", resp.StatusCode,
			resp.Header.Get("Location"), want, pageGist(body))
	}
}

// checkPage: u sees want on path: the page itself with their name in the
// header and no error, the 403 page, or a redirect.
func checkPage(t *testing.T, b *browser, u *qa.User, path string, want pageWant) {
	t.Helper()
	resp, body := b.get(t, path)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != want.code || loc != want.location {
		t.Errorf("%s: %d to %q, want %d to %q (%s)", u.Roles[0], resp.StatusCode, loc,
			want.code, want.location, pageGist(body))
		return
	}
	heading := errorHeading.FindStringSubmatch(body)
	switch want.code {
	case http.StatusOK:
		named := strings.Contains(body, `<span class="user">`+u.DisplayName+`</span>`)
		if heading != nil || !named {
			t.Errorf("%s: 200 but not the page, signed in (%s)", u.Roles[0], pageGist(body))
		}
	case http.StatusForbidden:
		if heading == nil || heading[1] != "403" {
			t.Errorf("%s: 403 but not the 403 page (%s)", u.Roles[0], pageGist(body))
		}
	}
}

// TestWebPostsNeedTheToken: every form post, and the pages' JSON post,
// refuses a signed-in admin who sends no CSRF token, with the objects of
// the fixture in the path so that with the token it would act; and
// nothing changes.
func TestWebPostsNeedTheToken(t *testing.T) {
	f := newWebMatrix(t)
	// ids names the object each posting route's :id stands for.
	ids := map[string]string{"/agent/evaluations/:id": "evaluation",
		"/agent/coaching/:id": "coaching", "/calibration/:id": "session", "/calls/:id": "call",
		"/disputes/:id": "dispute", "/evaluations/:id": "evaluation", "/forms/:id": "form",
		"/sampling/:id": "plan", "/sampling/draws/:id": "draw", "/web/form-versions/:id": "version",
		"/people/users/:id": "user", "/people/agents/:id": "agent", "/people/teams/:id": "team"}
	ada := f.signIn(t, "ada")
	audit := func() int {
		recs, err := f.qa.ListAudit(t.Context(), qa.AuditFilter{Limit: qa.MaxAuditLimit})
		if err != nil {
			t.Fatal(err)
		}
		return len(recs)
	}
	before := audit()
	posts := webRoutes(t, f.srv)[http.MethodPost]
	if len(posts) == 0 {
		t.Fatal("no POST route outside the API")
	}
	for _, route := range posts {
		path := route
		for prefix, obj := range ids {
			if strings.HasPrefix(route, prefix+"/") || route == prefix {
				path = strings.Replace(route, ":id", f.objects[obj], 1)
			}
		}
		if strings.Contains(path, ":") {
			t.Errorf("POST %s: no fixture object for its parameter; add one to ids", route)
			continue
		}
		resp, body := ada.post(t, path, url.Values{"comment": {"x"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without the token: %d, want 403 (%s)", path, resp.StatusCode,
				pageGist(body))
			continue
		}
		refusal := "did not come from Earshot"
		if strings.HasPrefix(route, "/web/") {
			refusal = "must send the X-CSRF-Token header"
		}
		if !strings.Contains(body, refusal) {
			t.Errorf("POST %s without the token: 403 but not for the token (%s)", path,
				pageGist(body))
		}
	}
	if after := audit(); after != before {
		t.Errorf("the refused posts wrote %d audit records", after-before)
	}
	if _, err := f.qa.GetCalibration(t.Context(), f.manager, f.session); err != nil {
		t.Errorf("the session after a refused delete: %v", err)
	}
	if resp, _ := ada.get(t, "/queue"); resp.StatusCode != http.StatusOK {
		t.Errorf("after a refused sign-out the admin is signed out: %d", resp.StatusCode)
	}
}
