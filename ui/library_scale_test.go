package ui

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"earshot/storage"
	"earshot/storage/catalog"
)

// The library's page timings: a catalog of EARSHOT_LIBRARY_CALLS calls
// (20,000 by default, which CI runs; the figures in docs/benchmarks.md
// are for 1,000,000) with 400 agents in 20 teams and 2% of calls
// evaluated. Each page is fetched over HTTP as a reviewer, rendered in
// full; its median time is reported beside the same catalog's bare
// indexed query for one page (the baseline), measured in the same run.
// Nothing is asserted about time: the test checks that each page lists
// what its filter asks for (every call listed matches it, as the catalog
// holds the call, and the calls come in the page's order), and writes
// the table to the artifacts folder.

const (
	scaleAgents = 400
	scaleTeams  = 20
)

func TestLibraryPageTimings(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a large catalog")
	}
	n := scaleCalls(t)
	f := newWebFixture(t)
	began := time.Now()
	deep := fillLibrary(t, f, n)
	t.Logf("catalog of %d calls filled in %v", n, time.Since(began).Round(time.Millisecond))
	rita := f.signIn(t, "rita")
	bare := medianOf(7, func() { baselinePage(t, f.cat.DB()) })
	base := medianOf(5, func() { libraryPage(t, rita, "") })
	var report strings.Builder
	fmt.Fprintf(&report, "calls %d; one page of ids from the index in bare SQL: %.2f ms\n", n, ms(bare))
	fmt.Fprintf(&report, "baseline: the first page, newest first, over HTTP: %.1f ms\n", ms(base))
	fmt.Fprintf(&report, "%-34s %9s %8s %5s\n", "page", "median", "ratio", "rows")
	for _, pc := range scalePages(scaleCallOf(t, f.cat.DB(), deep)) {
		var page string
		took := medianOf(5, func() { page = libraryPage(t, rita, pc.query) })
		ids := libraryIDs(page)
		checkScalePage(t, f.cat.DB(), pc, ids)
		fmt.Fprintf(&report, "%-34s %7.1fms %7.1fx %5d\n", pc.name, ms(took),
			float64(took)/float64(base), len(ids))
	}
	t.Log("\n" + report.String())
	path := filepath.Join(artifactsDir(t), "library-timings.txt")
	if err := os.WriteFile(path, []byte(report.String()), 0o644); err != nil {
		t.Error(err)
	}
}

// scalePage is one library page of the test: its query, and what every
// call it lists must be.
// scaleCalls is the size of the filled catalog: EARSHOT_LIBRARY_CALLS, or
// 20,000.
func scaleCalls(t *testing.T) int {
	t.Helper()
	v := os.Getenv("EARSHOT_LIBRARY_CALLS")
	if v == "" {
		return 20_000
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1000 {
		t.Fatalf("EARSHOT_LIBRARY_CALLS=%q: want a whole number of at least 1000", v)
	}
	return n
}

type scalePage struct {
	name, query string
	// minRows is the fewest calls the page lists: the filled catalog has
	// at least that many that match.
	minRows int
	// match is the filter, as a person would state it, over what the
	// catalog holds of a call; nil matches every call.
	match func(c scaleCall) bool
	// order is the page's order; empty is newest first.
	order catalog.Order
}

// scaleCaller matches the number of the customer on the call deep.
var scaleCaller = regexp.MustCompile(`^sip:(\+\d+)@carrier`)

// scalePages are the pages timed and checked; deep is a call halfway
// down the library, whose customer's number the participant search looks
// for.
func scalePages(deep scaleCall) []scalePage {
	var number string
	for _, a := range deep.addresses {
		if m := scaleCaller.FindStringSubmatch(a); m != nil {
			number = m[1]
		}
	}
	agent := func(c scaleCall) bool { return c.agent == 1007 }
	team := func(c scaleCall) bool { return c.team == 1003 }
	june1 := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	return []scalePage{
		{name: "first page, newest", minRows: webPageSize},
		{name: "a page deep in the library", query: "after=" + deep.id, minRows: webPageSize,
			match: func(c scaleCall) bool { return scaleBefore(catalog.OrderNewest, deep, c) }},
		{name: "longest first", query: "sort=longest", minRows: webPageSize,
			order: catalog.OrderLongest},
		{name: "most overtalk first", query: "sort=overtalk", minRows: webPageSize,
			order: catalog.OrderOvertalk},
		{name: "one agent", query: "agent=1007", minRows: webPageSize, match: agent},
		{name: "one team", query: "team=1003", minRows: webPageSize, match: team},
		{name: "one team, outbound", query: "team=1003&direction=outbound", minRows: webPageSize,
			match: func(c scaleCall) bool { return team(c) && c.direction == "outbound" }},
		{name: "evaluated", query: "evaluated=yes", minRows: webPageSize,
			match: func(c scaleCall) bool { return c.evaluated }},
		{name: "not evaluated, longest first", query: "evaluated=no&sort=longest",
			minRows: webPageSize, order: catalog.OrderLongest,
			match: func(c scaleCall) bool { return !c.evaluated }},
		{name: "one day", query: "from=2026-06-01T00:00&to=2026-06-02T00:00", minRows: 1,
			match: func(c scaleCall) bool {
				return c.started >= june1 && c.started < june1+24*3600_000
			}},
		{name: "silence of 60 s or more", query: "min_silence=60", minRows: webPageSize,
			match: func(c scaleCall) bool { return c.longestSilence >= 60_000 }},
		{name: "overtalk of 30 s or more", query: "min_overtalk=30", minRows: webPageSize,
			match: func(c scaleCall) bool { return c.overtalk >= 30_000 }},
		{name: "participant number", query: "participant=" + url.QueryEscape(number), minRows: 1,
			match: func(c scaleCall) bool {
				return number != "" && slices.ContainsFunc(c.addresses, func(a string) bool {
					return strings.Contains(a, number)
				})
			}},
		{name: "agent, 5 to 10 minutes", query: "agent=1007&min_sec=300&max_sec=600", minRows: 1,
			match: func(c scaleCall) bool {
				return agent(c) && c.duration >= 300_000 && c.duration <= 600_000
			}},
	}
}

// scaleCall is what the catalog holds of a call, read back to check the
// pages that list it.
type scaleCall struct {
	id                                          string
	started, duration, overtalk, longestSilence int64
	agent, team                                 int64
	direction                                   string
	evaluated                                   bool
	addresses                                   []string
}

// scaleCallOf reads a call from the catalog and the QA tables.
func scaleCallOf(t *testing.T, db *sql.DB, id string) scaleCall {
	t.Helper()
	c := scaleCall{id: id}
	var addresses string
	err := db.QueryRowContext(t.Context(), `SELECT c.started_at, c.duration_ms,
            COALESCE(c.overtalk_ms, -1), COALESCE(c.longest_silence_ms, -1),
            COALESCE(ca.agent_id, 0), COALESCE(a.team_id, 0), COALESCE(ca.direction, ''),
            EXISTS (SELECT 1 FROM evaluations e WHERE e.call_id = c.id AND e.status = 'submitted'
                AND e.calibration = 0),
            (SELECT group_concat(p.sip_address, ' ') FROM participants p WHERE p.call_id = c.id)
        FROM calls c LEFT JOIN call_agents ca ON ca.call_id = c.id
        LEFT JOIN agents a ON a.id = ca.agent_id WHERE c.id = ?`, id).Scan(&c.started, &c.duration,
		&c.overtalk, &c.longestSilence, &c.agent, &c.team, &c.direction, &c.evaluated, &addresses)
	if err != nil {
		t.Fatalf("read call %s: %v", id, err)
	}
	c.addresses = strings.Fields(addresses)
	return c
}

// scaleBefore reports whether a comes before b in order o.
func scaleBefore(o catalog.Order, a, b scaleCall) bool {
	ka, kb, desc := a.started, b.started, true
	switch o {
	case catalog.OrderOldest:
		desc = false
	case catalog.OrderLongest, catalog.OrderShortest:
		ka, kb, desc = a.duration, b.duration, o == catalog.OrderLongest
	case catalog.OrderOvertalk:
		ka, kb = a.overtalk, b.overtalk
	case catalog.OrderSilence:
		ka, kb = a.longestSilence, b.longestSilence
	}
	if ka == kb {
		return (a.id > b.id) == desc
	}
	return (ka > kb) == desc
}

// checkScalePage checks the calls a page lists, ids in its order: as
// many as the filter must find, each one a match, in the page's order.
func checkScalePage(t *testing.T, db *sql.DB, pc scalePage, ids []string) {
	t.Helper()
	if len(ids) < pc.minRows || len(ids) > webPageSize {
		t.Errorf("%s: %d rows, want %d to %d", pc.name, len(ids), pc.minRows, webPageSize)
	}
	order := cmp.Or(pc.order, catalog.OrderNewest)
	var prev scaleCall
	var unmatched, unordered []int
	for i, id := range ids {
		c := scaleCallOf(t, db, id)
		if pc.match != nil && !pc.match(c) {
			if len(unmatched) == 0 {
				t.Errorf("%s: row %d does not match the filter: %+v", pc.name, i+1, c)
			}
			unmatched = append(unmatched, i+1)
		}
		if i > 0 && !scaleBefore(order, prev, c) {
			if len(unordered) == 0 {
				t.Errorf("%s: row %d is out of %s order: %+v after %+v", pc.name, i+1, order, c, prev)
			}
			unordered = append(unordered, i+1)
		}
		prev = c
	}
	if len(unmatched) > 1 || len(unordered) > 1 {
		t.Errorf("%s: rows %v do not match, rows %v are out of order", pc.name, unmatched, unordered)
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
            created_at, submitted_at) VALUES (?, ?, ?, ?, 'submitted', ?, ?, ?)`)
	rng := rand.New(rand.NewPCG(7, 11))
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	year := int64(365 * 24 * time.Hour / time.Millisecond)
	for i := range n {
		at := start.Add(time.Duration(rng.Int64N(year)) * time.Millisecond)
		fillCall(t, ctx, ins, rng, f, at, i)
	}
	// The SQL above goes around the catalog's participant search index.
	// Leave the catalog the task it has for calls indexed before the index
	// existed, and open the catalog again to have it build the index.
	for _, q := range []string{`DELETE FROM participant_search`,
		`INSERT INTO catalog_tasks (name) VALUES ('participant_search_backfill')`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	rebuildSearch(t, db)
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

// rebuildSearch opens the catalog's database a second time, which runs
// the tasks the catalog finds left.
func rebuildSearch(t *testing.T, db *sql.DB) {
	t.Helper()
	var seq int
	var name, file string
	err := db.QueryRowContext(t.Context(), `PRAGMA database_list`).Scan(&seq, &name, &file)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Open(t.Context(), file, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cat.Close(); err != nil {
		t.Fatal(err)
	}
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
		// Scored an hour after the call, so that the dashboards' weeks
		// spread over the year as a real programme's do.
		scored := at.Add(time.Hour).UnixMilli()
		_, err := ins[3].ExecContext(ctx, id, f.form.Latest.ID, f.reviewer.ID, agent, 50+rng.Float64()*50,
			scored, scored)
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

// libraryPage fetches a library page.
func libraryPage(t *testing.T, b *browser, query string) string {
	resp, page := b.get(t, "/calls?"+query)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/calls?%s: status %d", query, resp.StatusCode)
	}
	return page
}

var libraryLink = regexp.MustCompile(`<td><a href="/calls/([^"?]+)"`)

// libraryIDs are the ids of the calls a library page lists, in order.
func libraryIDs(page string) []string {
	var ids []string
	for _, m := range libraryLink.FindAllStringSubmatch(page, -1) {
		ids = append(ids, m[1])
	}
	return ids
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
