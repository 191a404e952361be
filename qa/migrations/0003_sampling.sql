-- Sampling plans and their draws.
CREATE TABLE sampling_plans (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    definition TEXT NOT NULL,                    -- JSON: filters, quota, period, reviewers
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    updated_at INTEGER NOT NULL
);

-- A draw is reproducible: its seed and parameters are kept with it.
-- Plans are deactivated, never deleted, so a draw always has its plan.
CREATE TABLE draws (
    id           INTEGER PRIMARY KEY,
    plan_id      INTEGER NOT NULL REFERENCES sampling_plans(id),
    seed         INTEGER NOT NULL,
    params       TEXT NOT NULL,                  -- JSON: the plan as it was, the period
    period_start INTEGER NOT NULL,
    period_end   INTEGER NOT NULL,
    report       TEXT NOT NULL DEFAULT '{}',     -- JSON: per agent eligible, drawn, shortfall
    rng_state    BLOB NOT NULL,                  -- the random stream where the draw left it
    created_at   INTEGER NOT NULL,
    created_by   INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX draws_plan ON draws(plan_id, id);

-- One row per call and review: a call that also goes to a second reviewer
-- has two rows. call_id has no foreign key on purpose: the record of what
-- was drawn outlives a call deleted from the catalog.
CREATE TABLE draw_items (
    id               INTEGER PRIMARY KEY,
    draw_id          INTEGER NOT NULL REFERENCES draws(id) ON DELETE CASCADE,
    call_id          TEXT NOT NULL,
    agent_id         INTEGER NOT NULL REFERENCES agents(id),
    day              TEXT NOT NULL,              -- the call's date in the plan's time zone
    started_at       INTEGER NOT NULL,
    reviewer_id      INTEGER REFERENCES users(id) ON DELETE SET NULL, -- NULL: no reviewer had room
    second_review    INTEGER NOT NULL DEFAULT 0 CHECK (second_review IN (0, 1)),
    blind            INTEGER NOT NULL DEFAULT 0 CHECK (blind IN (0, 1)),
    evaluation_id    INTEGER REFERENCES evaluations(id) ON DELETE SET NULL,
    replaced_at      INTEGER,
    replaced_by_call TEXT,                       -- NULL with replaced_at set: removed, none left
    replace_reason   TEXT NOT NULL DEFAULT '',
    replaced_by_user INTEGER REFERENCES users(id) ON DELETE SET NULL,
    UNIQUE (draw_id, call_id, second_review)
);
CREATE INDEX draw_items_call ON draw_items(call_id);
CREATE INDEX draw_items_evaluation ON draw_items(evaluation_id);
