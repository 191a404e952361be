package catalog

import (
	"context"
	"fmt"
	"io"

	"earshot/storage"
)

// maxSidecarRead caps how much of a sidecar object is read; it is above the
// limit storage.UnmarshalSidecar enforces, so an oversize sidecar is
// refused with that function's error rather than cut short.
const maxSidecarRead = 16 << 20

// ReindexResult counts what Reindex did.
type ReindexResult struct {
	// Indexed is the number of sidecars read and indexed.
	Indexed int
	// Removed is the number of calls deleted because their sidecar is gone.
	Removed int
	// Skipped is the number of sidecars that could not be read or parsed.
	Skipped int
}

// Reindex brings the catalog in line with the object store: it indexes every
// sidecar under storage.RecordingsPrefix, then deletes the calls whose
// sidecar is no longer there. progress, if not nil, is called after each
// sidecar with the number done and the total.
//
// A sidecar that cannot be read or parsed is logged and skipped, and its
// call, if indexed before, is kept. Each call is indexed in its own
// transaction and removals come last, so a Reindex stopped midway (an
// error, a cancelled ctx) leaves a usable catalog, only partly refreshed.
// Calls indexed while Reindex runs are never removed by it.
func (c *Catalog) Reindex(
	ctx context.Context,
	st storage.Store,
	progress func(done, total int),
) (ReindexResult, error) {
	var res ReindexResult
	// Take the catalog's ids before listing the store: a call indexed
	// later was uploaded after this point and may be missing from the
	// listing, so it must not count as gone.
	before, err := c.ids(ctx)
	if err != nil {
		return res, fmt.Errorf("reindex: %w", err)
	}
	objs, err := st.List(ctx, storage.RecordingsPrefix)
	if err != nil {
		return res, fmt.Errorf("reindex: list %s: %w", st, err)
	}
	sidecars := sidecarKeys(objs)

	present := make(map[string]bool, len(sidecars))
	for i, sc := range sidecars {
		present[sc.id] = true
		ok, err := c.reindexOne(ctx, st, sc)
		if err != nil {
			return res, fmt.Errorf("reindex: %w", err)
		}
		if ok {
			res.Indexed++
		} else {
			res.Skipped++
		}
		if progress != nil {
			progress(i+1, len(sidecars))
		}
	}

	if res.Removed, err = c.removeGone(ctx, before, present); err != nil {
		return res, fmt.Errorf("reindex: %w", err)
	}
	c.log.Info("catalog reindexed", "store", st.String(),
		"indexed", res.Indexed, "removed", res.Removed, "skipped", res.Skipped)
	return res, nil
}

// sidecarRef is a sidecar object and the recording id its key names.
type sidecarRef struct {
	id  string
	key string
}

// sidecarKeys picks the recording sidecars out of a listing.
func sidecarKeys(objs []storage.ObjectInfo) []sidecarRef {
	var refs []sidecarRef
	for _, o := range objs {
		if id, ok := storage.IDFromSidecarKey(o.Key); ok {
			refs = append(refs, sidecarRef{id: id, key: o.Key})
		}
	}
	return refs
}

// reindexOne indexes one sidecar and reports whether it did. A sidecar it
// cannot read is logged and reported as not indexed; the error is for what
// stops the whole run: a cancelled ctx or a failing database.
func (c *Catalog) reindexOne(ctx context.Context, st storage.Store, ref sidecarRef) (bool, error) {
	s, err := readSidecar(ctx, st, ref)
	if err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		c.log.Warn("sidecar skipped", "object_key", ref.key, "err", err)
		return false, nil
	}
	if err := c.Index(ctx, s); err != nil {
		return false, err
	}
	return true, nil
}

// readSidecar reads and parses a sidecar, and checks that it describes the
// recording its key names and sits where storage.RecordingKeys puts it (the
// catalog's sidecar_key would otherwise name another object).
func readSidecar(ctx context.Context, st storage.Store, ref sidecarRef) (*storage.Sidecar, error) {
	if _, key, err := storage.RecordingKeys(ref.id); err != nil || key != ref.key {
		return nil, fmt.Errorf("sidecar is not at its recording's key %s", key)
	}
	r, _, err := st.Get(ctx, ref.key, nil)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, maxSidecarRead))
	if err != nil {
		return nil, fmt.Errorf("read sidecar: %w", err)
	}
	s, err := storage.UnmarshalSidecar(data)
	if err != nil {
		return nil, err
	}
	if s.RecordingID != ref.id {
		return nil, fmt.Errorf("sidecar describes recording %s, not %s", s.RecordingID, ref.id)
	}
	return s, nil
}

// ids returns the id of every call in the catalog.
func (c *Catalog) ids(ctx context.Context) (map[string]bool, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT id FROM calls`)
	if err != nil {
		return nil, fmt.Errorf("read call ids: %w", err)
	}
	defer rows.Close()
	ids := make(map[string]bool)
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("read call ids: %w", err)
		}
		ids[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read call ids: %w", err)
	}
	return ids, nil
}

// removeGone deletes, in one transaction, the calls of before that are not
// present, and returns how many it deleted.
func (c *Catalog) removeGone(ctx context.Context, before, present map[string]bool) (int, error) {
	var gone []string
	for id := range before {
		if !present[id] {
			gone = append(gone, id)
		}
	}
	if len(gone) == 0 {
		return 0, nil
	}
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("remove calls: %w", err)
	}
	defer tx.Rollback()
	for _, id := range gone {
		if _, err := tx.ExecContext(ctx, `DELETE FROM calls WHERE id = ?`, id); err != nil {
			return 0, fmt.Errorf("remove call %s: %w", id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("remove calls: %w", err)
	}
	for _, id := range gone {
		c.log.Info("call removed from catalog", "recording_id", id)
	}
	return len(gone), nil
}
