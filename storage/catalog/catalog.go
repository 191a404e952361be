// Package catalog indexes recordings in a SQLite database so that calls can
// be searched by time, duration, participant and SIP Call-ID without reading
// the object store.
//
// The catalog holds nothing that is not in the sidecars: Reindex rebuilds it
// from the object store at any time, and Dump renders it so that a rebuilt
// catalog can be compared with the one it replaces. Other packages may keep
// their own tables in the same database (see Migrate); those are not rebuilt.
package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"

	// Registers the "sqlite3" database/sql driver.
	_ "github.com/mattn/go-sqlite3"
)

// ErrNotFound is returned, possibly wrapped, when a call is not in the
// catalog.
var ErrNotFound = errors.New("catalog: call not found")

// Catalog is the call index. It is safe for concurrent use.
type Catalog struct {
	db  *sql.DB
	log *slog.Logger

	closeOnce sync.Once
	closeErr  error
}

// dsnParams are set on every connection of the pool, which is why they are
// DSN parameters and not one-off pragmas:
//   - WAL lets readers go on while one writer commits;
//   - a writer waits up to 5 s for the lock instead of failing at once;
//   - foreign keys make deleting a call delete its child rows;
//   - immediate transactions take the write lock at BEGIN, so two writers
//     queue on the busy timeout instead of failing with SQLITE_BUSY when a
//     read lock cannot be upgraded.
const dsnParams = "_journal_mode=WAL&_busy_timeout=5000&_foreign_keys=on&_txlock=immediate"

// Open opens the catalog database at path, creating the file if needed (its
// folder must exist), and brings its schema up to date. It refuses a
// database written by a newer build (see SchemaTooNewError). A nil log
// discards log output.
//
// path must name a file: an in-memory database would differ per connection.
func Open(ctx context.Context, path string, log *slog.Logger) (*Catalog, error) {
	if path == "" {
		return nil, errors.New("open catalog: empty path")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	db, err := sql.Open("sqlite3", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	if err := Migrate(ctx, db, catalogMigrations(), log); err != nil {
		db.Close()
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	c := &Catalog{db: db, log: log}
	if err := c.runTasks(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	return c, nil
}

// dsn turns a file path into a SQLite URI. The path is escaped because
// SQLite decodes %XX in URIs and would cut the path at '?' or '#'.
func dsn(path string) string {
	u := url.URL{Path: path}
	return "file:" + u.EscapedPath() + "?" + dsnParams
}

// DB returns the underlying database, for packages that keep their own
// tables beside the catalog. Every connection has the settings described at
// dsnParams; in particular BeginTx takes the write lock at once, so read-only
// work is better done outside a transaction. The caller must not close it.
func (c *Catalog) DB() *sql.DB {
	return c.db
}

// Ping checks that the database can be read, for readiness probes.
func (c *Catalog) Ping(ctx context.Context) error {
	var v sql.NullInt64
	err := c.db.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return fmt.Errorf("ping catalog: %w", err)
	}
	return nil
}

// Close closes the database. Calls after the first return the first result.
func (c *Catalog) Close() error {
	c.closeOnce.Do(func() {
		if err := c.db.Close(); err != nil {
			c.closeErr = fmt.Errorf("close catalog: %w", err)
		}
	})
	return c.closeErr
}
