package loadgen

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	siprec "earshot/sip"
)

// TestDialectsMatchCorpus keeps the embedded copy in step with the corpus
// the SIP layer is tested on.
func TestDialectsMatchCorpus(t *testing.T) {
	corpusDir := filepath.Join("..", "..", "sip", "testdata", "invites")
	files, err := filepath.Glob(filepath.Join(corpusDir, "*.sip"))
	if err != nil || len(files) == 0 {
		t.Fatalf("corpus files in %s: %v (%v)", corpusDir, files, err)
	}
	var want []string
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".sip")
		want = append(want, name)
		orig, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := lookupDialect(name)
		if err != nil {
			t.Errorf("dialect %s: %v", name, err)
			continue
		}
		if got != string(orig) {
			t.Errorf("testdata/invites/%s.sip differs from the corpus: copy it again", name)
		}
	}
	if got := Dialects(); !slices.Equal(got, want) {
		t.Errorf("Dialects() = %v, want the corpus %v", got, want)
	}
}

func TestLookupDialectRefusesOthers(t *testing.T) {
	for _, name := range []string{"", "nope", "../../sip/testdata/invites/genesys", "README.md"} {
		if _, err := lookupDialect(name); err == nil {
			t.Errorf("lookupDialect(%q) = nil error, want one listing the dialects", name)
		}
	}
}

// TestRenderInviteEveryDialect renders every dialect for a call and reads
// it back with the recorder's own parsers: the head names the call, the
// offer has two audio streams at our address with only the codec chosen
// (and telephone events), and the metadata still parses.
func TestRenderInviteEveryDialect(t *testing.T) {
	p := inviteParams{
		target: netip.MustParseAddrPort("127.0.0.1:5060"), transport: "UDP",
		local: "127.0.0.1:40000", callID: "call-1@test", fromTag: "ft1", branch: "z9hG4bKb1",
		mediaIP: netip.MustParseAddr("127.0.0.2"), mediaPort: 30000, pt: 8,
	}
	for _, name := range Dialects() {
		t.Run(name, func(t *testing.T) {
			raw, _ := lookupDialect(name)
			m, err := parseMessage(renderInvite(raw, p))
			if err != nil {
				t.Fatalf("rendered INVITE does not parse: %v", err)
			}
			checkRenderedHead(t, m, p)
			body, err := siprec.ParseBody(m.get("content-type"), m.body, 0)
			if err != nil {
				t.Fatalf("body: %v", err)
			}
			checkRenderedOffer(t, body.SDP, p)
			if name != "broken-metadata" {
				if _, err := siprec.ParseMetadata(body.Metadata, 0); err != nil {
					t.Errorf("metadata no longer parses: %v", err)
				}
			}
		})
	}
}

func checkRenderedHead(t *testing.T, m *message, p inviteParams) {
	t.Helper()
	vias := 0
	for _, h := range m.headers {
		if h.name == "via" {
			vias++
		}
	}
	want := map[string]string{
		"call-id":        p.callID,
		"cseq":           "1 INVITE",
		"via":            "SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bKb1;rport",
		"content-length": strconv.Itoa(len(m.body)),
	}
	for name, v := range want {
		if got := m.get(name); got != v {
			t.Errorf("%s = %q, want %q", name, got, v)
		}
	}
	switch {
	case m.method != "INVITE" || m.uri != "sip:recorder@127.0.0.1:5060":
		t.Errorf("request line %s %s, want INVITE sip:recorder@127.0.0.1:5060", m.method, m.uri)
	case vias != 1:
		t.Errorf("%d Via headers, want 1", vias)
	case tag(m.get("from")) != p.fromTag || tag(m.get("to")) != "":
		t.Errorf("From %q To %q, want our tag on From and none on To", m.get("from"), m.get("to"))
	case !strings.HasPrefix(m.get("contact"), "<sip:loadgen@127.0.0.1:40000>") ||
		!strings.Contains(m.get("contact"), "+sip.src"):
		t.Errorf("Contact %q, want ours with +sip.src", m.get("contact"))
	}
}

func checkRenderedOffer(t *testing.T, sdp []byte, p inviteParams) {
	t.Helper()
	offer, err := siprec.ParseOffer(sdp)
	if err != nil {
		t.Fatalf("offer: %v", err)
	}
	audio := 0
	for _, md := range offer.Media {
		if md.Kind != "audio" {
			continue
		}
		audio++
		if md.Remote != netip.AddrPortFrom(p.mediaIP, uint16(p.mediaPort)) {
			t.Errorf("m-line %d comes from %s, want %s:%d", md.Index, md.Remote, p.mediaIP, p.mediaPort)
		}
		var names []string
		for _, f := range md.Formats {
			names = append(names, f.Name)
		}
		if !slices.Equal(names, []string{"PCMA", "telephone-event"}) {
			t.Errorf("m-line %d offers %v, want [PCMA telephone-event]", md.Index, names)
		}
	}
	if audio != 2 {
		t.Errorf("%d audio m-lines, want 2", audio)
	}
	if strings.Contains(string(sdp), "192.0.2.") || strings.Contains(string(sdp), "198.51.100.") {
		t.Errorf("the offer still names the dialect's addresses:\n%s", sdp)
	}
}

func TestWithTag(t *testing.T) {
	tests := []struct {
		name, value, tag, want string
	}{
		{name: "add", value: "<sip:a@x>", tag: "t1", want: "<sip:a@x>;tag=t1"},
		{name: "replace last", value: "<sip:a@x>;tag=old", tag: "t1", want: "<sip:a@x>;tag=t1"},
		{name: "replace middle", value: "<sip:a@x>;tag=old;x=1", tag: "t1", want: "<sip:a@x>;x=1;tag=t1"},
		{name: "remove", value: "<sip:a@x>;TAG=old", tag: "", want: "<sip:a@x>"},
		{name: "none to remove", value: " <sip:a@x> ", tag: "", want: "<sip:a@x>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := withTag(tt.value, tt.tag); got != tt.want {
				t.Errorf("withTag(%q, %q) = %q, want %q", tt.value, tt.tag, got, tt.want)
			}
		})
	}
}

func TestRenderInviteOverTCP(t *testing.T) {
	raw, _ := lookupDialect("genesys")
	m, err := parseMessage(renderInvite(raw, inviteParams{
		target: netip.MustParseAddrPort("127.0.0.1:5060"), transport: "TCP", local: "127.0.0.1:40000",
		callID: "c", fromTag: "f", branch: "z9hG4bKx", mediaIP: netip.MustParseAddr("127.0.0.1"),
		mediaPort: 4000,
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(m.uri, ";transport=tcp") || !strings.HasPrefix(m.get("via"), "SIP/2.0/TCP ") ||
		!strings.Contains(m.get("contact"), ";transport=tcp>") {
		t.Errorf("URI %q, Via %q, Contact %q: want TCP in each", m.uri, m.get("via"), m.get("contact"))
	}
}
