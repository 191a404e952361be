package ui

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestWebCoaching: a manager coaches from a submitted evaluation on the
// call page; the item shows there, open, and on the agent's own page of
// the evaluation, as text; once the agent marks it done the call page
// says so.
func TestWebCoaching(t *testing.T) {
	f := newDashFixture(t)
	ev := f.annaScored(t)
	callPage := fmt.Sprintf("/calls/%s?evaluation=%d", f.callID, ev.ID)
	post := fmt.Sprintf("/evaluations/%d/coaching", ev.ID)
	maria := f.signIn(t, "maria")
	_, page := maria.get(t, callPage)
	pageHas(t, "before", page, `id="coaching-form"`, "No coaching item from this evaluation yet.",
		`<input type="checkbox" name="focus" value="greet"> Greeted the caller by name`)

	note := "Say your name first " + xssName
	resp, page := maria.post(t, post, url.Values{csrfField: {formToken(t, page)},
		"note": {note}, "focus": {"greet"}, "due": {"2099-05-01T17:00"}})
	pageStatus(t, "add", resp, page, http.StatusSeeOther)
	_, page = maria.get(t, resp.Header.Get("Location"))
	pageHas(t, "added", page, "Coaching item added", html.EscapeString(note),
		"Work on: Greeted the caller by name",
		`<span class="badge">open</span> due 2099-05-01 17:00 UTC`)
	if strings.Contains(page, xssName) {
		t.Error("the note is printed as markup")
	}

	anna := f.signIn(t, "anna")
	_, page = anna.get(t, fmt.Sprintf("/agent/evaluations/%d", ev.ID))
	pageHas(t, "agent's page", page, "Coaching from this evaluation", html.EscapeString(note),
		"Work on: Greeted the caller by name")
	id := regexp.MustCompile(`/agent#coaching-(\d+)`).FindStringSubmatch(page)
	if id == nil {
		t.Fatalf("the agent cannot mark the item done:\n%s", page)
	}
	anna.post(t, "/agent/coaching/"+id[1]+"/done", url.Values{csrfField: {formToken(t, page)}})
	_, page = maria.get(t, callPage)
	pageHas(t, "done", page, `<span class="badge ok">done</span>`)
}

// TestWebCoachingRefused: an empty note comes back with the due time
// typed; an agent, and a post without the token, are refused; the
// reviewer of the evaluation may coach from it.
func TestWebCoachingRefused(t *testing.T) {
	f := newDashFixture(t)
	ev := f.annaScored(t)
	callPage := fmt.Sprintf("/calls/%s?evaluation=%d", f.callID, ev.ID)
	post := fmt.Sprintf("/evaluations/%d/coaching", ev.ID)
	maria := f.signIn(t, "maria")
	token := csrfOf(t, maria)
	resp, page := maria.post(t, post, url.Values{csrfField: {token}, "note": {"  "},
		"due": {"2099-05-01T17:00"}, "focus": {"verify"}})
	pageStatus(t, "empty note", resp, page, http.StatusBadRequest)
	pageHas(t, "empty note", page,
		"The coaching item was not added: note: say what the agent should work on",
		`value="2099-05-01T17:00"`, `value="verify" checked`)
	resp, page = maria.post(t, post, url.Values{csrfField: {token}, "note": {"Listen"},
		"due": {"next week"}})
	pageStatus(t, "bad due", resp, page, http.StatusBadRequest)
	pageHas(t, "bad due", page, "want a date and time such as", `>Listen</textarea>`)

	resp, page = maria.post(t, post, url.Values{"note": {"forged"}})
	pageStatus(t, "no token", resp, page, http.StatusForbidden)
	anna := f.signIn(t, "anna")
	resp, page = anna.post(t, post, url.Values{csrfField: {csrfOf(t, anna)}, "note": {"self"}})
	pageStatus(t, "agent", resp, page, http.StatusForbidden)
	if _, page = anna.get(t, callPage); strings.Contains(page, `id="coaching-form"`) {
		t.Error("the agent is shown the coaching form")
	}

	rita := f.signIn(t, "rita")
	resp, page = rita.post(t, post, url.Values{csrfField: {csrfOf(t, rita)}, "note": {"From Rita"}})
	pageStatus(t, "reviewer", resp, page, http.StatusSeeOther)
	_, page = maria.get(t, callPage)
	pageHas(t, "listed", page, "From Rita")
	if strings.Contains(page, "forged") || strings.Contains(page, "self") {
		t.Error("a refused post added an item")
	}
}
