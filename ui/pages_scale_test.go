package ui

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"earshot/qa"
)

// TestPageTimingsAtScale times the pages other than the library on the
// same filled catalog as TestLibraryPageTimings (EARSHOT_LIBRARY_CALLS
// calls, 20,000 by default; docs/benchmarks.md has the figures at a
// million): the manager's dashboards and bias page, which read every
// evaluation and call of their window, the reviewer's queue and a call
// page, the admin's audit log and people. Each is fetched over HTTP,
// rendered in full, five times; its median is reported as a ratio to the
// first library page measured in the same run. Nothing is asserted about
// time; each page must answer 200 with what it is for.
func TestPageTimingsAtScale(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a large catalog")
	}
	n := scaleCalls(t)
	f := newWebFixture(t)
	f.user(t, "root", qa.RoleAdmin)
	began := time.Now()
	deep := fillLibrary(t, f, n)
	t.Logf("catalog of %d calls filled in %v", n, time.Since(began).Round(time.Millisecond))
	maria, rita, root := f.signIn(t, "maria"), f.signIn(t, "rita"), f.signIn(t, "root")
	base := medianOf(5, func() { libraryPage(t, rita, "") })

	pages := []struct {
		name string
		as   *browser
		path string
		has  string // what the page is for, as it reads
	}{
		{"dashboards: every agent", maria, "/dashboards", "Agent 007"},
		{"dashboards: one team", maria, "/dashboards?team_id=1003", "Agent 002"},
		{"one agent's dashboard", maria, "/dashboards/agents/1007", `id="kpi-trend-data"`},
		{"one agent's dashboard, a quarter", maria, "/dashboards/agents/1007?from=2026-04-01&to=2026-06-30",
			`id="kpi-trend-data"`},
		{"reviewer bias", maria, "/bias", "Reviewer bias"},
		{"disputes", maria, "/disputes", "Disputes"},
		{"a reviewer's queue", rita, "/queue", "queue"},
		{"a call page", rita, "/calls/" + deep, `id="player"`},
		{"audit log", root, "/audit", "Audit log"},
		{"people", root, "/people", "Agent 400"},
	}
	var report strings.Builder
	fmt.Fprintf(&report, "calls %d; baseline: the first library page over HTTP: %.1f ms\n", n, ms(base))
	fmt.Fprintf(&report, "%-36s %9s %8s\n", "page", "median", "ratio")
	for _, p := range pages {
		var body string
		took := medianOf(5, func() {
			var resp *http.Response
			resp, body = p.as.get(t, p.path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s (%s): status %d\n%s", p.name, p.path, resp.StatusCode, body)
			}
		})
		if !strings.Contains(body, p.has) {
			t.Errorf("%s (%s): the page lacks %q", p.name, p.path, p.has)
		}
		fmt.Fprintf(&report, "%-36s %7.1fms %7.1fx\n", p.name, ms(took), float64(took)/float64(base))
	}
	t.Log("\n" + report.String())
	path := filepath.Join(artifactsDir(t), "page-timings.txt")
	if err := os.WriteFile(path, []byte(report.String()), 0o644); err != nil {
		t.Error(err)
	}
}
