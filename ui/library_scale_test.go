package ui

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"earshot/storage"
)

// The library's page timings: a catalog of EARSHOT_LIBRARY_CALLS calls
// (20,000 by default, which CI runs; the figures in docs/benchmarks.md
// are for 1,000,000) with 400 agents in 20 teams and 2% of calls
// evaluated. Each page is fetched over HTTP as a reviewer, rendered in
// full; its median time is reported beside the same catalog's bare
// indexed query for one page (the baseline), measured in the same run.
// Nothing is asserted about time: the test checks that each page lists
// what its filter asks for, and writes the table to the artifacts folder.

const (
	scaleAgents = 400
	scaleTeams  = 20
)

func TestLibraryPageTimings(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a large catalog")
	}
	n := 20_000
	if v := os.Getenv("EARSHOT_LIBRARY_CALLS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1000 {
			t.Fatalf("EARSHOT_LIBRARY_CALLS=%q: want a whole number of at least 1000", v)
		}
	}
	f := newWebFixture(t)
	began := time.Now()
	deep := fillLibrary(t, f, n)
	t.Logf("catalog of %d calls filled in %v", n, time.Since(began).Round(time.Millisecond))
	rita := f.signIn(t, "rita")
	bare := medianOf(7, func() { baselinePage(t, f.cat.DB()) })
	base := medianOf(5, func() { libraryRows(t, rita, "") })
	var report strings.Builder
	fmt.Fprintf(&report, "calls %d; one page of ids from the index in bare SQL: %.2f ms\n", n, ms(bare))
	fmt.Fprintf(&report, "baseline: the first page, newest first, over HTTP: %.1f ms\n", ms(base))
	fmt.Fprintf(&report, "%-34s %9s %8s %5s\n", "page", "median", "ratio", "rows")
	for _, pc := range scalePages(deep) {
		var rows int
		took := medianOf(5, func() { rows = libraryRows(t, rita, pc.query) })
		if rows < pc.minRows {
			t.Errorf("%s: %d rows, want at least %d", pc.name, rows, pc.minRows)
		}
		fmt.Fprintf(&report, "%-34s %7.1fms %7.1fx %5d\n", pc.name, ms(took), float64(took)/float64(base), rows)
	}
	t.Log("\n" + report.String())
	path := filepath.Join(artifactsDir(t), "library-timings.txt")
	if err := os.WriteFile(path, []byte(report.String()), 0o644); err != nil {
		t.Error(err)
	}
}

type scalePage struct {
	name, query string
	minRows     int
}

func scalePages(deep string) []scalePage {
	return []scalePage{
		{"first page, newest", "", webPageSize},
		{"a page deep in the library", "after=" + deep, webPageSize},
		{"longest first", "sort=longest", webPageSize},
		{"most overtalk first", "sort=overtalk", webPageSize},
		{"one agent", "agent=1007", webPageSize},
		{"one team", "team=1003", webPageSize},
		{"one team, outbound", "team=1003&direction=outbound", webPageSize},
		{"evaluated", "evaluated=yes", webPageSize},
		{"not evaluated, longest first", "evaluated=no&sort=longest", webPageSize},
		{"one day", "from=2026-06-01T00:00&to=2026-06-02T00:00", 1},
		{"silence of 60 s or more", "min_silence=60", webPageSize},
		{"participant number", "participant=%2B4930555012345", 0},
		{"agent, 5 to 10 minutes", "agent=1007&min_sec=300&max_sec=600", 1},
	}
}

// fillLibrary inserts n calls with SQL in one transaction (the recorder's
// path takes a sidecar per call, far too slow for a million) and returns
// the id of a call halfway down the newest-first list.
func fillLibrary(t *testing.T, f *webFixture, n int) string {
	t.Helper()
	ctx := t.Context()
	db := f.cat.DB()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	fillPeople(t, tx)
	ins := prepareAll(t, tx,
		`INSERT INTO calls (id, sip_call_id, started_at, ended_at, duration_ms, wav_key, sidecar_key,
            sidecar_version, audio_encoding, audio_sample_rate, audio_channels, talk_ms_left,
            talk_ms_right, overtalk_ms, silence_ms, longest_silence_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, 1, 'pcmu', 8000, 2, ?, ?, ?, ?, ?)`,
		`INSERT INTO participants (call_id, position, channel, name, sip_address, role)
            VALUES (?, 0, 0, ?, ?, 'callee'), (?, 1, 1, '', ?, 'caller')`,
		`INSERT INTO call_agents (call_id, agent_id, direction) VALUES (?, ?, ?)`,
		`INSERT INTO evaluations (call_id, form_version_id, reviewer_id, agent_id, status, score,
            created_at, submitted_at) VALUES (?, ?, ?, ?, 'submitted', ?, 0, 0)`)
	rng := rand.New(rand.NewPCG(7, 11))
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	year := int64(365 * 24 * time.Hour / time.Millisecond)
	for i := range n {
		at := start.Add(time.Duration(rng.Int64N(year)) * time.Millisecond)
		fillCall(t, ctx, ins, rng, f, at, i)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	var deep string
	err = db.QueryRowContext(ctx, `SELECT id FROM calls ORDER BY started_at DESC, id DESC LIMIT 1 OFFSET ?`,
		n/2).Scan(&deep)
	if err != nil {
		t.Fatal(err)
	}
	return deep
}

func fillPeople(t *testing.T, tx *sql.Tx) {
	t.Helper()
	for i := 1; i <= scaleTeams; i++ {
		if _, err := tx.Exec(`INSERT INTO teams (id, name) VALUES (?, ?)`, 1000+i, fmt.Sprintf("Team %02d", i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= scaleAgents; i++ {
		_, err := tx.Exec(`INSERT INTO agents (id, name, team_id) VALUES (?, ?, ?)`,
			1000+i, fmt.Sprintf("Agent %03d", i), 1000+1+i%scaleTeams)
		if err != nil {
			t.Fatal(err)
		}
	}
}

func prepareAll(t *testing.T, tx *sql.Tx, qs ...string) []*sql.Stmt {
	t.Helper()
	out := make([]*sql.Stmt, len(qs))
	for i, q := range qs {
		st, err := tx.Prepare(q)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = st
	}
	return out
}

// fillCall inserts one call: 10 s to 30 min long, taken by one of the
// agents, a fifth of them outbound, one in fifty evaluated.
func fillCall(t *testing.T, ctx context.Context, ins []*sql.Stmt, rng *rand.Rand, f *webFixture,
	at time.Time, i int) {
	id := storage.NewRecordingID(at)
	dur := 10_000 + rng.Int64N(30*60_000)
	talkL, talkR := dur*rng.Int64N(60)/100, dur*rng.Int64N(60)/100
	silence := dur * rng.Int64N(30) / 100
	_, err := ins[0].ExecContext(ctx, id, fmt.Sprintf("scale-%d@pbx", i), at.UnixMilli(),
		at.UnixMilli()+dur, dur, "w/"+id, "s/"+id, talkL, talkR, rng.Int64N(dur/20+1), silence,
		rng.Int64N(silence+1))
	if err != nil {
		t.Fatal(err)
	}
	agent := 1001 + rng.Int64N(scaleAgents)
	_, err = ins[1].ExecContext(ctx, id, fmt.Sprintf("Agent %03d", agent-1000),
		fmt.Sprintf("sip:%d@pbx.example.com", agent), id,
		fmt.Sprintf("sip:+49305550%05d@carrier.example.net", rng.IntN(100_000)))
	if err != nil {
		t.Fatal(err)
	}
	dir := "inbound"
	if rng.IntN(5) == 0 {
		dir = "outbound"
	}
	if _, err := ins[2].ExecContext(ctx, id, agent, dir); err != nil {
		t.Fatal(err)
	}
	if rng.IntN(50) == 0 {
		_, err := ins[3].ExecContext(ctx, id, f.form.Latest.ID, f.reviewer.ID, agent, 50+rng.Float64()*50)
		if err != nil {
			t.Fatal(err)
		}
	}
}

// baselinePage is one page of call ids from the index, the least any
// library page must do.
func baselinePage(t *testing.T, db *sql.DB) {
	rows, err := db.Query(`SELECT id FROM calls ORDER BY started_at DESC, id DESC LIMIT ?`, webPageSize+1)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
	}
}

// libraryRows fetches a library page and counts its calls.
func libraryRows(t *testing.T, b *browser, query string) int {
	resp, page := b.get(t, "/calls?"+query)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/calls?%s: status %d", query, resp.StatusCode)
	}
	return strings.Count(page, `<td><a href="/calls/`)
}

func medianOf(runs int, fn func()) time.Duration {
	d := make([]time.Duration, runs)
	for i := range d {
		began := time.Now()
		fn()
		d[i] = time.Since(began)
	}
	slices.Sort(d)
	return d[runs/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
