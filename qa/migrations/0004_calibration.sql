-- Calibration sessions: several reviewers score the same calls blind, then
-- compare their answers with a benchmark's or with the group's consensus.
CREATE TABLE calibration_sessions (
    id               INTEGER PRIMARY KEY,
    title            TEXT NOT NULL,
    form_version_id  INTEGER NOT NULL REFERENCES form_versions(id),
    benchmark_id     INTEGER REFERENCES users(id),  -- NULL: the consensus is the reference
    tolerance        REAL NOT NULL CHECK (tolerance > 0), -- points of the total score
    -- 1: a participant sees the others' answers once they submitted their own
    reveal_on_submit INTEGER NOT NULL DEFAULT 0 CHECK (reveal_on_submit IN (0, 1)),
    notes            TEXT NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    created_by       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    revealed_at      INTEGER,                       -- NULL: still blind
    revealed_by      INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX calibration_sessions_revealed ON calibration_sessions(revealed_at);

-- The calls of a session, and what the group agreed on after discussion.
CREATE TABLE calibration_calls (
    session_id    INTEGER NOT NULL REFERENCES calibration_sessions(id) ON DELETE CASCADE,
    call_id       TEXT NOT NULL REFERENCES calls(id),
    position      INTEGER NOT NULL,
    agreed        TEXT,                             -- JSON answers by question id
    agreed_score  REAL,                             -- percent; NULL if all N/A or not agreed
    agreed_result TEXT,                             -- JSON Result of the agreed answers
    notes         TEXT NOT NULL DEFAULT '',
    agreed_at     INTEGER,
    agreed_by     INTEGER REFERENCES users(id) ON DELETE SET NULL,
    PRIMARY KEY (session_id, call_id)
);

-- Who scores in a session; the benchmark is a participant too.
CREATE TABLE calibration_participants (
    session_id INTEGER NOT NULL REFERENCES calibration_sessions(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    benchmark  INTEGER NOT NULL DEFAULT 0 CHECK (benchmark IN (0, 1)),
    PRIMARY KEY (session_id, user_id)
);
CREATE INDEX calibration_participants_user ON calibration_participants(user_id);

-- The evaluation (calibration = 1) of each participant for each call.
CREATE TABLE calibration_evaluations (
    session_id    INTEGER NOT NULL REFERENCES calibration_sessions(id) ON DELETE CASCADE,
    call_id       TEXT NOT NULL,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    evaluation_id INTEGER NOT NULL UNIQUE REFERENCES evaluations(id) ON DELETE CASCADE,
    PRIMARY KEY (session_id, call_id, user_id)
);

-- Guidance rewritten after a session's discussion; each makes a form version.
CREATE TABLE calibration_guidance (
    id              INTEGER PRIMARY KEY,
    session_id      INTEGER NOT NULL REFERENCES calibration_sessions(id) ON DELETE CASCADE,
    question_id     TEXT NOT NULL,
    before          TEXT NOT NULL,
    after           TEXT NOT NULL,
    form_version_id INTEGER NOT NULL REFERENCES form_versions(id),
    changed_at      INTEGER NOT NULL,
    changed_by      INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX calibration_guidance_session ON calibration_guidance(session_id, id);
