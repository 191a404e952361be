package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"earshot/qa"
)

// TestBrowserFormBuilderAndSampling is a manager's afternoon in a real
// browser: build a form with the builder's buttons and the keyboard,
// save it, change a weight (version 2) and read the history; then write
// a sampling plan, preview its week, run the previewed draw and read it.
func TestBrowserFormBuilderAndSampling(t *testing.T) {
	chromiumPath(t)
	w := newSamplingWeb(t)
	dir := artifactsDir(t)
	ctx, watch := newChromium(t)
	signInBrowser(t, ctx, w.url, "maria")

	formID := browserBuildForm(t, ctx, w, dir)
	screenshotAfter(t, ctx, dir, "form-history.png")
	browserSample(t, ctx, w, formID, dir)
	// The refused save answered 400 on purpose; anything else counts.
	forgive(watch, "status of 400 (Bad Request) "+w.url+"/forms")
	watch.check(t)
}

// forgive drops the browser's reports that contain what, once a test
// has caused them on purpose.
func forgive(w *pageWatch, what string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	kept := w.errors[:0]
	for _, e := range w.errors {
		if !strings.Contains(e, what) {
			kept = append(kept, e)
		}
	}
	w.errors = kept
}

// screenshotAfter scrolls to the top and takes a screenshot.
func screenshotAfter(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	eval[any](t, ctx, "window.scrollTo(0, 0)")
	screenshot(t, ctx, dir, name)
}

// typeInto focuses a field and types into it key by key.
func typeInto(sel, text string) chromedp.Action[chromedp.Void] {
	return chromedp.SendKeys(css(sel), text)
}

// chooseOption sets a select as a person does and lets the page hear it.
func chooseOption(t *testing.T, ctx context.Context, sel, value string) {
	t.Helper()
	step(t, ctx, "choose "+value+" in "+sel, chromedp.Focus(css(sel)))
	eval[any](t, ctx, fmt.Sprintf(`(() => { const s = document.querySelector(%q); s.value = %q;
		s.dispatchEvent(new Event('change', {bubbles: true})); })()`, sel, value))
}

// browserBuildForm builds and saves a two-section form, then raises a
// weight, and returns the form's id, leaving the history page open.
func browserBuildForm(t *testing.T, ctx context.Context, w *samplingWeb, dir string) int64 {
	t.Helper()
	step(t, ctx, "open the builder", chromedp.Navigate(w.url+"/forms/new"),
		chromedp.WaitVisible(css(`#builder[data-ready="1"]`)))
	step(t, ctx, "name the form and its first question",
		typeInto("#form-name", "Outbound sales"),
		typeInto("#s0-title", "Opening"),
		typeInto("#s0-q0-text", "Greeted the caller"),
	)
	if id := eval[string](t, ctx, `document.getElementById('s0-q0-id').value`); id != "greeted-the-caller" {
		t.Errorf("the new question's id follows its text as %q", id)
	}
	step(t, ctx, "add a scale question with the keyboard",
		chromedp.Focus(css("#s0-add-question")), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(css("#s0-q1-text")))
	if f := eval[string](t, ctx, `document.activeElement.id`); f != "s0-q1-text" {
		t.Errorf("after adding a question the focus is on %q, want its text", f)
	}
	step(t, ctx, "type the question where the focus is", chromedp.KeyEvent("Showed empathy"))
	chooseOption(t, ctx, "#s0-q1-type", "scale")
	step(t, ctx, "weigh it", chromedp.SetValue(css("#s0-q1-weight"), ""), typeInto("#s0-q1-weight", "2"))
	chooseOption(t, ctx, "#s0-q0-critical", "form")
	step(t, ctx, "label the top of the scale",
		chromedp.Click(css("#s0-q1-add-option")), typeInto("#s0-q1-o0-value", "5"),
		typeInto("#s0-q1-o0-label", "warm"),
		typeInto("#s0-q1-o0-guidance", "Names the caller's worry and answers it."))

	step(t, ctx, "add a section", chromedp.Click(css("#add-section")), chromedp.WaitVisible(css("#s1-title")),
		chromedp.KeyEvent("Closing"), typeInto("#s1-q0-text", "Offered more help"))
	step(t, ctx, "move it up with the keyboard", chromedp.Focus(css("#s1-up")), chromedp.KeyEvent(kb.Enter))
	if got := eval[string](t, ctx, `document.getElementById('s0-title').value + '/' +
		document.activeElement.id`); got != "Closing/s0-down" {
		t.Errorf("after moving the section up: first title and focus %q", got)
	}
	step(t, ctx, "and down again", chromedp.KeyEvent(kb.Enter))
	step(t, ctx, "add a question and remove it", chromedp.Click(css("#s1-add-question")),
		chromedp.WaitVisible(css("#s1-q1-remove")), chromedp.Click(css("#s1-q1-remove")))
	if n := eval[int](t, ctx, `document.querySelectorAll('.b-question').length`); n != 3 {
		t.Errorf("%d questions after removing one, want 3", n)
	}
	screenshotAfter(t, ctx, dir, "forms-builder.png")

	// A question left without text: qa refuses, the builder comes back
	// with everything typed and the reason beside the question.
	eval[any](t, ctx, `(() => { const q = document.getElementById('s1-q0-text'); q.value = '';
		q.dispatchEvent(new Event('input')); })()`)
	step(t, ctx, "save with an empty question", chromedp.Click(css("#save-form")),
		chromedp.WaitVisible(css("#builder-error")))
	if got := eval[string](t, ctx, `document.activeElement.id + ': ' +
		document.getElementById('builder-error').textContent`); got != "s1-q0-text: give the question a text" {
		t.Errorf("after the refusal the focus and the reason are %q", got)
	}
	if got := eval[string](t, ctx, `document.getElementById('s0-q1-o0-guidance').value`); got == "" {
		t.Errorf("the refused form lost the answer guidance typed")
	}
	step(t, ctx, "give it a text", chromedp.KeyEvent("Offered more help"))
	step(t, ctx, "create the form", chromedp.Click(css("#save-form")), chromedp.WaitVisible(css("p.notice")))
	if got := textOf(t, ctx, "p.notice"); got != "Form created as version 1." {
		t.Fatalf("after saving the builder says %q", got)
	}
	f := builtForm(t, w)

	// The page before the save has a notice too: wait for the new one.
	step(t, ctx, "raise a weight", chromedp.SetValue(css("#s0-q1-weight"), ""), typeInto("#s0-q1-weight", "3"),
		chromedp.Click(css("#save-form")))
	poll(t, ctx, "the builder names version 2", `(document.querySelector('p.notice') || {}).textContent
		?.startsWith('Saved as version 2')`)
	step(t, ctx, "the history", chromedp.Click(css("#history-link")), chromedp.WaitVisible(css("#versions")))
	if got := textOf(t, ctx, "#version-2 .changes"); !strings.Contains(got, "weight: 2 → 3") {
		t.Errorf("the history of version 2 says %q", got)
	}
	return f.ID
}

// builtForm checks what the builder stored as version 1.
func builtForm(t *testing.T, w *samplingWeb) *qa.Form {
	t.Helper()
	forms, err := w.qa.ListForms(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for i := range forms {
		if forms[i].Name != "Outbound sales" {
			continue
		}
		d := forms[i].Latest.Definition
		if len(d.Sections) != 2 || d.Sections[0].Title != "Opening" || d.Sections[1].Title != "Closing" {
			t.Fatalf("stored sections %+v", d.Sections)
		}
		q := d.Sections[0].Questions
		if len(q) != 2 || q[0].Critical != qa.CriticalForm || q[1].Type != qa.AnswerScale ||
			q[1].Min != 1 || q[1].Max != 5 || q[1].Weight != 2 || len(q[1].Options) != 1 ||
			q[1].Options[0].Label != "warm" {
			t.Errorf("stored questions %+v", q)
		}
		return &forms[i]
	}
	t.Fatalf("no form Outbound sales among %+v", forms)
	return nil
}

// browserSample writes a plan over Bo and Cy, previews the week, runs
// the previewed draw and checks the draw page.
func browserSample(t *testing.T, ctx context.Context, w *samplingWeb, formID int64, dir string) {
	t.Helper()
	f, err := w.qa.GetForm(t.Context(), formID)
	if err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "write a plan", chromedp.Navigate(w.url+"/sampling/new"),
		chromedp.WaitVisible(css("#plan-form")),
		typeInto("#name", "Weekly outbound"),
		chromedp.SetValue(css("#quota"), "3"),
		chromedp.Click(css(fmt.Sprintf(`input[name="agent_id"][value="%d"]`, w.bo.ID))),
		chromedp.Click(css(fmt.Sprintf(`input[name="agent_id"][value="%d"]`, w.cy.ID))),
		chromedp.Click(css(fmt.Sprintf("#reviewer-%d", w.reviewer.ID))),
		chromedp.Click(css(fmt.Sprintf("#reviewer-%d", w.manager.ID))),
	)
	chooseOption(t, ctx, "#form_version_id", fmt.Sprint(f.Latest.ID))
	step(t, ctx, "create it", chromedp.Click(css("#save-plan")), chromedp.WaitVisible(css("#draw-tools")))
	step(t, ctx, "preview the week", chromedp.SetValue(css("#preview-period"), "2026-03-04"),
		chromedp.Click(css("#preview")), chromedp.WaitVisible(css("#preview-result")))
	if got := textOf(t, ctx, fmt.Sprintf(`tr[data-agent="%d"] .shortfall-cell`, w.cy.ID)); got != "1 short" {
		t.Errorf("Cy's shortfall in the preview reads %q", got)
	}
	if n, _ := w.stored(t); n != 0 {
		t.Errorf("%d draws stored by the preview", n)
	}
	seed := eval[string](t, ctx, `document.querySelector('input[name="seed"]').value`)
	screenshotAfter(t, ctx, dir, "sampling-plan.png")

	step(t, ctx, "run the previewed draw", chromedp.Click(css("#run-previewed")),
		chromedp.WaitVisible(css("#draw-seed")))
	if got := textOf(t, ctx, "#draw-seed"); got != seed {
		t.Errorf("the draw's seed %q, the preview's %q", got, seed)
	}
	if got := textOf(t, ctx, "#total-drawn"); got != "5" {
		t.Errorf("%s calls drawn, want 3 of Bo's and Cy's 2", got)
	}
	if !strings.Contains(textOf(t, ctx, ".shortfall-advice"), "widen the period") {
		t.Errorf("the draw page does not say what to do about the shortfall")
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('#draw-calls a[href^="/calls/"]').length`); n < 5 {
		t.Errorf("%d links to calls on the draw page, want at least 5", n)
	}
	screenshotAfter(t, ctx, dir, "sampling-draw.png")

	// With the keyboard alone: type why into the first call's form, Enter.
	step(t, ctx, "take the first call out", chromedp.Focus(css(`form.take-out input[name="reason"]`)),
		chromedp.SendKeys(css(`form.take-out input[name="reason"]`), "wrong number\r"),
		chromedp.WaitVisible(css(".notice")))
	if got := textOf(t, ctx, "#draw-calls"); !strings.Contains(got, "taken out: wrong number") {
		t.Errorf("the draw's calls after taking one out: %q", got)
	}
	screenshotAfter(t, ctx, dir, "sampling-draw-taken-out.png")

	// Back on the plan, an edit tried before it is saved: two calls each
	// make up Cy's shortfall, and the plan keeps its three.
	planURL := eval[string](t, ctx, `document.querySelector('h1 a[href^="/sampling/"]').href`)
	step(t, ctx, "preview an edit", chromedp.Navigate(planURL), chromedp.WaitVisible(css("#plan-form")),
		chromedp.SetValue(css("#quota"), "2"), chromedp.SetValue(css("#edit-period"), "2026-03-04"),
		chromedp.Click(css("#preview-edit")), chromedp.WaitVisible(css("#preview-edit-state")))
	if got := textOf(t, ctx, fmt.Sprintf(`tr[data-agent="%d"] .shortfall-cell`, w.cy.ID)); got != "0" {
		t.Errorf("Cy's shortfall in the preview of quota 2 reads %q", got)
	}
	plans, err := w.qa.ListPlans(t.Context(), w.manager)
	if err != nil || len(plans) != 1 || plans[0].Quota != 3 {
		t.Errorf("the plans after previewing an edit: %+v %v, want quota 3 still", plans, err)
	}
	screenshotAfter(t, ctx, dir, "sampling-preview-edit.png")
}
