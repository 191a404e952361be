package qa

import (
	"context"
	"database/sql"
	"embed"
	"log/slog"
	"time"

	"earshot/storage/catalog"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Service is the QA domain over the catalog database. It is safe for
// concurrent use.
type Service struct {
	db  *sql.DB
	cat *catalog.Catalog
	log *slog.Logger
	now func() time.Time
	// access holds the settings of passwords and sessions (SetAccess).
	access *access
}

// Open applies the QA schema migrations to the catalog's database and
// returns the service.
func Open(ctx context.Context, cat *catalog.Catalog, log *slog.Logger) (*Service, error) {
	set := catalog.MigrationSet{Namespace: "qa", FS: migrations, Dir: "migrations"}
	if err := catalog.Migrate(ctx, cat.DB(), set, log); err != nil {
		return nil, err
	}
	return &Service{db: cat.DB(), cat: cat, log: log, now: time.Now, access: newAccess(AccessConfig{})}, nil
}

// SetClock replaces the service's clock; for tests.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) nowMS() int64 { return s.now().UnixMilli() }
