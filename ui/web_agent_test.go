package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"earshot/qa"
	"earshot/storage"
)

// The agent's pages: each evaluation with Acknowledge and Dispute, and
// coaching items; an agent reaches only their own.

// dashFixture is the web fixture with a second agent, Ben (user ben), an
// admin (ada), and helpers that score calls.
type dashFixture struct {
	*webFixture
	ben      *qa.User
	benAgent int64
	admin    *qa.User
}

func newDashFixture(t *testing.T) *dashFixture {
	t.Helper()
	f := &dashFixture{webFixture: newWebFixture(t)}
	ctx := t.Context()
	team, err := f.qa.CreateTeam(ctx, "Night shift")
	if err != nil {
		t.Fatal(err)
	}
	ben, err := f.qa.CreateAgent(ctx, qa.AgentInput{Name: "Ben Agent", TeamID: &team.ID})
	if err != nil {
		t.Fatal(err)
	}
	f.benAgent = ben.ID
	if _, err := f.qa.AddIdentity(ctx, ben.ID, qa.Identity{Kind: qa.IdentityUser, Value: "ben"}); err != nil {
		t.Fatal(err)
	}
	f.ben = f.webUser(t, "ben", "Ben Agent", &ben.ID, qa.RoleAgent)
	f.admin = f.webUser(t, "ada", "Ada Admin", nil, qa.RoleAdmin)
	return f
}

// benCall indexes a call Ben took (no audio: the pages here do not play
// it), with talk figures for the KPIs.
func (f *dashFixture) benCall(t *testing.T, start time.Time, talk [2]int64) string {
	t.Helper()
	id := storage.NewRecordingID(start)
	sc := &storage.Sidecar{RecordingID: id, SIPCallID: "ben-" + id + "@pbx.example.com",
		StartedAt: start, EndedAt: start.Add(60 * time.Second), DurationMS: 60000,
		Audio: storage.Audio{Encoding: "pcmu", SampleRate: 8000, Channels: 2},
		Participants: []storage.Participant{
			{Channel: 0, Name: "Ben Agent", SIPAddress: "sip:ben@pbx.example.com", Role: "caller"},
			{Channel: 1, Name: "Customer", SIPAddress: "sip:+15550111@carrier.example.net", Role: "callee"},
		},
		Talk: &storage.TalkMetrics{TalkMS: talk, SilenceMS: 9000, OvertalkMS: 1200, LongestSilenceMS: 4000},
	}
	if err := f.cat.Index(t.Context(), sc); err != nil {
		t.Fatal(err)
	}
	if err := f.qa.OnCallIndexed(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	return id
}

// score scores a call as reviewer with the given empathy (1 to 5) and
// greeting, and submits it.
func (f *dashFixture) score(t *testing.T, reviewer *qa.User, call, greet, empathy string) *qa.Evaluation {
	t.Helper()
	ctx := t.Context()
	ev, err := f.qa.CreateEvaluation(ctx, f.manager, qa.NewEvaluation{CallID: call, FormID: f.form.ID,
		ReviewerID: reviewer.ID})
	if err != nil {
		t.Fatal(err)
	}
	answers := map[string]qa.Answer{"greet": {Value: greet, Comment: "said " + greet},
		"verify": {Value: "yes"}, "empathy": {Value: empathy}, "hold": {NA: true}}
	if _, err := f.qa.SaveDraft(ctx, reviewer, ev.ID, qa.Draft{Answers: answers}); err != nil {
		t.Fatal(err)
	}
	ev, err = f.qa.Submit(ctx, reviewer, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// annaScored gives Anna one evaluation by the reviewer, of her fixture
// call.
func (f *dashFixture) annaScored(t *testing.T) *qa.Evaluation {
	t.Helper()
	return f.score(t, f.reviewer, f.callID, "no", "3")
}

func pageStatus(t *testing.T, what string, resp *http.Response, body string, code int) {
	t.Helper()
	if resp.StatusCode != code {
		t.Fatalf("%s: %d, want %d\n%s", what, resp.StatusCode, code, body)
	}
}

func pageHas(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: the page lacks %q", what, w)
		}
	}
}

func TestWebAgentEvaluationPage(t *testing.T) {
	f := newDashFixture(t)
	ev := f.annaScored(t)
	path := fmt.Sprintf("/agent/evaluations/%d", ev.ID)

	anna := f.signIn(t, "anna")
	resp, page := anna.get(t, path)
	pageStatus(t, "anna's evaluation", resp, page, http.StatusOK)
	window, err := f.qa.DisputeWindow(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	deadline := webClock(ev.SubmittedAt.Add(window))
	pageHas(t, "anna's evaluation", page, webPercent(ev.Score), "Greeted the caller by name",
		"said no", `id="acknowledge"`, `id="send-dispute"`, "You may dispute this evaluation until "+deadline,
		fmt.Sprintf(`href="/calls/%s?evaluation=%d"`, f.callID, ev.ID))

	// The list links to it.
	_, list := anna.get(t, "/agent")
	pageHas(t, "anna's list", list, fmt.Sprintf(`href="/agent/evaluations/%d"`, ev.ID), "to read")

	tests := []struct {
		name, user string
		code       int
	}{
		{name: "another agent", user: "ben", code: http.StatusForbidden},
		{name: "the reviewer", user: "rita", code: http.StatusForbidden},
		{name: "a manager", user: "maria", code: http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := f.signIn(t, tt.user).get(t, path)
			pageStatus(t, tt.name, resp, body, tt.code)
			if strings.Contains(body, "said no") {
				t.Errorf("%s sees the evaluation's answers", tt.name)
			}
		})
	}
	resp, _ = f.browser(t).get(t, path)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("signed out: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body := anna.get(t, "/agent/evaluations/999999")
	pageStatus(t, "no such evaluation", resp, body, http.StatusNotFound)
}

func TestWebAgentAcknowledge(t *testing.T) {
	f := newDashFixture(t)
	ev := f.annaScored(t)
	path := fmt.Sprintf("/agent/evaluations/%d", ev.ID)
	anna := f.signIn(t, "anna")
	_, page := anna.get(t, path)
	token := formToken(t, page)

	resp, body := anna.post(t, path+"/acknowledge", nil)
	pageStatus(t, "acknowledge without the CSRF token", resp, body, http.StatusForbidden)
	ben := f.signIn(t, "ben")
	_, benPage := ben.get(t, "/agent")
	resp, body = ben.post(t, path+"/acknowledge", url.Values{csrfField: {formToken(t, benPage)}})
	pageStatus(t, "ben acknowledges anna's", resp, body, http.StatusForbidden)
	got, err := f.qa.GetEvaluation(t.Context(), f.manager, ev.ID)
	if err != nil || got.AcknowledgedAt != nil {
		t.Fatalf("a refused acknowledgement was stored: %v %v", got.AcknowledgedAt, err)
	}

	resp, body = anna.post(t, path+"/acknowledge", url.Values{csrfField: {token}})
	pageStatus(t, "acknowledge", resp, body, http.StatusSeeOther)
	_, page = anna.get(t, resp.Header.Get("Location"))
	pageHas(t, "after acknowledging", page, "Evaluation acknowledged.", `id="acknowledged"`)
	if strings.Contains(page, `id="send-dispute"`) || strings.Contains(page, `id="acknowledge"`) {
		t.Error("an acknowledged evaluation still offers Acknowledge or Dispute")
	}
	resp, body = anna.post(t, path+"/acknowledge", url.Values{csrfField: {token}})
	pageStatus(t, "acknowledge twice", resp, body, http.StatusConflict)
	pageHas(t, "acknowledge twice", body, "already acknowledged")
}

func TestWebAgentDisputeRefused(t *testing.T) {
	f := newDashFixture(t)
	ev := f.annaScored(t)
	path := fmt.Sprintf("/agent/evaluations/%d", ev.ID)
	anna := f.signIn(t, "anna")
	_, page := anna.get(t, path)
	token := formToken(t, page)

	resp, body := anna.post(t, path+"/dispute", url.Values{csrfField: {token}, "comment": {"  "},
		"p.empathy": {"5"}})
	pageStatus(t, "dispute without a reason", resp, body, http.StatusBadRequest)
	pageHas(t, "dispute without a reason", body, "Give a reason", `<option value="5" selected>`)

	// Past the window, qa refuses and the page says until when it was.
	if err := f.qa.SetDisputeWindow(t.Context(), time.Minute); err != nil {
		t.Fatal(err)
	}
	later := ev.SubmittedAt.Add(2 * time.Minute)
	f.qa.SetClock(func() time.Time { return later })
	defer f.qa.SetClock(time.Now)
	resp, body = anna.post(t, path+"/dispute", url.Values{csrfField: {token}, "comment": {"Too late?"}})
	pageStatus(t, "dispute after the window", resp, body, http.StatusConflict)
	pageHas(t, "dispute after the window", body, "The dispute was not sent", "ended on",
		"Too late?")
	ds, err := f.qa.ListDisputes(t.Context(), f.manager, qa.DisputeFilter{})
	if err != nil || len(ds) != 0 {
		t.Fatalf("refused disputes were stored: %v %v", ds, err)
	}
}

func TestWebAgentCoaching(t *testing.T) {
	f := newDashFixture(t)
	ev := f.annaScored(t)
	item, err := f.qa.AddCoaching(t.Context(), f.manager, qa.NewCoaching{EvaluationID: ev.ID,
		Focus: []string{"greet"}, Note: "Say your name first"})
	if err != nil {
		t.Fatal(err)
	}
	anna := f.signIn(t, "anna")
	_, page := anna.get(t, "/agent")
	pageHas(t, "anna's page", page, "Say your name first", "Work on: Greeted the caller by name",
		fmt.Sprintf(`action="/agent/coaching/%d/done"`, item.ID))
	_, benPage := f.signIn(t, "ben").get(t, "/agent")
	if strings.Contains(benPage, "Say your name first") {
		t.Error("ben sees anna's coaching")
	}
	ben := f.signIn(t, "ben")
	_, benPage = ben.get(t, "/agent")
	done := fmt.Sprintf("/agent/coaching/%d/done", item.ID)
	resp, body := ben.post(t, done, url.Values{csrfField: {formToken(t, benPage)}})
	pageStatus(t, "ben marks anna's item done", resp, body, http.StatusForbidden)

	resp, body = anna.post(t, done, url.Values{csrfField: {formToken(t, page)}})
	pageStatus(t, "mark done", resp, body, http.StatusSeeOther)
	_, page = anna.get(t, "/agent?done=coaching")
	pageHas(t, "after marking done", page, "Coaching item marked done.", "done 20")
	if strings.Contains(page, fmt.Sprintf(`action="%s"`, done)) {
		t.Error("a done item still offers Mark done")
	}
}

// TestWebAgentSeesOnlyOwn: the agent's list holds their evaluations and
// none of another agent's.
func TestWebAgentSeesOnlyOwn(t *testing.T) {
	f := newDashFixture(t)
	annas := f.annaScored(t)
	bens := f.score(t, f.reviewer, f.benCall(t, time.Now().Add(-time.Hour), [2]int64{20000, 25000}),
		"yes", "5")
	_, page := f.signIn(t, "anna").get(t, "/agent")
	pageHas(t, "anna's page", page, fmt.Sprintf(`data-evaluation="%d"`, annas.ID))
	if strings.Contains(page, fmt.Sprintf(`data-evaluation="%d"`, bens.ID)) {
		t.Error("anna's page lists ben's evaluation")
	}
	resp, body := f.signIn(t, "anna").get(t, fmt.Sprintf("/agent/evaluations/%d", bens.ID))
	pageStatus(t, "anna opens ben's evaluation", resp, body, http.StatusForbidden)
}
