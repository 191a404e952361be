package catalog

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"regexp"
	"strconv"
	"time"
)

// Schema migrations are kept per namespace in one schema_migrations table,
// so that a package above storage (the QA domain) can keep its own tables in
// the catalog database without its migrations living in this folder, which
// would make storage know about scoring. Each namespace has its own version
// sequence 1, 2, 3...
const createMigrationsTable = `
CREATE TABLE IF NOT EXISTS schema_migrations (
    namespace  TEXT NOT NULL,
    version    INTEGER NOT NULL,
    name       TEXT NOT NULL,
    applied_at INTEGER NOT NULL, -- unix milliseconds UTC
    PRIMARY KEY (namespace, version)
)`

// catalogNamespace is the namespace of this package's own migrations.
const catalogNamespace = "catalog"

//go:embed migrations/*.sql
var catalogFiles embed.FS

// MigrationSet is a forward-only series of schema migrations: SQL files
// named NNNN_name.sql (four digits from 0001, then lower-case letters,
// digits and underscores) in one folder of FS, numbered without gaps. Each file
// is applied once, in its own transaction, in version order. Files already
// applied must never change; a change to the schema is a new file.
type MigrationSet struct {
	// Namespace names the series in schema_migrations ("catalog", "qa"). It
	// must be unique per package that owns tables in the database.
	Namespace string
	// FS holds the files, typically an embed.FS.
	FS fs.FS
	// Dir is the folder of FS that holds them and nothing else; empty means
	// the root.
	Dir string
}

// SchemaTooNewError is returned when the database holds migrations of a
// namespace that this build does not know: a newer build has written it, and
// running an older one against it could corrupt it.
type SchemaTooNewError struct {
	Namespace string
	// Version is the highest version applied to the database.
	Version int
	// Known is the highest version this build has.
	Known int
}

// Error says which build the database needs.
func (e *SchemaTooNewError) Error() string {
	return fmt.Sprintf("%s schema version %d is newer than this build (%d): upgrade earshot",
		e.Namespace, e.Version, e.Known)
}

type migration struct {
	version int
	name    string
	sql     string
}

var migrationFileName = regexp.MustCompile(`^([0-9]{4})_([a-z0-9_]+)\.sql$`)

// catalogMigrations returns this package's migration set.
func catalogMigrations() MigrationSet {
	return MigrationSet{Namespace: catalogNamespace, FS: catalogFiles, Dir: "migrations"}
}

// Migrate applies the migrations of set that db does not have yet. The
// catalog applies its own in Open; another package applies its set after
// Open, on Catalog.DB, so that its tables may reference calls. Several
// processes may migrate the same database at once: each migration is applied
// by exactly one of them.
//
// A migration runs inside a transaction, where SQLite ignores PRAGMA
// foreign_keys: a migration that rebuilds a referenced table must keep that
// in mind. A nil log discards log output.
func Migrate(ctx context.Context, db *sql.DB, set MigrationSet, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ms, err := loadMigrations(set)
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, createMigrationsTable); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	current, err := schemaVersion(ctx, db, set.Namespace)
	if err != nil {
		return err
	}
	if current > len(ms) {
		return &SchemaTooNewError{Namespace: set.Namespace, Version: current, Known: len(ms)}
	}
	for _, m := range ms[current:] {
		applied, err := applyMigration(ctx, db, set.Namespace, m)
		if err != nil {
			return fmt.Errorf("apply %s migration %04d_%s: %w",
				set.Namespace, m.version, m.name, err)
		}
		if applied {
			log.Info("schema migration applied",
				"namespace", set.Namespace, "version", m.version, "migration", m.name)
		}
	}
	return nil
}

// loadMigrations reads and checks the files of set, in version order.
func loadMigrations(set MigrationSet) ([]migration, error) {
	if set.Namespace == "" || set.FS == nil {
		return nil, errors.New("load migrations: namespace and files are required")
	}
	dir := set.Dir
	if dir == "" {
		dir = "."
	}
	entries, err := fs.ReadDir(set.FS, dir)
	if err != nil {
		return nil, fmt.Errorf("load %s migrations: %w", set.Namespace, err)
	}
	// ReadDir sorts by name, and the four-digit prefix makes that the
	// version order.
	ms := make([]migration, 0, len(entries))
	for _, e := range entries {
		m, err := loadMigration(set.FS, dir, e.Name(), len(ms)+1)
		if err != nil {
			return nil, fmt.Errorf("load %s migrations: %w", set.Namespace, err)
		}
		ms = append(ms, m)
	}
	return ms, nil
}

// loadMigration reads one file of dir, which must carry version want.
func loadMigration(fsys fs.FS, dir, file string, want int) (migration, error) {
	parts := migrationFileName.FindStringSubmatch(file)
	if parts == nil {
		return migration{}, fmt.Errorf("file %q is not named NNNN_name.sql", file)
	}
	version, _ := strconv.Atoi(parts[1]) // four digits, checked above
	if version != want {
		return migration{}, fmt.Errorf("file %q: want version %d (no gaps, no repeats)", file, want)
	}
	body, err := fs.ReadFile(fsys, path.Join(dir, file))
	if err != nil {
		return migration{}, err
	}
	return migration{version: version, name: parts[2], sql: string(body)}, nil
}

// schemaVersion returns the highest version of namespace applied to db, or 0.
func schemaVersion(ctx context.Context, q querier, namespace string) (int, error) {
	var v sql.NullInt64
	err := q.QueryRowContext(ctx,
		`SELECT max(version) FROM schema_migrations WHERE namespace = ?`, namespace).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("read %s schema version: %w", namespace, err)
	}
	return int(v.Int64), nil
}

// applyMigration applies m unless another process did since we looked, and
// reports whether it did.
func applyMigration(ctx context.Context, db *sql.DB, namespace string, m migration) (bool, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()

	// The transaction holds the write lock, so this answer stays true.
	current, err := schemaVersion(ctx, tx, namespace)
	if err != nil || current >= m.version {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, err
	}
	_, err = tx.ExecContext(ctx,
		`INSERT INTO schema_migrations (namespace, version, name, applied_at) VALUES (?, ?, ?, ?)`,
		namespace, m.version, m.name, time.Now().UnixMilli())
	if err != nil {
		return false, fmt.Errorf("record version: %w", err)
	}
	return true, tx.Commit()
}

// querier is what *sql.DB, *sql.Tx and *sql.Conn have in common for reads.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}
