-- Finding a call by a participant's name or number without reading every
-- participant row: a full-text index of each call's participants (FTS4,
-- which the SQLite driver builds in), keyed by the call's rowid. The terms
-- are written by the catalog (search.go): the words of the names and
-- addresses, and every tail of each run of digits, so that a prefix query
-- finds digits anywhere in a number.
CREATE VIRTUAL TABLE participant_search USING fts4(terms, tokenize=unicode61);

CREATE TRIGGER calls_search_delete AFTER DELETE ON calls BEGIN
    DELETE FROM participant_search WHERE docid = old.rowid;
END;

-- Work left for the catalog to do in Go when it opens: here, filling the
-- search index for calls indexed before it existed.
CREATE TABLE catalog_tasks (name TEXT PRIMARY KEY);
INSERT INTO catalog_tasks (name) VALUES ('participant_search_backfill');
