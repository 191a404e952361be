-- A token may expire on its own; NULL: it works until revoked.
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;

-- The audit log of one object (a recording's plays, an evaluation's
-- changes), newest first, without reading the whole log.
CREATE INDEX audit_log_object ON audit_log(object_id, object_type, id);
