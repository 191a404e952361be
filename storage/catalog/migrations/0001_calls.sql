-- The call catalog: one row per recording, built from its sidecar alone so
-- that Reindex can rebuild every row of these tables from the object store.
-- Times are unix milliseconds UTC, so that range queries compare integers.

CREATE TABLE calls (
    id                 TEXT PRIMARY KEY,        -- recording id (ULID)
    sip_call_id        TEXT NOT NULL DEFAULT '',
    started_at         INTEGER NOT NULL,
    ended_at           INTEGER NOT NULL,
    duration_ms        INTEGER NOT NULL,
    interrupted        INTEGER NOT NULL DEFAULT 0 CHECK (interrupted IN (0, 1)),
    audio_encoding     TEXT NOT NULL DEFAULT '',
    audio_sample_rate  INTEGER NOT NULL DEFAULT 0,
    audio_channels     INTEGER NOT NULL DEFAULT 0,
    audio_bytes        INTEGER NOT NULL DEFAULT 0,
    audio_sha256       TEXT NOT NULL DEFAULT '',
    wav_key            TEXT NOT NULL,
    sidecar_key        TEXT NOT NULL,
    -- Talk metrics are NULL together when the recorder could not compute them.
    talk_ms_left       INTEGER,
    talk_ms_right      INTEGER,
    overtalk_ms        INTEGER,
    silence_ms         INTEGER,
    longest_silence_ms INTEGER,
    warnings_count     INTEGER NOT NULL DEFAULT 0,
    extra              TEXT NOT NULL DEFAULT '{}', -- JSON object of strings
    sidecar_version    INTEGER NOT NULL,
    recorder           TEXT NOT NULL DEFAULT ''
);

-- List pages through calls newest first, by (started_at, id).
CREATE INDEX calls_started_at ON calls (started_at, id);
CREATE INDEX calls_duration_ms ON calls (duration_ms);
CREATE INDEX calls_sip_call_id ON calls (sip_call_id);

-- Child rows keep the order of their sidecar list in position.
CREATE TABLE participants (
    call_id     TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    channel     INTEGER NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    sip_address TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (call_id, position)
);

CREATE INDEX participants_sip_address ON participants (sip_address);
CREATE INDEX participants_name ON participants (name);

CREATE TABLE streams (
    call_id            TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    position           INTEGER NOT NULL,
    channel            INTEGER NOT NULL,
    label              TEXT NOT NULL DEFAULT '',
    codec              TEXT NOT NULL DEFAULT '',
    decoded            INTEGER NOT NULL DEFAULT 0 CHECK (decoded IN (0, 1)),
    ssrcs              TEXT NOT NULL DEFAULT '[]', -- JSON array of numbers
    packets_received   INTEGER NOT NULL DEFAULT 0,
    packets_lost       INTEGER NOT NULL DEFAULT 0,
    packets_late       INTEGER NOT NULL DEFAULT 0,
    packets_duplicated INTEGER NOT NULL DEFAULT 0,
    jitter_ms          REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (call_id, position)
);

CREATE TABLE dtmf_events (
    call_id     TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    channel     INTEGER NOT NULL,
    digit       TEXT NOT NULL,
    at_ms       INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    PRIMARY KEY (call_id, position)
);

CREATE TABLE pauses (
    call_id  TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    start_ms INTEGER NOT NULL,
    end_ms   INTEGER NOT NULL,
    reason   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (call_id, position)
);

CREATE TABLE warnings (
    call_id  TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    message  TEXT NOT NULL,
    PRIMARY KEY (call_id, position)
);
