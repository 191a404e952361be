package ui

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"earshot/qa"
)

// The end-to-end tests drive the web app in a real headless Chromium
// (Debian's chromium package; .ci/run installs it). Without it they are
// skipped, except in CI, where a missing browser fails them.

// chromiumPath finds the browser or skips the test.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed; .ci/run installs it (apt-get install chromium)")
	}
	t.Skip("chromium is not installed (apt-get install -y --no-install-recommends chromium); " +
		"skipping the browser tests")
	return ""
}

// artifactsDir is where screenshots go: $EARSHOT_ARTIFACTS, or a folder
// of the test's.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("EARSHOT_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// pageWatch counts what the pages must never do: open a JavaScript
// dialog (Earshot opens none, so one is script that should not run),
// throw an uncaught exception, or log an error (a resource refused by
// the Content-Security-Policy, a failed request).
type pageWatch struct {
	dialogs atomic.Int32
	mu      sync.Mutex
	errors  []string
}

func (w *pageWatch) add(msg string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.errors = append(w.errors, msg)
}

// check fails the test for anything the pages should not have done.
func (w *pageWatch) check(t *testing.T) {
	t.Helper()
	if n := w.dialogs.Load(); n != 0 {
		t.Errorf("%d JavaScript dialogs opened; the pages open none, so script ran that should not", n)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, e := range w.errors {
		t.Errorf("the browser reported: %s", e)
	}
}

// newChromium starts a headless browser with a profile of its own and a
// tab, dismissing dialogs and recording errors in the watch it returns.
func newChromium(t *testing.T) (context.Context, *pageWatch) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox, // the tests run as root in CI
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		// Tall enough that no page scrolls: chromedp scrolls an element
		// into view before clicking it, and scrolling beside the sticky
		// scoring column moves the element between press and release.
		chromedp.WindowSize(1440, 1200),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	w := &pageWatch{}
	events := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range events {
			if err != nil {
				return
			}
			w.dialogs.Add(1)
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{})
		}
	}()
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == cdplog.EntryLevelError {
				w.add(ev.Entry.Text + " " + ev.Entry.URL)
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			if d.Exception != nil {
				w.add("exception: " + d.Exception.Description)
			} else {
				w.add("exception: " + d.Text)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return ctx, w
}

// step runs actions with a time limit, failing the test with what.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// screenshot writes a full-page PNG of the tab into dir.
func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// poll waits until a JavaScript expression is true, for up to 30 s.
func poll(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		// While a page is being replaced, expr may throw (an element of the
		// next page not there yet): that is "not yet", until the deadline.
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("Boolean("+expr+")"))
		if ctx.Err() != nil {
			t.Fatalf("%s: evaluate %s: %v", what, expr, ctx.Err())
		}
		if ok && err == nil {
			return
		}
		if time.Now().After(deadline) {
			if err != nil {
				t.Fatalf("%s: evaluate %s: %v", what, expr, err)
			}
			state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`[location.href,
				[...document.querySelectorAll('input:checked')].map(e => e.name + '=' + e.value).join(' '),
				(document.querySelector('main') || document.body).innerText.slice(0, 600)].join('\n')`))
			t.Fatalf("%s: %s still false after 30 s; the page:\n%s", what, expr, state)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// scoreEarlierWeeks gives Anna a history: one call a week for the three
// weeks before this one, scored by the manager, so that her trend has
// more than one point.
func scoreEarlierWeeks(t *testing.T, f *webFixture) {
	t.Helper()
	ctx := t.Context()
	defer f.qa.SetClock(time.Now)
	for i, empathy := range []string{"2", "3", "5"} {
		at := time.Now().AddDate(0, 0, -7*(3-i))
		f.qa.SetClock(func() time.Time { return at })
		call := f.addCall(t, at.Add(-time.Hour), 4000)
		ev, err := f.qa.CreateEvaluation(ctx, f.manager, qa.NewEvaluation{CallID: call, FormID: f.form.ID})
		if err != nil {
			t.Fatal(err)
		}
		answers := map[string]qa.Answer{"greet": {Value: "yes"}, "verify": {Value: "yes"},
			"empathy": {Value: empathy}, "hold": {Value: "no"}}
		if _, err := f.qa.SaveDraft(ctx, f.manager, ev.ID, qa.Draft{Answers: answers}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.qa.Submit(ctx, f.manager, ev.ID); err != nil {
			t.Fatal(err)
		}
	}
}

// waitDraft waits until the draft saved by the page holds what done
// looks for: the page saves it a moment after each change.
func waitDraft(t *testing.T, f *webFixture, id int64, done func(map[string]qa.Answer) bool) {
	t.Helper()
	for range 100 {
		ev, err := f.qa.GetEvaluation(t.Context(), f.reviewer, id)
		if err != nil {
			t.Fatal(err)
		}
		if done(ev.Answers) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the page did not save the draft within 10 s")
}

func signInBrowser(t *testing.T, ctx context.Context, base, user string) {
	t.Helper()
	step(t, ctx, "sign in as "+user,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(css("#username")),
		chromedp.SendKeys(css("#username"), user),
		chromedp.SendKeys(css("#password"), user+"-password"),
		chromedp.Click(css("#sign-in")),
		chromedp.WaitVisible(css("header .user")),
	)
}

// textOf is the text of the first element a CSS selector matches.
func textOf(t *testing.T, ctx context.Context, selector string) string {
	t.Helper()
	return eval[string](t, ctx, fmt.Sprintf("document.querySelector(%q).textContent", selector))
}

// TestBrowserReviewFlow is a reviewer's day in a real browser: sign in,
// open the next call of the queue with n, play it, score it while the
// draft saves itself, submit; then the agent signs in and sees the score
// on her page. Along the way, the caller named <script>alert(1)</script>
// is shown as text and no dialog opens.
func TestBrowserReviewFlow(t *testing.T) {
	chromiumPath(t)
	f := newWebFixture(t)
	due := time.Now().Add(48 * time.Hour)
	ev, err := f.qa.CreateEvaluation(t.Context(), f.manager, qa.NewEvaluation{CallID: f.callID,
		FormID: f.form.ID, ReviewerID: f.reviewer.ID, DueAt: &due})
	if err != nil {
		t.Fatal(err)
	}
	scoreEarlierWeeks(t, f)
	dir := artifactsDir(t)
	ctx, watch := newChromium(t)

	step(t, ctx, "open the sign-in page", chromedp.Navigate(f.url+"/"), chromedp.WaitVisible(css("#username")))
	screenshot(t, ctx, dir, "login.png")
	signInBrowser(t, ctx, f.url, "rita")
	step(t, ctx, "the queue", chromedp.WaitVisible(css("#queue a[data-next]")))
	screenshot(t, ctx, dir, "queue.png")
	browserPlay(t, ctx, f, dir)
	browserScore(t, ctx, f, ev.ID, dir)

	step(t, ctx, "the library", chromedp.Navigate(f.url+"/calls"), chromedp.WaitVisible(css("#calls")))
	if got := textOf(t, ctx, "#calls td.parties"); !strings.Contains(got, xssName) {
		t.Errorf("the library shows the parties as %q", got)
	}
	screenshot(t, ctx, dir, "calls.png")

	step(t, ctx, "sign out", chromedp.Click(css("header form button")), chromedp.WaitVisible(css("#username")))
	signInBrowser(t, ctx, f.url, "anna")
	step(t, ctx, "the agent's page", chromedp.WaitVisible(css("#evaluations")))
	poll(t, ctx, "the trend chart", `document.getElementById('trend-chart').dataset.ready === '1'`)
	if got := textOf(t, ctx, "#evaluations .score-cell"); got != "83.3%" {
		t.Errorf("the agent's page shows the score %q, want 83.3%%", got)
	}
	screenshot(t, ctx, dir, "agent.png")

	watch.check(t)
}

// css is a CSS selector for chromedp.
func css(s string) chromedp.CSS { return chromedp.CSS(s) }

// browserPlay opens the next call of the queue with n and plays it with
// the buttons and the keyboard.
func browserPlay(t *testing.T, ctx context.Context, f *webFixture, dir string) {
	t.Helper()
	step(t, ctx, "open the next call with n", chromedp.KeyEvent("n"), chromedp.WaitVisible(css("#player")))
	if loc := eval[string](t, ctx, "location.pathname + location.search"); !strings.Contains(loc, f.callID) {
		t.Fatalf("n opened %s, want the call %s", loc, f.callID)
	}
	poll(t, ctx, "the waveform loads", `document.getElementById('player').dataset.ready === '1'`)
	if got := eval[string](t, ctx, `document.getElementById('player').dataset.peaks`); got != "server" {
		t.Errorf("the waveform was drawn from %q peaks, want the server's", got)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('#timeline .mark').length`); n != 3 {
		t.Errorf("%d marks on the timeline, want a DTMF digit, a hold and a pause", n)
	}
	const media = `document.getElementById('call-audio')`
	step(t, ctx, "play", chromedp.Click(css("#play")))
	poll(t, ctx, "the audio plays", media+`.currentTime > 0.5`)
	// Play keeps the focus: the shortcuts must still work from it.
	step(t, ctx, "faster with ] from the Play button", chromedp.KeyEvent("]"))
	if rate := eval[float64](t, ctx, media+`.playbackRate`); rate != 1.25 {
		t.Errorf("playback rate after ] = %v, want 1.25", rate)
	}
	screenshot(t, ctx, dir, "call-playing.png")
	step(t, ctx, "pause with space", chromedp.KeyEvent(" "))
	poll(t, ctx, "paused", media+`.paused`)
	before := eval[float64](t, ctx, media+`.currentTime`)
	step(t, ctx, "back 5 s with ←", chromedp.KeyEvent(kb.ArrowLeft))
	poll(t, ctx, "seeked back", fmt.Sprintf("%s.currentTime < %.3f", media, before-0.4))

	// The customer's display name is text on the page.
	if got := textOf(t, ctx, "#lane-name-1"); got != xssName {
		t.Errorf("the customer lane shows %q, want the name as text %q", got, xssName)
	}
	if got := textOf(t, ctx, "#parties"); !strings.Contains(got, xssName) {
		t.Errorf("the parties read %q", got)
	}
}

// browserTimestamps writes a time into a comment and plays from it by
// the button that appears under the field.
func browserTimestamps(t *testing.T, ctx context.Context) {
	t.Helper()
	const area = `textarea[name="c.empathy"]`
	step(t, ctx, "a comment with a time", chromedp.SendKeys(css(area), "warm tone at 0:06, then rushed"))
	poll(t, ctx, "the time becomes a button",
		`document.querySelector('[data-question="empathy"] .mentioned .timestamp') !== null`)
	step(t, ctx, "play from the comment's time",
		chromedp.Click(css(`[data-question="empathy"] .mentioned .timestamp`)))
	poll(t, ctx, "seeked to 0:06", `Math.abs(document.getElementById('call-audio').currentTime - 6) < 0.6`)
}

// browserScore answers the form beside the player, watching the score
// and the draft follow, and submits.
func browserScore(t *testing.T, ctx context.Context, f *webFixture, evID int64, dir string) {
	t.Helper()
	step(t, ctx, "answer the questions",
		chromedp.Click(css(`input[name="q.greet"][value="yes"]`)),
		chromedp.Click(css(`input[name="q.verify"][value="yes"]`)),
		chromedp.Click(css(`input[name="q.empathy"][value="4"]`)),
	)
	poll(t, ctx, "the score so far", `document.getElementById('score').textContent === '83.3%'`)
	step(t, ctx, "mark N/A", chromedp.Click(css(`input[name="q.hold"][value="__na__"]`)))
	poll(t, ctx, "the full score", `document.getElementById('score-detail').textContent === 'all 4 answered'`)
	// The answer just ticked has the focus; a shortcut still reaches the
	// player, while the arrows stay with the answer.
	step(t, ctx, "half way with 5 from an answer", chromedp.KeyEvent("5"))
	poll(t, ctx, "seeked half way", `(() => { const a = document.getElementById('call-audio');
		return Math.abs(a.currentTime - a.duration / 2) < 0.6; })()`)
	browserTimestamps(t, ctx)
	waitDraft(t, f, evID, func(a map[string]qa.Answer) bool {
		return a["empathy"].Value == "4" && a["hold"].NA && strings.Contains(a["empathy"].Comment, "0:06")
	})
	screenshot(t, ctx, dir, "call-scoring.png")

	step(t, ctx, "submit", chromedp.Click(css("#submit")), chromedp.WaitVisible(css("p.notice")))
	if got := textOf(t, ctx, "p.notice"); got != "Evaluation submitted: 83.3%." {
		t.Errorf("after submitting the page says %q", got)
	}
	screenshot(t, ctx, dir, "call-submitted.png")
}
