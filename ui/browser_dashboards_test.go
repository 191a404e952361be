package ui

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserAgentDisputeAndDashboards drives the dispute flow and the
// managers' pages in a real browser: the agent opens an evaluation and
// disputes it with a reason and a proposed answer; the manager finds the
// dispute and re-scores it with a note, then opens the dashboards (the
// charts draw); the admin reads the playback in the audit log.
func TestBrowserAgentDisputeAndDashboards(t *testing.T) {
	chromiumPath(t)
	f := newDashFixture(t)
	scoreEarlierWeeks(t, f.webFixture)
	ev := f.annaScored(t)
	f.score(t, f.reviewer, f.benCall(t, ev.SubmittedAt.Add(-time.Hour), [2]int64{20000, 25000}), "yes", "4")
	rita := f.signIn(t, "rita")
	if resp, _ := rita.get(t, "/api/v1/calls/"+f.callID+"/audio"); resp.StatusCode != http.StatusOK {
		t.Fatalf("play the call: %d", resp.StatusCode)
	}
	dir := artifactsDir(t)
	ctx, watch := newChromium(t)

	signInBrowser(t, ctx, f.url, "anna")
	evLink := fmt.Sprintf(`#evaluations a[href="/agent/evaluations/%d"]`, ev.ID)
	step(t, ctx, "open the evaluation", chromedp.WaitVisible(css(evLink)), chromedp.Click(css(evLink)),
		chromedp.WaitVisible(css("#dispute-comment")))
	step(t, ctx, "dispute it",
		chromedp.SetValue(css("#p-greet"), "yes"),
		chromedp.SendKeys(css("#dispute-comment"), "I greeted him by name at 0:02"),
		chromedp.Click(css("#send-dispute")),
		chromedp.WaitVisible(css("#dispute-status")))
	if got := textOf(t, ctx, "#dispute-status"); got != "open, waiting for a manager" {
		t.Errorf("after disputing the status reads %q", got)
	}
	screenshot(t, ctx, dir, "agent-evaluation.png")
	step(t, ctx, "sign out", chromedp.Click(css("header form button")), chromedp.WaitVisible(css("#username")))

	signInBrowser(t, ctx, f.url, "maria")
	step(t, ctx, "the disputes", chromedp.Navigate(f.url+"/disputes"), chromedp.WaitVisible(css("#disputes")))
	screenshot(t, ctx, dir, "disputes.png")
	step(t, ctx, "open the dispute", chromedp.Click(css("#disputes th a")), chromedp.WaitVisible(css("#resolve")))
	if got := textOf(t, ctx, "#agent-reason"); got != "I greeted him by name at 0:02" {
		t.Errorf("the dispute shows the reason %q", got)
	}
	step(t, ctx, "re-score",
		chromedp.Click(css("#d-partly")),
		chromedp.SetValue(css("#a-greet"), "yes"),
		chromedp.SendKeys(css("#resolve-comment"), "Agreed: the greeting is there"),
		chromedp.Click(css("#resolve")),
		chromedp.WaitVisible(css("p.notice")))
	after, err := f.qa.GetEvaluation(t.Context(), f.manager, ev.ID)
	if err != nil || after.Revision != 2 {
		t.Fatalf("the evaluation after the decision: %+v %v", after, err)
	}
	if got := textOf(t, ctx, "#eval-score"); !strings.HasPrefix(got, webPercent(after.Score)) {
		t.Errorf("the dispute page shows the score %q, want %s", got, webPercent(after.Score))
	}

	step(t, ctx, "the dashboards", chromedp.Navigate(f.url+"/dashboards"),
		chromedp.WaitVisible(css("#agents-chart")))
	if n := eval[int](t, ctx, `document.querySelectorAll('#agents-chart .agent-row').length`); n != 2 {
		t.Errorf("the chart has %d agents, want 2", n)
	}
	screenshot(t, ctx, dir, "dashboards.png")
	step(t, ctx, "anna's dashboard", chromedp.Click(css(fmt.Sprintf(`#agents tr[data-agent="%d"] a`, f.agentID))),
		chromedp.WaitVisible(css("#kpi-chart")))
	poll(t, ctx, "the trend chart", `document.getElementById('trend-chart').dataset.ready === '1'`)
	if n := eval[int](t, ctx, `document.querySelectorAll('#trend tbody tr').length`); n < 2 {
		t.Errorf("the trend has %d weeks, want several", n)
	}
	// uPlot's legend names every series it draws: the adjusted line too.
	if legend := textOf(t, ctx, "#trend-chart .u-legend"); !strings.Contains(legend, "Bias-adjusted mean") {
		t.Errorf("the trend chart's legend reads %q, want the bias-adjusted series", legend)
	}
	poll(t, ctx, "the weekly call figures chart", `document.getElementById('kpi-trend-chart').dataset.ready === '1'`)
	if legend := textOf(t, ctx, "#kpi-trend-chart .u-legend"); !strings.Contains(legend, "Handle time") {
		t.Errorf("the weekly call figures chart's legend reads %q, want Handle time in it", legend)
	}
	screenshot(t, ctx, dir, "agent-dashboard.png")
	step(t, ctx, "sign out", chromedp.Click(css("header form button")), chromedp.WaitVisible(css("#username")))

	signInBrowser(t, ctx, f.url, "ada")
	step(t, ctx, "the audit log", chromedp.Navigate(f.url+"/audit"), chromedp.WaitVisible(css("#audit")))
	want := "rita played call " + f.callID
	if got := textOf(t, ctx, `#audit tr[data-action="play"] td.what`); !strings.HasPrefix(got, want) {
		t.Errorf("the playback reads %q, want %q", got, want)
	}
	screenshot(t, ctx, dir, "audit.png")

	// The agent sees the decision.
	step(t, ctx, "sign out", chromedp.Click(css("header form button")), chromedp.WaitVisible(css("#username")))
	signInBrowser(t, ctx, f.url, "anna")
	step(t, ctx, "the evaluation again", chromedp.Navigate(fmt.Sprintf("%s/agent/evaluations/%d", f.url, ev.ID)),
		chromedp.WaitVisible(css("#resolution")))
	if got := textOf(t, ctx, "#dispute-status"); got != "partly accepted: re-scored" {
		t.Errorf("the agent reads the status %q", got)
	}
	watch.check(t)
}
