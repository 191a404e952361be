package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"earshot/qa"
)

// calWebFixture is the web fixture with a second reviewer, Rob, a
// reviewer who is in no session, Nina, and a second call of Anna's.
type calWebFixture struct {
	*webFixture
	rob, nina *qa.User
	call2     string
}

func newCalWebFixture(t *testing.T) *calWebFixture {
	t.Helper()
	f := &calWebFixture{webFixture: newWebFixture(t)}
	f.rob = f.webUser(t, "rob", "Rob Reviewer", nil, qa.RoleReviewer)
	f.nina = f.webUser(t, "nina", "Nina Reviewer", nil, qa.RoleReviewer)
	f.call2 = f.addCall(t, time.Date(2026, 3, 3, 11, 0, 0, 0, time.UTC), 6000)
	return f
}

// Rita's and Rob's answers: Rita scores 83.3%, Rob 58.3% with a comment
// that must not show anywhere before the reveal.
var (
	calRitaAnswers = map[string]qa.Answer{"greet": {Value: "yes"}, "verify": {Value: "yes"},
		"empathy": {Value: "4"}, "hold": {NA: true}}
	calRobAnswers = map[string]qa.Answer{"greet": {Value: "no"}, "verify": {Value: "yes"},
		"empathy": {Value: "2"}, "hold": {Value: "yes", Comment: calRobSecret}}
)

const calRobSecret = "rob-secret-comment"

// open opens a blind session of the fixture's first call with Rita and
// Rob, as Maria.
func (f *calWebFixture) open(t *testing.T) *qa.CalibrationSession {
	t.Helper()
	cs, err := f.qa.OpenCalibration(t.Context(), f.manager, qa.NewCalibration{Title: "Week 10",
		CallIDs: []string{f.callID}, FormID: f.form.ID,
		ReviewerIDs: []int64{f.reviewer.ID, f.rob.ID}})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// score saves and submits u's evaluation of the session's call.
func (f *calWebFixture) score(t *testing.T, cs *qa.CalibrationSession, u *qa.User,
	answers map[string]qa.Answer,
) {
	t.Helper()
	ctx := t.Context()
	for _, e := range cs.Evaluations {
		if e.ReviewerID != u.ID {
			continue
		}
		if _, err := f.qa.SaveDraft(ctx, u, e.EvaluationID, qa.Draft{Answers: answers}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.qa.Submit(ctx, u, e.EvaluationID); err != nil {
			t.Fatal(err)
		}
	}
}

// TestWebCalibrationRoles: each role reaches the pages it may and gets
// the 403 page on the others; signed out, every page sends to sign-in.
func TestWebCalibrationRoles(t *testing.T) {
	f := newCalWebFixture(t)
	cs := f.open(t)
	session := fmt.Sprintf("/calibration/%d", cs.ID)
	rita := fmt.Sprintf("/bias/reviewers/%d", f.reviewer.ID)
	rob := fmt.Sprintf("/bias/reviewers/%d", f.rob.ID)
	tests := []struct {
		name   string
		user   string
		path   string
		status int
	}{
		{name: "manager list", user: "maria", path: "/calibration", status: 200},
		{name: "manager new", user: "maria", path: "/calibration/new", status: 200},
		{name: "manager session", user: "maria", path: session, status: 200},
		{name: "manager comparison before the reveal", user: "maria",
			path: session + "/comparison", status: 409},
		{name: "manager bias", user: "maria", path: "/bias", status: 200},
		{name: "manager deviation", user: "maria", path: rob, status: 200},
		{name: "reviewer list", user: "rita", path: "/calibration", status: 200},
		{name: "reviewer new", user: "rita", path: "/calibration/new", status: 403},
		{name: "reviewer session", user: "rita", path: session, status: 200},
		{name: "reviewer comparison before the reveal", user: "rita",
			path: session + "/comparison", status: 409},
		{name: "reviewer bias", user: "rita", path: "/bias", status: 403},
		{name: "reviewer own deviation", user: "rita", path: rita, status: 200},
		{name: "reviewer another's deviation", user: "rita", path: rob, status: 403},
		{name: "outsider session", user: "nina", path: session, status: 403},
		{name: "agent list", user: "anna", path: "/calibration", status: 403},
		{name: "agent bias", user: "anna", path: "/bias", status: 403},
		{name: "agent session", user: "anna", path: session, status: 403},
		{name: "unknown session", user: "maria", path: "/calibration/999", status: 404},
		{name: "session not a number", user: "maria", path: "/calibration/x", status: 404},
		{name: "bad bias date", user: "maria", path: "/bias?from=yesterday", status: 400},
		{name: "bad tolerance", user: "maria", path: "/bias?tolerance=-1", status: 400},
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
				t.Fatalf("GET %s = %d, want %d\n%s", tt.path, resp.StatusCode, tt.status, body)
			}
		})
	}
	out := f.browser(t)
	for _, path := range []string{"/calibration", "/calibration/new", session,
		session + "/comparison", "/bias", rita} {
		resp, _ := out.get(t, path)
		want := "/login?next=" + url.QueryEscape(path)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Errorf("GET %s signed out = %d to %q, want 303 to %q", path, resp.StatusCode,
				resp.Header.Get("Location"), want)
		}
	}
}

// TestWebCalibrationBlind: before the reveal no page shows anyone
// another's answers, managers included; then the manager reveals, and
// the comparison shows both.
func TestWebCalibrationBlind(t *testing.T) {
	f := newCalWebFixture(t)
	cs := f.open(t)
	f.score(t, cs, f.rob, calRobAnswers)
	session := fmt.Sprintf("/calibration/%d", cs.ID)
	rita, maria := f.signIn(t, "rita"), f.signIn(t, "maria")

	_, page := rita.get(t, session)
	for _, want := range []string{"Score this call", fmt.Sprintf("?evaluation=%d",
		calEvalOf(t, cs, f.reviewer.ID)), "submitted 0 of 1"} {
		if !strings.Contains(page, want) {
			t.Errorf("Rita's session page lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, `id="progress"`) {
		t.Errorf("Rita sees the others' progress:\n%s", page)
	}
	calListSays(t, rita, "Rita, before scoring", "<strong>to score (1 of 1 left)</strong>")
	f.score(t, cs, f.reviewer, calRitaAnswers)
	calListSays(t, rita, "Rita, after scoring", "submitted")
	calListSays(t, maria, "Maria, not a participant", `<span class="muted">not scoring</span>`)
	for name, b := range map[string]*browser{"rita": rita, "maria": maria} {
		for _, path := range []string{"/calibration", session, session + "/comparison"} {
			_, body := b.get(t, path)
			if strings.Contains(body, "58.3") || strings.Contains(body, calRobSecret) {
				t.Errorf("%s sees Rob's answers on %s before the reveal:\n%s", name, path, body)
			}
		}
	}
	_, page = maria.get(t, session)
	if !strings.Contains(page, `id="progress"`) || !strings.Contains(page, "Rob Reviewer") ||
		strings.Count(page, "1 of 1") != 2 || strings.Contains(page, "83.3") {
		t.Errorf("Maria's session page: progress without answers expected:\n%s", page)
	}
	calCheckReveal(t, f, cs, rita, maria)
}

// calListSays checks where the session list puts its one session for b.
func calListSays(t *testing.T, b *browser, who, want string) {
	t.Helper()
	_, page := b.get(t, "/calibration")
	if !strings.Contains(page, `<td class="mine">`+want+`</td>`) {
		t.Errorf("%s: the list's own-state cell is not %q:\n%s", who, want, page)
	}
}

func calEvalOf(t *testing.T, cs *qa.CalibrationSession, user int64) int64 {
	t.Helper()
	for _, e := range cs.Evaluations {
		if e.ReviewerID == user {
			return e.EvaluationID
		}
	}
	t.Fatalf("user %d has no evaluation in session %d", user, cs.ID)
	return 0
}

// calCheckReveal: the reveal refuses a reviewer, a form without its
// token and one not confirmed; the manager's confirmed reveal opens the
// comparison with both reviewers.
func calCheckReveal(t *testing.T, f *calWebFixture, cs *qa.CalibrationSession, rita,
	maria *browser,
) {
	t.Helper()
	session := fmt.Sprintf("/calibration/%d", cs.ID)
	_, page := maria.get(t, session)
	token := formToken(t, page)
	_, ritaPage := rita.get(t, session)
	ritaToken := formToken(t, ritaPage)
	posts := []struct {
		name   string
		b      *browser
		form   url.Values
		status int
		has    string
	}{
		{name: "reviewer", b: rita, form: url.Values{csrfField: {ritaToken}, "confirm": {"yes"}},
			status: 403, has: "needs the role"},
		{name: "no token", b: maria, form: url.Values{"confirm": {"yes"}}, status: 403,
			has: "out of date"},
		{name: "not confirmed", b: maria, form: url.Values{csrfField: {token}}, status: 400,
			has: "Tick the box"},
	}
	for _, p := range posts {
		resp, body := p.b.post(t, session+"/reveal", p.form)
		if resp.StatusCode != p.status || !strings.Contains(body, p.has) {
			t.Errorf("reveal, %s: %d, want %d with %q\n%s", p.name, resp.StatusCode, p.status,
				p.has, body)
		}
	}
	resp, _ := maria.post(t, session+"/reveal", url.Values{csrfField: {token}, "confirm": {"yes"}})
	if resp.StatusCode != http.StatusSeeOther ||
		resp.Header.Get("Location") != session+"/comparison?done=revealed" {
		t.Fatalf("reveal: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	for name, b := range map[string]*browser{"rita": rita, "maria": maria} {
		resp, body := b.get(t, session+"/comparison")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Rob Reviewer") ||
			!strings.Contains(body, "Rita Reviewer") || !strings.Contains(body, "deviation-chart") {
			t.Errorf("%s's comparison after the reveal: %d\n%s", name, resp.StatusCode, body)
		}
		if (name == "maria") != strings.Contains(body, `id="guidance-form"`) {
			t.Errorf("%s: the guidance form is for managers only", name)
		}
	}
}

// TestWebCalibrationNewSearchKeepsPicks: searching again from the
// new-session form keeps the calls ticked and what was typed.
func TestWebCalibrationNewSearchKeepsPicks(t *testing.T) {
	f := newCalWebFixture(t)
	maria := f.signIn(t, "maria")
	_, page := maria.get(t, "/calibration/new")
	form := url.Values{csrfField: {formToken(t, page)}, "title": {"Week 12"},
		"call_id": {f.callID}, "reviewer_id": {strconv.FormatInt(f.rob.ID, 10)},
		"search": {f.call2}}
	resp, body := maria.post(t, "/calibration/new", form)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("search: %d\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{`value="` + f.callID + `" id="call-` + f.callID + `" checked`,
		`value="` + f.call2 + `" id="call-` + f.call2 + `">`, `value="Week 12"`,
		`value="` + strconv.FormatInt(f.rob.ID, 10) + `" checked`, `Found for “` + f.call2 + `”`} {
		if !strings.Contains(body, want) {
			t.Errorf("after the search the page lacks %q", want)
		}
	}
	form.Del(csrfField)
	if resp, _ := maria.post(t, "/calibration/new", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("search without the token: %d, want 403", resp.StatusCode)
	}
	rita := f.signIn(t, "rita")
	_, page = rita.get(t, "/calibration")
	form.Set(csrfField, formToken(t, page))
	if resp, _ := rita.post(t, "/calibration/new", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a reviewer's search: %d, want 403", resp.StatusCode)
	}
}

// TestWebCalibrationNew: the new-session form lists calls and reviewers,
// keeps the input when qa refuses it, resolves a pasted SIP Call-ID, and
// opens the session.
func TestWebCalibrationNew(t *testing.T) {
	f := newCalWebFixture(t)
	maria := f.signIn(t, "maria")
	_, page := maria.get(t, "/calibration/new")
	for _, want := range []string{f.callID, f.call2, "Rob Reviewer", "Support calls"} {
		if !strings.Contains(page, want) {
			t.Errorf("the new-session page lacks %q", want)
		}
	}
	token := formToken(t, page)
	robID := strconv.FormatInt(f.rob.ID, 10)
	form := url.Values{csrfField: {token}, "title": {"Week 11"}, "form_id": {itoa(f.form.ID)},
		"call_id": {f.callID}, "reviewer_id": {robID}, "tolerance": {"4"}}
	resp, body := maria.post(t, "/calibration", form)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Participants: give 2") ||
		!strings.Contains(body, `value="`+robID+`" checked`) ||
		!strings.Contains(body, `value="Week 11"`) {
		t.Errorf("one participant: %d\n%s", resp.StatusCode, body)
	}
	form.Set("call_text", "no-such-call@pbx")
	if resp, body := maria.post(t, "/calibration", form); resp.StatusCode != 400 ||
		!strings.Contains(body, "no call has the id or SIP Call-ID") {
		t.Errorf("unknown Call-ID: %d\n%s", resp.StatusCode, body)
	}
	form.Del("call_id")
	form.Set("call_text", "web-"+f.call2+"@pbx.example.com")
	form["reviewer_id"] = []string{robID, itoa(f.reviewer.ID)}
	form.Del(csrfField)
	if resp, _ := maria.post(t, "/calibration", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("without the token: %d, want 403", resp.StatusCode)
	}
	form.Set(csrfField, token)
	resp, _ = maria.post(t, "/calibration", form)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(loc, "?done=opened") {
		t.Fatalf("open: %d to %q", resp.StatusCode, loc)
	}
	_, page = maria.get(t, loc)
	if !strings.Contains(page, "Session opened") || !strings.Contains(page, "Week 11") ||
		!strings.Contains(page, "±4 points") {
		t.Errorf("the new session's page:\n%s", page)
	}
	list, err := f.qa.ListCalibrations(t.Context(), f.manager)
	if err != nil || len(list) != 1 || list[0].Calls != 1 || list[0].Participants != 2 {
		t.Fatalf("sessions after the form: %+v %v", list, err)
	}
	cs, err := f.qa.GetCalibration(t.Context(), f.manager, list[0].ID)
	if err != nil || cs.Calls[0].CallID != f.call2 {
		t.Errorf("the pasted SIP Call-ID gave %+v %v, want call %s", cs.Calls, err, f.call2)
	}
}

// TestWebCalibrationDelete: a manager deletes a blind session from its
// page once confirmed; reviewers cannot, nor can anyone once revealed.
func TestWebCalibrationDelete(t *testing.T) {
	f := newCalWebFixture(t)
	cs := f.open(t)
	f.score(t, cs, f.rob, calRobAnswers)
	session := fmt.Sprintf("/calibration/%d", cs.ID)
	rita, maria := f.signIn(t, "rita"), f.signIn(t, "maria")
	_, page := maria.get(t, session)
	if !strings.Contains(page, `id="delete-form"`) {
		t.Fatalf("the manager's page of a blind session has no delete form:\n%s", page)
	}
	token := formToken(t, page)
	_, ritaPage := rita.get(t, session)
	if strings.Contains(ritaPage, `id="delete-form"`) {
		t.Error("a reviewer's page offers to delete the session")
	}
	if resp, _ := rita.post(t, session+"/delete", url.Values{csrfField: {formToken(t, ritaPage)},
		"confirm": {"yes"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a reviewer's delete: %d, want 403", resp.StatusCode)
	}
	resp, body := maria.post(t, session+"/delete", url.Values{csrfField: {token}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Tick the box") {
		t.Errorf("unconfirmed delete: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = maria.post(t, session+"/delete", url.Values{csrfField: {token}, "confirm": {"yes"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/calibration?done=deleted" {
		t.Fatalf("delete: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, page := maria.get(t, "/calibration?done=deleted"); !strings.Contains(page, "Session deleted") ||
		strings.Contains(page, "Week 10") {
		t.Errorf("the list after the delete:\n%s", page)
	}
	if resp, _ := maria.get(t, session); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the deleted session's page: %d, want 404", resp.StatusCode)
	}

	kept := f.open(t)
	if _, err := f.qa.RevealCalibration(t.Context(), f.manager, kept.ID); err != nil {
		t.Fatal(err)
	}
	keptPath := fmt.Sprintf("/calibration/%d", kept.ID)
	if _, page := maria.get(t, keptPath); strings.Contains(page, `id="delete-form"`) {
		t.Error("a revealed session's page offers to delete it")
	}
	resp, body = maria.post(t, keptPath+"/delete", url.Values{csrfField: {token}, "confirm": {"yes"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "revealed") {
		t.Errorf("delete of a revealed session: %d\n%s", resp.StatusCode, body)
	}
}
