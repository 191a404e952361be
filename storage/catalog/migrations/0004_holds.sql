-- Holds: the spans when one party's stream was on hold (storage.Hold), so
-- that a call's timeline marks (DTMF, pauses, holds) all come from here.
CREATE TABLE holds (
    call_id  TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    channel  INTEGER NOT NULL,
    start_ms INTEGER NOT NULL,
    end_ms   INTEGER NOT NULL,
    PRIMARY KEY (call_id, position)
);

-- The calls indexed before this table existed: their holds are only in
-- their sidecars. Unlike the participant search, this cannot be backfilled
-- through catalog_tasks when the catalog opens, since their source is the
-- object store, which Open is not given. Indexing a call again (as Reindex
-- does for every call) takes it off this list; until then, readers fall
-- back to the sidecar for its holds (Marks.HoldsUnknown).
CREATE TABLE holds_unindexed (
    call_id TEXT PRIMARY KEY REFERENCES calls (id) ON DELETE CASCADE
);
INSERT INTO holds_unindexed (call_id) SELECT id FROM calls;
