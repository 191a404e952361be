-- Evaluation forms, evaluations, disputes and coaching.
CREATE TABLE forms (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

-- Every change that affects scores makes a new version; evaluations keep
-- the version they were scored with. definition is the form as JSON.
CREATE TABLE form_versions (
    id          INTEGER PRIMARY KEY,
    form_id     INTEGER NOT NULL REFERENCES forms(id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    definition  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    created_by  INTEGER REFERENCES users(id),
    updated_at  INTEGER NOT NULL,               -- last wording edit, made in place
    UNIQUE (form_id, version)
);

CREATE TABLE evaluations (
    id              INTEGER PRIMARY KEY,
    -- No foreign key to calls: an evaluation is history and outlives a
    -- recording removed from the store (reindex drops such calls).
    call_id         TEXT NOT NULL,
    form_version_id INTEGER NOT NULL REFERENCES form_versions(id),
    reviewer_id     INTEGER NOT NULL REFERENCES users(id),
    agent_id        INTEGER REFERENCES agents(id),
    status          TEXT NOT NULL CHECK (status IN ('draft', 'submitted')),
    answers         TEXT NOT NULL DEFAULT '{}',  -- JSON, by question id
    overall_comment TEXT NOT NULL DEFAULT '',
    score           REAL,                        -- percent, set when submitted; NULL if all N/A
    result          TEXT,                        -- JSON: the score per section, set when submitted
    critical_failed INTEGER NOT NULL DEFAULT 0,
    sampled         INTEGER NOT NULL DEFAULT 0,  -- drawn at random by a sampling plan
    draw_id         INTEGER,
    calibration     INTEGER NOT NULL DEFAULT 0,  -- never counts in agents' scores
    revision        INTEGER NOT NULL DEFAULT 1,
    acknowledged_at INTEGER,
    created_at      INTEGER NOT NULL,
    submitted_at    INTEGER,
    due_at          INTEGER,
    assigned_by     INTEGER REFERENCES users(id), -- NULL when the reviewer started it
    updated_at      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX evaluations_agent ON evaluations(agent_id, submitted_at);
CREATE INDEX evaluations_reviewer ON evaluations(reviewer_id, status);
CREATE INDEX evaluations_call ON evaluations(call_id);

-- Earlier revisions of an evaluation, kept when it is re-scored.
CREATE TABLE evaluation_history (
    evaluation_id INTEGER NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
    revision      INTEGER NOT NULL,
    snapshot      TEXT NOT NULL,                 -- JSON of the evaluation
    changed_at    INTEGER NOT NULL,
    changed_by    INTEGER REFERENCES users(id),
    reason        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (evaluation_id, revision)
);

CREATE TABLE disputes (
    id              INTEGER PRIMARY KEY,
    evaluation_id   INTEGER NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
    agent_comment   TEXT NOT NULL,
    proposed        TEXT NOT NULL DEFAULT '{}',  -- JSON: proposed answers by question id
    status          TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'partly_accepted', 'rejected')),
    manager_comment TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    resolved_at     INTEGER,
    resolved_by     INTEGER REFERENCES users(id),
    final           TEXT                         -- JSON: the answers applied on resolving
);
-- One dispute per evaluation: a second look at a rejected dispute is a
-- manager's re-score, not a new dispute.
CREATE UNIQUE INDEX disputes_evaluation ON disputes(evaluation_id);
CREATE INDEX disputes_status ON disputes(status);

CREATE TABLE coaching (
    id            INTEGER PRIMARY KEY,
    agent_id      INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    evaluation_id INTEGER REFERENCES evaluations(id) ON DELETE SET NULL,
    focus         TEXT NOT NULL DEFAULT '[]',    -- JSON: question ids
    note          TEXT NOT NULL,
    due_at        INTEGER,
    done_at       INTEGER,
    created_by    INTEGER REFERENCES users(id),
    created_at    INTEGER NOT NULL
);
CREATE INDEX coaching_agent ON coaching(agent_id, done_at);

-- How long after submission an agent may dispute an evaluation; one row.
CREATE TABLE dispute_policy (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    window_ms INTEGER NOT NULL CHECK (window_ms > 0)
);
INSERT INTO dispute_policy (id, window_ms) VALUES (1, 1209600000); -- 14 days
