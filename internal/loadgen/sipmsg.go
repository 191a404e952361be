package loadgen

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// message is a SIP request or response, parsed only as far as the
// generator needs (RFC 3261 section 7).
type message struct {
	method  string // of a request; "" for a response
	uri     string // Request-URI of a request
	code    int    // status of a response; 0 for a request
	reason  string
	headers []header // in order, names in canonical long form
	body    []byte
}

type header struct{ name, value string }

var errMalformed = errors.New("loadgen: malformed sip message")

// compactForms maps the RFC 3261 section 7.3.3 one-letter names.
var compactForms = map[string]string{
	"i": "call-id", "v": "via", "f": "from", "t": "to", "m": "contact",
	"l": "content-length", "c": "content-type", "k": "supported",
}

// canonicalHeader is a header name in lower case and long form.
func canonicalHeader(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	if long, ok := compactForms[n]; ok {
		return long
	}
	return n
}

// parseMessage parses one datagram, or one message framed off a stream.
// The message shares no memory with b.
func parseMessage(b []byte) (*message, error) {
	head, body, ok := bytes.Cut(b, []byte("\r\n\r\n"))
	if !ok {
		return nil, errMalformed
	}
	lines := strings.Split(string(head), "\r\n")
	// The caller may reuse b: keep a copy, as the head's strings are.
	m := &message{body: bytes.Clone(body)}
	if err := m.parseStartLine(lines[0]); err != nil {
		return nil, err
	}
	for _, line := range lines[1:] {
		if line != "" && (line[0] == ' ' || line[0] == '\t') && len(m.headers) > 0 {
			m.headers[len(m.headers)-1].value += " " + strings.TrimSpace(line) // folded
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, errMalformed
		}
		m.headers = append(m.headers, header{canonicalHeader(name), strings.TrimSpace(value)})
	}
	if m.get("call-id") == "" {
		return nil, errMalformed
	}
	return m, nil
}

func (m *message) parseStartLine(line string) error {
	f := strings.SplitN(line, " ", 3)
	if len(f) < 3 {
		return errMalformed
	}
	if f[0] == "SIP/2.0" {
		code, err := strconv.Atoi(f[1])
		if err != nil || code < 100 || code > 699 {
			return errMalformed
		}
		m.code, m.reason = code, f[2]
		return nil
	}
	if f[2] != "SIP/2.0" || f[0] == "" {
		return errMalformed
	}
	m.method, m.uri = f[0], f[1]
	return nil
}

// get returns the first value of a header, by canonical name.
func (m *message) get(name string) string {
	for _, h := range m.headers {
		if h.name == name {
			return h.value
		}
	}
	return ""
}

// cseq returns the CSeq number and method.
func (m *message) cseq() (int, string) {
	f := strings.Fields(m.get("cseq"))
	if len(f) != 2 {
		return 0, ""
	}
	n, _ := strconv.Atoi(f[0])
	return n, f[1]
}

// status is a response's status line after the version: "503 Service
// Unavailable".
func (m *message) status() string {
	return strings.TrimSpace(fmt.Sprintf("%d %s", m.code, m.reason))
}

// contactURI returns the URI inside the Contact header's angle brackets,
// or the bare URI before any parameter.
func (m *message) contactURI() string {
	c := m.get("contact")
	if i := strings.IndexByte(c, '<'); i >= 0 {
		if j := strings.IndexByte(c[i:], '>'); j > 0 {
			return c[i+1 : i+j]
		}
	}
	uri, _, _ := strings.Cut(c, ";")
	return strings.TrimSpace(uri)
}

// tag returns the tag parameter of a From or To value.
func tag(value string) string {
	i := strings.Index(strings.ToLower(value), ";tag=")
	if i < 0 {
		return ""
	}
	t, _, _ := strings.Cut(value[i+len(";tag="):], ";")
	return strings.TrimSpace(t)
}

// response builds the answer to a request (RFC 3261 section 8.2.6): its
// Via, From, Call-ID and CSeq copied, the To given a tag if it has none.
func response(req *message, code int, reason, toTag string, extra []header, body []byte) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "SIP/2.0 %d %s\r\n", code, reason)
	for _, h := range req.headers {
		if h.name == "via" {
			fmt.Fprintf(&b, "Via: %s\r\n", h.value)
		}
	}
	to := req.get("to")
	if tag(to) == "" && toTag != "" {
		to += ";tag=" + toTag
	}
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s\r\n",
		req.get("from"), to, req.get("call-id"), req.get("cseq"))
	for _, h := range extra {
		fmt.Fprintf(&b, "%s: %s\r\n", h.name, h.value)
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(body))
	b.Write(body)
	return []byte(b.String())
}

// dialog is what a call needs to send requests after its INVITE.
type dialog struct {
	transport string // "UDP" or "TCP"
	local     string
	callID    string
	from      string // with our tag
	to        string // with the recorder's tag, once answered
	target    string // Request-URI: the recorder's Contact
}

// request builds an ACK or BYE in the dialog (RFC 3261 section 12.2.1.1).
func (d *dialog) request(method string, cseq int, branch string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s SIP/2.0\r\n", method, d.target)
	fmt.Fprintf(&b, "Via: SIP/2.0/%s %s;branch=%s;rport\r\n", d.transport, d.local, branch)
	fmt.Fprintf(&b, "Max-Forwards: 70\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\n",
		d.from, d.to, d.callID)
	fmt.Fprintf(&b, "CSeq: %d %s\r\nContent-Length: 0\r\n\r\n", cseq, method)
	return []byte(b.String())
}
