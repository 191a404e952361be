package catalog

import (
	"context"
	"path/filepath"
	"testing"
)

// TestSearchBackfillAndDelete: a catalog whose calls were indexed before
// the search index existed gets their terms when it opens, and a deleted
// call leaves no terms behind.
func TestSearchBackfillAndDelete(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "catalog.db")
	c := openAt(t, path, nil)
	starts := listFixture(t, c)
	// As an older build left it: no terms, the backfill pending.
	for _, q := range []string{`DELETE FROM participant_search`,
		`INSERT INTO catalog_tasks (name) VALUES ('participant_search_backfill')`} {
		if _, err := c.DB().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	c = openAt(t, path, nil)
	calls, err := c.List(ctx, ListFilter{Participant: "5550007"})
	if err != nil || len(calls) != 1 || calls[0].ID != testID(7, starts[7]) {
		t.Fatalf("after the backfill: %v, %v; want call 7", callIDs(calls), err)
	}
	if err := c.Delete(ctx, calls[0].ID); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := c.DB().QueryRow(`SELECT count(*) FROM participant_search`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 9 {
		t.Errorf("%d calls' terms left after deleting one of 10", left)
	}
}

func TestSearchMatch(t *testing.T) {
	for in, want := range map[string]string{
		"Alice Martin":      "alice* martin*",
		"+49 30 555-0003":   "49* 30* 555* 0003*",
		`"x" OR y NEAR(z)`:  "x* or* y* near* z*",
		"%_":                "",
		"sip:bob@pbx.local": "sip* bob* pbx* local*",
	} {
		if got := searchMatch(in); got != want {
			t.Errorf("searchMatch(%q) = %q, want %q", in, got, want)
		}
	}
}
