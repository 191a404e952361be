package siprec

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// rfc7865Doc is a complete document in the form of RFC 7865: two participants,
// two streams, tied together by participantstreamassoc.
const rfc7865Doc = `<?xml version="1.0" encoding="UTF-8"?>
<recording xmlns='urn:ietf:params:xml:ns:recording:1'>
  <datamode>complete</datamode>
  <group group_id="g1"><associate-time>2024-01-02T03:04:00Z</associate-time></group>
  <session session_id="s1">
    <sipSessionID>abc;remote=def</sipSessionID>
    <group-ref>g1</group-ref>
    <start-time>2024-01-02T03:04:05Z</start-time>
  </session>
  <participant participant_id="pa">
    <nameID aor="sip:alice@example.com"><name xml:lang="en">Alice</name></nameID>
  </participant>
  <participant participant_id="pb">
    <nameID aor="sip:bob@example.com"><name xml:lang="it">Bob</name></nameID>
  </participant>
  <stream stream_id="st1" session_id="s1"><label>1</label></stream>
  <stream stream_id="st2" session_id="s1"><label>2</label></stream>
  <participantstreamassoc participant_id="pa"><send>st1</send><recv>st2</recv></participantstreamassoc>
  <participantstreamassoc participant_id="pb"><send>st2</send><recv>st1</recv></participantstreamassoc>
</recording>`

var (
	metaT0 = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

	rfc7865Want = &Metadata{
		Sessions: []Session{{ID: "s1", SIPCallIDs: []string{"abc;remote=def"}, GroupID: "g1", Start: metaT0}},
		Participants: []Participant{
			{ID: "pa", Name: "Alice", AOR: "sip:alice@example.com", Send: []string{"st1"}, Recv: []string{"st2"}},
			{ID: "pb", Name: "Bob", AOR: "sip:bob@example.com", Send: []string{"st2"}, Recv: []string{"st1"}},
		},
		Streams: []Stream{{ID: "st1", Label: "1", SessionID: "s1"}, {ID: "st2", Label: "2", SessionID: "s1"}},
	}
)

// ignoreMetaWarnings leaves warnings to checkWarningList.
var ignoreMetaWarnings = cmpopts.IgnoreFields(Metadata{}, "Warnings")

func TestParseMetadata(t *testing.T) {
	tests := []struct {
		name     string
		doc      string
		want     *Metadata
		wantWarn []string // substrings, one per expected warning
	}{
		{
			name: "rfc 7865 form",
			doc:  rfc7865Doc,
			want: rfc7865Want,
		},
		{
			name: "prefixed elements",
			doc: `<rs:recording xmlns:rs="urn:ietf:params:xml:ns:recording:1">
				<rs:dataMode>partial</rs:dataMode>
				<rs:participant rs:participant_id="p1"><rs:nameID aor="sip:a@x"/></rs:participant>
			</rs:recording>`,
			want: &Metadata{Mode: Partial, Participants: []Participant{{ID: "p1", AOR: "sip:a@x"}}},
		},
		{
			name: "data mode as a root attribute, capitalised",
			doc:  `<recording dataMode="Partial"/>`,
			want: &Metadata{Mode: Partial},
		},
		{
			name: "unknown data mode",
			doc: `<recording><datamode>sometimes</datamode>
				<participant id="p"><aor>a@x</aor></participant></recording>`,
			want:     &Metadata{Participants: []Participant{{ID: "p", AOR: "sip:a@x"}}},
			wantWarn: []string{"neither complete nor partial"},
		},
		{
			name: "old drafts: recording_metadata root, id attributes, aor and name in participant",
			doc: `<recording_metadata xmlns="urn:ietf:params:xml:ns:recording">
				<session id="s"><start-time>2024-01-02T03:04:05</start-time></session>
				<participant id="p1" session="s"><aor>alice@example.com</aor><name>Alice </name>
					<send>x1</send><recv>x2</recv></participant>
				<participant id="p2" session="s"><aor>sip:bob@example.com</aor><send>x2</send></participant>
				<stream id="x1" session="s"><label>1</label></stream>
				<stream id="x2" session="s"><label>2</label></stream>
			</recording_metadata>`,
			want: &Metadata{
				Sessions: []Session{{ID: "s", Start: metaT0}},
				Participants: []Participant{
					{ID: "p1", Name: "Alice", AOR: "sip:alice@example.com", Send: []string{"x1"}, Recv: []string{"x2"}},
					{ID: "p2", AOR: "sip:bob@example.com", Send: []string{"x2"}},
				},
				Streams: []Stream{{ID: "x1", Label: "1", SessionID: "s"}, {ID: "x2", Label: "2", SessionID: "s"}},
			},
		},
		{
			name: "addresses: tel kept, brackets and scheme case fixed",
			doc: `<recording>
				<participant participant_id="a"><nameID aor="tel:+15551234567"/></participant>
				<participant participant_id="b"><nameID aor=" &lt;SIPS:bob@x&gt; "/></participant>
				<participant participant_id="c"><nameID aor="carol@10.0.0.1:5060"/></participant>
				<participant participant_id="d"><nameID aor="urn:service:sos"/></participant>
			</recording>`,
			want: &Metadata{Participants: []Participant{
				{ID: "a", AOR: "tel:+15551234567"},
				{ID: "b", AOR: "sips:bob@x"},
				{ID: "c", AOR: "sip:carol@10.0.0.1:5060"},
				{ID: "d", AOR: "urn:service:sos"},
			}},
		},
		{
			name: "nested sessions and streams, as some drafts write them",
			doc: `<recording><group id="g"><session id="s">
				<participant id="p"><aor>sip:p@x</aor></participant>
				<stream id="st"><label>1</label></stream>
			</session></group></recording>`,
			want: &Metadata{
				Sessions:     []Session{{ID: "s"}},
				Participants: []Participant{{ID: "p", AOR: "sip:p@x"}},
				Streams:      []Stream{{ID: "st", Label: "1", SessionID: "s"}},
			},
		},
		{
			name: "session times from stop-time, end-time and the recording association",
			doc: `<recording>
				<session session_id="a"><start-time>2024-01-02T05:04:05+02:00</start-time>
					<stop-time>2024-01-02T03:05:05.5Z</stop-time></session>
				<session session_id="b"><end-time>2024-01-02T03:05:05+0000</end-time></session>
				<session session_id="c"><associate-time>2024-01-02T03:04:05Z</associate-time></session>
				<sessionrecordingassoc session_id="b">
					<associate-time>2024-01-02T03:04:05Z</associate-time></sessionrecordingassoc>
				<participant id="p"><aor>sip:p@x</aor></participant>
			</recording>`,
			want: &Metadata{
				Sessions: []Session{
					{ID: "a", Start: metaT0, Stop: metaT0.Add(60500 * time.Millisecond)},
					{ID: "b", Start: metaT0, Stop: metaT0.Add(time.Minute)},
					{ID: "c", Start: metaT0},
				},
				Participants: []Participant{{ID: "p", AOR: "sip:p@x"}},
			},
		},
		{
			name: "unparsable time",
			doc: `<recording><session session_id="s"><start-time>yesterday</start-time></session>
				<participant id="p"><aor>sip:p@x</aor></participant></recording>`,
			want: &Metadata{
				Sessions:     []Session{{ID: "s"}},
				Participants: []Participant{{ID: "p", AOR: "sip:p@x"}},
			},
			wantWarn: []string{`session start-time "yesterday" is not a date-time`},
		},
		{
			name: "no stream elements: send names labels",
			doc: `<recording>
				<participant participant_id="a"><nameID aor="sip:a@x"/></participant>
				<participant participant_id="b"><nameID aor="sip:b@x"/></participant>
				<participantstreamassoc participant_id="a"><send>1</send><recv>2</recv></participantstreamassoc>
				<participantstreamassoc participant_id="b"><send>2</send><recv>1</recv></participantstreamassoc>
			</recording>`,
			want: &Metadata{Participants: []Participant{
				{ID: "a", AOR: "sip:a@x", Send: []string{"1"}, Recv: []string{"2"}},
				{ID: "b", AOR: "sip:b@x", Send: []string{"2"}, Recv: []string{"1"}},
			}},
		},
		{
			name: "latin-1 document",
			doc: "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n" +
				"<recording><participant id=\"p\"><name>Ren\xe9</name><aor>sip:r@x</aor></participant></recording>",
			want: &Metadata{Participants: []Participant{{ID: "p", Name: "René", AOR: "sip:r@x"}}},
		},
		{
			name: "latin-1 bytes in a document that says utf-8",
			doc: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" +
				"<recording><participant id=\"p\"><name>Jos\xe9</name><aor>sip:j@x</aor></participant></recording>",
			want:     &Metadata{Participants: []Participant{{ID: "p", Name: "José", AOR: "sip:j@x"}}},
			wantWarn: []string{"not valid UTF-8; read as Latin-1"},
		},
		{
			name: "unknown encoding is read as utf-8",
			doc: "<?xml version=\"1.0\" encoding=\"x-mystery\"?>\n" +
				"<recording><participant id=\"p\"><aor>sip:r@x</aor></participant></recording>",
			want:     &Metadata{Participants: []Participant{{ID: "p", AOR: "sip:r@x"}}},
			wantWarn: []string{`encoding "x-mystery" is not supported`},
		},
		{
			name: "byte order mark and a harmless doctype",
			doc: "\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!DOCTYPE recording>\n" +
				"<recording><participant id=\"p\"><aor>sip:r@x</aor></participant></recording>",
			want:     &Metadata{Participants: []Participant{{ID: "p", AOR: "sip:r@x"}}},
			wantWarn: []string{"document type declaration ignored"},
		},
		{
			name:     "another root element",
			doc:      `<metadata><participant id="p"><aor>sip:r@x</aor></participant></metadata>`,
			want:     &Metadata{Participants: []Participant{{ID: "p", AOR: "sip:r@x"}}},
			wantWarn: []string{"root element <metadata> is not a recording"},
		},
		{
			name: "truncated document keeps what came before",
			doc: `<recording><participant participant_id="a"><nameID aor="sip:a@x"><name>A</name></nameID>
				</participant><participant participant_id="b"><nameID aor="sip:b`,
			want:     &Metadata{Participants: []Participant{{ID: "a", Name: "A", AOR: "sip:a@x"}, {ID: "b"}}},
			wantWarn: []string{"truncated"},
		},
		{
			name: "odd references in a complete document",
			doc: `<recording>
				<participant participant_id="a"><nameID aor="sip:a@x"/></participant>
				<participant participant_id="a"><nameID><name>Again</name></nameID></participant>
				<participant participant_id="b"/>
				<stream stream_id="s1"/>
				<participantstreamassoc participant_id="a"><send>s1</send><send>s9</send></participantstreamassoc>
				<participantstreamassoc participant_id="ghost"><send>s1</send></participantstreamassoc>
				<sessionrecordingassoc session_id="nowhere"/>
			</recording>`,
			want: &Metadata{
				Participants: []Participant{
					{ID: "a", Name: "Again", AOR: "sip:a@x", Send: []string{"s1", "s9"}, Recv: []string{}},
					{ID: "b"},
					{ID: "ghost", Send: []string{"s1"}, Recv: []string{}},
				},
				Streams: []Stream{{ID: "s1"}},
			},
			wantWarn: []string{
				`participant "a" is described twice`,
				`participantstreamassoc names participant "ghost"`,
				`sessionrecordingassoc names session "nowhere"`,
				`participant "b" has neither name nor address`,
				`participant "ghost" has neither name nor address`,
				`stream "s1" has no label`,
				`participant "a" sends stream "s9", which is not described`,
				`stream "s1" is sent by both "a" and "ghost"`,
			},
		},
		{
			name: "partial update leans on earlier documents without warnings",
			doc: `<recording><datamode>partial</datamode>
				<participantstreamassoc participant_id="earlier"><recv>s1</recv></participantstreamassoc>
			</recording>`,
			want: &Metadata{Mode: Partial, Participants: []Participant{
				{ID: "earlier", Send: []string{}, Recv: []string{"s1"}},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMetadata([]byte(tt.doc), 0)
			if err != nil {
				t.Fatalf("ParseMetadata: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, ignoreMetaWarnings, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("metadata mismatch (-want +got):\n%s", diff)
			}
			checkWarningList(t, got.Warnings, tt.wantWarn)
		})
	}
}

func TestParseMetadataExtensions(t *testing.T) {
	tests := []struct {
		name        string
		doc         string
		wantCalling []string // ids of the participants flagged as calling
		wantExtra   map[string]string
		wantExt     []Extension
		wantWarn    []string
	}{
		{
			name: "cisco ExtensionData",
			doc: `<recording xmlns="urn:ietf:params:xml:ns:recording:1">
				<session session_id="s">
					<ExtensionData xmlns="http://cisco.com/x"><GUID>G-1</GUID></ExtensionData></session>
				<participant participant_id="a"><aor>sip:a@x</aor>
					<ExtensionData><callingParty>true</callingParty></ExtensionData></participant>
				<participant participant_id="b"><aor>sip:b@x</aor>
					<ExtensionData><callingParty>false</callingParty></ExtensionData></participant>
			</recording>`,
			wantCalling: []string{"a"},
			wantExtra:   map[string]string{ExtraCiscoGUID: "G-1"},
			wantExt: []Extension{
				{Name: "GUID", Space: "http://cisco.com/x", Value: "G-1", Parent: "s", ParentKind: "session"},
				{Name: "callingParty", Space: "urn:ietf:params:xml:ns:recording:1", Value: "true",
					Parent: "a", ParentKind: "participant"},
				{Name: "callingParty", Space: "urn:ietf:params:xml:ns:recording:1", Value: "false",
					Parent: "b", ParentKind: "participant"},
			},
		},
		{
			name: "oracle apkt extensions, one at the top level with a parent attribute",
			doc: `<recording xmlns='urn:ietf:params:xml:ns:recording'>
				<participant id="a"><aor>sip:a@x</aor>
					<extensiondata xmlns:apkt="http://acmepacket.com/siprec/extensiondata">
						<apkt:ucid>00FA;encoding=hex</apkt:ucid>
						<apkt:callerOrig>&lt;sip:a@x&gt;;tag=1</apkt:callerOrig>
						<apkt:calleeOrig>&lt;sip:b@x&gt;</apkt:calleeOrig>
					</extensiondata>
				</participant>
				<participant id="b"><aor>sip:b@x</aor></participant>
				<extensiondata parent="b" xmlns:apkt="http://acmepacket.com/siprec/extensiondata">
					<apkt:callingParty>TRUE</apkt:callingParty>
				</extensiondata>
			</recording>`,
			wantCalling: []string{"b"},
			wantExtra: map[string]string{
				ExtraUCID:         "00FA;encoding=hex",
				ExtraOriginalFrom: "<sip:a@x>;tag=1",
				ExtraOriginalTo:   "<sip:b@x>",
			},
		},
		{
			name: "avaya ucid by prefix even under a neutral namespace",
			doc: `<recording xmlns:avaya="urn:example:ext"><session session_id="s">
				<extensiondata><avaya:ucid>U-1</avaya:ucid></extensiondata></session>
				<participant id="p"><aor>sip:p@x</aor></participant></recording>`,
			wantExtra: map[string]string{ExtraAvayaUCID: "U-1"},
		},
		{
			name: "audiocodes tags with an undeclared prefix",
			doc: `<recording_metadata><session id="s">
				<ac:AvayaUCID xmlns="urn:ietf:params:xml:ns:Avaya">FA08</ac:AvayaUCID>
				<ac:GenesysUUID xmlns="urn:ietf:params:xml:ns:Genesys">4BOK</ac:GenesysUUID>
				</session><participant id="p"><aor>sip:p@x</aor></participant></recording_metadata>`,
			wantExtra: map[string]string{ExtraAvayaUCID: "FA08", ExtraGenesysCallID: "4BOK"},
		},
		{
			name: "genesys callId versus a plain Call-ID",
			doc: `<recording><session session_id="s">
				<extensiondata xmlns:genesys="http://www.genesys.com/x">
					<genesys:callId>GC-1</genesys:callId></extensiondata>
				<extensiondata><Call-ID>abc@host</Call-ID>
					<From>&lt;sip:a@x&gt;</From><To>&lt;sip:b@x&gt;</To></extensiondata>
				</session><participant id="p"><aor>sip:p@x</aor></participant></recording>`,
			wantExtra: map[string]string{
				ExtraGenesysCallID:  "GC-1",
				ExtraOriginalCallID: "abc@host",
				ExtraOriginalFrom:   "<sip:a@x>",
				ExtraOriginalTo:     "<sip:b@x>",
			},
		},
		{
			name: "first value of a key wins",
			doc: `<recording><extensiondata><CallUUID>first</CallUUID><CallUUID>second</CallUUID></extensiondata>
				<participant id="p"><aor>sip:p@x</aor></participant></recording>`,
			wantExtra: map[string]string{ExtraGenesysCallID: "first"},
		},
		{
			name: "calling flag outside a participant",
			doc: `<recording><session session_id="s">
				<extensiondata><callingParty>true</callingParty></extensiondata></session>
				<participant id="p"><aor>sip:p@x</aor></participant></recording>`,
			wantWarn: []string{"calling-party flag <callingParty> is not inside a participant"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMetadata([]byte(tt.doc), 0)
			if err != nil {
				t.Fatalf("ParseMetadata: %v", err)
			}
			var calling []string
			for _, p := range got.Participants {
				if p.Calling {
					calling = append(calling, p.ID)
				}
			}
			if diff := cmp.Diff(tt.wantCalling, calling); diff != "" {
				t.Errorf("calling parties (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantExtra, got.Extra); diff != "" {
				t.Errorf("Extra (-want +got):\n%s", diff)
			}
			if tt.wantExt != nil {
				if diff := cmp.Diff(tt.wantExt, got.Extensions); diff != "" {
					t.Errorf("Extensions (-want +got):\n%s", diff)
				}
			}
			checkWarningList(t, got.Warnings, tt.wantWarn)
		})
	}
}

func TestParseMetadataErrors(t *testing.T) {
	tests := []struct {
		name     string
		doc      string
		maxBytes int
		wantErr  error
		wantText string
	}{
		{
			name:     "billion laughs",
			doc:      billionLaughs,
			wantErr:  ErrMalformedMetadata,
			wantText: "entity declarations are refused",
		},
		{
			name: "external entity",
			doc: `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>` +
				`<recording><name>&x;</name></recording>`,
			wantErr:  ErrMalformedMetadata,
			wantText: "entity declarations are refused",
		},
		{
			name:     "undeclared entity",
			doc:      `<recording><participant id="p"><name>&lol;</name></participant></recording>`,
			wantErr:  ErrMalformedMetadata,
			wantText: "invalid character entity",
		},
		{
			name:    "not xml",
			doc:     "v=0\r\ns=-\r\n",
			wantErr: ErrMalformedMetadata,
		},
		{
			name:    "empty",
			doc:     "",
			wantErr: ErrMalformedMetadata,
		},
		{
			name:    "mismatched tags",
			doc:     `<recording><participant></session></recording>`,
			wantErr: ErrMalformedMetadata,
		},
		{
			name:    "cut off before the root element",
			doc:     `<?xml version="1.0"?><recor`,
			wantErr: ErrMalformedMetadata,
		},
		{
			name:     "over the limit",
			doc:      rfc7865Doc,
			maxBytes: 100,
			wantErr:  ErrMetadataTooLarge,
		},
		{
			name:    "over the default limit",
			doc:     "<recording>" + strings.Repeat(" ", DefaultMaxMetadataBytes) + "</recording>",
			wantErr: ErrMetadataTooLarge,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMetadata([]byte(tt.doc), tt.maxBytes)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ParseMetadata error = %v, want %v", err, tt.wantErr)
			}
			if got != nil {
				t.Errorf("ParseMetadata returned %+v with its error", got)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q does not say %q", err, tt.wantText)
			}
		})
	}
}

// billionLaughs is the classic entity expansion attack: ten levels of ten
// references, a gigabyte of "lol" if anything expanded it.
var billionLaughs = func() string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?>` + "\n<!DOCTYPE lolz [\n" + `<!ENTITY lol "lol">` + "\n")
	prev := "lol"
	for i := 1; i <= 9; i++ {
		name := fmt.Sprintf("lol%d", i)
		b.WriteString(`<!ENTITY ` + name + ` "` + strings.Repeat("&"+prev+";", 10) + `">` + "\n")
		prev = name
	}
	b.WriteString("]>\n<recording>&lol9;</recording>\n")
	return b.String()
}()

func TestBillionLaughsIsRefusedQuickly(t *testing.T) {
	start := time.Now()
	_, err := ParseMetadata([]byte(billionLaughs), 0)
	if !errors.Is(err, ErrMalformedMetadata) {
		t.Fatalf("ParseMetadata error = %v, want %v", err, ErrMalformedMetadata)
	}
	// Refusal happens at the declaration, before any reference is read;
	// a generous bound still catches an expansion, which would take
	// seconds and gigabytes.
	if d := time.Since(start); d > time.Second {
		t.Errorf("refusal took %v", d)
	}
}

func TestWarningsAreCapped(t *testing.T) {
	doc := "<recording>" + strings.Repeat("<participant/>", 100) + "</recording>"
	got, err := ParseMetadata([]byte(doc), 0)
	if err != nil {
		t.Fatalf("ParseMetadata: %v", err)
	}
	if n := len(got.Warnings); n != maxMetadataWarnings+1 {
		t.Fatalf("got %d warnings, want %d", n, maxMetadataWarnings+1)
	}
	if last := got.Warnings[maxMetadataWarnings]; !strings.Contains(last, "more warnings left out") {
		t.Errorf("last warning = %q", last)
	}
}

func TestParticipantForLabel(t *testing.T) {
	alice := Participant{ID: "a", AOR: "sip:a@x", Send: []string{"s1"}, Recv: []string{"s2"}}
	bob := Participant{ID: "b", AOR: "sip:b@x", Send: []string{"s2"}, Recv: []string{"s1"}}
	streams := []Stream{{ID: "s1", Label: "1"}, {ID: "s2", Label: "2"}}
	tests := []struct {
		name   string
		md     *Metadata
		label  string
		want   string // participant id, "" for none
		wantOK bool
	}{
		{
			name:   "through the stream's label",
			md:     &Metadata{Participants: []Participant{alice, bob}, Streams: streams},
			label:  "2",
			want:   "b",
			wantOK: true,
		},
		{
			name:   "label with spaces",
			md:     &Metadata{Participants: []Participant{alice, bob}, Streams: streams},
			label:  " 1 ",
			want:   "a",
			wantOK: true,
		},
		{
			name: "no streams: send names the label",
			md: &Metadata{Participants: []Participant{
				{ID: "a", Send: []string{"1"}}, {ID: "b", Send: []string{"2"}},
			}},
			label:  "2",
			want:   "b",
			wantOK: true,
		},
		{
			name: "two parties, only the receiver is known",
			md: &Metadata{Participants: []Participant{
				{ID: "a"}, {ID: "b", Recv: []string{"s1"}},
			}, Streams: streams},
			label:  "1",
			want:   "a",
			wantOK: true,
		},
		{
			name: "three parties, only a receiver is known",
			md: &Metadata{Participants: []Participant{
				{ID: "a"}, {ID: "b", Recv: []string{"s1"}}, {ID: "c"},
			}, Streams: streams},
			label: "1",
		},
		{
			name:  "unknown label",
			md:    &Metadata{Participants: []Participant{alice, bob}, Streams: streams},
			label: "7",
		},
		{
			name:  "empty label",
			md:    &Metadata{Participants: []Participant{alice, bob}, Streams: streams},
			label: "",
		},
		{
			name:  "nil metadata",
			md:    nil,
			label: "1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.md.ParticipantForLabel(tt.label)
			if ok != tt.wantOK || got.ID != tt.want {
				t.Errorf("ParticipantForLabel(%q) = %q, %v; want %q, %v",
					tt.label, got.ID, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestModeString(t *testing.T) {
	if got := Complete.String(); got != "complete" {
		t.Errorf("Complete.String() = %q", got)
	}
	if got := Partial.String(); got != "partial" {
		t.Errorf("Partial.String() = %q", got)
	}
}
