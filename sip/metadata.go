package siprec

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// DefaultMaxMetadataBytes is the metadata size limit that ParseMetadata
// applies when it is given a limit of zero or less.
const DefaultMaxMetadataBytes = 64 << 10

// Errors returned by ParseMetadata, each wrapped with the reason. Metadata
// that is XML but odd gives warnings instead; these are for input that is
// not XML at all, too large, or carries entity declarations.
var (
	// ErrMetadataTooLarge means the metadata is over the size limit.
	ErrMetadataTooLarge = errors.New("siprec: metadata too large")
	// ErrMalformedMetadata means the metadata is not well-formed XML, or
	// declares entities, which are refused so that nothing is expanded.
	ErrMalformedMetadata = errors.New("siprec: malformed metadata")
)

// Mode says whether a metadata document is the whole state of the
// recording session or a change to it (the datamode element of RFC 7865).
type Mode int

const (
	// Complete means the document describes the whole recording session
	// and replaces what was known before. It is the default when the
	// document does not say.
	Complete Mode = iota
	// Partial means the document carries only what changed since the
	// previous one; Merge folds it into what was known.
	Partial
)

// String returns "complete" or "partial", as the metadata writes them.
func (m Mode) String() string {
	if m == Partial {
		return "partial"
	}
	return "complete"
}

// Metadata is what a recording metadata document (RFC 7865) says about the
// calls being recorded, flattened for the recorder: who takes part, which
// media stream each of them sends, and the call identifiers that vendors add.
type Metadata struct {
	// Mode is Complete for a full snapshot, Partial for an update.
	Mode Mode
	// Sessions are the communication sessions (calls) being recorded.
	Sessions []Session
	// Participants are the parties of those calls, in document order.
	Participants []Participant
	// Streams are the media streams, each tied to an SDP m-line by its
	// label. An SRC may send no stream elements at all; then a
	// participant's Send names the labels directly.
	Streams []Stream
	// Extra holds the vendor extensions that identify the caller or the
	// call, under normalised keys: "ucid", "avaya_ucid",
	// "genesys_call_id", "cisco_guid", "original_call_id",
	// "original_from" and "original_to" (the Extra constants). Where a
	// document gives a key twice, the first value counts. It is nil when
	// there are none.
	Extra map[string]string
	// Extensions lists every vendor extension element that carried a
	// value, in document order, mapped or not.
	Extensions []Extension
	// Warnings describes what was odd but tolerated: unknown references,
	// unparsable times, a truncated document.
	Warnings []string
}

// Session is one communication session (a call) being recorded.
type Session struct {
	// ID is the session's identifier in the metadata (session_id).
	ID string
	// SIPCallIDs are the values of the session's sipSessionID elements:
	// the Session-ID header (RFC 7989) in RFC 7865, and the Call-ID of
	// the recorded call for several SRCs.
	SIPCallIDs []string
	// GroupID is the communication session group it belongs to, if any.
	GroupID string
	// Start and Stop are when the session began and ended; zero when not
	// given. Where the session has no start or stop time, the times of
	// its association with the recording session stand in.
	Start, Stop time.Time
}

// Participant is one party of a recorded call.
type Participant struct {
	// ID is the participant's identifier in the metadata.
	ID string
	// Name is the participant's display name, if given.
	Name string
	// AOR is the participant's address of record, with a sip: scheme
	// added when it came without one; tel: and sips: are kept as sent.
	AOR string
	// Send and Recv are the ids of the streams the participant sends and
	// receives (or, with no stream elements in the metadata, their
	// labels). In a partial update, nil means the update said nothing
	// about them and an empty slice means it said "none".
	Send, Recv []string
	// Calling is true for the party that placed the call, where the SRC
	// says so in a vendor extension (Cisco, Oracle and others do).
	Calling bool
}

// Stream is one media stream being recorded.
type Stream struct {
	// ID is the stream's identifier in the metadata.
	ID string
	// Label is the value of the a=label attribute (RFC 4574) of the SDP
	// m-line that carries the stream.
	Label string
	// SessionID is the communication session the stream belongs to.
	SessionID string
}

// Extension is one vendor extension element that carried a value.
type Extension struct {
	// Name is the element's local name as written ("ucid",
	// "callingParty").
	Name string
	// Space is the element's namespace URI, or its prefix when the
	// document never declared it.
	Space string
	// Value is the element's text, trimmed.
	Value string
	// Parent is the id of the participant, session, stream or group
	// that the extension belongs to, or "" for the recording as a whole.
	Parent string
	// ParentKind is "participant", "session", "stream", "group" or
	// "recording", or "" when Parent names nothing in the document (a
	// partial update may refer to an earlier one).
	ParentKind string
}

// ParseMetadata reads a recording metadata document (RFC 7865). maxBytes
// caps its size; zero or less means DefaultMaxMetadataBytes.
//
// Elements are matched by local name and without regard to case, whatever
// their namespace or prefix, so the RFC's form, the drafts' forms and the
// vendors' forms all read alike. A document type declaration with entity
// declarations is refused, and no entity other than XML's own five is ever
// expanded; nothing is fetched.
//
// Content that is odd but well-formed gives warnings in the result, never
// an error, and so does a document cut short after its root element began
// (the result then holds what came before the cut) or one in Latin-1 that
// claims to be UTF-8. Errors wrap
// ErrMetadataTooLarge or ErrMalformedMetadata.
func ParseMetadata(xml []byte, maxBytes int) (*Metadata, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxMetadataBytes
	}
	if len(xml) > maxBytes {
		return nil, fmt.Errorf("parse metadata: %d bytes, limit %d: %w",
			len(xml), maxBytes, ErrMetadataTooLarge)
	}
	p := newMetaParser(xml)
	err := p.run()
	if err != nil && !utf8.Valid(xml) {
		// Some SRCs copy Latin-1 display names into a document that says it
		// is UTF-8; read it as Latin-1 rather than lose the whole document.
		p = newMetaParser(latin1ToUTF8(xml))
		p.warnf("metadata is not valid UTF-8; read as Latin-1")
		err = p.run()
	}
	if err != nil {
		return nil, fmt.Errorf("parse metadata: %w", err)
	}
	return p.finish(), nil
}

// ParticipantForLabel returns the participant that sends the stream whose
// SDP label is label. It looks the label up among the streams and then
// finds who sends one of them; when no stream has that label (SRCs that
// send no stream elements), it takes the label itself as the stream id.
// If nobody is said to send the stream and the call has exactly two
// participants, one of whom receives it, the other one is the sender.
func (m *Metadata) ParticipantForLabel(label string) (Participant, bool) {
	label = strings.TrimSpace(label)
	if m == nil || label == "" {
		return Participant{}, false
	}
	ids := m.streamIDs(label)
	for _, p := range m.Participants {
		if containsAnyOf(p.Send, ids) {
			return p, true
		}
	}
	if len(m.Participants) != 2 {
		return Participant{}, false
	}
	for i, p := range m.Participants {
		if containsAnyOf(p.Recv, ids) {
			return m.Participants[1-i], true
		}
	}
	return Participant{}, false
}

// streamIDs returns the ids of the streams labelled label, or the label
// itself when no stream has it.
func (m *Metadata) streamIDs(label string) []string {
	var ids []string
	for _, s := range m.Streams {
		if s.Label == label && s.ID != "" {
			ids = append(ids, s.ID)
		}
	}
	if len(ids) == 0 {
		ids = []string{label}
	}
	return ids
}

// containsAnyOf reports whether have holds any of want.
func containsAnyOf(have, want []string) bool {
	for _, w := range want {
		if slices.Contains(have, w) {
			return true
		}
	}
	return false
}
