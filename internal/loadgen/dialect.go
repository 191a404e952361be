package loadgen

import (
	"embed"
	"errors"
	"fmt"
	"net/netip"
	"path"
	"slices"
	"strconv"
	"strings"
)

// corpus holds one INVITE per vendor dialect (testdata/invites/README.md).
//
//go:embed testdata/invites/*.sip
var corpus embed.FS

// DialectMix sends the calls of a run as each dialect in turn.
const DialectMix = "mix"

// Dialects returns the names of the dialects a call can be sent as, sorted.
func Dialects() []string {
	entries, _ := corpus.ReadDir("testdata/invites")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".sip"))
	}
	slices.Sort(names)
	return names
}

// lookupDialect returns the INVITE of a dialect as written in the corpus.
func lookupDialect(name string) (string, error) {
	var raw []byte
	err := errors.New("no such dialect")
	if name != "" && !strings.ContainsAny(name, "/.") {
		raw, err = corpus.ReadFile(path.Join("testdata/invites", name+".sip"))
	}
	if err != nil {
		return "", fmt.Errorf("dialect %q: want one of %s, or mix",
			name, strings.Join(Dialects(), ", "))
	}
	return string(raw), nil
}

// inviteParams adapts a corpus INVITE to one call.
type inviteParams struct {
	target    netip.AddrPort // the recorder
	transport string         // "UDP" or "TCP", as written in Via
	local     string         // our SIP host:port
	callID    string
	fromTag   string
	branch    string
	mediaIP   netip.Addr
	mediaPort int   // every audio m-line's port
	pt        uint8 // the one audio format offered
}

// renderInvite rewrites a corpus INVITE for one call: request line, a
// single Via, From tag, Call-ID, CSeq, Contact and Content-Length in the
// head; the SDP's addresses, the audio ports and formats in the body. The
// rest, metadata included, is sent as the dialect writes it. The head
// gets CRLF line ends; the body keeps its own (one dialect uses bare LF).
func renderInvite(raw string, p inviteParams) []byte {
	head, body := splitMessage(raw)
	var b strings.Builder
	fmt.Fprintf(&b, "INVITE %s SIP/2.0\r\n", p.requestURI())
	seenVia := false
	for _, line := range strings.Split(head, "\n")[1:] {
		line = strings.TrimRight(line, "\r")
		name, value, _ := strings.Cut(line, ":")
		switch canonicalHeader(name) {
		case "via":
			if seenVia {
				continue
			}
			seenVia = true
			line = fmt.Sprintf("Via: SIP/2.0/%s %s;branch=%s;rport", p.transport, p.local, p.branch)
		case "from":
			line = "From: " + withTag(value, p.fromTag)
		case "to":
			line = "To: " + withTag(value, "")
		case "call-id":
			line = "Call-ID: " + p.callID
		case "cseq":
			line = "CSeq: 1 INVITE"
		case "contact":
			line = "Contact: " + p.contact(value)
		case "content-length", "route", "record-route":
			continue
		}
		b.WriteString(line + "\r\n")
	}
	sdp := rewriteSDP(body, p)
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(sdp), sdp)
	return []byte(b.String())
}

func (p inviteParams) requestURI() string {
	uri := "sip:recorder@" + p.target.String()
	if p.transport == "TCP" {
		uri += ";transport=tcp"
	}
	return uri
}

// contact replaces the URI of a Contact value with ours, keeping its
// parameters (+sip.src, src).
func (p inviteParams) contact(value string) string {
	uri := "<sip:loadgen@" + p.local
	if p.transport == "TCP" {
		uri += ";transport=tcp"
	}
	uri += ">"
	if i := strings.IndexByte(value, '>'); i >= 0 {
		return uri + value[i+1:]
	}
	return uri + ";+sip.src"
}

// splitMessage cuts a message at its first empty line, whether lines end
// in CRLF or LF.
func splitMessage(raw string) (head, body string) {
	i, n := strings.Index(raw, "\r\n\r\n"), 4
	if j := strings.Index(raw, "\n\n"); j >= 0 && (i < 0 || j < i) {
		i, n = j, 2
	}
	if i < 0 {
		return raw, ""
	}
	return raw[:i], raw[i+n:]
}

// withTag sets (or, with tag "", removes) the tag parameter of a From or
// To value.
func withTag(value, tag string) string {
	value = strings.TrimSpace(value)
	if i := strings.Index(strings.ToLower(value), ";tag="); i >= 0 {
		rest := value[i+len(";tag="):]
		end := strings.IndexByte(rest, ';')
		if end < 0 {
			value = value[:i]
		} else {
			value = value[:i] + rest[end:]
		}
	}
	if tag == "" {
		return value
	}
	return value + ";tag=" + tag
}

// rewriteSDP points the offer's c= and o= lines at our media address and
// each audio m-line at our port with only the chosen format and the
// telephone events, dropping the rtpmap and fmtp of the formats removed.
// Non-SDP parts pass through: their lines never start with "m=" or "c=".
func rewriteSDP(body string, p inviteParams) string {
	events := telephoneEvents(body)
	lines := strings.SplitAfter(body, "\n")
	out := make([]string, 0, len(lines))
	var keep []string // formats kept in the current audio m-line, nil outside
	for _, line := range lines {
		text := strings.TrimRight(line, "\r\n")
		eol := line[len(text):]
		switch {
		case strings.HasPrefix(text, "m="):
			keep = nil
			if strings.HasPrefix(text, "m=audio ") {
				keep = append([]string{strconv.Itoa(int(p.pt))}, events...)
				text = fmt.Sprintf("m=audio %d RTP/AVP %s", p.mediaPort, strings.Join(keep, " "))
			}
		case strings.HasPrefix(text, "c=IN IP4 "):
			text = "c=IN IP4 " + p.mediaIP.String()
		case strings.HasPrefix(text, "o="):
			if f := strings.Fields(text); len(f) == 6 {
				f[5] = p.mediaIP.String()
				text = strings.Join(f, " ")
			}
		case keep != nil && isFormatAttr(text):
			_, rest, _ := strings.Cut(text, ":")
			pt, _, _ := strings.Cut(rest, " ")
			if !slices.Contains(keep, pt) {
				continue
			}
		}
		out = append(out, text+eol)
	}
	return strings.Join(out, "")
}

// isFormatAttr reports whether an SDP line is an attribute of one payload
// format: a=rtpmap or a=fmtp (RFC 8866 sections 6.6 and 6.15).
func isFormatAttr(line string) bool {
	return strings.HasPrefix(line, "a=rtpmap:") || strings.HasPrefix(line, "a=fmtp:")
}

// telephoneEvents returns the payload types the offer maps to
// telephone-event (RFC 4733), in the order first seen.
func telephoneEvents(body string) []string {
	var pts []string
	for _, line := range strings.Split(body, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "a=rtpmap:")
		if !ok {
			continue
		}
		pt, enc, _ := strings.Cut(rest, " ")
		isEvent := strings.HasPrefix(strings.ToLower(enc), "telephone-event/")
		if isEvent && !slices.Contains(pts, pt) {
			pts = append(pts, pt)
		}
	}
	return pts
}
