package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"earshot/storage"
)

// Call is one indexed recording, as served to the web app.
type Call struct {
	// ID is the recording id (a ULID).
	ID        string `json:"id"`
	SIPCallID string `json:"sip_call_id,omitempty"`
	// StartedAt and EndedAt are in UTC, to the millisecond.
	StartedAt   time.Time     `json:"started_at"`
	EndedAt     time.Time     `json:"ended_at"`
	DurationMS  int64         `json:"duration_ms"`
	Interrupted bool          `json:"interrupted"`
	Audio       storage.Audio `json:"audio"`
	WAVKey      string        `json:"wav_key"`
	SidecarKey  string        `json:"sidecar_key"`
	// Talk is nil when the recorder could not compute talk metrics.
	Talk          *storage.TalkMetrics `json:"talk,omitempty"`
	WarningsCount int                  `json:"warnings_count"`
	Extra         map[string]string    `json:"extra,omitempty"`
	// SidecarVersion is the format version of the sidecar indexed.
	SidecarVersion int    `json:"sidecar_version"`
	Recorder       string `json:"recorder,omitempty"`

	// Participants and Streams are in sidecar order.
	Participants []storage.Participant `json:"participants"`
	Streams      []storage.Stream      `json:"streams"`
	// Marks are set by Get and left nil by List: a page of calls does not
	// show them.
	Marks *Marks `json:"marks,omitempty"`
}

// ListFilter selects calls. Zero fields do not filter.
type ListFilter struct {
	// From and To bound the start time: From <= started_at < To.
	From time.Time
	To   time.Time
	// SIPCallID matches the SIP Call-ID exactly.
	SIPCallID string
	// Participant finds calls by their participants' names and addresses:
	// each word must begin a word of a name or an address ("ali mar" finds
	// Alice Martin, "bob@pbx" sip:bob@pbx.example.com), and digits may
	// appear anywhere in a number ("5550003" finds +49305550003), ignoring
	// case and accents. Text with no letters or digits matches as a
	// substring of the raw values, which reads every participant.
	Participant string
	// MinDurationMS and MaxDurationMS bound the duration, both inclusive.
	MinDurationMS int64
	MaxDurationMS int64
	// MinOvertalkMS and MinLongestSilenceMS keep calls with at least that
	// much overtalk or that long a silence; calls without talk metrics
	// never match them.
	MinOvertalkMS       int64
	MinLongestSilenceMS int64
	// Where holds conditions on the calls (alias c) from packages whose
	// tables sit beside the catalog's in the same database: the QA side
	// filters by agent, team and evaluation this way.
	Where []Condition
	// Order is the order of the list, and of the pages its cursor walks.
	Order Order
	// Limit caps the number of calls returned: 0 means DefaultListLimit,
	// and anything above MaxListLimit means MaxListLimit.
	Limit int
	// After is the id of the last call of the previous page; the page
	// starts with the call listed after it in Order. A cursor whose call
	// has been deleted since is an error wrapping ErrNotFound.
	After string
}

// Condition is one SQL condition with its arguments.
type Condition struct {
	SQL  string
	Args []any
}

// List limits.
const (
	DefaultListLimit = 100
	MaxListLimit     = 1000
)

// selectCalls reads calls with their participants and streams in one
// statement, so that a call and its children come from the same snapshot
// without a transaction. The child lists are built as JSON in the field
// names of storage.Participant and storage.Stream.
const selectCalls = callColumns + `
FROM calls c`

// selectCallMarks is selectCalls with the call's marks (see markColumns).
const selectCallMarks = callColumns + markColumns + `
FROM calls c`

const callColumns = `
SELECT c.id, c.sip_call_id, c.started_at, c.ended_at, c.duration_ms, c.interrupted,
    c.audio_encoding, c.audio_sample_rate, c.audio_channels, c.audio_bytes, c.audio_sha256,
    c.wav_key, c.sidecar_key,
    c.talk_ms_left, c.talk_ms_right, c.overtalk_ms, c.silence_ms, c.longest_silence_ms,
    c.warnings_count, c.extra, c.sidecar_version, c.recorder,
    (SELECT json_group_array(json_object(
            'channel', p.channel, 'name', p.name, 'sip_address', p.sip_address,
            'role', p.role) ORDER BY p.position)
        FROM participants p WHERE p.call_id = c.id),
    (SELECT json_group_array(json_object(
            'channel', s.channel, 'label', s.label, 'codec', s.codec,
            'decoded', json(CASE WHEN s.decoded THEN 'true' ELSE 'false' END),
            'ssrcs', json(s.ssrcs),
            'packets_received', s.packets_received, 'packets_lost', s.packets_lost,
            'packets_late', s.packets_late, 'packets_duplicated', s.packets_duplicated,
            'jitter_ms', s.jitter_ms) ORDER BY s.position)
        FROM streams s WHERE s.call_id = c.id)`

// Get returns one call with its Marks, or an error wrapping ErrNotFound.
func (c *Catalog) Get(ctx context.Context, id string) (*Call, error) {
	calls, err := c.query(ctx, true, selectCallMarks+` WHERE c.id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("get call %s: %w", id, err)
	}
	if len(calls) == 0 {
		return nil, fmt.Errorf("get call %s: %w", id, ErrNotFound)
	}
	return &calls[0], nil
}

// List returns the calls that f selects, in f.Order (newest first by
// default). An empty result is not an error.
func (c *Catalog) List(ctx context.Context, f ListFilter) ([]Call, error) {
	spec, err := f.Order.spec()
	if err != nil {
		return nil, fmt.Errorf("list calls: %w", err)
	}
	if f.After != "" {
		if err := c.cursorExists(ctx, f.After); err != nil {
			return nil, fmt.Errorf("list calls: cursor: %w", err)
		}
	}
	where, args := listWhere(f, spec)
	// The page is chosen first over the bare rows, then read in full: the
	// participants' and streams' JSON is built for the calls shown only,
	// not for every call a filter matches before the sort.
	q := selectCalls + ` WHERE c.rowid IN (SELECT c.rowid FROM calls c` + where + spec.orderBy() +
		` LIMIT ?)` + spec.orderBy()
	calls, err := c.query(ctx, false, q, append(args, listLimit(f.Limit))...)
	if err != nil {
		return nil, fmt.Errorf("list calls: %w", err)
	}
	return calls, nil
}

func listLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultListLimit
	case n > MaxListLimit:
		return MaxListLimit
	}
	return n
}

// listWhere builds the WHERE clause of f and its arguments.
func listWhere(f ListFilter, spec orderSpec) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	if !f.From.IsZero() {
		add(`c.started_at >= ?`, f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		add(`c.started_at < ?`, f.To.UnixMilli())
	}
	if f.SIPCallID != "" {
		add(`c.sip_call_id = ?`, f.SIPCallID)
	}
	if m := searchMatch(f.Participant); m != "" {
		add(`c.rowid IN (SELECT docid FROM participant_search WHERE participant_search MATCH ?)`, m)
	} else if f.Participant != "" {
		// Nothing but punctuation to look for: read the rows themselves.
		pattern := "%" + escapeLike(f.Participant) + "%"
		add(`EXISTS (SELECT 1 FROM participants p WHERE p.call_id = c.id
            AND (p.sip_address LIKE ? ESCAPE '\' OR p.name LIKE ? ESCAPE '\'))`,
			pattern, pattern)
	}
	if f.MinDurationMS > 0 {
		add(`c.duration_ms >= ?`, f.MinDurationMS)
	}
	if f.MaxDurationMS > 0 {
		add(`c.duration_ms <= ?`, f.MaxDurationMS)
	}
	if f.MinOvertalkMS > 0 {
		add(`c.overtalk_ms >= ?`, f.MinOvertalkMS)
	}
	if f.MinLongestSilenceMS > 0 {
		add(`c.longest_silence_ms >= ?`, f.MinLongestSilenceMS)
	}
	for _, w := range f.Where {
		add("("+w.SQL+")", w.Args...)
	}
	if spec.needsValue {
		add(`c.` + spec.column + ` IS NOT NULL`)
	}
	if f.After != "" {
		add(spec.after(), f.After, f.After)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// escapeLike makes s match literally inside a LIKE pattern with ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// cursorExists returns an error wrapping ErrNotFound when the cursor's
// call is gone.
func (c *Catalog) cursorExists(ctx context.Context, id string) error {
	var one int
	err := c.db.QueryRowContext(ctx, `SELECT 1 FROM calls WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("call %s: %w", id, ErrNotFound)
	}
	return err
}

// query runs a selectCalls query, or a selectCallMarks query if marks is
// set, and reads every call it returns.
func (c *Catalog) query(ctx context.Context, marks bool, q string, args ...any) ([]Call, error) {
	rows, err := c.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var calls []Call
	for rows.Next() {
		call, err := scanCall(rows, marks)
		if err != nil {
			return nil, err
		}
		calls = append(calls, call)
	}
	return calls, rows.Err()
}

// scanCall reads one row of selectCalls, or of selectCallMarks if marks is
// set.
func scanCall(rows *sql.Rows, marks bool) (Call, error) {
	var (
		call                             Call
		started, ended                   int64
		talkL, talkR, over, sil, longest sql.NullInt64
		extra, participants, streams     string
		m                                markRow
	)
	a := &call.Audio
	dest := []any{&call.ID, &call.SIPCallID, &started, &ended, &call.DurationMS,
		&call.Interrupted, &a.Encoding, &a.SampleRate, &a.Channels, &a.Bytes, &a.SHA256,
		&call.WAVKey, &call.SidecarKey, &talkL, &talkR, &over, &sil, &longest,
		&call.WarningsCount, &extra, &call.SidecarVersion, &call.Recorder,
		&participants, &streams}
	if marks {
		dest = append(dest, m.dest()...)
	}
	if err := rows.Scan(dest...); err != nil {
		return Call{}, fmt.Errorf("scan call: %w", err)
	}
	call.StartedAt = time.UnixMilli(started).UTC()
	call.EndedAt = time.UnixMilli(ended).UTC()
	if talkL.Valid {
		call.Talk = &storage.TalkMetrics{
			TalkMS:     [2]int64{talkL.Int64, talkR.Int64},
			OvertalkMS: over.Int64, SilenceMS: sil.Int64, LongestSilenceMS: longest.Int64,
		}
	}
	if err := decodeJSONColumns(&call, extra, participants, streams); err != nil {
		return Call{}, fmt.Errorf("call %s: %w", call.ID, err)
	}
	if marks {
		mk, err := m.decode()
		if err != nil {
			return Call{}, fmt.Errorf("call %s: %w", call.ID, err)
		}
		call.Marks = mk
	}
	return call, nil
}

func decodeJSONColumns(call *Call, extra, participants, streams string) error {
	if err := json.Unmarshal([]byte(extra), &call.Extra); err != nil {
		return fmt.Errorf("decode extra: %w", err)
	}
	if len(call.Extra) == 0 {
		call.Extra = nil
	}
	if err := json.Unmarshal([]byte(participants), &call.Participants); err != nil {
		return fmt.Errorf("decode participants: %w", err)
	}
	if err := json.Unmarshal([]byte(streams), &call.Streams); err != nil {
		return fmt.Errorf("decode streams: %w", err)
	}
	return nil
}
