package catalog

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"earshot/storage"
)

// getMarks returns the marks Get returns for id.
func getMarks(t *testing.T, c *Catalog, id string) *Marks {
	t.Helper()
	call, err := c.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("Get %s: %v", id, err)
	}
	return call.Marks
}

// TestMarksIndexGetDelete: a sidecar's DTMF, pauses and holds come back
// from Get in sidecar order, are replaced when the call is indexed again,
// and go with the call.
func TestMarksIndexGetDelete(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	s := testSidecar(0, testBase, 60_000)
	s.Holds = []storage.Hold{
		{Channel: 1, StartMS: 30000, EndMS: 34000},
		{Channel: 0, StartMS: 8000, EndMS: 9500},
		{Channel: 1, StartMS: 40000, EndMS: 60000}, // ended by the call's end
	}
	if err := c.Index(ctx, s); err != nil {
		t.Fatal(err)
	}
	want := &Marks{DTMF: s.DTMF, Pauses: s.Pauses, Holds: s.Holds}
	if diff := cmp.Diff(want, getMarks(t, c, s.RecordingID)); diff != "" {
		t.Errorf("marks (-want +got):\n%s", diff)
	}

	// The recorder rewrote the sidecar with one hold and nothing else.
	s.DTMF, s.Pauses, s.Holds = nil, nil, s.Holds[1:2]
	if err := c.Index(ctx, s); err != nil {
		t.Fatal(err)
	}
	want = &Marks{DTMF: []storage.DTMFEvent{}, Pauses: []storage.Interval{}, Holds: s.Holds}
	if diff := cmp.Diff(want, getMarks(t, c, s.RecordingID)); diff != "" {
		t.Errorf("marks after reindexing (-want +got):\n%s", diff)
	}

	if err := c.Delete(ctx, s.RecordingID); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, c, "holds", s.RecordingID); n != 0 {
		t.Errorf("holds of the deleted call: %d rows, want 0", n)
	}
}

// TestHoldsBackfill: calls indexed before the catalog kept holds have
// them unknown, not empty, once the catalog is upgraded; indexing a call
// again, or reindexing the store, fills them in.
func TestHoldsBackfill(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "catalog.db")
	st := newTestStore(t)
	sidecars := fillStore(t, st, 5) // calls 0 and 4 have holds
	c := openAt(t, path, testLogger(t))
	for _, s := range sidecars {
		if err := c.Index(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	// As the previous build left it: no holds table, migration 4 not run.
	for _, q := range []string{`DROP TABLE holds`, `DROP TABLE holds_unindexed`,
		`DELETE FROM schema_migrations WHERE namespace = 'catalog' AND version = 4`} {
		if _, err := c.DB().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	c = openAt(t, path, testLogger(t))

	old := sidecars[0]
	got := getMarks(t, c, old.RecordingID)
	want := &Marks{DTMF: old.DTMF, Pauses: old.Pauses, Holds: []storage.Hold{},
		HoldsUnknown: true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("marks of a call indexed before holds (-want +got):\n%s", diff)
	}

	// A call the recorder indexes after the upgrade has its holds known.
	if err := c.Index(ctx, sidecars[4]); err != nil {
		t.Fatal(err)
	}
	if m := getMarks(t, c, sidecars[4].RecordingID); m.HoldsUnknown || len(m.Holds) != 2 {
		t.Errorf("call indexed again: %+v, want its 2 holds known", m)
	}

	if _, err := c.Reindex(ctx, st, nil); err != nil {
		t.Fatalf("Reindex: %v", err)
	}
	for _, s := range sidecars {
		want := wantCall(s).Marks
		if diff := cmp.Diff(want, getMarks(t, c, s.RecordingID)); diff != "" {
			t.Errorf("call %s after Reindex (-want +got):\n%s", s.RecordingID, diff)
		}
	}
	var left int
	if err := c.DB().QueryRow(`SELECT count(*) FROM holds_unindexed`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d calls left with unknown holds after Reindex", left)
	}
}
