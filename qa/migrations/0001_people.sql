-- People, access and the audit log.
CREATE TABLE teams (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE agents (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL,
    team_id INTEGER REFERENCES teams(id) ON DELETE SET NULL
);

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
    token_hash TEXT PRIMARY KEY,            -- SHA-256 of the cookie value
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,      -- SHA-256 of the token
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);

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

-- Which agent took each call, and so its direction; rebuilt when identities
-- change. Kept beside the catalog's calls, which storage owns.
CREATE TABLE call_agents (
    call_id   TEXT PRIMARY KEY REFERENCES calls(id) ON DELETE CASCADE,
    agent_id  INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound', 'unknown'))
);
CREATE INDEX call_agents_agent ON call_agents(agent_id);
