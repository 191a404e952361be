-- People, access and the audit log.
CREATE TABLE teams (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

-- An agent who leaves is made inactive, not deleted, so that their
-- evaluations and draws keep their name; draws skip inactive agents.
CREATE TABLE agents (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL,
    team_id INTEGER REFERENCES teams(id) ON DELETE SET NULL,
    active  INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);
CREATE INDEX agents_team ON agents(team_id);

-- A SIP identity links call participants to an agent: a full address
-- (sip:1001@pbx.example), a user part (1001) or an extension.
CREATE TABLE agent_identities (
    agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    kind     TEXT NOT NULL CHECK (kind IN ('address', 'user', 'extension')),
    value    TEXT NOT NULL,
    PRIMARY KEY (kind, value)
);
CREATE INDEX agent_identities_agent ON agent_identities(agent_id);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    roles         TEXT NOT NULL,            -- comma-separated: admin,manager,reviewer,agent
    agent_id      INTEGER REFERENCES agents(id) ON DELETE SET NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL          -- unix milliseconds UTC
);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,           -- SHA-256 of the cookie value, hex
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,           -- unix milliseconds UTC
    expires_at  INTEGER NOT NULL,           -- idle end, moved on while in use
    ends_at     INTEGER NOT NULL,           -- absolute end, never moved
    remote_addr TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,      -- SHA-256 of the token, hex
    created_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    user_id     INTEGER,                    -- NULL for the system
    username    TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,              -- play, download, score, change, delete...
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '{}', -- JSON
    remote_addr TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_user ON audit_log(user_id, at);
CREATE INDEX audit_log_action ON audit_log(action, at);

-- Which agent took each call, and so its direction; rebuilt when identities
-- change. Kept beside the catalog's calls, which storage owns.
-- identity_kind and identity_value name the identity that matched, so that
-- an attribution can be explained.
CREATE TABLE call_agents (
    call_id        TEXT PRIMARY KEY REFERENCES calls(id) ON DELETE CASCADE,
    agent_id       INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    direction      TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound', 'unknown')),
    identity_kind  TEXT NOT NULL DEFAULT '',
    identity_value TEXT NOT NULL DEFAULT ''
);
CREATE INDEX call_agents_agent ON call_agents(agent_id);
