package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// SidecarFormatVersion is the version of the sidecar format written by this
// build. Readers accept every version up to it.
const SidecarFormatVersion = 1

// maxSidecarBytes caps how much of a sidecar is read; metadata XML is capped
// well below this by the recorder.
const maxSidecarBytes = 8 << 20

// Sidecar describes one recording fully: the catalog is built from sidecars
// alone. Fields are added, never renamed or removed; a change that breaks
// readers needs a new FormatVersion.
type Sidecar struct {
	FormatVersion int       `json:"format_version"`
	RecordingID   string    `json:"recording_id"`
	SIPCallID     string    `json:"sip_call_id,omitempty"`
	StartedAt     time.Time `json:"started_at"`
	EndedAt       time.Time `json:"ended_at"`
	DurationMS    int64     `json:"duration_ms"`
	// Interrupted is set when the recording was finalized from the spool
	// after the recorder stopped without ending the call.
	Interrupted bool   `json:"interrupted,omitempty"`
	Audio       Audio  `json:"audio"`
	Recorder    string `json:"recorder,omitempty"`

	Participants []Participant `json:"participants"`
	Streams      []Stream      `json:"streams"`
	DTMF         []DTMFEvent   `json:"dtmf,omitempty"`
	Pauses       []Interval    `json:"pauses,omitempty"`
	// Holds are the spans when the signalling marked one party's stream
	// inactive or send-only towards us while the other stayed active: a
	// party on hold. A pause of the whole recording is in Pauses instead.
	Holds    []Hold       `json:"holds,omitempty"`
	Talk     *TalkMetrics `json:"talk,omitempty"`
	Warnings []string     `json:"warnings,omitempty"`
	// Attachments are further objects stored beside the WAV, such as the
	// raw packets of a stream whose codec could not be decoded.
	Attachments []Attachment `json:"attachments,omitempty"`
	// Extra holds identifiers the signalling carried beyond the standard
	// ones (vendor call ids, original From and To), by name.
	Extra map[string]string `json:"extra,omitempty"`
	// MetadataXML is the last SIPREC metadata document received, verbatim.
	MetadataXML string `json:"metadata_xml,omitempty"`
}

// Attachment is an object stored beside a recording's WAV, under the
// WAV's key with ".wav" replaced by "." + Name.
type Attachment struct {
	// Name is the key suffix, such as "s0.pcap": letters, digits, dots,
	// dashes and underscores only.
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Bytes       int64  `json:"bytes"`
	SHA256      string `json:"sha256"`
	Description string `json:"description,omitempty"`
}

// Audio describes the stored WAV.
type Audio struct {
	// Encoding is "pcmu", "pcma" or "pcm16".
	Encoding   string `json:"encoding"`
	SampleRate int    `json:"sample_rate"`
	Channels   int    `json:"channels"`
	Bytes      int64  `json:"bytes"`
	SHA256     string `json:"sha256"`
}

// Participant is a party of the call and the channel that carries it.
type Participant struct {
	// Channel is 0 for left, 1 for right.
	Channel    int    `json:"channel"`
	Name       string `json:"name,omitempty"`
	SIPAddress string `json:"sip_address,omitempty"`
	// Role is "caller" or "callee" where known.
	Role string `json:"role,omitempty"`
}

// Stream holds what was received on one RTP stream.
type Stream struct {
	Channel         int      `json:"channel"`
	Label           string   `json:"label,omitempty"`
	Codec           string   `json:"codec"`
	Decoded         bool     `json:"decoded"`
	SSRCs           []uint32 `json:"ssrcs,omitempty"`
	PacketsReceived int64    `json:"packets_received"`
	PacketsLost     int64    `json:"packets_lost"`
	PacketsLate     int64    `json:"packets_late"`
	PacketsDup      int64    `json:"packets_duplicated"`
	// JitterMS is the RFC 3550 interarrival jitter at the end of the call.
	JitterMS float64 `json:"jitter_ms"`
}

// DTMFEvent is an RFC 4733 telephone-event, timed from the recording start.
type DTMFEvent struct {
	Channel    int    `json:"channel"`
	Digit      string `json:"digit"`
	AtMS       int64  `json:"at_ms"`
	DurationMS int64  `json:"duration_ms"`
}

// Interval is a span of the recording, in milliseconds from its start.
type Interval struct {
	StartMS int64  `json:"start_ms"`
	EndMS   int64  `json:"end_ms"`
	Reason  string `json:"reason,omitempty"`
}

// Hold is a span when the stream on one channel was put on hold.
type Hold struct {
	Channel int   `json:"channel"`
	StartMS int64 `json:"start_ms"`
	EndMS   int64 `json:"end_ms"`
}

// TalkMetrics summarize who spoke when, per channel index.
type TalkMetrics struct {
	TalkMS           [2]int64 `json:"talk_ms"`
	OvertalkMS       int64    `json:"overtalk_ms"`
	SilenceMS        int64    `json:"silence_ms"`
	LongestSilenceMS int64    `json:"longest_silence_ms"`
}

// MarshalSidecar encodes s, stamping the current format version.
func MarshalSidecar(s *Sidecar) ([]byte, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	c := *s
	c.FormatVersion = SidecarFormatVersion
	return json.MarshalIndent(&c, "", "  ")
}

// UnmarshalSidecar decodes and checks a sidecar.
func UnmarshalSidecar(data []byte) (*Sidecar, error) {
	if len(data) > maxSidecarBytes {
		return nil, fmt.Errorf("storage: sidecar of %d bytes is over the %d byte limit",
			len(data), maxSidecarBytes)
	}
	var s Sidecar
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("storage: decode sidecar: %w", err)
	}
	if s.FormatVersion < 1 || s.FormatVersion > SidecarFormatVersion {
		return nil, fmt.Errorf("storage: sidecar format version %d not supported (this build reads 1 to %d)",
			s.FormatVersion, SidecarFormatVersion)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// Validate checks the fields every sidecar must have: a recording id, a
// start, and an end no earlier than the start.
func (s *Sidecar) Validate() error {
	if _, _, err := RecordingKeys(s.RecordingID); err != nil {
		return err
	}
	for _, a := range s.Attachments {
		if !validAttachmentName(a.Name) {
			return fmt.Errorf("storage: sidecar attachment name %q is not allowed", a.Name)
		}
	}
	if s.StartedAt.IsZero() {
		return errors.New("storage: sidecar has no start time")
	}
	if s.EndedAt.Before(s.StartedAt) {
		return fmt.Errorf("storage: sidecar ends (%s) before it starts (%s)",
			s.EndedAt.Format(time.RFC3339), s.StartedAt.Format(time.RFC3339))
	}
	return nil
}

// validAttachmentName keeps attachment names from escaping the recording's
// folder or colliding with its WAV and sidecar.
func validAttachmentName(name string) bool {
	if name == "" || name == "wav" || name == "json" || len(name) > 64 || name[0] == '.' {
		return false
	}
	for _, c := range name {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_'
		if !ok {
			return false
		}
	}
	return true
}
