package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"earshot/storage"
)

// upsertCall updates the row in place rather than replacing it (as INSERT OR
// REPLACE would), so that rows of other packages referencing the call with
// ON DELETE CASCADE survive a reindex.
const upsertCall = `
INSERT INTO calls (
    id, sip_call_id, started_at, ended_at, duration_ms, interrupted,
    audio_encoding, audio_sample_rate, audio_channels, audio_bytes, audio_sha256,
    wav_key, sidecar_key,
    talk_ms_left, talk_ms_right, overtalk_ms, silence_ms, longest_silence_ms,
    warnings_count, extra, sidecar_version, recorder
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    sip_call_id = excluded.sip_call_id,
    started_at = excluded.started_at,
    ended_at = excluded.ended_at,
    duration_ms = excluded.duration_ms,
    interrupted = excluded.interrupted,
    audio_encoding = excluded.audio_encoding,
    audio_sample_rate = excluded.audio_sample_rate,
    audio_channels = excluded.audio_channels,
    audio_bytes = excluded.audio_bytes,
    audio_sha256 = excluded.audio_sha256,
    wav_key = excluded.wav_key,
    sidecar_key = excluded.sidecar_key,
    talk_ms_left = excluded.talk_ms_left,
    talk_ms_right = excluded.talk_ms_right,
    overtalk_ms = excluded.overtalk_ms,
    silence_ms = excluded.silence_ms,
    longest_silence_ms = excluded.longest_silence_ms,
    warnings_count = excluded.warnings_count,
    extra = excluded.extra,
    sidecar_version = excluded.sidecar_version,
    recorder = excluded.recorder`

// childTables are the tables whose rows belong to one call and are replaced
// whole on every Index. holds_unindexed is only cleared: a call indexed now
// has its holds in the holds table.
var childTables = []string{
	"participants", "streams", "dtmf_events", "pauses", "holds", "warnings", "holds_unindexed",
}

const (
	insertParticipant = `INSERT INTO participants
    (call_id, position, channel, name, sip_address, role) VALUES (?, ?, ?, ?, ?, ?)`
	insertStream = `INSERT INTO streams
    (call_id, position, channel, label, codec, decoded, ssrcs, packets_received,
     packets_lost, packets_late, packets_duplicated, jitter_ms)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	insertDTMF = `INSERT INTO dtmf_events
    (call_id, position, channel, digit, at_ms, duration_ms) VALUES (?, ?, ?, ?, ?, ?)`
	insertPause = `INSERT INTO pauses
    (call_id, position, start_ms, end_ms, reason) VALUES (?, ?, ?, ?, ?)`
	insertHold = `INSERT INTO holds
    (call_id, position, channel, start_ms, end_ms) VALUES (?, ?, ?, ?, ?)`
	insertWarning = `INSERT INTO warnings (call_id, position, message) VALUES (?, ?, ?)`
)

// Index adds the call that s describes, or brings it up to date: the call
// row is updated in place and its child rows replaced, in one transaction.
// Indexing the same sidecar again changes nothing.
//
// Times are kept to the millisecond, in UTC.
func (c *Catalog) Index(ctx context.Context, s *storage.Sidecar) error {
	if s == nil {
		return errors.New("index call: nil sidecar")
	}
	args, err := callArgs(s)
	if err != nil {
		return fmt.Errorf("index call %s: %w", s.RecordingID, err)
	}
	if err := c.indexTx(ctx, s, args); err != nil {
		return fmt.Errorf("index call %s: %w", s.RecordingID, err)
	}
	return nil
}

func (c *Catalog) indexTx(ctx context.Context, s *storage.Sidecar, callRow []any) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	if _, err := tx.ExecContext(ctx, upsertCall, callRow...); err != nil {
		return fmt.Errorf("upsert call: %w", err)
	}
	for _, table := range childTables {
		// table comes from the constant list above, never from input.
		q := "DELETE FROM " + table + " WHERE call_id = ?"
		if _, err := tx.ExecContext(ctx, q, s.RecordingID); err != nil {
			return fmt.Errorf("clear %s: %w", table, err)
		}
	}
	if err := insertChildren(ctx, tx, s); err != nil {
		return err
	}
	if err := indexSearch(ctx, tx, s.RecordingID, s.Participants); err != nil {
		return err
	}
	return tx.Commit()
}

// callArgs returns the values of the calls row, in upsertCall's order.
func callArgs(s *storage.Sidecar) ([]any, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	wavKey, sidecarKey, err := storage.RecordingKeys(s.RecordingID)
	if err != nil {
		return nil, err
	}
	extra := []byte("{}")
	if len(s.Extra) > 0 {
		if extra, err = json.Marshal(s.Extra); err != nil {
			return nil, fmt.Errorf("encode extra: %w", err)
		}
	}
	a := s.Audio
	args := []any{
		s.RecordingID, s.SIPCallID, s.StartedAt.UnixMilli(), s.EndedAt.UnixMilli(),
		s.DurationMS, s.Interrupted,
		a.Encoding, a.SampleRate, a.Channels, a.Bytes, a.SHA256,
		wavKey, sidecarKey,
	}
	args = append(args, talkArgs(s.Talk)...)
	return append(args, len(s.Warnings), string(extra), s.FormatVersion, s.Recorder), nil
}

// talkArgs returns the talk metric columns, all NULL when t is unknown.
func talkArgs(t *storage.TalkMetrics) []any {
	if t == nil {
		return []any{nil, nil, nil, nil, nil}
	}
	return []any{t.TalkMS[0], t.TalkMS[1], t.OvertalkMS, t.SilenceMS, t.LongestSilenceMS}
}

// childRows are the rows of one child table for one call.
type childRows struct {
	table string
	query string
	n     int
	row   func(i int) []any // the arguments of row i, in query's order
}

// insertChildren writes the child rows of s; position keeps the sidecar's
// list order.
func insertChildren(ctx context.Context, tx *sql.Tx, s *storage.Sidecar) error {
	id := s.RecordingID
	streams, err := streamRows(id, s.Streams)
	if err != nil {
		return err
	}
	all := []childRows{
		{"participants", insertParticipant, len(s.Participants), func(i int) []any {
			p := s.Participants[i]
			return []any{id, i, p.Channel, p.Name, p.SIPAddress, p.Role}
		}},
		streams,
		{"dtmf_events", insertDTMF, len(s.DTMF), func(i int) []any {
			d := s.DTMF[i]
			return []any{id, i, d.Channel, d.Digit, d.AtMS, d.DurationMS}
		}},
		{"pauses", insertPause, len(s.Pauses), func(i int) []any {
			p := s.Pauses[i]
			return []any{id, i, p.StartMS, p.EndMS, p.Reason}
		}},
		{"holds", insertHold, len(s.Holds), func(i int) []any {
			h := s.Holds[i]
			return []any{id, i, h.Channel, h.StartMS, h.EndMS}
		}},
		{"warnings", insertWarning, len(s.Warnings), func(i int) []any {
			return []any{id, i, s.Warnings[i]}
		}},
	}
	for _, rows := range all {
		if err := insertRows(ctx, tx, rows); err != nil {
			return err
		}
	}
	return nil
}

// streamRows encodes the SSRC lists up front, where an error can be returned.
func streamRows(id string, streams []storage.Stream) (childRows, error) {
	ssrcs := make([]string, len(streams))
	for i, st := range streams {
		b, err := json.Marshal(st.SSRCs)
		if err != nil {
			return childRows{}, fmt.Errorf("encode ssrcs: %w", err)
		}
		ssrcs[i] = string(b)
		if st.SSRCs == nil {
			ssrcs[i] = "[]"
		}
	}
	return childRows{"streams", insertStream, len(streams), func(i int) []any {
		st := streams[i]
		return []any{id, i, st.Channel, st.Label, st.Codec, st.Decoded, ssrcs[i],
			st.PacketsReceived, st.PacketsLost, st.PacketsLate, st.PacketsDup, st.JitterMS}
	}}, nil
}

// insertRows runs rows.query once per row.
func insertRows(ctx context.Context, tx *sql.Tx, rows childRows) error {
	if rows.n == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, rows.query)
	if err != nil {
		return fmt.Errorf("prepare insert into %s: %w", rows.table, err)
	}
	defer stmt.Close()
	for i := range rows.n {
		if _, err := stmt.ExecContext(ctx, rows.row(i)...); err != nil {
			return fmt.Errorf("insert into %s row %d: %w", rows.table, i, err)
		}
	}
	return nil
}

// Delete removes a call and its child rows. Deleting a call that is not in
// the catalog is not an error, as with storage.Store.Delete. It does not
// touch the object store: a call whose sidecar is still there comes back
// at the next Reindex.
func (c *Catalog) Delete(ctx context.Context, id string) error {
	if _, err := c.db.ExecContext(ctx, `DELETE FROM calls WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete call %s: %w", id, err)
	}
	return nil
}
