-- Sampling plans and their draws.
CREATE TABLE sampling_plans (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    definition TEXT NOT NULL,                    -- JSON: filters, quota, period, reviewers
    active     INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES users(id)
);

-- A draw is reproducible: its seed and parameters are kept with it.
CREATE TABLE draws (
    id           INTEGER PRIMARY KEY,
    plan_id      INTEGER NOT NULL REFERENCES sampling_plans(id) ON DELETE CASCADE,
    seed         INTEGER NOT NULL,
    params       TEXT NOT NULL,                  -- JSON: the plan as it was, the period
    period_start INTEGER NOT NULL,
    period_end   INTEGER NOT NULL,
    report       TEXT NOT NULL DEFAULT '{}',     -- JSON: per agent eligible, drawn, shortfall
    created_at   INTEGER NOT NULL,
    created_by   INTEGER REFERENCES users(id)
);

CREATE TABLE draw_items (
    draw_id        INTEGER NOT NULL REFERENCES draws(id) ON DELETE CASCADE,
    call_id        TEXT NOT NULL REFERENCES calls(id),
    agent_id       INTEGER NOT NULL REFERENCES agents(id),
    reviewer_id    INTEGER NOT NULL REFERENCES users(id),
    second_review  INTEGER NOT NULL DEFAULT 0,   -- the double-scored share
    evaluation_id  INTEGER REFERENCES evaluations(id),
    replaced_by    TEXT,                         -- call id that replaced this one
    replace_reason TEXT,
    PRIMARY KEY (draw_id, call_id, reviewer_id)
);
