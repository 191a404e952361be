package recorder

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"earshot/storage"
)

// stateFile is the name of a call's state in its spool folder.
const stateFile = "call.json"

// Codec names an RTP payload format as the SDP maps it (RFC 4566 section
// 6, a=rtpmap).
type Codec struct {
	Name  string `json:"name"`
	Clock uint32 `json:"clock"`
}

// callState is what a call's spool folder knows besides the packets: enough
// to finalize the call after a crash. It is rewritten, atomically, whenever
// it changes; packets never touch it.
type callState struct {
	RecordingID  string                `json:"recording_id"`
	SIPCallID    string                `json:"sip_call_id,omitempty"`
	StartedAt    time.Time             `json:"started_at"`
	EndedAt      time.Time             `json:"ended_at,omitzero"`
	EndReason    string                `json:"end_reason,omitempty"`
	Streams      []streamState         `json:"streams"`
	Participants []storage.Participant `json:"participants,omitempty"`
	Pauses       []storage.Interval    `json:"pauses,omitempty"`
	Holds        []storage.Hold        `json:"holds,omitempty"`
	Warnings     []string              `json:"warnings,omitempty"`
	Extra        map[string]string     `json:"extra,omitempty"`
	MetadataXML  string                `json:"metadata_xml,omitempty"`
}

// streamState describes one spooled stream.
type streamState struct {
	Index   int    `json:"index"`
	Label   string `json:"label,omitempty"`
	Channel int    `json:"channel"`
	// Codecs maps the payload types the SDP offered to their formats.
	Codecs  map[uint8]Codec `json:"codecs"`
	EventPT int             `json:"event_pt"` // -1 when none
}

// save writes the state beside the spool, replacing the last one by a
// rename so that a reader never sees half of it. It does not fsync: the
// state, like the spooled audio, must survive the process being killed,
// which the kernel's page cache ensures, and a power loss takes the audio
// not yet written as well. A recording becomes durable against power loss
// when it is committed to the upload queue (storage.Queue.Enqueue), which
// syncs. Syncing here cost three to four fsyncs per call setup, the
// largest share of setup time under load.
func (st *callState) save(dir string) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encode call state: %w", err)
	}
	tmp := filepath.Join(dir, stateFile+".tmp")
	if err := os.WriteFile(tmp, data, 0o640); err != nil {
		return fmt.Errorf("write call state: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, stateFile)); err != nil {
		return fmt.Errorf("commit call state: %w", err)
	}
	return nil
}

func loadState(dir string) (*callState, error) {
	data, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		return nil, fmt.Errorf("read call state: %w", err)
	}
	var st callState
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("decode call state: %w", err)
	}
	return &st, nil
}

// streamFile is the spool log of stream i.
func streamFile(dir string, i int) string {
	return filepath.Join(dir, fmt.Sprintf("s%d.rtp", i))
}
