package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"earshot/qa"
)

// TestBrowserCalibrationTwoReviewers is a calibration session in a real
// browser: the manager opens it through the new-session form, Rita and
// Rob each sign in and score the call on the call page, the manager
// reveals, and the comparison shows both reviewers, alpha and the
// charts. Then the bias page, over more double-scored calls.
func TestBrowserCalibrationTwoReviewers(t *testing.T) {
	chromiumPath(t)
	f := newCalWebFixture(t)
	dir := artifactsDir(t)
	ctx, watch := newChromium(t)

	signInBrowser(t, ctx, f.url, "maria")
	step(t, ctx, "the new-session form",
		chromedp.Navigate(f.url+"/calibration"),
		chromedp.Click(css("#new-session")),
		chromedp.WaitVisible(css("#new-form")),
		chromedp.SendKeys(css("#title"), "Week 14 calibration"),
		chromedp.Click(css("#call-"+f.callID)),
		// Enter in the search box searches, and the call ticked stays so.
		chromedp.SendKeys(css("#search"), f.call2+"\r"),
	)
	poll(t, ctx, "the search", `document.getElementById('found-title')?.textContent.includes('Found for')`)
	if !eval[bool](t, ctx, fmt.Sprintf(`document.getElementById('call-%s').checked`, f.callID)) ||
		eval[string](t, ctx, `document.getElementById('title').value`) != "Week 14 calibration" {
		t.Error("searching again lost the call ticked or the title typed")
	}
	screenshot(t, ctx, dir, "calibration-new.png")
	step(t, ctx, "the participants",
		chromedp.Click(css(fmt.Sprintf(`input[name="reviewer_id"][value="%d"]`, f.reviewer.ID))),
		chromedp.Click(css(fmt.Sprintf(`input[name="reviewer_id"][value="%d"]`, f.rob.ID))),
		// Enter in any other field opens the session, as Open would.
		chromedp.SendKeys(css("#title"), "\r"),
		chromedp.WaitVisible(css("#progress")),
	)
	if got := textOf(t, ctx, "p.notice"); !strings.Contains(got, "Session opened") {
		t.Errorf("after opening the page says %q", got)
	}
	session := eval[string](t, ctx, "location.pathname")
	step(t, ctx, "the list", chromedp.Navigate(f.url+"/calibration"),
		chromedp.WaitVisible(css("#sessions")))
	if got := textOf(t, ctx, "#sessions tbody tr"); !strings.Contains(got, "scoring") ||
		!strings.Contains(got, "0 of 2") {
		t.Errorf("the list shows %q", got)
	}
	screenshot(t, ctx, dir, "calibration-list.png")
	browserSignOut(t, ctx)

	browserCalScore(t, ctx, f, session, calScoring{user: "rita", answers: calRitaRadios,
		score: "83.3%"})
	// Rob scores second, with Rita's 83.3% submitted: he must not see it.
	rita := browserCalRita(t, f, session)
	browserCalScore(t, ctx, f, session, calScoring{user: "rob", answers: []string{
		`q.greet"][value="no`, `q.verify"][value="yes`, `q.empathy"][value="2`,
		`q.hold"][value="yes`}, score: "58.3%", unseen: "83.3"})
	// Nor does Rob get Rita's evaluation by its address. (Asked for in
	// Go: the browser would log the 403 as an error.)
	if resp, body := f.signIn(t, "rob").get(t, rita); resp.StatusCode != http.StatusForbidden ||
		strings.Contains(body, "83.3") {
		t.Errorf("Rob asks for Rita's evaluation before the reveal: %d\n%s", resp.StatusCode, body)
	}

	signInBrowser(t, ctx, f.url, "maria")
	step(t, ctx, "reveal",
		chromedp.Navigate(f.url+session),
		chromedp.WaitVisible(css("#reveal-form")),
		chromedp.Click(css("#confirm-reveal")),
		chromedp.Click(css("#reveal")),
		chromedp.WaitVisible(css("#reviewer-table")),
	)
	reviewers := textOf(t, ctx, "#reviewer-table tbody")
	if !strings.Contains(reviewers, "Rita Reviewer") || !strings.Contains(reviewers, "Rob Reviewer") {
		t.Errorf("the comparison's reviewers: %q", reviewers)
	}
	browserCalAlpha(t, ctx, f, session)
	for _, sel := range []string{"#deviation-chart rect.bar", "#deviation-chart rect.band",
		"#question-chart text.row-label"} {
		if n := eval[int](t, ctx, fmt.Sprintf("document.querySelectorAll(%q).length", sel)); n == 0 {
			t.Errorf("the chart has no %s", sel)
		}
	}
	// The bars are drawn: the browser gives them a size.
	if w := eval[float64](t, ctx, `document.querySelector('#deviation-chart').getBoundingClientRect().width`); w < 300 {
		t.Errorf("the deviation chart is %v px wide", w)
	}
	screenshot(t, ctx, dir, "calibration-comparison.png")
	// Revealed, Rob may open Rita's evaluation on the call to hear what
	// she heard: her score, read only.
	if resp, body := f.signIn(t, "rob").get(t, rita); resp.StatusCode != http.StatusOK ||
		!strings.Contains(body, "83.3") || strings.Contains(body, `id="submit"`) {
		t.Errorf("Rob opens Rita's evaluation after the reveal: %d, want her 83.3%% read only", resp.StatusCode)
	}

	browserCalSeedBias(t, f)
	step(t, ctx, "the bias page", chromedp.Navigate(f.url+"/bias"),
		chromedp.WaitVisible(css("#bias-table")))
	if n := eval[int](t, ctx, `document.querySelectorAll('#forest-chart circle.point').length`); n != 3 {
		t.Errorf("%d reviewers on the forest plot, want 3", n)
	}
	if got := textOf(t, ctx, "#explain"); !strings.Contains(got, "unreliable") {
		t.Errorf("the bias page explains %q", got)
	}
	screenshot(t, ctx, dir, "bias.png")
	browserSignOut(t, ctx)

	// After the reveal Rob reads Rita's answers and score on the
	// comparison: her answers among the call's, and her score as her
	// deviation from the reference score.
	signInBrowser(t, ctx, f.url, "rob")
	step(t, ctx, "Rob opens the comparison after the reveal", chromedp.Navigate(f.url+session),
		chromedp.Click(css("#to-comparison")), chromedp.WaitVisible(css("#distribution")))
	browserCalRevealed(t, ctx)
	watch.check(t)
}

// browserCalRevealed checks that the comparison shows Rita's answers
// (beside Rob's) and her score of 83.3%: the reference, which settles
// every tie as Rob answered, scores 58.3%, and Rita is 25 points above.
func browserCalRevealed(t *testing.T, ctx context.Context) {
	t.Helper()
	answers := eval[[]string](t, ctx, `[...document.querySelectorAll('#distribution tbody tr')]
		.map(tr => tr.cells[0].textContent.trim() + ': ' + tr.cells[2].textContent.trim())`)
	want := []string{"Greeted the caller by name: Yes × 1, No × 1",
		"Verified the caller's identity: Yes × 2", "Showed empathy: 2 × 1, 4 × 1",
		"Asked before putting on hold: Yes × 1, N/A × 1"}
	if strings.Join(answers, "\n") != strings.Join(want, "\n") {
		t.Errorf("the answers after the reveal, as Rob sees them:\n%s\nwant\n%s",
			strings.Join(answers, "\n"), strings.Join(want, "\n"))
	}
	rita := eval[string](t, ctx, `[...document.querySelectorAll('#reviewer-table tbody tr')]
		.filter(tr => tr.cells[0].textContent.includes('Rita Reviewer'))
		.map(tr => tr.querySelector('td.mean-dev').textContent.trim()).join()`)
	ref := eval[string](t, ctx,
		`document.querySelector('#call-table tbody tr').cells[2].textContent.trim()`)
	if rita != "+25.0" || ref != "58.3%" {
		t.Errorf("after the reveal Rob reads Rita at %q from a reference of %q, "+
			"want +25.0 from 58.3%% (83.3%%)", rita, ref)
	}
}

// calRitaRadios are the radios Rita clicks: calRitaAnswers.
var calRitaRadios = []string{`q.greet"][value="yes`, `q.verify"][value="yes`,
	`q.empathy"][value="4`, `q.hold"][value="__na__`}

// browserCalRita is the path of Rita's submitted evaluation of the
// session's call: the call page with it beside the player.
func browserCalRita(t *testing.T, f *calWebFixture, session string) string {
	t.Helper()
	cs, err := f.qa.GetCalibration(t.Context(), f.reviewer, calSessionID(t, session))
	if err != nil {
		t.Fatal(err)
	}
	id := calEvalOf(t, cs, f.reviewer.ID)
	ev, err := f.qa.GetEvaluation(t.Context(), f.reviewer, id)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Status != qa.StatusSubmitted || ev.Score == nil ||
		fmt.Sprintf("%.1f", *ev.Score) != "83.3" {
		t.Fatalf("Rita's evaluation %d: %s, score %v; want submitted at 83.3", id, ev.Status,
			ev.Score)
	}
	return fmt.Sprintf("/calls/%s?evaluation=%d", ev.CallID, id)
}

// browserChecked lists the ticked inputs within a part of the page, as
// name=value in the page's order.
func browserChecked(t *testing.T, ctx context.Context, within string) string {
	t.Helper()
	return eval[string](t, ctx, fmt.Sprintf(`[...document.querySelectorAll(%q)]
		.map(e => e.name + '=' + e.value).join(' ')`, within+" input:checked"))
}

// browserCalAlpha checks the comparison's alpha cells against the API's
// comparison of the same session, and the answers' alpha against what
// the answers imply. Over the yes/no answers, Rita and Rob agree on
// verify (yes, yes) and differ on greet (yes, no); hold, N/A for Rita,
// has one rating and does not count. Of the n = 4 values, 3 are yes, so
// D_e = (n² - Σn_c²)/(n(n-1)) = 6/12 and D_o = 2/4 (greet's two ordered
// pairs disagree): alpha = 1 - D_o/D_e = 0, and raw agreement is 1 pair
// of 2.
func browserCalAlpha(t *testing.T, ctx context.Context, f *calWebFixture, session string) {
	t.Helper()
	cells := eval[[]string](t, ctx, `[...document.querySelectorAll('#agreement-table td.alpha')]
		.map(td => td.firstChild ? td.firstChild.textContent.trim() : '')`)
	raw := textOf(t, ctx, "#agreement-table td.raw")
	var cmp qa.CalibrationComparison
	resp, body := f.signIn(t, "maria").get(t,
		fmt.Sprintf("/api/v1/calibration/sessions/%d/comparison", calSessionID(t, session)))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the API's comparison: %d %s", resp.StatusCode, body)
	}
	if err := json.Unmarshal([]byte(body), &cmp); err != nil {
		t.Fatal(err)
	}
	a := cmp.Agreement
	want := []string{calFigure(a.Answers.Alpha.Value), calFigure(a.Scales.Alpha.Value),
		calFigure(a.Scores.Alpha.Value)}
	if strings.Join(cells, " ") != strings.Join(want, " ") {
		t.Errorf("the comparison's alpha cells %q, the API's %q", cells, want)
	}
	if len(cells) == 0 || cells[0] != "0.000" || raw != "50%" {
		t.Errorf("the answers' alpha %q and raw agreement %q, want 0.000 and 50%%", cells, raw)
	}
}

// browserSignOut signs out with the header's button.
func browserSignOut(t *testing.T, ctx context.Context) {
	t.Helper()
	step(t, ctx, "sign out", chromedp.Click(css("header form button")),
		chromedp.WaitVisible(css("#username")))
}

// calScoring is one reviewer's scoring in the browser test.
type calScoring struct {
	user string
	// answers select the radios to click, score is what they score.
	answers []string
	score   string
	// unseen is the score of a reviewer who submitted before, which this
	// one must not see before the reveal.
	unseen string
}

// browserCalScore signs in as the reviewer, opens the session's call from
// the session page, answers the scoring form beside the player and
// submits. Before the reveal, the others' submitted score and answers
// are on none of the pages the reviewer opens.
func browserCalScore(
	t *testing.T,
	ctx context.Context,
	f *calWebFixture,
	session string,
	sc calScoring,
) {
	t.Helper()
	user := sc.user
	signInBrowser(t, ctx, f.url, user)
	step(t, ctx, user+" opens the session",
		chromedp.Navigate(f.url+"/calibration"),
		chromedp.Click(css(`#sessions a[href="`+session+`"]`)),
		chromedp.WaitVisible(css("#my-calls")),
	)
	browserCalBlind(t, ctx, sc, "the session page")
	step(t, ctx, user+" opens the call", chromedp.Click(css("#my-calls a.score-link")),
		chromedp.WaitVisible(css("#score-form")))
	// The player lays the page out again once the waveform is drawn.
	poll(t, ctx, "the waveform loads", `document.getElementById('player').dataset.ready === '1'`)
	browserCalBlind(t, ctx, sc, "the call page")
	if got := browserChecked(t, ctx, "#score-form"); got != "" {
		t.Errorf("%s's scoring form opens with answers ticked: %s", user, got)
	}
	var clicks []chromedp.Action[chromedp.Void]
	for _, a := range sc.answers {
		clicks = append(clicks, chromedp.Click(css(`input[name="`+a+`"]`)))
	}
	step(t, ctx, user+" answers", clicks...)
	poll(t, ctx, user+"'s score", fmt.Sprintf(`document.getElementById('score').textContent === %q`,
		sc.score))
	step(t, ctx, user+" submits", chromedp.Click(css("#submit")), chromedp.WaitVisible(css("p.notice")))
	if got := textOf(t, ctx, "p.notice"); !strings.Contains(got, sc.score) {
		t.Errorf("%s's submission: %q", user, got)
	}
	browserSignOut(t, ctx)
}

// browserCalBlind: the page shows sc's reviewer nothing of the score
// they must not see.
func browserCalBlind(t *testing.T, ctx context.Context, sc calScoring, where string) {
	t.Helper()
	if sc.unseen == "" {
		return
	}
	if strings.Contains(eval[string](t, ctx, "document.body.innerText"), sc.unseen) {
		t.Errorf("%s sees the other reviewer's %s on %s before the reveal", sc.user, sc.unseen,
			where)
	}
}

// browserCalSeedBias has Rita, Rob and Maria each score four more calls
// outside calibration, Rita leniently and Rob severely, so that the bias
// page has estimates to draw.
func browserCalSeedBias(t *testing.T, f *calWebFixture) {
	t.Helper()
	ctx := t.Context()
	scorers := []struct {
		u     *qa.User
		shift int
	}{{f.reviewer, 1}, {f.rob, -1}, {f.manager, 0}}
	for i, base := range []int{3, 4, 2, 3} {
		call := f.addCall(t, time.Date(2026, 3, 4+i, 10, 0, 0, 0, time.UTC), 4000)
		for j, s := range scorers {
			ev, err := f.qa.CreateEvaluation(ctx, s.u, qa.NewEvaluation{CallID: call, FormID: f.form.ID})
			if err != nil {
				t.Fatal(err)
			}
			empathy := min(5, max(1, base+s.shift))
			hold := []string{"yes", "no"}[(i+j)%2]
			answers := map[string]qa.Answer{"greet": {Value: "yes"}, "verify": {Value: "yes"},
				"empathy": {Value: fmt.Sprint(empathy)}, "hold": {Value: hold}}
			if _, err := f.qa.SaveDraft(ctx, s.u, ev.ID, qa.Draft{Answers: answers}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.qa.Submit(ctx, s.u, ev.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
}
