package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"earshot/qa"
)

// TestWebDisputeFlow is a dispute end to end over HTTP: the agent
// disputes with a reason and a proposed answer, the manager finds it,
// re-scores with answers of their own and a note, and the agent sees
// the new score, the decision and the earlier score.
func TestWebDisputeFlow(t *testing.T) {
	f := newDashFixture(t)
	ev := f.annaScored(t)
	evPath := fmt.Sprintf("/agent/evaluations/%d", ev.ID)

	anna := f.signIn(t, "anna")
	_, page := anna.get(t, evPath)
	resp, body := anna.post(t, evPath+"/dispute", url.Values{csrfField: {formToken(t, page)},
		"comment": {"I greeted him: listen at 0:02"}, "p.greet": {"yes"}})
	pageStatus(t, "dispute", resp, body, http.StatusSeeOther)
	_, page = anna.get(t, resp.Header.Get("Location"))
	pageHas(t, "after disputing", page, "Dispute sent.", "open, waiting for a manager",
		"I greeted him: listen at 0:02")
	if strings.Contains(page, `id="send-dispute"`) {
		t.Error("a disputed evaluation still offers the dispute form")
	}
	ds, err := f.qa.ListDisputes(t.Context(), f.manager, qa.DisputeFilter{})
	if err != nil || len(ds) != 1 || ds[0].Proposed["greet"].Value != "yes" {
		t.Fatalf("disputes stored: %+v %v", ds, err)
	}
	d := ds[0]
	dPath := fmt.Sprintf("/disputes/%d", d.ID)

	maria := f.signIn(t, "maria")
	_, list := maria.get(t, "/disputes?status=open")
	pageHas(t, "open disputes", list, fmt.Sprintf(`href="%s"`, dPath), "Anna Agent",
		"I greeted him: listen at 0:02")
	_, resolved := maria.get(t, "/disputes?status=accepted")
	if strings.Contains(resolved, fmt.Sprintf(`href="%s"`, dPath)) {
		t.Error("the open dispute is listed as accepted")
	}
	_, page = maria.get(t, dPath)
	// The time in the agent's reason links to the call at that time.
	pageHas(t, "the dispute", page, "I greeted him: listen at "+
		fmt.Sprintf(`<a class="timestamp" href="/calls/%s?t=2" title="Play the call from 0:02">0:02</a>`, f.callID),
		`id="resolve-form"`,
		fmt.Sprintf(`href="/calls/%s?evaluation=%d"`, f.callID, ev.ID), "<strong>Yes</strong>")
	token := formToken(t, page)

	// A decision without a note is refused and nothing changes.
	resp, body = maria.post(t, dPath+"/resolve", url.Values{csrfField: {token},
		"decision": {"partly_accepted"}, "a.greet": {"yes"}, "a.empathy": {"4"}})
	pageStatus(t, "resolve without a note", resp, body, http.StatusBadRequest)
	pageHas(t, "resolve without a note", body, "Write a note for the agent", `<option value="4" selected>`)
	resp, body = maria.post(t, dPath+"/resolve", url.Values{"decision": {"rejected"}, "comment": {"no"}})
	pageStatus(t, "resolve without the CSRF token", resp, body, http.StatusForbidden)

	resp, body = maria.post(t, dPath+"/resolve", url.Values{csrfField: {token},
		"decision": {"partly_accepted"}, "a.greet": {"yes"}, "a.empathy": {"4"},
		"comment": {"You did greet him; empathy was better than scored"}})
	pageStatus(t, "resolve", resp, body, http.StatusSeeOther)
	after, err := f.qa.GetEvaluation(t.Context(), f.manager, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if *after.Score <= *ev.Score || after.Revision != 2 {
		t.Fatalf("re-scored evaluation: score %v (was %v), revision %d", *after.Score, *ev.Score, after.Revision)
	}
	_, page = maria.get(t, resp.Header.Get("Location"))
	pageHas(t, "the decided dispute", page, "Decision saved.", "partly_accepted by Maria Manager")
	if strings.Contains(page, `id="resolve"`) {
		t.Error("a decided dispute still offers the decision form")
	}

	// The agent sees the new score, the decision and the earlier score.
	_, page = anna.get(t, "/agent")
	pageHas(t, "anna's list after", page, webPercent(after.Score), "partly accepted: re-scored")
	_, page = anna.get(t, evPath)
	pageHas(t, "anna's evaluation after", page, webPercent(after.Score), "partly accepted: re-scored",
		"You did greet him; empathy was better than scored", "Earlier scores: "+webPercent(ev.Score))
}

// TestWebDisputeUphold: upholding keeps the score and tells the agent
// why.
func TestWebDisputeUphold(t *testing.T) {
	f := newDashFixture(t)
	ev := f.annaScored(t)
	d, err := f.qa.DisputeEvaluation(t.Context(), f.anna, ev.ID, qa.DisputeInput{Comment: "Unfair"})
	if err != nil {
		t.Fatal(err)
	}
	maria := f.signIn(t, "maria")
	dPath := fmt.Sprintf("/disputes/%d", d.ID)
	_, page := maria.get(t, dPath)
	if !strings.Contains(page, `id="d-accepted" value="accepted" disabled`) {
		t.Error("with no proposed answers, accepting them is still offered")
	}
	resp, body := maria.post(t, dPath+"/resolve", url.Values{csrfField: {formToken(t, page)},
		"decision": {"rejected"}, "comment": {"The greeting is missing at 0:02"}})
	pageStatus(t, "uphold", resp, body, http.StatusSeeOther)
	after, err := f.qa.GetEvaluation(t.Context(), f.manager, ev.ID)
	if err != nil || *after.Score != *ev.Score || after.Revision != 1 {
		t.Fatalf("upheld evaluation changed: %+v %v", after, err)
	}
	_, page = f.signIn(t, "anna").get(t, fmt.Sprintf("/agent/evaluations/%d", ev.ID))
	pageHas(t, "anna after", page, "rejected: the score stands", "The greeting is missing at 0:02")
}

// TestWebDisputeRoles: managers and admins decide; the reviewer of the
// evaluation reads its dispute but may not decide; another reviewer and
// agents do not see it.
func TestWebDisputeRoles(t *testing.T) {
	f := newDashFixture(t)
	ev := f.annaScored(t)
	d, err := f.qa.DisputeEvaluation(t.Context(), f.anna, ev.ID, qa.DisputeInput{Comment: "Unfair"})
	if err != nil {
		t.Fatal(err)
	}
	f.webUser(t, "otto", "Otto Reviewer", nil, qa.RoleReviewer)
	dPath := fmt.Sprintf("/disputes/%d", d.ID)
	tests := []struct {
		name, user, path string
		code             int
		// shows is on the page when it is 200.
		shows string
	}{
		{name: "manager list", user: "maria", path: "/disputes", code: 200, shows: dPath},
		{name: "admin list", user: "ada", path: "/disputes", code: 200, shows: dPath},
		{name: "admin dispute", user: "ada", path: dPath, code: 200, shows: `id="resolve-form"`},
		{name: "reviewer list", user: "rita", path: "/disputes", code: 200, shows: dPath},
		{name: "reviewer dispute", user: "rita", path: dPath, code: 200, shows: "Unfair"},
		{name: "other reviewer list", user: "otto", path: "/disputes", code: 200, shows: "No dispute"},
		{name: "other reviewer dispute", user: "otto", path: dPath, code: 403},
		{name: "agent list", user: "anna", path: "/disputes", code: 403},
		{name: "agent dispute", user: "anna", path: dPath, code: 403},
		{name: "no such dispute", user: "maria", path: "/disputes/424242", code: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := f.signIn(t, tt.user).get(t, tt.path)
			pageStatus(t, tt.name, resp, body, tt.code)
			if tt.shows != "" {
				pageHas(t, tt.name, body, tt.shows)
			}
			if tt.user == "rita" && strings.Contains(body, `id="resolve"`) {
				t.Error("the reviewer is offered the decision form")
			}
		})
	}
	rita := f.signIn(t, "rita")
	_, page := rita.get(t, dPath)
	resp, body := rita.post(t, dPath+"/resolve", url.Values{csrfField: {formToken(t, page)},
		"decision": {"rejected"}, "comment": {"no"}})
	pageStatus(t, "reviewer resolves", resp, body, http.StatusForbidden)
	resp, _ = f.browser(t).get(t, "/disputes")
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("signed out: %d", resp.StatusCode)
	}
}
