package ui

import (
	"testing"

	"github.com/chromedp/chromedp"

	"earshot/qa"
)

// TestBrowserAdminAddsAReviewer is the first thing an admin does on a
// fresh install, with the browser alone: open People, add a reviewer with
// a generated password, and the reviewer signs in with it.
func TestBrowserAdminAddsAReviewer(t *testing.T) {
	chromiumPath(t)
	f := newWebFixture(t)
	f.user(t, "root", qa.RoleAdmin, qa.RoleManager)
	dir := artifactsDir(t)
	ctx, watch := newChromium(t)

	signInBrowser(t, ctx, f.url, "root")
	step(t, ctx, "People from the menu", chromedp.Click(css(`header nav a[href="/people"]`)),
		chromedp.WaitVisible(css("#users")))
	screenshot(t, ctx, dir, "people.png")
	step(t, ctx, "add a user", chromedp.Click(css("#add-user")), chromedp.WaitVisible(css("#u-username")),
		chromedp.SendKeys(css("#u-username"), "newbie"),
		chromedp.SendKeys(css("#u-display"), "Nia Newbie"),
		chromedp.Click(css(`input[name="roles"][value="reviewer"]`)),
		chromedp.Click(css("#save-user")),
		chromedp.WaitVisible(css("#new-password")))
	password := textOf(t, ctx, "#new-password")
	if len(password) < 10 {
		t.Fatalf("the page shows the new password as %q", password)
	}
	screenshot(t, ctx, dir, "people-user-created.png")

	step(t, ctx, "sign out", chromedp.Click(css("header form button")), chromedp.WaitVisible(css("#username")))
	step(t, ctx, "sign in as the new reviewer",
		chromedp.SendKeys(css("#username"), "newbie"),
		chromedp.SendKeys(css("#password"), password),
		chromedp.Click(css("#sign-in")),
		chromedp.WaitVisible(css("header .user")))
	if who := textOf(t, ctx, "header .user"); who != "Nia Newbie" {
		t.Errorf("signed in as %q, want Nia Newbie", who)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('header nav a[href="/queue"]').length`); n != 1 {
		t.Error("the new reviewer has no queue in the menu")
	}
	watch.check(t)
}
