package siprec

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const inviteCorpusDir = "testdata/invites"

// corpusParty is a participant as the corpus expectations name it.
type corpusParty struct{ Name, AOR string }

// inviteCase is what one corpus file must give.
type inviteCase struct {
	parties      []corpusParty     // in document order
	senders      map[string]string // SDP label -> AOR of its sender; "" for none
	calling      string            // AOR of the calling party; "" where the dialect has no flag
	extra        map[string]string // Metadata.Extra
	metadataType string
	others       []string // media types of the parts in Body.Others
	metaWarn     []string // substrings of the expected metadata warnings
}

// inviteCases holds the expectations for every file in inviteCorpusDir.
var inviteCases = map[string]inviteCase{
	"rfc7865-example.sip": {
		parties: []corpusParty{
			{"Alice Carter", "sip:alice@atlanta.example.com"},
			{"Bob Nguyen", "sip:bob@biloxi.example.com"},
		},
		senders:      map[string]string{"1": "sip:alice@atlanta.example.com", "2": "sip:bob@biloxi.example.com"},
		metadataType: TypeMetadata,
	},
	"cisco-cube.sip": {
		parties: []corpusParty{
			{"Dana Whitfield", "sip:+14085550143@192.0.2.33"},
			{"Agent 4100", "sip:4100@cucm.example.com"},
		},
		senders:      map[string]string{"1": "sip:+14085550143@192.0.2.33", "2": "sip:4100@cucm.example.com"},
		calling:      "sip:+14085550143@192.0.2.33",
		extra:        map[string]string{ExtraCiscoGUID: "6B4E29A0-11EF1E2B-8C42D1F0-5A7B3C19"},
		metadataType: TypeMetadata,
		others:       []string{"application/gtd"},
	},
	"avaya-sbce.sip": {
		parties: []corpusParty{
			{"Morgan Ellis", "sip:+13125550188@pstn.example.net"},
			{"Priya Raman", "sip:2301@cm.example.com"},
		},
		senders:      map[string]string{"1": "sip:+13125550188@pstn.example.net", "2": "sip:2301@cm.example.com"},
		extra:        map[string]string{ExtraAvayaUCID: "00001002811715678123"},
		metadataType: TypeMetadata,
	},
	"genesys.sip": {
		parties: []corpusParty{
			{"+44 20 7183 8750", "tel:+442071838750"},
			{"Jordan Lee", "sip:jordan.lee@sipserver.example.com"},
		},
		senders:      map[string]string{"1": "tel:+442071838750", "2": "sip:jordan.lee@sipserver.example.com"},
		extra:        map[string]string{ExtraGenesysCallID: "0A2M3KQ8LC6FH4RN9BT1VDGE7S00001F"},
		metadataType: TypeMetadata,
	},
	"oracle-acme.sip": {
		parties: []corpusParty{
			{"Sam Okafor", "sip:+16175550123@203.0.113.40"},
			{"Support Queue", "sip:8001@cc.example.com"},
		},
		senders: map[string]string{"1": "sip:+16175550123@203.0.113.40", "2": "sip:8001@cc.example.com"},
		calling: "sip:+16175550123@203.0.113.40",
		extra: map[string]string{
			ExtraUCID:         "00FA080018001A2B3C4D5E;encoding=hex",
			ExtraOriginalFrom: `"Sam Okafor" <sip:+16175550123@203.0.113.40>;tag=3f9a7c`,
		},
		metadataType: TypeMetadata,
	},
	"ribbon-sonus.sip": {
		parties: []corpusParty{
			{"Lena Vogel", "sip:+4930555019@carrier.example.net"},
			{"Hotline", "sip:+4930555100@sbc.example.com"},
		},
		senders: map[string]string{"1": "sip:+4930555019@carrier.example.net", "2": "sip:+4930555100@sbc.example.com"},
		extra: map[string]string{
			ExtraOriginalFrom:   "<sip:+4930555019@carrier.example.net>;tag=a81c",
			ExtraOriginalTo:     "<sip:+4930555100@sbc.example.com>",
			ExtraOriginalCallID: "9d1e6c44-2f7b-11ef@198.51.100.7",
		},
		metadataType: TypeMetadata,
	},
	"audiocodes.sip": {
		parties: []corpusParty{
			{"Alex Morgan", "sip:alex.morgan@sbc.example.org"},
			{"Desk 5003", "sip:5003@pbx.example.org"},
		},
		senders: map[string]string{
			"1": "sip:alex.morgan@sbc.example.org", "2": "sip:5003@pbx.example.org",
			"3": "sip:alex.morgan@sbc.example.org", "4": "sip:5003@pbx.example.org",
		},
		extra:        map[string]string{ExtraAvayaUCID: "00FA0800190023A1B2C3D4"},
		metadataType: TypeMetadata,
	},
	"freeswitch-no-streams.sip": {
		parties: []corpusParty{
			{"Reception", "sip:1001@pbx.example.net"},
			{"Sales Desk", "sip:1002@pbx.example.net"},
		},
		senders:      map[string]string{"1": "sip:1001@pbx.example.net", "2": "sip:1002@pbx.example.net"},
		metadataType: TypeMetadata,
	},
	"metadata-first.sip": {
		parties: []corpusParty{
			{"Kim Tran", "sip:kim.tran@customer.example.org"},
			{"Agent 3310", "sip:3310@contact.example.com"},
		},
		senders:      map[string]string{"1": "sip:kim.tran@customer.example.org", "2": "sip:3310@contact.example.com"},
		extra:        map[string]string{ExtraGenesysCallID: "7HQ2LD0M1A4NB8VC3T6RJ5KG0S0002B4"},
		metadataType: TypeMetadataLegacy,
	},
	"broken-metadata.sip": {
		parties: []corpusParty{
			{"Chris Park", "sip:chris.park@branch.example.com"},
			{"", ""},
		},
		senders:      map[string]string{"1": "", "2": ""},
		metadataType: TypeMetadata,
		metaWarn:     []string{"truncated"},
	},
}

// splitCorpusMessage splits a SIP message at its first empty line into the
// header lines and the body, whether lines end in CRLF or bare LF.
func splitCorpusMessage(t testing.TB, raw []byte) (headers []string, body []byte) {
	t.Helper()
	i, sep := bytes.Index(raw, []byte("\r\n\r\n")), 4
	if j := bytes.Index(raw, []byte("\n\n")); j >= 0 && (i < 0 || j < i) {
		i, sep = j, 2
	}
	if i < 0 {
		t.Fatal("message has no empty line after its headers")
	}
	for _, line := range strings.Split(string(raw[:i]), "\n") {
		headers = append(headers, strings.TrimSuffix(line, "\r"))
	}
	return headers, raw[i+sep:]
}

// corpusHeader returns the value of the named header, or of its compact form.
func corpusHeader(headers []string, name, compact string) string {
	for _, line := range headers[1:] {
		k, v, ok := strings.Cut(line, ":")
		k = strings.TrimSpace(k)
		if ok && (strings.EqualFold(k, name) || strings.EqualFold(k, compact)) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// readInviteCorpus returns the content type and body of a corpus file.
func readInviteCorpus(t testing.TB, name string) (string, []byte) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(inviteCorpusDir, name))
	if err != nil {
		t.Fatal(err)
	}
	headers, body := splitCorpusMessage(t, raw)
	if !strings.HasPrefix(headers[0], "INVITE sip:") || !strings.HasSuffix(headers[0], " SIP/2.0") {
		t.Errorf("request line = %q", headers[0])
	}
	if got := corpusHeader(headers, "Require", ""); got != "siprec" {
		t.Errorf("Require = %q, want siprec", got)
	}
	if got := corpusHeader(headers, "Contact", "m"); !strings.Contains(got, "+sip.src") {
		t.Errorf("Contact %q has no +sip.src", got)
	}
	return corpusHeader(headers, "Content-Type", "c"), body
}

func inviteCorpusFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(inviteCorpusDir, "*.sip"))
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range files {
		files[i] = filepath.Base(f)
	}
	return files
}

func TestInviteCorpusHasExpectations(t *testing.T) {
	var want []string
	for name := range inviteCases {
		want = append(want, name)
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, inviteCorpusFiles(t)); diff != "" {
		t.Errorf("corpus files and expectations differ (-expected +files):\n%s", diff)
	}
}

func TestInviteCorpus(t *testing.T) {
	for _, name := range inviteCorpusFiles(t) {
		t.Run(name, func(t *testing.T) {
			tc, ok := inviteCases[name]
			if !ok {
				t.Skip("no expectations for this file")
			}
			contentType, raw := readInviteCorpus(t, name)
			body, err := ParseBody(contentType, raw, 0)
			if err != nil {
				t.Fatalf("ParseBody: %v", err)
			}
			checkInviteBody(t, tc, body)
			md, err := ParseMetadata(body.Metadata, 0)
			if err != nil {
				t.Fatalf("ParseMetadata: %v", err)
			}
			checkInviteMetadata(t, tc, md)
		})
	}
}

func checkInviteBody(t *testing.T, tc inviteCase, body Body) {
	t.Helper()
	checkWarningList(t, body.Warnings, nil)
	for _, label := range []string{"a=label:1", "a=label:2"} {
		if !bytes.Contains(body.SDP, []byte(label)) {
			t.Errorf("SDP has no %s", label)
		}
	}
	if body.MetadataType != tc.metadataType {
		t.Errorf("MetadataType = %q, want %q", body.MetadataType, tc.metadataType)
	}
	var others []string
	for _, p := range body.Others {
		others = append(others, p.Type)
	}
	if diff := cmp.Diff(tc.others, others); diff != "" {
		t.Errorf("other parts (-want +got):\n%s", diff)
	}
}

func checkInviteMetadata(t *testing.T, tc inviteCase, md *Metadata) {
	t.Helper()
	checkWarningList(t, md.Warnings, tc.metaWarn)
	var parties []corpusParty
	calling := ""
	for _, p := range md.Participants {
		parties = append(parties, corpusParty{p.Name, p.AOR})
		if p.Calling {
			calling = p.AOR
		}
	}
	if diff := cmp.Diff(tc.parties, parties); diff != "" {
		t.Errorf("participants (-want +got):\n%s", diff)
	}
	if calling != tc.calling {
		t.Errorf("calling party = %q, want %q", calling, tc.calling)
	}
	senders := make(map[string]string)
	for label := range tc.senders {
		p, _ := md.ParticipantForLabel(label)
		senders[label] = p.AOR
	}
	if diff := cmp.Diff(tc.senders, senders); diff != "" {
		t.Errorf("senders by label (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(tc.extra, md.Extra); diff != "" {
		t.Errorf("Extra (-want +got):\n%s", diff)
	}
}
