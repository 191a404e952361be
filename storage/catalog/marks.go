package catalog

import (
	"encoding/json"
	"fmt"

	"earshot/storage"
)

// Marks are what a call's timeline shows: its DTMF digits, the spans when
// recording was paused, and the spans when a party was on hold. Each list is
// in sidecar order, and empty, not nil, when the call has none.
type Marks struct {
	DTMF   []storage.DTMFEvent `json:"dtmf"`
	Pauses []storage.Interval  `json:"pauses"`
	Holds  []storage.Hold      `json:"holds"`
	// HoldsUnknown is set for a call indexed before the catalog kept holds
	// and not indexed since: Holds is then empty whatever the call had, and
	// only its sidecar has them. The catalog cannot fill them in when it
	// opens, as it does the participant search, because it is not given
	// the object store then; Reindex fills them for every call.
	HoldsUnknown bool `json:"holds_unknown,omitempty"`
}

// markColumns are the marks of the call as JSON arrays in the field names
// of storage.DTMFEvent, storage.Interval and storage.Hold, then whether
// its holds are unknown.
const markColumns = `,
    (SELECT json_group_array(json_object(
            'channel', d.channel, 'digit', d.digit, 'at_ms', d.at_ms,
            'duration_ms', d.duration_ms) ORDER BY d.position)
        FROM dtmf_events d WHERE d.call_id = c.id),
    (SELECT json_group_array(json_object(
            'start_ms', p.start_ms, 'end_ms', p.end_ms, 'reason', p.reason)
            ORDER BY p.position)
        FROM pauses p WHERE p.call_id = c.id),
    (SELECT json_group_array(json_object(
            'channel', h.channel, 'start_ms', h.start_ms, 'end_ms', h.end_ms)
            ORDER BY h.position)
        FROM holds h WHERE h.call_id = c.id),
    EXISTS (SELECT 1 FROM holds_unindexed u WHERE u.call_id = c.id)`

// markRow holds the markColumns of one row as scanned.
type markRow struct {
	dtmf, pauses, holds string
	holdsUnknown        bool
}

// dest returns the scan destinations of the markColumns, in their order.
func (r *markRow) dest() []any {
	return []any{&r.dtmf, &r.pauses, &r.holds, &r.holdsUnknown}
}

func (r *markRow) decode() (*Marks, error) {
	m := &Marks{HoldsUnknown: r.holdsUnknown}
	if err := json.Unmarshal([]byte(r.dtmf), &m.DTMF); err != nil {
		return nil, fmt.Errorf("decode dtmf: %w", err)
	}
	if err := json.Unmarshal([]byte(r.pauses), &m.Pauses); err != nil {
		return nil, fmt.Errorf("decode pauses: %w", err)
	}
	if err := json.Unmarshal([]byte(r.holds), &m.Holds); err != nil {
		return nil, fmt.Errorf("decode holds: %w", err)
	}
	return m, nil
}
