package catalog

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// appliedMigration is a schema_migrations row without its time.
type appliedMigration struct {
	Namespace string
	Version   int
	Name      string
}

func appliedMigrations(t *testing.T, c *Catalog) []appliedMigration {
	t.Helper()
	rows, err := c.DB().Query(
		`SELECT namespace, version, name FROM schema_migrations ORDER BY namespace, version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []appliedMigration
	for rows.Next() {
		var m appliedMigration
		if err := rows.Scan(&m.Namespace, &m.Version, &m.Name); err != nil {
			t.Fatal(err)
		}
		got = append(got, m)
	}
	return got
}

func TestOpenMigratesOnceAndReopens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	want := []appliedMigration{{Namespace: "catalog", Version: 1, Name: "calls"},
		{Namespace: "catalog", Version: 2, Name: "orders"},
		{Namespace: "catalog", Version: 3, Name: "participant_search"},
		{Namespace: "catalog", Version: 4, Name: "holds"}}

	c := openAt(t, path, testLogger(t))
	if diff := cmp.Diff(want, appliedMigrations(t, c)); diff != "" {
		t.Fatalf("after first open (-want +got):\n%s", diff)
	}
	if err := c.Index(context.Background(), testSidecar(1, testBase, 60_000)); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	c = openAt(t, path, testLogger(t))
	if diff := cmp.Diff(want, appliedMigrations(t, c)); diff != "" {
		t.Errorf("after reopen (-want +got):\n%s", diff)
	}
	if _, err := c.Get(context.Background(), testID(1, testBase)); err != nil {
		t.Errorf("call indexed before reopen: %v", err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	c := openAt(t, path, nil)
	_, err := c.DB().Exec(`INSERT INTO schema_migrations (namespace, version, name, applied_at)
        VALUES ('catalog', 5, 'e', 0), ('catalog', 7, 'g', 0)`)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()

	_, err = Open(context.Background(), path, nil)
	var tooNew *SchemaTooNewError
	if !errors.As(err, &tooNew) {
		t.Fatalf("Open: got %v, want a SchemaTooNewError", err)
	}
	want := &SchemaTooNewError{Namespace: "catalog", Version: 7, Known: 4}
	if diff := cmp.Diff(want, tooNew); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
	const msg = "catalog schema version 7 is newer than this build (4): upgrade earshot"
	if tooNew.Error() != msg {
		t.Errorf("message %q, want %q", tooNew.Error(), msg)
	}
}

// TestPragmas checks the settings on several connections of the pool at
// once, since each connection has its own.
func TestPragmas(t *testing.T) {
	c := openTest(t)
	ctx := context.Background()
	for i := range 3 {
		conn, err := c.DB().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var journal string
		var foreignKeys, busyTimeout int
		if err := conn.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&journal); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&foreignKeys); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&busyTimeout); err != nil {
			t.Fatal(err)
		}
		if journal != "wal" || foreignKeys != 1 || busyTimeout != 5000 {
			t.Errorf("connection %d: journal_mode=%s foreign_keys=%d busy_timeout=%d, "+
				"want wal, 1, 5000", i, journal, foreignKeys, busyTimeout)
		}
	}
}

func TestOpenEscapesPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a b?c#d%20")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "catalog.db")
	c := openAt(t, path, nil)
	if err := c.Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not at the path given: %v", err)
	}
}

func TestOpenEmptyPath(t *testing.T) {
	if _, err := Open(context.Background(), "", nil); err == nil {
		t.Error("Open with an empty path: got nil error")
	}
}

// TestMigrateOtherNamespace plays the QA domain: its own migrations, on the
// catalog's database, with a table that references calls.
func TestMigrateOtherNamespace(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	set := MigrationSet{Namespace: "qa", Dir: "sql", FS: fstest.MapFS{
		"sql/0001_reviews.sql": {Data: []byte(`CREATE TABLE reviews (
            call_id TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE, score INTEGER)`)},
		"sql/0002_review_notes.sql": {Data: []byte(`ALTER TABLE reviews ADD COLUMN note TEXT`)},
	}}
	for range 2 {
		if err := Migrate(ctx, c.DB(), set, testLogger(t)); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
	}
	want := []appliedMigration{
		{Namespace: "catalog", Version: 1, Name: "calls"},
		{Namespace: "catalog", Version: 2, Name: "orders"},
		{Namespace: "catalog", Version: 3, Name: "participant_search"},
		{Namespace: "catalog", Version: 4, Name: "holds"},
		{Namespace: "qa", Version: 1, Name: "reviews"},
		{Namespace: "qa", Version: 2, Name: "review_notes"},
	}
	if diff := cmp.Diff(want, appliedMigrations(t, c)); diff != "" {
		t.Fatalf("applied (-want +got):\n%s", diff)
	}

	// Indexing a call again must not drop the rows that reference it.
	s := testSidecar(2, testBase, 90_000)
	if err := c.Index(ctx, s); err != nil {
		t.Fatal(err)
	}
	_, err := c.DB().Exec(`INSERT INTO reviews VALUES (?, 4, 'polite')`, s.RecordingID)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Index(ctx, s); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := c.DB().QueryRow(`SELECT count(*) FROM reviews`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("reviews after reindexing the call: %d rows, want 1", n)
	}
}

func TestLoadMigrationsRejects(t *testing.T) {
	sql := &fstest.MapFile{Data: []byte(`SELECT 1`)}
	tests := []struct {
		name string
		set  MigrationSet
	}{
		{name: "no namespace", set: MigrationSet{FS: fstest.MapFS{"0001_a.sql": sql}}},
		{name: "no files", set: MigrationSet{Namespace: "x"}},
		{name: "gap", set: MigrationSet{Namespace: "x", FS: fstest.MapFS{
			"0001_a.sql": sql, "0003_c.sql": sql}}},
		{name: "not from one", set: MigrationSet{Namespace: "x", FS: fstest.MapFS{
			"0002_b.sql": sql}}},
		{name: "repeated version", set: MigrationSet{Namespace: "x", FS: fstest.MapFS{
			"0001_a.sql": sql, "0001_b.sql": sql}}},
		{name: "three digits", set: MigrationSet{Namespace: "x", FS: fstest.MapFS{
			"001_a.sql": sql}}},
		{name: "capitals", set: MigrationSet{Namespace: "x", FS: fstest.MapFS{
			"0001_Add.sql": sql}}},
		{name: "stray file", set: MigrationSet{Namespace: "x", FS: fstest.MapFS{
			"0001_a.sql": sql, "README": sql}}},
		{name: "missing dir", set: MigrationSet{Namespace: "x", Dir: "nope",
			FS: fstest.MapFS{"0001_a.sql": sql}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := loadMigrations(tt.set); err == nil {
				t.Error("got nil error")
			}
		})
	}
}

func TestMigrationFailureRollsBack(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	set := MigrationSet{Namespace: "qa", FS: fstest.MapFS{
		"0001_ok.sql": {Data: []byte(`CREATE TABLE a (x INTEGER)`)},
		"0002_broken.sql": {Data: []byte(
			`CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1)`)},
	}}
	if err := Migrate(ctx, c.DB(), set, nil); err == nil {
		t.Fatal("Migrate with a broken migration: got nil error")
	}
	want := []appliedMigration{
		{Namespace: "catalog", Version: 1, Name: "calls"},
		{Namespace: "catalog", Version: 2, Name: "orders"},
		{Namespace: "catalog", Version: 3, Name: "participant_search"},
		{Namespace: "catalog", Version: 4, Name: "holds"},
		{Namespace: "qa", Version: 1, Name: "ok"},
	}
	if diff := cmp.Diff(want, appliedMigrations(t, c)); diff != "" {
		t.Errorf("applied (-want +got):\n%s", diff)
	}
	var n int
	err := c.DB().QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'b'`).Scan(&n)
	if err != nil || n != 0 {
		t.Errorf("table of the failed migration: count %d, err %v; want 0, nil", n, err)
	}
}

func TestPing(t *testing.T) {
	c := openTest(t)
	if err := c.Ping(context.Background()); err != nil {
		t.Errorf("Ping: %v", err)
	}
	c.Close()
	if err := c.Ping(context.Background()); err == nil {
		t.Error("Ping after Close: got nil error")
	}
}
