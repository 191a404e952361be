-- Every order of the call list walks an index of (column, id), so that a
-- page's cursor is a seek, not a scan, at a million calls.
DROP INDEX calls_duration_ms;
CREATE INDEX calls_duration ON calls (duration_ms, id);
CREATE INDEX calls_overtalk ON calls (overtalk_ms, id);
CREATE INDEX calls_longest_silence ON calls (longest_silence_ms, id);
