package ui

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"earshot/qa"
)

// calCellsOf returns the text at the start of each <td class="class"> of a
// page, in order.
func calCellsOf(t *testing.T, page, class string) []string {
	t.Helper()
	re := regexp.MustCompile(`<td class="` + class + `">([^<]*)`)
	var out []string
	for _, m := range re.FindAllStringSubmatch(page, -1) {
		out = append(out, strings.TrimSpace(html.UnescapeString(m[1])))
	}
	return out
}

// calAPIRevealed runs the API test's session, with its hand-computed
// figures, to the reveal, and signs the manager in to the pages.
func calAPIRevealed(t *testing.T) (*calAPIFixture, string, *browser) {
	t.Helper()
	f := newCalAPIFixture(t)
	var cs qa.CalibrationSession
	f.send(t, f.manager, http.MethodPost, "/api/v1/calibration/sessions", map[string]any{
		"title": "Week 12", "call_ids": calAPICalls[:2], "form_id": f.formID,
		"reviewer_ids": []int64{f.aliceID, f.brunoID, f.carolID}, "benchmark_id": f.expertID,
	}, http.StatusCreated, &cs)
	path := fmt.Sprintf("/api/v1/calibration/sessions/%d", cs.ID)
	calAPIScoreBlind(t, f, path)
	f.send(t, f.manager, http.MethodPost, path+"/reveal", nil, http.StatusOK, nil)
	web := &webFixture{authFixture: f.authFixture}
	return f, fmt.Sprintf("/calibration/%d", cs.ID), web.signIn(t, "manager")
}

// TestWebCalibrationComparisonNumbers: the comparison page shows the
// figures of qa.CompareCalibration, which for this session are those
// worked out by hand in TestCalibrationAPIEndToEnd.
func TestWebCalibrationComparisonNumbers(t *testing.T) {
	f, session, b := calAPIRevealed(t)
	resp, page := b.get(t, session+"/comparison")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("comparison: %d\n%s", resp.StatusCode, page)
	}
	user := &qa.User{ID: 0, Roles: []qa.Role{qa.RoleManager}}
	cmp, err := f.qa.CompareCalibration(t.Context(), user, calSessionID(t, session))
	if err != nil {
		t.Fatal(err)
	}
	a := cmp.Agreement
	// Answers, scales, total scores; then the three questions.
	wantAlpha := []string{calFigure(a.Answers.Alpha.Value), calFigure(a.Scales.Alpha.Value),
		calFigure(a.Scores.Alpha.Value)}
	for _, q := range cmp.Questions {
		wantAlpha = append(wantAlpha, calFigure(q.Agreement.Alpha.Value))
	}
	got := calCellsOf(t, page, "alpha")
	if strings.Join(got, " ") != strings.Join(wantAlpha, " ") {
		t.Errorf("alpha cells %q, want %q", got, wantAlpha)
	}
	// The hand figures: 13/33, 8/15 and 320/621; kappa 35/99; raw 50%.
	if len(got) < 3 || got[0] != "0.394" || got[1] != "0.533" || got[2] != "0.515" {
		t.Errorf("alpha %q, want 0.394, 0.533, 0.515", got)
	}
	if k := calCellsOf(t, page, "kappa"); len(k) != 3 || k[0] != "0.354" || k[1] != "omitted" {
		t.Errorf("kappa cells %q", k)
	}
	if r := calCellsOf(t, page, "raw"); len(r) != 3 || r[0] != "50%" || r[2] != "8%" {
		t.Errorf("raw agreement cells %q, want 50%% … 8%%", r)
	}
	var wantDev []string
	for _, r := range cmp.Reviewers {
		wantDev = append(wantDev, calPoints(r.MeanDeviation))
	}
	// alice (0 + 8.333)/2, bruno (-8.333 + 41.667)/2, carol (-41.667 - 16.667)/2.
	dev := calCellsOf(t, page, "mean-dev")
	if strings.Join(dev, " ") != strings.Join(wantDev, " ") || strings.Join(dev, " ") != "+4.2 +16.7 -29.2" {
		t.Errorf("mean deviations %q, want %q and +4.2 +16.7 -29.2", dev, wantDev)
	}
	for _, want := range []string{"alice", "bruno", "carol", `id="deviation-chart"`,
		`id="question-chart"`, "Partial × 3", "only 4 items"} {
		if !strings.Contains(page, want) {
			t.Errorf("the comparison lacks %q", want)
		}
	}
	// Three reviewer bars and three question bars.
	if n := strings.Count(page, `<rect class="bar `); n != 6 {
		t.Errorf("%d bars in the charts, want 6", n)
	}
	calCheckOutcome(t, session, b, page)
}

func calSessionID(t *testing.T, session string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscanf(session, "/calibration/%d", &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// calCheckOutcome records the agreed answers of the first call and
// rewrites a guidance through the page's forms, and checks the refusals.
func calCheckOutcome(t *testing.T, session string, b *browser, page string) {
	t.Helper()
	token := formToken(t, page)
	agreed := url.Values{csrfField: {token}, "call_id": {calAPICalls[0]}, "q.greet": {"yes"},
		"q.resolved": {"full"}, "notes": {"nothing left to do"}}
	resp, body := b.post(t, session+"/agreed", agreed)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "“Showed empathy”") {
		t.Errorf("agreed without empathy: %d, want 400 naming the question\n%s", resp.StatusCode,
			body)
	}
	agreed.Set("q.empathy", "4")
	resp, _ = b.post(t, session+"/agreed", agreed)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("agreed: %d", resp.StatusCode)
	}
	_, body = b.get(t, resp.Header.Get("Location"))
	if s := calCellsOf(t, body, "agreed-score"); len(s) != 2 || s[0] != "91.7%" ||
		s[1] != "not recorded" || !strings.Contains(body, "Agreed answers recorded") {
		t.Errorf("calibrated scores %q after recording c1", s)
	}
	guide := url.Values{csrfField: {token}, "question_id": {"resolved"}, "guidance": {" "}}
	if resp, body := b.post(t, session+"/guidance", guide); resp.StatusCode != 400 ||
		!strings.Contains(body, "already this") {
		t.Errorf("empty guidance: %d\n%s", resp.StatusCode, body)
	}
	guide.Set("guidance", "Partial when a callback is needed")
	resp, _ = b.post(t, session+"/guidance", guide)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("guidance: %d", resp.StatusCode)
	}
	_, body = b.get(t, resp.Header.Get("Location"))
	if !strings.Contains(body, "version 2 of the form was made") ||
		!strings.Contains(body, "Partial when a callback is needed") {
		t.Errorf("after the guidance rewrite:\n%s", body)
	}
}

// TestWebBiasPage: the bias page shows qa's estimates, intervals and
// flags, and the agents' raw and adjusted means, with both charts.
func TestWebBiasPage(t *testing.T) {
	f, _, b := calAPIRevealed(t)
	calAPIBias(t, f)
	user := &qa.User{Roles: []qa.Role{qa.RoleManager}}
	r, err := f.qa.AgentsAdjusted(t.Context(), user, qa.ReportFilter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	resp, page := b.get(t, "/bias")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("bias: %d\n%s", resp.StatusCode, page)
	}
	var want []string
	for _, rv := range r.Bias.Reviewers {
		want = append(want, fmt.Sprintf("%+.1f", rv.Bias))
	}
	// expert +2.083, alice +6.25, bruno +18.75, carol -27.083 (by hand).
	got := calCellsOf(t, page, "bias")
	if strings.Join(got, " ") != strings.Join(want, " ") || len(got) != 4 || got[0] != "+2.1" ||
		got[3] != "-27.1" {
		t.Errorf("bias cells %q, want %q", got, want)
	}
	if n := strings.Count(page, "beyond ±5"); n != 3 {
		t.Errorf("%d reviewers flagged, want 3 (all but the expert)", n)
	}
	unsure := 0
	for _, rv := range r.Bias.Reviewers {
		if rv.Flagged && !rv.Significant {
			unsure++
		}
	}
	if n := strings.Count(page, "beyond ±5, unsure"); n != unsure {
		t.Errorf("%d flags marked unsure, want the %d whose interval includes 0", n, unsure)
	}
	if adj := calCellsOf(t, page, "adjusted"); len(adj) != 1 || adj[0] != "60.4" {
		t.Errorf("Anna's adjusted mean %q, want 60.4", adj)
	}
	for _, w := range []string{`id="forest-chart"`, `id="agent-chart"`, "few", "95% interval",
		"unreliable"} {
		if !strings.Contains(page, w) {
			t.Errorf("the bias page lacks %q", w)
		}
	}
	// Four reviewers' intervals, and Anna's raw and adjusted ones.
	if n := strings.Count(page, `<line class="interval`); n != 6 {
		t.Errorf("%d intervals drawn, want 6", n)
	}
	resp, page = b.get(t, fmt.Sprintf("/bias/reviewers/%d", f.aliceID))
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="deviation-trend"`) ||
		strings.Join(calCellsOf(t, page, "mean-dev"), " ") != "+4.2" {
		t.Errorf("alice's deviation page: %d\n%s", resp.StatusCode, page)
	}
}
