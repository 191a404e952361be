package qa

import (
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"earshot/storage/catalog"
)

// openTest opens a QA service over a fresh catalog file.
func openTest(t *testing.T) *Service {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cat, err := catalog.Open(t.Context(), filepath.Join(t.TempDir(), "earshot.db"), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	s, err := Open(t.Context(), cat, log)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestMigrationsApply(t *testing.T) {
	s := openTest(t)
	var n int
	err := s.db.QueryRowContext(t.Context(), "SELECT count(*) FROM schema_migrations WHERE namespace = 'qa'").Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	if n < 3 {
		t.Errorf("%d qa migrations applied, want at least 3", n)
	}
}
