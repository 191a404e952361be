package siprec

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// maxMetadataWarnings caps the warnings one document can produce, so that a
// document of ten thousand odd elements does not give ten thousand lines.
const maxMetadataWarnings = 32

// metaParser reads one metadata document as a stream of XML tokens. It
// keeps a stack of open elements; each element is classified when it opens,
// from its local name and the kind of its parent, and acted on when it
// closes, once its text is known.
type metaParser struct {
	dec      *xml.Decoder
	stack    []*metaFrame
	sawRoot  bool
	mode     Mode
	prefixes map[string]string // namespace URI -> prefix declared for it

	parts      []*Participant
	partByID   map[string]*Participant
	sessions   []*Session
	sessByID   map[string]*Session
	streams    []*Stream
	streamByID map[string]*Stream
	groups     map[string]bool
	assocs     []*streamAssoc
	recAssocs  map[string]*recordingAssoc // by session id
	exts       []extRecord
	extra      map[string]string
	truncated  bool

	warnings []string
	dropped  int // warnings over maxMetadataWarnings
}

// metaFrame is one open element.
type metaFrame struct {
	kind     elemKind
	name     xml.Name // as written, namespace resolved
	local    string   // lower-case local name
	text     []byte   // character data directly inside
	hasChild bool
	parent   string   // a vendor element's "parent" attribute
	owner    extOwner // what vendor data inside the element belongs to
	hint     string   // for vendor elements: see vendorHint

	// The record that the element describes, by kind.
	id     string // group id; participant id of a participantsessionassoc
	part   *Participant
	sess   *Session
	stream *Stream
	assoc  *streamAssoc
	recA   *recordingAssoc
}

// streamAssoc is a participantstreamassoc element: which streams one
// participant sends and receives.
type streamAssoc struct {
	participant string
	send, recv  []string
}

// recordingAssoc holds the times at which a session joined and left the
// recording session, from sessionrecordingassoc or the session itself.
type recordingAssoc struct {
	associate, disassociate time.Time
}

// extRecord is an Extension and what is known around it: the namespaces
// and names that tell which vendor's dialect it is in, and the participant
// it is nested in, if any.
type extRecord struct {
	Extension
	vendor string
	part   *Participant
}

// xmlBOM is the UTF-8 byte order mark, which some SRCs put before the XML
// declaration.
var xmlBOM = []byte("\xef\xbb\xbf")

// newMetaParser returns a parser for doc.
func newMetaParser(doc []byte) *metaParser {
	p := &metaParser{
		prefixes:   make(map[string]string),
		partByID:   make(map[string]*Participant),
		sessByID:   make(map[string]*Session),
		streamByID: make(map[string]*Stream),
		groups:     make(map[string]bool),
		recAssocs:  make(map[string]*recordingAssoc),
	}
	doc = bytes.TrimLeft(bytes.TrimPrefix(doc, xmlBOM), " \t\r\n")
	p.dec = xml.NewDecoder(bytes.NewReader(doc))
	// Strict mode and no Entity map: only XML's five predefined entities
	// and character references are expanded; any other reference is a
	// syntax error. encoding/xml never reads a DTD or fetches anything.
	p.dec.Strict = true
	p.dec.CharsetReader = p.charsetReader
	return p
}

// run reads the whole document.
func (p *metaParser) run() error {
	for {
		tok, err := p.dec.Token()
		if err == io.EOF {
			if !p.sawRoot {
				return fmt.Errorf("no root element: %w", ErrMalformedMetadata)
			}
			return nil
		}
		if err != nil {
			return p.syntaxError(err)
		}
		if err := p.handle(tok); err != nil {
			return err
		}
	}
}

// syntaxError decides what a decoding error means. A document that breaks
// off after its root element began is kept for what it said so far, since a
// cut-off metadata part still names the parties it got to; anything else is
// not XML.
func (p *metaParser) syntaxError(err error) error {
	var se *xml.SyntaxError
	if p.sawRoot && errors.As(err, &se) && se.Msg == "unexpected EOF" {
		p.warnf("metadata is truncated at line %d; kept what came before", se.Line)
		p.truncated = true
		return nil
	}
	return fmt.Errorf("%w: %w", ErrMalformedMetadata, err)
}

// handle acts on one token.
func (p *metaParser) handle(tok xml.Token) error {
	switch t := tok.(type) {
	case xml.StartElement:
		p.start(t)
	case xml.EndElement:
		p.end()
	case xml.CharData:
		if f := p.top(); f != nil {
			f.text = append(f.text, t...)
		}
	case xml.Directive:
		return p.directive(t)
	}
	return nil
}

// directive refuses a document type declaration that declares entities,
// the vehicle of "billion laughs" and external entity attacks, and
// ignores any other.
func (p *metaParser) directive(d xml.Directive) error {
	if bytes.Contains(bytes.ToUpper(d), []byte("ENTITY")) {
		return fmt.Errorf("entity declarations are refused: %w", ErrMalformedMetadata)
	}
	p.warnf("document type declaration ignored")
	return nil
}

// start opens an element.
func (p *metaParser) start(t xml.StartElement) {
	parent := p.top()
	f := &metaFrame{name: t.Name, local: strings.ToLower(t.Name.Local)}
	f.kind = classifyElement(parent, f.local)
	if parent != nil {
		parent.hasChild = true
	}
	p.notePrefixes(t.Attr)
	p.open(f, t)
	f.owner = ownerOf(f, parent)
	if f.kind == kindExt {
		f.hint = p.vendorHint(f, parent)
	}
	p.stack = append(p.stack, f)
}

// open creates or finds the record that a newly opened element describes.
func (p *metaParser) open(f *metaFrame, t xml.StartElement) {
	switch f.kind {
	case kindRoot:
		p.openRoot(t)
	case kindGroup:
		f.id = startAttr(t, "group_id", "id")
		p.groups[f.id] = true
	case kindSession:
		f.sess = p.session(startAttr(t, "session_id", "id"))
	case kindParticipant:
		f.part = p.participant(startAttr(t, "participant_id", "id"))
	case kindStream:
		f.stream = p.openStream(t)
	case kindStreamAssoc:
		f.assoc = &streamAssoc{participant: startAttr(t, "participant_id", "participant", "id")}
		p.assocs = append(p.assocs, f.assoc)
	case kindSessionAssoc:
		f.id = startAttr(t, "participant_id", "participant")
	case kindRecordingAssoc:
		f.recA = p.recordingAssoc(startAttr(t, "session_id", "session", "id"))
	case kindNameID:
		if pf := p.nearest(kindParticipant); pf != nil {
			setParticipantAOR(pf.part, startAttr(t, "aor"))
		}
	case kindExt:
		f.parent = startAttr(t, "parent")
	}
}

// openRoot checks the root element: recording in RFC 7865,
// recording_metadata or recording-metadata in the drafts that some SRCs
// still speak. Another root is read all the same, with a warning.
func (p *metaParser) openRoot(t xml.StartElement) {
	p.sawRoot = true
	switch strings.ToLower(t.Name.Local) {
	case "recording", "recording_metadata", "recording-metadata":
	default:
		p.warnf("root element <%s> is not a recording; read it as one", t.Name.Local)
	}
	// A few SRCs put the data mode on the root as an attribute.
	if v := startAttr(t, "datamode"); v != "" {
		p.setMode(v)
	}
}

// openStream creates or finds the stream that a stream element describes.
// Nested in a session, as some drafts write it, the stream belongs to it.
func (p *metaParser) openStream(t xml.StartElement) *Stream {
	s := p.stream(startAttr(t, "stream_id", "id"))
	if sid := startAttr(t, "session_id", "session"); sid != "" {
		s.SessionID = sid
	} else if sf := p.nearest(kindSession); sf != nil && s.SessionID == "" {
		s.SessionID = sf.sess.ID
	}
	return s
}

// end closes the innermost element and acts on its text.
func (p *metaParser) end() {
	f := p.top()
	if f == nil {
		return
	}
	p.stack = p.stack[:len(p.stack)-1]
	switch f.kind {
	case kindDataMode:
		p.setMode(string(f.text))
	case kindField:
		p.field(f, p.top())
	case kindExt:
		if !f.hasChild {
			p.extension(f)
		}
	}
}

// setMode reads a datamode value; RFC 7865 makes complete the default.
func (p *metaParser) setMode(v string) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "complete":
		p.mode = Complete
	case "partial":
		p.mode = Partial
	default:
		p.warnf("datamode %q is neither complete nor partial; read as complete", clipValue(v))
		p.mode = Complete
	}
}

// top returns the innermost open element, or nil.
func (p *metaParser) top() *metaFrame {
	if len(p.stack) == 0 {
		return nil
	}
	return p.stack[len(p.stack)-1]
}

// nearest returns the innermost open element of kind k, or nil.
func (p *metaParser) nearest(k elemKind) *metaFrame {
	for i := len(p.stack) - 1; i >= 0; i-- {
		if p.stack[i].kind == k {
			return p.stack[i]
		}
	}
	return nil
}

// notePrefixes remembers the prefixes that attrs declare, so that vendor
// extensions can be recognised by prefix as well as by namespace URI.
func (p *metaParser) notePrefixes(attrs []xml.Attr) {
	for _, a := range attrs {
		if a.Name.Space == "xmlns" {
			p.prefixes[a.Value] = a.Name.Local
		}
	}
}

// charsetReader lets documents declared in Latin-1 or ASCII through, and
// reads any other declared charset as UTF-8 with a warning rather than
// refusing the call's metadata over a label.
func (p *metaParser) charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "windows-1252",
		"cp1252", "us-ascii", "ascii":
		b, err := io.ReadAll(in)
		if err != nil {
			return nil, fmt.Errorf("read latin-1 metadata: %w", err)
		}
		return bytes.NewReader(latin1ToUTF8(b)), nil
	}
	p.warnf("encoding %q is not supported; read as UTF-8", clipValue(label))
	return in, nil
}

// latin1ToUTF8 returns b, decoded from ISO 8859-1 into UTF-8.
func latin1ToUTF8(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/8)
	for _, c := range b {
		out = utf8.AppendRune(out, rune(c))
	}
	return out
}

// warnf adds a warning, up to maxMetadataWarnings.
func (p *metaParser) warnf(format string, args ...any) {
	if len(p.warnings) >= maxMetadataWarnings {
		p.dropped++
		return
	}
	p.warnings = append(p.warnings, fmt.Sprintf(format, args...))
}

// startAttr returns the value of the first of names that t carries, matched by
// local name without regard to case or namespace.
func startAttr(t xml.StartElement, names ...string) string {
	for _, n := range names {
		for _, a := range t.Attr {
			if strings.EqualFold(a.Name.Local, n) && a.Name.Space != "xmlns" {
				return strings.TrimSpace(a.Value)
			}
		}
	}
	return ""
}

// clipValue shortens a value from the document for use in a warning.
func clipValue(v string) string {
	v = strings.TrimSpace(v)
	if len(v) > 64 {
		return strings.ToValidUTF8(v[:64], "") + "..."
	}
	return v
}
