package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"earshot/qa"
)

// TestWebSamplingTakeOut: on a stored draw's page a manager takes a
// sampled call out with a reason; Bo, with calls to spare, gets another,
// Cy, with none, falls short; the reason shows, is kept and audited; a
// call cannot be taken out twice, nor without a reason, nor by a reviewer.
func TestWebSamplingTakeOut(t *testing.T) {
	w := newSamplingWeb(t)
	maria := w.signIn(t, "maria")
	w.createPlan(t, maria, nil)
	plans, err := w.qa.ListPlans(t.Context(), w.manager)
	if err != nil {
		t.Fatal(err)
	}
	seed := int64(5)
	d, err := w.qa.Draw(t.Context(), w.manager, qa.DrawRequest{PlanID: plans[0].ID, Period: "2026-03-04", Seed: &seed})
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/sampling/draws/%d", d.ID)
	_, page := maria.get(t, path)
	bo, cy := firstCallOf(t, d, w.bo.ID), firstCallOf(t, d, w.cy.ID)
	if !strings.Contains(page, `name="call_id" value="`+bo+`"`) {
		t.Fatalf("the draw page offers no form to take Bo's call %s out", bo)
	}
	takeOut := func(b *browser, call, reason string) (*http.Response, string) {
		_, page := b.get(t, path)
		return b.post(t, path+"/replace", url.Values{csrfField: {formToken(t, page)},
			"call_id": {call}, "reason": {reason}})
	}

	resp, body := takeOut(maria, bo, "wrong number, no conversation")
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther ||
		loc != path+"?notice=replaced#draw-calls" {
		t.Fatalf("take out Bo's call: %d to %q\n%s", resp.StatusCode, loc, body)
	}
	_, page = maria.get(t, path+"?notice=replaced")
	pageHas(t, "the draw after taking Bo's call out", page, drawNotices["replaced"],
		"taken out: wrong number, no conversation, replaced")
	after, err := w.qa.GetDraw(t.Context(), w.manager, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := activeCalls(after, w.bo.ID); n != 3 {
		t.Errorf("Bo has %d calls in the draw after the replacement, want 3", n)
	}

	resp, body = takeOut(maria, cy, "customer hung up at once")
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "notice=removed") {
		t.Errorf("take out Cy's call: %d to %q\n%s", resp.StatusCode, loc, body)
	}

	refusals := []struct {
		name   string
		b      *browser
		call   string
		reason string
		want   int
		says   string
	}{
		{"again", maria, bo, "twice", http.StatusConflict, "was already replaced"},
		{"without a reason", maria, firstCallOf(t, after, w.bo.ID), " ", http.StatusBadRequest, "say why"},
		{"a call not in the draw", maria, "01NOSUCHCALL", "x", http.StatusNotFound, "Not taken out"},
		{"by a reviewer", w.signIn(t, "rita"), bo, "x", http.StatusForbidden, ""},
	}
	for _, r := range refusals {
		resp, body := takeOut(r.b, r.call, r.reason)
		if resp.StatusCode != r.want || !strings.Contains(body, r.says) {
			t.Errorf("take out %s: %d, want %d saying %q\n%s", r.name, resp.StatusCode, r.want, r.says, body)
		}
	}
	log, err := w.qa.ListAudit(t.Context(), qa.AuditFilter{ObjectType: "draw", ObjectID: fmt.Sprint(d.ID)})
	if err != nil || len(log) != 2 || log[1].Detail["reason"] != "wrong number, no conversation" {
		t.Errorf("audit of the draw = %+v, %v; want both takings-out with their reasons", log, err)
	}
}

// firstCallOf is the first call of agent still in draw d.
func firstCallOf(t *testing.T, d *qa.Draw, agent int64) string {
	t.Helper()
	for _, it := range d.Items {
		if it.AgentID == agent && it.Replaced == nil {
			return it.CallID
		}
	}
	t.Fatalf("draw %d has no call of agent %d", d.ID, agent)
	return ""
}

// activeCalls counts the calls of agent still in draw d.
func activeCalls(d *qa.Draw, agent int64) int {
	seen := map[string]bool{}
	for _, it := range d.Items {
		if it.AgentID == agent && it.Replaced == nil {
			seen[it.CallID] = true
		}
	}
	return len(seen)
}
