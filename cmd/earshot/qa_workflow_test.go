package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"earshot/storage/catalog"
)

// The answers the reviewers give, with the scores docs/scoring.md gives
// them on qaForm. Opening (section weight 1): greet w1, verify w2 critical
// for the form. Resolution (weight 3): empathy 1-5 w2, resolved (full 10,
// partial 5, none 0) w3, name yes/no w1 with N/A allowed.
var (
	// Opening (1·1 + 2·1)/3 = 1; Resolution (2·0.75 + 3·0.5)/(2+3) = 0.6,
	// name N/A left out; score 100·(1·1 + 3·0.6)/4 = 70.
	answersA = map[string]qaAnswer{"greet": {Value: "yes"}, "verify": {Value: "yes"},
		"empathy": {Value: "4"}, "resolved": {Value: "partial"}, "name": {NA: true}}
	scoreA = 70.0
	// Opening (1·0 + 2·1)/3 = 2/3; Resolution (2·1 + 3·1 + 1·1)/6 = 1;
	// score 100·(2/3 + 3·1)/4 = 91.666...
	answersB = map[string]qaAnswer{"greet": {Value: "no"}, "verify": {Value: "yes"},
		"empathy": {Value: "5"}, "resolved": {Value: "full"}, "name": {Value: "yes"}}
	scoreB = 100 * (2.0/3 + 3) / 4
	// verify = no fails the form-level critical question: score 0.
	answersC = map[string]qaAnswer{"greet": {Value: "yes"}, "verify": {Value: "no"},
		"empathy": {Value: "3"}, "resolved": {Value: "none"}, "name": {Value: "no"}}
	scoreC = 0.0
	// C with verify = yes, as the agent's accepted dispute proposes:
	// Opening (1+2)/3 = 1; Resolution (2·0.5 + 3·0 + 1·0)/6 = 1/6;
	// score 100·(1·1 + 3·(1/6))/4 = 37.5.
	scoreCDisputed = 37.5
)

// qaForm is the scorecard of the test, as a manager posts it.
var qaForm = map[string]any{
	"name": "Inbound support",
	"sections": []any{
		map[string]any{"id": "opening", "title": "Opening", "weight": 1, "questions": []any{
			map[string]any{"id": "greet", "text": "Greeted the caller", "type": "yes_no", "weight": 1},
			map[string]any{"id": "verify", "text": "Verified the caller's identity", "type": "yes_no",
				"weight": 2, "critical": "form", "guidance": "Two of: date of birth, postcode, PIN"},
		}},
		map[string]any{"id": "resolution", "title": "Resolution", "weight": 3, "questions": []any{
			map[string]any{"id": "empathy", "text": "Showed empathy", "type": "scale",
				"min": 1, "max": 5, "weight": 2},
			map[string]any{"id": "resolved", "text": "Resolved the issue", "type": "choice",
				"weight": 3, "options": []any{
					map[string]any{"value": "full", "label": "Fully", "points": 10},
					map[string]any{"value": "partial", "label": "In part", "points": 5},
					map[string]any{"value": "none", "label": "Not at all", "points": 0}}},
			map[string]any{"id": "name", "text": "Used the caller's name", "type": "yes_no",
				"weight": 1, "allow_na": true},
		}},
	},
}

// qaSeed is the fixed seed of the test's draws.
const qaSeed = 20261203

// qaWorld is what the workflow has set up so far in the running binary.
type qaWorld struct {
	p            *earshotProcess
	admin        string
	teamID       int64
	alice, bob   int64
	reviewers    []qaPerson
	agent        qaPerson
	calls        []catalog.Call
	formVersion  int64
	calibration  int64             // the admin's calibration evaluation
	expected     map[int64]float64 // non-calibration evaluation id -> its score
	evalA, evalC int64             // the evaluations given answers A and C
}

// TestQAWorkflow runs the daily QA workflow through the JSON API of the
// real binary: people and agents, calls recorded over SIP, a form, a
// seeded draw that creates draft evaluations, reviewers scoring them (and
// a calibration evaluation that must count nowhere), the agent
// acknowledging and disputing, a manager's decision, the reports, the
// role checks on the way, and a repeated draw that must not hand a
// reviewer a second evaluation of a call.
func TestQAWorkflow(t *testing.T) {
	sipAddr := fmt.Sprintf("127.0.0.1:%d", freeSIPPort(t))
	p := startEarshot(t, "EARSHOT_SIP_LISTEN="+sipAddr, "EARSHOT_RTP_PORTS=46000-46099",
		"EARSHOT_RTP_BIND=127.0.0.1", "EARSHOT_RTP_TIMEOUT=10s")
	w := setUpPeople(t, p)
	w.calls = recordCalls(t, p, sipAddr, 4, time.Second)
	w.checkCallsMapped(t)
	w.createForm(t)
	draw, period := w.drawWeek(t)
	w.checkDrawRepeats(t, draw, period)
	w.scoreCalibration(t, draw)
	w.scoreDrafts(t, draw)
	w.acknowledgeAndDispute(t)
	w.checkAgentReport(t)
	w.checkKPIs(t)
	w.checkRoles(t)
	w.checkRedrawAddsNoDuplicate(t, draw, period)
	stopEarshot(t, p)
}

// setUpPeople creates, as the admin, the team with Alice and Bob as
// agents, each owning their address in the stored INVITE's metadata, two
// reviewers and Bob's own account.
func setUpPeople(t *testing.T, p *earshotProcess) *qaWorld {
	w := &qaWorld{p: p, admin: p.adminToken(t), expected: map[int64]float64{}}
	var team struct {
		ID int64 `json:"id"`
	}
	apiMust(t, p, w.admin, http.MethodPost, "/api/v1/teams", map[string]any{"name": "Billing"},
		http.StatusCreated, &team)
	w.teamID = team.ID
	w.alice = w.addAgent(t, "Alice Carter", "sip:alice@atlanta.example.com")
	w.bob = w.addAgent(t, "Bob Nguyen", "sip:bob@biloxi.example.com")
	w.reviewers = []qaPerson{
		addPerson(t, p, "rita", []string{"reviewer"}, 0),
		addPerson(t, p, "ravi", []string{"reviewer"}, 0),
	}
	w.agent = addPerson(t, p, "bob", []string{"agent"}, w.bob)
	return w
}

// addAgent creates an agent of the team with one SIP address.
func (w *qaWorld) addAgent(t *testing.T, name, address string) int64 {
	t.Helper()
	var a struct {
		ID     int64  `json:"id"`
		TeamID *int64 `json:"team_id"`
	}
	apiMust(t, w.p, w.admin, http.MethodPost, "/api/v1/agents",
		map[string]any{"name": name, "team_id": w.teamID}, http.StatusCreated, &a)
	if a.TeamID == nil || *a.TeamID != w.teamID {
		t.Fatalf("agent %s: team_id = %v, want %d", name, a.TeamID, w.teamID)
	}
	apiMust(t, w.p, w.admin, http.MethodPost, fmt.Sprintf("/api/v1/agents/%d/identities", a.ID),
		map[string]any{"kind": "address", "value": address}, http.StatusOK, nil)
	return a.ID
}

// reviewer returns the reviewer of the pool with the user id, or nil.
func (w *qaWorld) reviewer(id int64) *qaPerson {
	for i := range w.reviewers {
		if w.reviewers[i].id == id {
			return &w.reviewers[i]
		}
	}
	return nil
}

// checkCallsMapped checks that every call went to Bob, the callee (a call
// between two agents is the callee's). The call answers carry no agent,
// so this asks as Bob, who lists only his own calls. A call is linked
// just after it is listed, so this waits for it, up to 10 s.
func (w *qaWorld) checkCallsMapped(t *testing.T) {
	var want []string
	for _, c := range w.calls {
		want = append(want, c.ID)
	}
	slices.Sort(want)
	var got []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		var list struct {
			Calls []catalog.Call `json:"calls"`
		}
		apiMust(t, w.p, w.agent.token, http.MethodGet, "/api/v1/calls", nil, http.StatusOK, &list)
		got = got[:0]
		for _, c := range list.Calls {
			got = append(got, c.ID)
		}
		slices.Sort(got)
		if slices.Equal(got, want) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("Bob lists calls %v, want the 4 recorded %v", got, want)
}

// createForm posts the form as the admin and keeps its first version.
func (w *qaWorld) createForm(t *testing.T) {
	var form struct {
		ID     int64 `json:"id"`
		Latest struct {
			ID      int64 `json:"id"`
			Version int   `json:"version"`
		} `json:"latest"`
	}
	apiMust(t, w.p, w.admin, http.MethodPost, "/api/v1/forms", qaForm, http.StatusCreated, &form)
	if form.Latest.Version != 1 || form.Latest.ID == 0 {
		t.Fatalf("new form's latest version = %+v, want version 1", form.Latest)
	}
	w.formVersion = form.Latest.ID
}

// plan is the sampling plan of the test: 3 calls per agent per week from
// the team, reviewed by both reviewers, with drafts on the form version
// when it is not zero.
func (w *qaWorld) plan(name string, formVersion int64) map[string]any {
	pl := map[string]any{"name": name, "period": "week", "quota": 3, "time_zone": "UTC",
		"filters": map[string]any{"team_ids": []int64{w.teamID}},
		"reviewers": []any{map[string]any{"user_id": w.reviewers[0].id},
			map[string]any{"user_id": w.reviewers[1].id}}}
	if formVersion != 0 {
		pl["form_version_id"] = formVersion
	}
	return pl
}

// drawPlan creates a plan and draws it for the week of period with the
// fixed seed; it returns the draw and its body.
func (w *qaWorld) drawPlan(t *testing.T, plan map[string]any, period string) (qaDraw, []byte) {
	t.Helper()
	var created struct {
		ID int64 `json:"id"`
	}
	apiMust(t, w.p, w.admin, http.MethodPost, "/api/v1/sampling/plans", plan,
		http.StatusCreated, &created)
	var d qaDraw
	body := apiMust(t, w.p, w.admin, http.MethodPost,
		fmt.Sprintf("/api/v1/sampling/plans/%d/draws", created.ID),
		map[string]any{"period": period, "seed": qaSeed}, http.StatusCreated, &d)
	return d, body
}

// drawWeek draws this week's sample and checks its report: Bob has 4
// eligible calls and gets 3, spread over both reviewers; Alice, with no
// call of her own, gets none and falls 3 short.
func (w *qaWorld) drawWeek(t *testing.T) (qaDraw, string) {
	period := w.calls[0].StartedAt.UTC().Format(time.DateOnly)
	for _, c := range w.calls {
		y0, w0 := w.calls[0].StartedAt.UTC().ISOWeek()
		if y, wk := c.StartedAt.UTC().ISOWeek(); y != y0 || wk != w0 {
			t.Fatalf("the calls straddle two ISO weeks (%s and %s); run the test again",
				w.calls[0].StartedAt, c.StartedAt)
		}
	}
	d, body := w.drawPlan(t, w.plan("Billing weekly", w.formVersion), period)
	logDraw(t, body)
	if d.Seed != qaSeed {
		t.Errorf("draw seed = %d, want the %d asked for", d.Seed, qaSeed)
	}
	alice, bob := findAgentDraw(t, d, w.alice), findAgentDraw(t, d, w.bob)
	if bob.Quota != 3 || bob.Eligible != 4 || bob.Drawn != 3 || bob.Shortfall != 0 {
		t.Errorf("Bob's draw = %+v, want quota 3, eligible 4, drawn 3, shortfall 0", bob)
	}
	if alice.Eligible != 0 || alice.Drawn != 0 || alice.Shortfall != 3 {
		t.Errorf("Alice's draw = %+v, want eligible 0, drawn 0, shortfall 3", alice)
	}
	reviewers := []int64{w.reviewers[0].id, w.reviewers[1].id}
	if got := slices.Sorted(slices.Values(bob.Reviewers)); !slices.Equal(got, reviewers) {
		t.Errorf("Bob's reviewers = %v, want both %v: nobody decides his score alone", got, reviewers)
	}
	r := d.Report
	if r.Drawn != 3 || r.Shortfall != 3 || r.Unassigned != 0 || r.SecondReviewsWanted != 0 {
		t.Errorf("draw totals = %+v, want drawn 3, shortfall 3, none unassigned, "+
			"no second review (10%% of 3 rounds to 0)", r)
	}
	w.checkDrawItems(t, d)
	return d, period
}

// checkDrawItems checks that the draw picked 3 different calls of Bob
// among those recorded, each with a reviewer of the pool and a draft.
func (w *qaWorld) checkDrawItems(t *testing.T, d qaDraw) {
	t.Helper()
	if len(d.Items) != 3 {
		t.Fatalf("draw has %d items, want 3", len(d.Items))
	}
	seen := map[string]bool{}
	for _, it := range d.Items {
		recorded := slices.ContainsFunc(w.calls,
			func(c catalog.Call) bool { return c.ID == it.CallID })
		if !recorded || seen[it.CallID] || it.AgentID != w.bob || it.SecondReview {
			t.Errorf("draw item %+v: want a first review of a distinct recorded call of Bob", it)
		}
		seen[it.CallID] = true
		if it.ReviewerID == nil || w.reviewer(*it.ReviewerID) == nil {
			t.Errorf("draw item %+v: reviewer not from the pool", it)
		}
		if it.EvaluationID == nil {
			t.Errorf("draw item %+v: no draft evaluation, though the plan names a form version", it)
		}
	}
}

// checkDrawRepeats checks that the draw is stored with its seed and
// parameters, and that a second plan with the same definition drawn with
// the same seed picks the same calls for the same reviewers. The second
// plan names no form version, so that it creates no second set of drafts
// for the reviewers; drafts do not take part in the random choice.
func (w *qaWorld) checkDrawRepeats(t *testing.T, first qaDraw, period string) {
	var stored qaDraw
	apiMust(t, w.p, w.admin, http.MethodGet, fmt.Sprintf("/api/v1/sampling/draws/%d", first.ID),
		nil, http.StatusOK, &stored)
	pm := stored.Params
	if stored.Seed != qaSeed || pm.Algorithm == "" || pm.Plan.Quota != 3 ||
		pm.Plan.Period != "week" || pm.Plan.FormVersionID == nil ||
		*pm.Plan.FormVersionID != w.formVersion || pm.Period.Kind != "week" ||
		len(pm.Period.Days) != 7 || !slices.Contains(pm.Period.Days, period) {
		t.Errorf("stored draw: seed %d, params %+v; want seed %d and the plan's week of %s",
			stored.Seed, pm, qaSeed, period)
	}
	if got, want := picks(stored), picks(first); !slices.Equal(got, want) {
		t.Errorf("stored draw picks %+v, want those returned %+v", got, want)
	}
	again, _ := w.drawPlan(t, w.plan("Billing weekly, again", 0), period)
	if got, want := picks(again), picks(first); !slices.Equal(got, want) {
		t.Errorf("the same plan drawn with seed %d picks %+v, want %+v as the first time",
			qaSeed, got, want)
	}
	for _, it := range again.Items {
		if it.EvaluationID != nil {
			t.Errorf("draw of a plan without a form version made evaluation %d", *it.EvaluationID)
		}
	}
}

// scoreEvaluation saves answers as reviewer and submits them, and checks
// the score the binary computes.
func (w *qaWorld) scoreEvaluation(
	t *testing.T,
	token string,
	id int64,
	answers map[string]qaAnswer,
	want float64,
) qaEvaluation {
	t.Helper()
	path := fmt.Sprintf("/api/v1/evaluations/%d", id)
	var saved qaEvaluation
	apiMust(t, w.p, token, http.MethodPut, path,
		map[string]any{"answers": answers, "overall_comment": "scored by the QA workflow test"},
		http.StatusOK, &saved)
	if saved.Status != "draft" || saved.Score != nil {
		t.Errorf("saved draft %d: status %q, score %v; want a draft with no score",
			id, saved.Status, saved.Score)
	}
	var ev qaEvaluation
	apiMust(t, w.p, token, http.MethodPost, path+"/submit", nil, http.StatusOK, &ev)
	if ev.Status != "submitted" || !within(ev.Score, want) {
		t.Errorf("submitted evaluation %d: status %q, score %v; want submitted with %v",
			id, ev.Status, fmtScore(ev.Score), want)
	}
	return ev
}

// scoreCalibration has the admin score the call the draw left out, as a
// calibration evaluation: it must reach neither Bob nor his report.
func (w *qaWorld) scoreCalibration(t *testing.T, d qaDraw) {
	var undrawn string
	for _, c := range w.calls {
		if !slices.ContainsFunc(d.Items, func(it qaDrawItem) bool { return it.CallID == c.ID }) {
			undrawn = c.ID
		}
	}
	var ev qaEvaluation
	apiMust(t, w.p, w.admin, http.MethodPost, "/api/v1/evaluations", map[string]any{
		"call_id": undrawn, "form_version_id": w.formVersion, "calibration": true,
	}, http.StatusCreated, &ev)
	ev = w.scoreEvaluation(t, w.admin, ev.ID, answersB, scoreB)
	if !ev.Calibration || ev.Sampled {
		t.Errorf("calibration evaluation %d: calibration %v, sampled %v",
			ev.ID, ev.Calibration, ev.Sampled)
	}
	w.calibration = ev.ID
}

// queue returns a reviewer's drafts, checking each is a sampled draft of
// a call of Bob from the draw, assigned to them.
func (w *qaWorld) queue(t *testing.T, r qaPerson, d qaDraw) []int64 {
	t.Helper()
	var q struct {
		Evaluations []qaEvaluation `json:"evaluations"`
	}
	apiMust(t, w.p, r.token, http.MethodGet, "/api/v1/queue", nil, http.StatusOK, &q)
	var ids []int64
	for _, ev := range q.Evaluations {
		ok := ev.Status == "draft" && ev.Sampled && ev.DrawID != nil && *ev.DrawID == d.ID &&
			ev.ReviewerID == r.id && ev.AgentID != nil && *ev.AgentID == w.bob &&
			ev.FormVersionID == w.formVersion
		if !ok {
			t.Errorf("%s's queue holds %+v; want sampled drafts of draw %d on Bob's calls",
				r.username, ev, d.ID)
		}
		ids = append(ids, ev.ID)
	}
	return ids
}

// scoreDrafts has each reviewer score the drafts of their queue, answers
// A, B and C by evaluation id, and checks what Bob sees in between: only
// the evaluations submitted.
func (w *qaWorld) scoreDrafts(t *testing.T, d qaDraw) {
	queues := [][]int64{w.queue(t, w.reviewers[0], d), w.queue(t, w.reviewers[1], d)}
	all := slices.Sorted(slices.Values(slices.Concat(queues...)))
	var drawn []int64
	for _, it := range d.Items {
		drawn = append(drawn, *it.EvaluationID)
	}
	if slices.Sort(drawn); !slices.Equal(all, drawn) {
		t.Fatalf("the reviewers' queues hold %v, want the draw's drafts %v", all, drawn)
	}
	sets := []map[string]qaAnswer{answersA, answersB, answersC}
	scores := []float64{scoreA, scoreB, scoreC}
	w.evalA, w.evalC = all[0], all[2]
	w.checkIncompleteRefused(t, queues)
	for i, r := range w.reviewers {
		for _, id := range queues[i] {
			k := slices.Index(all, id)
			w.scoreEvaluation(t, r.token, id, sets[k], scores[k])
			w.expected[id] = scores[k]
		}
		w.checkAgentSees(t, slices.Sorted(maps.Keys(w.expected)))
	}
}

// checkIncompleteRefused checks that a draft with a question unanswered
// cannot be submitted, and that a reviewer cannot change another's draft.
func (w *qaWorld) checkIncompleteRefused(t *testing.T, queues [][]int64) {
	t.Helper()
	id := queues[0][0]
	path := fmt.Sprintf("/api/v1/evaluations/%d", id)
	apiMust(t, w.p, w.reviewers[0].token, http.MethodPut, path,
		map[string]any{"answers": map[string]qaAnswer{"greet": {Value: "yes"}}}, http.StatusOK, nil)
	code, _, body := apiCall(t, w.p, w.reviewers[0].token, http.MethodPost, path+"/submit", nil)
	if code != http.StatusBadRequest {
		t.Errorf("submit with 4 questions unanswered = %d %s, want 400", code, body)
	}
	if code, _, body := apiCall(t, w.p, w.reviewers[1].token, http.MethodPut, path,
		map[string]any{"answers": answersA}); code != http.StatusForbidden {
		t.Errorf("%s saving %s's draft = %d %s, want 403",
			w.reviewers[1].username, w.reviewers[0].username, code, body)
	}
}

// checkAgentSees checks that Bob lists exactly the evaluations want, all
// of his calls and submitted: no draft, no calibration.
func (w *qaWorld) checkAgentSees(t *testing.T, want []int64) {
	t.Helper()
	var list struct {
		Evaluations []qaEvaluation `json:"evaluations"`
	}
	apiMust(t, w.p, w.agent.token, http.MethodGet, "/api/v1/evaluations", nil, http.StatusOK, &list)
	var got []int64
	for _, ev := range list.Evaluations {
		got = append(got, ev.ID)
		if ev.AgentID == nil || *ev.AgentID != w.bob || ev.Status != "submitted" || ev.Calibration {
			t.Errorf("Bob sees evaluation %+v; want only his submitted ones", ev)
		}
	}
	if slices.Sort(got); !slices.Equal(got, want) {
		t.Errorf("Bob lists evaluations %v, want %v (calibration %d hidden)", got, want, w.calibration)
	}
}

// acknowledgeAndDispute has Bob acknowledge the evaluation scored A and
// dispute the one that failed its critical question (C), proposing
// verify = yes; the admin accepts, which re-scores it and keeps the
// earlier revision in its history.
func (w *qaWorld) acknowledgeAndDispute(t *testing.T) {
	bob := w.agent.token
	var acked qaEvaluation
	apiMust(t, w.p, bob, http.MethodPost, fmt.Sprintf("/api/v1/evaluations/%d/acknowledge", w.evalA),
		nil, http.StatusOK, &acked)
	if acked.AcknowledgedAt == nil {
		t.Errorf("acknowledged evaluation %d has no acknowledged_at", w.evalA)
	}
	late := map[string]any{"comment": "I agree after all",
		"proposed": map[string]qaAnswer{"greet": {Value: "yes"}}}
	if code, _, body := apiCall(t, w.p, bob, http.MethodPost,
		fmt.Sprintf("/api/v1/evaluations/%d/dispute", w.evalA), late); code != http.StatusConflict {
		t.Errorf("dispute of an acknowledged evaluation = %d %s, want 409", code, body)
	}

	var d struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}
	apiMust(t, w.p, bob, http.MethodPost, fmt.Sprintf("/api/v1/evaluations/%d/dispute", w.evalC),
		map[string]any{"comment": "I verified the caller's postcode and PIN at 0:05",
			"proposed": map[string]qaAnswer{"verify": {Value: "yes"}}},
		http.StatusCreated, &d)
	if d.Status != "open" {
		t.Errorf("new dispute status = %q, want open", d.Status)
	}
	apiMust(t, w.p, w.admin, http.MethodPost, fmt.Sprintf("/api/v1/disputes/%d/resolve", d.ID),
		map[string]any{"decision": "accepted", "comment": "the PIN check is on the recording"},
		http.StatusOK, &d)
	if d.Status != "accepted" {
		t.Errorf("resolved dispute status = %q, want accepted", d.Status)
	}
	w.checkRescored(t)
	w.expected[w.evalC] = scoreCDisputed
}

// checkRescored checks, as Bob, the evaluation re-scored by the accepted
// dispute and its history.
func (w *qaWorld) checkRescored(t *testing.T) {
	t.Helper()
	var ev qaEvaluation
	apiMust(t, w.p, w.agent.token, http.MethodGet, fmt.Sprintf("/api/v1/evaluations/%d", w.evalC),
		nil, http.StatusOK, &ev)
	if !within(ev.Score, scoreCDisputed) || ev.Revision != 2 || ev.CriticalFailed ||
		ev.Answers["verify"].Value != "yes" {
		t.Errorf("re-scored evaluation: score %s, revision %d, critical_failed %v, verify %+v; "+
			"want %v, 2, false, yes", fmtScore(ev.Score), ev.Revision, ev.CriticalFailed,
			ev.Answers["verify"], scoreCDisputed)
	}
	var h struct {
		Revisions []struct {
			Revision   int          `json:"revision"`
			Evaluation qaEvaluation `json:"evaluation"`
			Reason     string       `json:"reason"`
		} `json:"revisions"`
	}
	body := apiMust(t, w.p, w.agent.token, http.MethodGet,
		fmt.Sprintf("/api/v1/evaluations/%d/history", w.evalC), nil, http.StatusOK, &h)
	if len(h.Revisions) != 1 {
		t.Fatalf("history of evaluation %d = %s, want the one earlier revision", w.evalC, body)
	}
	old := h.Revisions[0]
	if old.Revision != 1 || !within(old.Evaluation.Score, scoreC) || !old.Evaluation.CriticalFailed ||
		old.Evaluation.Answers["verify"].Value != "no" || !strings.Contains(old.Reason, "accepted") {
		t.Errorf("earlier revision = %s; want revision 1 scored 0 with verify no, "+
			"and the accepted dispute as reason", body)
	}
}

// checkAgentReport checks Bob's line of the agent report, as the admin
// and as Bob: the submitted evaluations that are not calibration, and
// the mean of their scores as they now stand; and its CSV export.
func (w *qaWorld) checkAgentReport(t *testing.T) {
	var sum float64
	for _, s := range w.expected {
		sum += s
	}
	n, mean := len(w.expected), sum/float64(len(w.expected))
	for _, who := range []struct {
		name, token string
	}{{"admin", w.admin}, {"bob", w.agent.token}} {
		var rep struct {
			Rows []agentScoreRow `json:"rows"`
		}
		body := apiMust(t, w.p, who.token, http.MethodGet, "/api/v1/reports/agents", nil,
			http.StatusOK, &rep)
		t.Logf("agent report as %s: %s", who.name, body)
		if len(rep.Rows) != 1 || rep.Rows[0].AgentID != w.bob || rep.Rows[0].Score.N != n ||
			!within(&rep.Rows[0].Score.Mean, mean) {
			t.Errorf("agent report as %s = %s; want only Bob with n %d, mean %v",
				who.name, body, n, mean)
		}
	}
	code, ctype, body := apiCall(t, w.p, w.admin, http.MethodGet,
		"/api/v1/reports/agents?format=csv", nil)
	t.Logf("agent report as CSV (%s):\n%s", ctype, body)
	wantRow := fmt.Sprintf("%d,Bob Nguyen,Billing,%d,%.2f,", w.bob, n, mean)
	if code != http.StatusOK || !strings.HasPrefix(ctype, "text/csv") ||
		!bytes.HasPrefix(body, []byte("agent_id,agent,team,evaluations,mean,")) ||
		!bytes.Contains(body, []byte("\n"+wantRow)) {
		t.Errorf("agent report as CSV = %d %q, want 200 text/csv with the row %q...",
			code, ctype, wantRow)
	}
}

// checkKPIs checks the call figures: Bob took the 4 calls, each about
// 1 s long from INVITE to BYE.
func (w *qaWorld) checkKPIs(t *testing.T) {
	var rep struct {
		Rows []struct {
			AgentID  int64   `json:"agent_id"`
			Calls    int     `json:"calls"`
			HandleMS float64 `json:"handle_ms"`
		} `json:"rows"`
	}
	body := apiMust(t, w.p, w.admin, http.MethodGet, "/api/v1/reports/kpis", nil, http.StatusOK, &rep)
	t.Logf("KPI report: %s", body)
	// The talk lasts 1 s, after the answer and before the BYE; a busy
	// machine adds some hundreds of milliseconds around it.
	if len(rep.Rows) != 1 || rep.Rows[0].AgentID != w.bob || rep.Rows[0].Calls != 4 ||
		rep.Rows[0].HandleMS < 950 || rep.Rows[0].HandleMS > 2500 {
		t.Errorf("KPI report = %s; want Bob alone with 4 calls handled in about 1 s", body)
	}
}

// checkRoles checks a few refusals against the binary: the role matrix
// test walks them all over HTTP, this checks the running binary wires
// the same checks.
func (w *qaWorld) checkRoles(t *testing.T) {
	tests := []struct {
		name, token, method, path string
		body                      any
		want                      int
	}{
		{name: "agent creates a form", token: w.agent.token, method: http.MethodPost,
			path: "/api/v1/forms", body: qaForm, want: http.StatusForbidden},
		{name: "agent reads a review queue", token: w.agent.token, method: http.MethodGet,
			path: "/api/v1/queue", want: http.StatusForbidden},
		{name: "reviewer lists plans", token: w.reviewers[0].token, method: http.MethodGet,
			path: "/api/v1/sampling/plans", want: http.StatusForbidden},
		{name: "no token lists calls", method: http.MethodGet, path: "/api/v1/calls",
			want: http.StatusUnauthorized},
	}
	for _, tt := range tests {
		code, _, body := apiCall(t, w.p, tt.token, tt.method, tt.path, tt.body)
		var e struct {
			Error string `json:"error"`
		}
		if code != tt.want || json.Unmarshal(body, &e) != nil || e.Error == "" {
			t.Errorf("%s: %s %s = %d %s, want %d with an error message",
				tt.name, tt.method, tt.path, code, body, tt.want)
		}
	}
}

// checkRedrawAddsNoDuplicate draws the first plan again for the same week
// with the same seed, as a manager checking the draw would. That picks
// the same calls for the same reviewers, who each already hold an
// evaluation of them on this form. Whether the binary refuses the second
// draw (409) or makes it without new drafts, no reviewer may end up with
// two evaluations of one call on one form: POST /api/v1/evaluations keeps
// that rule (409, checked first), and a second evaluation would count the
// call twice in the agent's report.
func (w *qaWorld) checkRedrawAddsNoDuplicate(t *testing.T, first qaDraw, period string) {
	it := first.Items[0]
	r := w.reviewer(*it.ReviewerID)
	code, _, body := apiCall(t, w.p, r.token, http.MethodPost, "/api/v1/evaluations",
		map[string]any{"call_id": it.CallID, "form_version_id": w.formVersion})
	if code != http.StatusConflict {
		t.Errorf("%s starting a second evaluation of %s = %d %s, want 409",
			r.username, it.CallID, code, body)
	}
	code, _, body = apiCall(t, w.p, w.admin, http.MethodPost,
		fmt.Sprintf("/api/v1/sampling/plans/%d/draws", first.PlanID),
		map[string]any{"period": period, "seed": qaSeed})
	if code != http.StatusCreated && code != http.StatusConflict {
		t.Fatalf("drawing plan %d again = %d %s, want 201 or 409", first.PlanID, code, body)
	}
	var list struct {
		Evaluations []qaEvaluation `json:"evaluations"`
	}
	apiMust(t, w.p, w.admin, http.MethodGet, "/api/v1/evaluations?limit=1000", nil, http.StatusOK, &list)
	type key struct {
		call     string
		reviewer int64
	}
	seen := map[key]int64{}
	for _, ev := range list.Evaluations {
		k := key{ev.CallID, ev.ReviewerID}
		if other, ok := seen[k]; ok {
			t.Errorf("after the draw was repeated, reviewer %d holds evaluations %d (%s) and %d "+
				"of call %s on one form", ev.ReviewerID, ev.ID, ev.Status, other, ev.CallID)
		}
		seen[k] = ev.ID
	}
}
