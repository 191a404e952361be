package ui

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"

	"earshot/qa"
)

// calAPIFixture is the auth fixture with two agents, Anna and Bob, four
// calls (c1, c3 and c4 Anna's, c2 Bob's), a manager, an expert who is the
// benchmark, three reviewers, and a form of three questions.
type calAPIFixture struct {
	*authFixture
	manager, expert, alice, bruno, carol        string // bearer tokens
	expertID, aliceID, brunoID, carolID, formID int64
}

var calAPICalls = []string{"01JCALAPI1000000000000000000", "01JCALAPI2000000000000000000",
	"01JCALAPI3000000000000000000", "01JCALAPI4000000000000000000"}

// calAPIForm scores 100 × (greet + resolved + empathy) / 3, each the share
// of its marks: yes 1, full 1, partial 0.5, empathy (v - 1) / 4.
const calAPIForm = `{"name": "Calibrated", "sections": [{"id": "s", "title": "Call", "questions": [
	{"id": "greet", "text": "Greeted the caller", "type": "yes_no"},
	{"id": "resolved", "text": "Resolved", "type": "choice", "options": [
		{"value": "full", "points": 10}, {"value": "partial", "points": 5},
		{"value": "none", "points": 0}]},
	{"id": "empathy", "text": "Showed empathy", "type": "scale", "min": 1, "max": 5}]}]}`

func newCalAPIFixture(t *testing.T) *calAPIFixture {
	t.Helper()
	f := &calAPIFixture{authFixture: newAuthFixture(t)}
	db := f.cat.DB()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(t.Context(), q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO agents (id, name) VALUES (1, 'Anna'), (2, 'Bob')`)
	for i, c := range calAPICalls {
		exec(`INSERT INTO calls (id, started_at, ended_at, duration_ms, wav_key, sidecar_key,
			sidecar_version) VALUES (?, 0, 60000, 60000, 'w', 's', 1)`, c)
		agent := 1
		if i == 1 {
			agent = 2
		}
		exec(`INSERT INTO call_agents (call_id, agent_id, direction) VALUES (?, ?, 'inbound')`,
			c, agent)
	}
	f.manager = f.token(t, f.user(t, "manager", qa.RoleManager))
	reviewer := func(name string) (string, int64) {
		u := f.user(t, name, qa.RoleReviewer)
		return f.token(t, u), u.ID
	}
	f.expert, f.expertID = reviewer("expert")
	f.alice, f.aliceID = reviewer("alice")
	f.bruno, f.brunoID = reviewer("bruno")
	f.carol, f.carolID = reviewer("carol")
	var form qa.Form
	f.send(t, f.manager, http.MethodPost, "/api/v1/forms", formJSON(calAPIForm), http.StatusCreated,
		&form)
	f.formID = form.ID
	return f
}

// send sends a request as the holder of token and checks its status; it
// decodes a JSON answer into out, if given.
func (f *calAPIFixture) send(t *testing.T, token, method, path string, body any, want int,
	out any,
) {
	t.Helper()
	resp, data := f.do(t, nil, authReq{method: method, path: path, body: body, bearer: token})
	if resp.StatusCode != want {
		t.Fatalf("%s %s = %d %s, want %d", method, path, resp.StatusCode, data, want)
	}
	if out != nil {
		decodeTestJSON(t, data, out)
	}
}

// calAPIAnswers are the designed answers, by call (c1, c2) and
// participant: greet, resolved, empathy.
var calAPIAnswers = map[string][2][3]string{
	"expert": {{"yes", "full", "4"}, {"no", "partial", "2"}},
	"alice":  {{"yes", "full", "4"}, {"no", "partial", "3"}},
	"bruno":  {{"yes", "partial", "5"}, {"yes", "partial", "3"}},
	"carol":  {{"no", "full", "3"}, {"no", "none", "2"}},
}

func calAPIDraft(a [3]string) map[string]any {
	return map[string]any{"answers": map[string]any{"greet": map[string]string{"value": a[0]},
		"resolved": map[string]string{"value": a[1]}, "empathy": map[string]string{"value": a[2]}}}
}

// TestCalibrationAPIEndToEnd runs a session through the API with the
// tokens of four scoring accounts, and checks the comparison against
// figures computed by hand.
//
// Scores (percent): c1 expert 91.667, alice 91.667, bruno 83.333, carol
// 50; c2 expert 25, alice 33.333, bruno 66.667, carol 8.333. Against the
// expert, alice deviates 0 and +8.333 (matching 5 of 6 answers), bruno
// -8.333 and +41.667 (2 of 6), carol -41.667 and -16.667 (3 of 6).
//
// Agreement over all four participants. Yes/no and choice answers, four
// units of four ratings, each unit split 3 to 1: every unit has 6 ordered
// disagreeing pairs over m-1 = 3, so Do = 4×2/16 = 0.5; the 16 answers are
// yes 4, no 4, full 3, partial 4, none 1, so De = (16² - 58)/(16×15) =
// 0.825 and alpha = 1 - 0.5/0.825 = 13/33 = 0.39394. Fleiss: each P(i) =
// (3²+1²-4)/12 = 0.5, Σp² = (16+16+9+16+1)/256 = 0.2265625, kappa =
// 0.2734375/0.7734375 = 35/99 = 0.35354. Raw: 3 of 6 pairs per unit, 0.5.
//
// Total scores, interval, in units of 100/12: c1 11, 11, 10, 6; c2 3, 4,
// 8, 1. Within units Σ(x - x̄)² is 17 and 26, so Do = 2×4×(17+26)/3/8 =
// 43/3; the 8 pooled values have Σ(x - x̄)² = 103.5, so De = 2×8×103.5/56
// = 207/7, and alpha = 1 - (43/3)/(207/7) = 320/621 = 0.51530. Raw within
// 5 points: only alice and the expert on c1, 1 pair of 12.
//
// Empathy, the one scale: c1 4, 4, 5, 3; c2 2, 3, 3, 2: Do = (16/3 +
// 8/3)/8 = 1, De = 2×8×7.5/56 = 15/7, alpha = 8/15 = 0.53333; raw 3/12.
// Per question, greet: alpha 1 - 0.5/(4/7) = 0.125, kappa 0 (p = ½, ½);
// resolved: alpha 1 - 0.5×56/38 = 10/38 = 0.26316, kappa (0.5 -
// 26/64)/(38/64) = 3/19 = 0.15789; empathy kappa, its values read as
// categories: mean P(i) = (1/6 + 1/3)/2 = 0.25, Σp² = 18/64, so -1/23.
func TestCalibrationAPIEndToEnd(t *testing.T) {
	f := newCalAPIFixture(t)
	var cs qa.CalibrationSession
	f.send(t, f.manager, http.MethodPost, "/api/v1/calibration/sessions", map[string]any{
		"title": "Week 12", "call_ids": calAPICalls[:2], "form_id": f.formID,
		"reviewer_ids": []int64{f.aliceID, f.brunoID, f.carolID}, "benchmark_id": f.expertID,
	}, http.StatusCreated, &cs)
	path := fmt.Sprintf("/api/v1/calibration/sessions/%d", cs.ID)

	calAPIScoreBlind(t, f, path)
	f.send(t, f.manager, http.MethodPost, path+"/reveal", nil, http.StatusOK, &cs)
	f.send(t, f.manager, http.MethodPost, path+"/reveal", nil, http.StatusConflict, nil)
	f.send(t, f.alice, http.MethodGet, path, nil, http.StatusOK, &cs)
	if !cs.AnswersVisible || cs.Evaluations[1].Answers["greet"].Value != "yes" {
		t.Errorf("after the reveal alice sees %+v", cs.Evaluations[1])
	}
	var cmp qa.CalibrationComparison
	f.send(t, f.alice, http.MethodGet, path+"/comparison", nil, http.StatusOK, nil)
	f.send(t, f.manager, http.MethodGet, path+"/comparison", nil, http.StatusOK, &cmp)
	checkCalAPIComparison(t, f, cmp)

	calAPIAgreeAndGuide(t, f, path)
	calAPIDeviation(t, f)
	calAPIBias(t, f)
}

// calAPIScoreBlind has every participant score both calls through the
// evaluation routes, checking along the way that nobody sees another's
// answers.
func calAPIScoreBlind(t *testing.T, f *calAPIFixture, path string) {
	t.Helper()
	tokens := map[string]string{"expert": f.expert, "alice": f.alice, "bruno": f.bruno,
		"carol": f.carol}
	var list struct{ Sessions []qa.CalibrationSummary }
	f.send(t, f.bruno, http.MethodGet, "/api/v1/calibration/sessions", nil, http.StatusOK, &list)
	if len(list.Sessions) != 1 || list.Sessions[0].Pending != 2 || list.Sessions[0].Expected != 8 {
		t.Fatalf("bruno's sessions: %+v", list)
	}
	var bruno qa.CalibrationSession
	for _, name := range []string{"expert", "alice", "bruno", "carol"} {
		var cs qa.CalibrationSession
		f.send(t, tokens[name], http.MethodGet, path, nil, http.StatusOK, &cs)
		if name == "bruno" {
			bruno = cs
		}
		for _, e := range cs.Evaluations {
			others := e.ReviewerID != calAPIUser(t, cs, name)
			if e.Hidden != others || (e.Hidden && e.Answers != nil) {
				t.Errorf("%s sees %+v before the reveal", name, e)
			}
			if e.Hidden {
				continue
			}
			i := slicesIndex(calAPICalls, e.CallID)
			ev := fmt.Sprintf("/api/v1/evaluations/%d", e.EvaluationID)
			f.send(t, tokens[name], http.MethodPut, ev, calAPIDraft(calAPIAnswers[name][i]),
				http.StatusOK, nil)
			f.send(t, tokens[name], http.MethodPost, ev+"/submit", nil, http.StatusOK, nil)
		}
	}
	other := fmt.Sprintf("/api/v1/evaluations/%d", bruno.Evaluations[1].EvaluationID)
	f.send(t, f.bruno, http.MethodGet, other, nil, http.StatusForbidden, nil)
	f.send(t, f.bruno, http.MethodGet, path+"/comparison", nil, http.StatusForbidden, nil)
	f.send(t, f.manager, http.MethodGet, path+"/comparison", nil, http.StatusConflict, nil)
	f.send(t, f.bruno, http.MethodPost, path+"/reveal", nil, http.StatusForbidden, nil)
}

// calAPIUser returns the user id of a participant by name.
func calAPIUser(t *testing.T, cs qa.CalibrationSession, name string) int64 {
	t.Helper()
	for _, p := range cs.Participants {
		if p.Username == name {
			return p.UserID
		}
	}
	t.Fatalf("%s is not a participant", name)
	return 0
}

func slicesIndex(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// approx reports whether got is want to 1e-6, the values of the test's
// comment being exact fractions.
func approx(got, want float64) bool { return math.Abs(got-want) < 1e-6 }

func checkCalAPIComparison(t *testing.T, f *calAPIFixture, cmp qa.CalibrationComparison) {
	t.Helper()
	third := 100.0 / 12
	want := []struct {
		id         int64
		deviations [2]float64
		matched    int
		within     int
	}{
		{id: f.aliceID, deviations: [2]float64{0, third}, matched: 5, within: 1},
		{id: f.brunoID, deviations: [2]float64{-third, 5 * third}, matched: 2},
		{id: f.carolID, deviations: [2]float64{-5 * third, -2 * third}, matched: 3},
	}
	if len(cmp.Reviewers) != 3 || cmp.Calls[0].Source != qa.ReferenceBenchmark ||
		!approx(*cmp.Calls[0].Score, 11*third) || len(cmp.Warnings) != 0 {
		t.Fatalf("comparison %+v", cmp)
	}
	for i, w := range want {
		r := cmp.Reviewers[i]
		if r.ReviewerID != w.id || !approx(*r.Calls[0].Deviation, w.deviations[0]) ||
			!approx(*r.Calls[1].Deviation, w.deviations[1]) || r.QuestionsMatched != w.matched ||
			r.QuestionsCompared != 6 || r.Within != w.within || r.Outside != 2-w.within {
			t.Errorf("reviewer %s: %+v, want %+v", r.Username, r, w)
		}
	}
	a := cmp.Agreement
	figures := []struct {
		name      string
		got, want float64
	}{
		{"answers alpha", a.Answers.Alpha.Value, 13.0 / 33},
		{"answers kappa", kappaValue(a.Answers), 35.0 / 99},
		{"answers raw", a.Answers.Raw.Value, 0.5},
		{"scores alpha", a.Scores.Alpha.Value, 320.0 / 621},
		{"scores raw", a.Scores.Raw.Value, 1.0 / 12},
		{"scales alpha", a.Scales.Alpha.Value, 8.0 / 15},
		{"scales raw", a.Scales.Raw.Value, 0.25},
		{"greet alpha", cmp.Questions[0].Agreement.Alpha.Value, 0.125},
		{"greet kappa", kappaValue(cmp.Questions[0].Agreement), 0},
		{"resolved alpha", cmp.Questions[1].Agreement.Alpha.Value, 10.0 / 38},
		{"resolved kappa", kappaValue(cmp.Questions[1].Agreement), 3.0 / 19},
		{"empathy alpha", cmp.Questions[2].Agreement.Alpha.Value, 8.0 / 15},
		{"empathy kappa", kappaValue(cmp.Questions[2].Agreement), -1.0 / 23},
	}
	for _, fig := range figures {
		if !approx(fig.got, fig.want) {
			t.Errorf("%s = %.6f, want %.6f", fig.name, fig.got, fig.want)
		}
	}
	if w := a.Answers.Alpha.Warning; !strings.Contains(w, "only 4 items") {
		t.Errorf("answers alpha warning %q, want one about too few items", w)
	}
	if c := cmp.Questions[1].Calls[1]; c.Counts["partial"] != 3 || c.Counts["none"] != 1 ||
		c.Reference != "partial" {
		t.Errorf("resolved on c2: %+v", c)
	}
}

func kappaValue(s qa.AgreementSet) float64 {
	if s.Kappa == nil {
		return math.NaN()
	}
	return s.Kappa.Value
}

// calAPIAgreeAndGuide records the agreed answers of c1 and rewrites the
// guidance of "resolved", which makes version 2 of the form.
func calAPIAgreeAndGuide(t *testing.T, f *calAPIFixture, path string) {
	t.Helper()
	agreed := calAPIDraft(calAPIAnswers["expert"][0])
	agreed["call_id"], agreed["notes"] = calAPICalls[0], "full: nothing left to do"
	var cs qa.CalibrationSession
	f.send(t, f.alice, http.MethodPost, path+"/agreed", map[string]any{}, http.StatusForbidden, nil)
	f.send(t, f.manager, http.MethodPost, path+"/agreed",
		map[string]any{"calls": []any{agreed}, "notes": "agreed on c1"}, http.StatusOK, &cs)
	s := cs.Calls[0].AgreedScore
	if s == nil || !approx(*s, 1100.0/12) || cs.Notes != "agreed on c1" {
		t.Errorf("agreed: %+v", cs.Calls[0])
	}

	var up qa.GuidanceUpdate
	f.send(t, f.manager, http.MethodPost, path+"/guidance",
		map[string]any{"question_id": "resolved", "guidance": "Partial when a callback is needed"},
		http.StatusCreated, &up)
	var versions struct{ Versions []qa.FormVersion }
	f.send(t, f.alice, http.MethodGet, fmt.Sprintf("/api/v1/forms/%d/versions", f.formID), nil,
		http.StatusOK, &versions)
	if up.Version != 2 || len(versions.Versions) != 2 ||
		versions.Versions[1].Definition.Sections[0].Questions[1].Guidance != up.After {
		t.Errorf("guidance update %+v, versions %+v", up, versions)
	}
	f.send(t, f.manager, http.MethodGet, path, nil, http.StatusOK, &cs)
	if len(cs.Guidance) != 1 || cs.Guidance[0].FormVersionID != versions.Versions[1].ID {
		t.Errorf("session guidance: %+v", cs.Guidance)
	}
}

// calAPIDeviation reads alice's deviation over time: one session, a mean
// of (0 + 8.333)/2.
func calAPIDeviation(t *testing.T, f *calAPIFixture) {
	t.Helper()
	path := fmt.Sprintf("/api/v1/calibration/reviewers/%d/deviation", f.aliceID)
	var d qa.ReviewerDeviation
	f.send(t, f.alice, http.MethodGet, path, nil, http.StatusOK, &d)
	if len(d.Sessions) != 1 || !approx(*d.Sessions[0].MeanDeviation, 50.0/12) {
		t.Errorf("alice's deviation: %+v", d)
	}
	f.send(t, f.bruno, http.MethodGet, path, nil, http.StatusForbidden, nil)
}

// calAPIBias has alice score c3 (100%) and carol c4 (0%) outside the
// session, then reads the bias report and Anna's adjusted score.
//
// Every participant scored both shared calls, so each bias is their mean
// less the mean of all eight scores. In units of 100/12 the scores'
// mean is 6.75 (56.25 points): expert (11+3)/2 - 6.75 = 0.25 (2.083
// points), alice 0.75 (6.25), bruno 2.25 (18.75), carol -3.25 (-27.083);
// all but the expert are beyond 5 points. Anna's raw mean is 50 (the
// calibration scores do not count); adjusted, 50 - (6.25 - 27.083)/2 =
// 60.4167.
func calAPIBias(t *testing.T, f *calAPIFixture) {
	t.Helper()
	scoreCall := func(token, call string, a [3]string) {
		var ev qa.Evaluation
		f.send(t, token, http.MethodPost, "/api/v1/evaluations",
			map[string]any{"call_id": call, "form_id": f.formID}, http.StatusCreated, &ev)
		path := fmt.Sprintf("/api/v1/evaluations/%d", ev.ID)
		f.send(t, token, http.MethodPut, path, calAPIDraft(a), http.StatusOK, nil)
		f.send(t, token, http.MethodPost, path+"/submit", nil, http.StatusOK, nil)
	}
	scoreCall(f.alice, calAPICalls[2], [3]string{"yes", "full", "5"})
	scoreCall(f.carol, calAPICalls[3], [3]string{"no", "none", "1"})

	third := 100.0 / 12
	var bias qa.ReviewerBiasReport
	f.send(t, f.manager, http.MethodGet, "/api/v1/reports/reviewer-bias", nil, http.StatusOK, &bias)
	want := map[int64]float64{f.expertID: 0.25 * third, f.aliceID: 0.75 * third,
		f.brunoID: 2.25 * third, f.carolID: -3.25 * third}
	if len(bias.Reviewers) != 4 || bias.SharedCalls != 2 {
		t.Fatalf("bias report %+v", bias)
	}
	for _, r := range bias.Reviewers {
		if !approx(r.Bias, want[r.ReviewerID]) || r.Flagged != (r.ReviewerID != f.expertID) ||
			r.SharedCalls != 2 || r.Low >= r.Bias || r.High <= r.Bias {
			t.Errorf("%s: %+v, want bias %.4f", r.Username, r, want[r.ReviewerID])
		}
	}
	var adj qa.AgentsAdjustedReport
	f.send(t, f.manager, http.MethodGet, "/api/v1/reports/agents-adjusted", nil, http.StatusOK,
		&adj)
	if len(adj.Agents) != 1 || adj.Agents[0].Raw.N != 2 || !approx(adj.Agents[0].Raw.Mean, 50) ||
		!approx(adj.Agents[0].Adjusted.Mean, 50+1.25*third) || adj.Agents[0].Adjusted.Low == nil {
		t.Errorf("agents adjusted: %+v", adj.Agents)
	}
	// The same scores week by week: all in one week here, so the week is
	// the agent's whole window.
	var trend qa.AdjustedTrendReport
	f.send(t, f.manager, http.MethodGet, "/api/v1/reports/trend-adjusted", nil, http.StatusOK,
		&trend)
	if len(trend.Weeks) != 1 || trend.Weeks[0].Raw.N != 2 ||
		!approx(trend.Weeks[0].Adjusted.Mean, adj.Agents[0].Adjusted.Mean) {
		t.Errorf("trend adjusted: %+v, want one week adjusted to %.4f", trend.Weeks,
			adj.Agents[0].Adjusted.Mean)
	}
	resp, body := f.do(t, nil, authReq{method: http.MethodGet, bearer: f.manager,
		path: "/api/v1/reports/trend-adjusted?format=csv"})
	if resp.StatusCode != http.StatusOK ||
		!strings.HasPrefix(string(body), "week,agent_id,raw_evaluations,raw_mean,") {
		t.Errorf("trend CSV: %d %s", resp.StatusCode, body)
	}
	resp, body = f.do(t, nil, authReq{method: http.MethodGet, bearer: f.manager,
		path: "/api/v1/reports/reviewer-bias?format=csv"})
	if resp.StatusCode != http.StatusOK ||
		!strings.HasPrefix(string(body), "reviewer_id,username,bias") {
		t.Errorf("CSV: %d %s", resp.StatusCode, body)
	}
	f.send(t, f.alice, http.MethodGet, "/api/v1/reports/agents-adjusted", nil,
		http.StatusForbidden, nil)
}

func TestCalibrationAPIErrors(t *testing.T) {
	f := newCalAPIFixture(t)
	var cs qa.CalibrationSession
	f.send(t, f.manager, http.MethodPost, "/api/v1/calibration/sessions", map[string]any{
		"title": "Blind", "call_ids": calAPICalls[:1], "form_id": f.formID,
		"reviewer_ids": []int64{f.aliceID, f.brunoID},
	}, http.StatusCreated, &cs)
	session := fmt.Sprintf("/api/v1/calibration/sessions/%d", cs.ID)
	open := map[string]any{"title": "x", "call_ids": calAPICalls[:1], "form_id": f.formID,
		"reviewer_ids": []int64{f.aliceID, f.brunoID}}
	tests := []struct {
		name   string
		token  string
		method string
		path   string
		body   any
		status int
		errHas string
	}{
		{name: "reviewer opens", token: f.alice, method: http.MethodPost,
			path: "/api/v1/calibration/sessions", body: open, status: http.StatusForbidden,
			errHas: "manager"},
		{name: "misspelt field", token: f.manager, method: http.MethodPost,
			path: "/api/v1/calibration/sessions", body: map[string]any{"benchmark": 1},
			status: http.StatusBadRequest, errHas: "benchmark"},
		{name: "no title", token: f.manager, method: http.MethodPost,
			path: "/api/v1/calibration/sessions", body: map[string]any{"call_ids": []string{"x"}},
			status: http.StatusBadRequest, errHas: "title"},
		{name: "unknown session", token: f.manager, method: http.MethodGet,
			path: "/api/v1/calibration/sessions/999", status: http.StatusNotFound},
		{name: "id not a number", token: f.manager, method: http.MethodGet,
			path: "/api/v1/calibration/sessions/abc", status: http.StatusNotFound},
		{name: "not a participant", token: f.carol, method: http.MethodGet, path: session,
			status: http.StatusForbidden, errHas: "participant"},
		{name: "guidance before the reveal", token: f.manager, method: http.MethodPost,
			path: session + "/guidance", body: map[string]any{"question_id": "greet"},
			status: http.StatusConflict, errHas: "reveal"},
		{name: "agreed before the reveal", token: f.manager, method: http.MethodPost,
			path: session + "/agreed", body: map[string]any{"notes": "x"},
			status: http.StatusConflict, errHas: "reveal"},
		{name: "reviewer deletes", token: f.alice, method: http.MethodDelete, path: session,
			status: http.StatusForbidden, errHas: "manager"},
		{name: "delete of no session", token: f.manager, method: http.MethodDelete,
			path: "/api/v1/calibration/sessions/9999", status: http.StatusNotFound,
			errHas: "not found"},
		{name: "bad tolerance", token: f.manager, method: http.MethodGet,
			path:   "/api/v1/reports/reviewer-bias?tolerance=-2",
			status: http.StatusBadRequest, errHas: "tolerance"},
		{name: "bad format", token: f.manager, method: http.MethodGet,
			path:   "/api/v1/reports/agents-adjusted?format=xml",
			status: http.StatusBadRequest, errHas: "format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := f.do(t, nil, authReq{method: tt.method, path: tt.path, body: tt.body,
				bearer: tt.token})
			if resp.StatusCode != tt.status {
				t.Fatalf("%d %s, want %d", resp.StatusCode, body, tt.status)
			}
			var e struct{ Error string }
			decodeTestJSON(t, body, &e)
			if e.Error == "" || !strings.Contains(e.Error, tt.errHas) {
				t.Errorf("error %q, want one containing %q", e.Error, tt.errHas)
			}
		})
	}
	// The blind session may go; once gone, it is not found.
	f.send(t, f.manager, http.MethodDelete, session, nil, http.StatusNoContent, nil)
	f.send(t, f.manager, http.MethodGet, session, nil, http.StatusNotFound, nil)
}
