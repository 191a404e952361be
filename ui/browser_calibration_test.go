package ui

import (
	"context"
	"fmt"
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
	poll(t, ctx, "the search", `document.getElementById('found-title').textContent.includes('Found for')`)
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

	browserCalScore(t, ctx, f, session, "rita", []string{`q.greet"][value="yes`,
		`q.verify"][value="yes`, `q.empathy"][value="4`, `q.hold"][value="__na__`}, "83.3%")
	browserCalScore(t, ctx, f, session, "rob", []string{`q.greet"][value="no`,
		`q.verify"][value="yes`, `q.empathy"][value="2`, `q.hold"][value="yes`}, "58.3%")

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
	if got := textOf(t, ctx, "#agreement-table td.alpha"); strings.TrimSpace(got) == "" {
		t.Error("no alpha on the comparison")
	}
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
	watch.check(t)
}

// browserSignOut signs out with the header's button.
func browserSignOut(t *testing.T, ctx context.Context) {
	t.Helper()
	step(t, ctx, "sign out", chromedp.Click(css("header form button")),
		chromedp.WaitVisible(css("#username")))
}

// browserCalScore signs in as user, opens the session's call from the
// session page, answers the scoring form beside the player and submits.
func browserCalScore(t *testing.T, ctx context.Context, f *calWebFixture, session, user string,
	answers []string, score string,
) {
	t.Helper()
	signInBrowser(t, ctx, f.url, user)
	step(t, ctx, user+" opens the session",
		chromedp.Navigate(f.url+"/calibration"),
		chromedp.Click(css(`#sessions a[href="`+session+`"]`)),
		chromedp.WaitVisible(css("#my-calls")),
	)
	if strings.Contains(eval[string](t, ctx, "document.body.innerText"), "58.3") {
		t.Errorf("%s sees Rob's score before the reveal", user)
	}
	step(t, ctx, user+" opens the call", chromedp.Click(css("#my-calls a.score-link")),
		chromedp.WaitVisible(css("#score-form")))
	// The player lays the page out again once the waveform is drawn.
	poll(t, ctx, "the waveform loads", `document.getElementById('player').dataset.ready === '1'`)
	var clicks []chromedp.Action[chromedp.Void]
	for _, a := range answers {
		clicks = append(clicks, chromedp.Click(css(`input[name="`+a+`"]`)))
	}
	step(t, ctx, user+" answers", clicks...)
	poll(t, ctx, user+"'s score", fmt.Sprintf(`document.getElementById('score').textContent === %q`,
		score))
	step(t, ctx, user+" submits", chromedp.Click(css("#submit")), chromedp.WaitVisible(css("p.notice")))
	if got := textOf(t, ctx, "p.notice"); !strings.Contains(got, score) {
		t.Errorf("%s's submission: %q", user, got)
	}
	browserSignOut(t, ctx)
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
