package siprec

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/emiago/sipgo/sip"
)

// maxWarningText bounds the explanation a 400 carries.
const maxWarningText = 200

// requestHeaders are the headers of a request that a response copies
// (RFC 3261, section 8.2.6.2), read from its text without the SIP parser,
// which has refused it.
type requestHeaders struct {
	method string
	via    []string
	from   string
	to     string
	callID string
	cseq   string
}

// badRequestReply returns the 400 answering data, a datagram the SIP
// parser refused with parseErr, so that the sender learns what to fix
// instead of retransmitting for half a minute. It returns nil when no
// answer can be made or none is due: for a response, an ACK, or a request
// without the headers a client matches its answer by.
func badRequestReply(data []byte, parseErr error) []byte {
	h, ok := readRequestHeaders(data)
	if !ok {
		return nil
	}
	var b bytes.Buffer
	b.WriteString("SIP/2.0 400 Bad Request\r\n")
	for _, v := range h.via {
		fmt.Fprintf(&b, "Via: %s\r\n", v)
	}
	to := h.to
	if !strings.Contains(strings.ToLower(to), ";tag=") {
		to += ";tag=" + newTag()
	}
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s\r\n", h.from, to, h.callID, h.cseq)
	fmt.Fprintf(&b, "Warning: 399 earshot \"%s\"\r\n", warningText(clip(explainParseError(data, parseErr), maxWarningText)))
	b.WriteString("Server: Earshot\r\nContent-Length: 0\r\n\r\n")
	// A header copied as it came may be the one at fault (a CSeq without
	// a number); a 400 the client cannot parse either is not sent.
	if _, err := sip.NewParser().ParseSIP(b.Bytes()); err != nil {
		return nil
	}
	return b.Bytes()
}

// readRequestHeaders reads the start line and the headers a response
// copies; ok is false for anything but a request other than ACK that has
// them all.
func readRequestHeaders(data []byte) (h requestHeaders, ok bool) {
	head, _, _ := bytes.Cut(data, []byte("\r\n\r\n"))
	lines := unfold(strings.Split(strings.ReplaceAll(string(head), "\r\n", "\n"), "\n"))
	if len(lines) < 2 || !readStartLine(lines[0], &h) {
		return h, false
	}
	for _, line := range lines[1:] {
		name, value, found := strings.Cut(line, ":")
		if !found {
			continue
		}
		value = strings.TrimSpace(value)
		if value == "" {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "via", "v":
			h.via = append(h.via, value)
		case "from", "f":
			h.from = first(h.from, value)
		case "to", "t":
			h.to = first(h.to, value)
		case "call-id", "i":
			h.callID = first(h.callID, value)
		case "cseq":
			h.cseq = first(h.cseq, value)
		}
	}
	if len(h.via) == 0 || h.from == "" || h.to == "" || h.callID == "" || h.cseq == "" {
		return h, false
	}
	fields := strings.Fields(h.cseq)
	return h, len(fields) == 0 || !strings.EqualFold(fields[len(fields)-1], "ACK")
}

// readStartLine reads a request line; it refuses a status line and ACK.
func readStartLine(line string, h *requestHeaders) bool {
	parts := strings.Fields(line)
	if len(parts) != 3 || !strings.EqualFold(parts[2], "SIP/2.0") {
		return false
	}
	h.method = parts[0]
	for _, c := range h.method {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return h.method != "ACK"
}

// unfold joins header lines continued on the next line (those starting
// with a space or a tab) to the line they continue. The fold is a space,
// or nothing before a parameter or list separator, where the parser takes
// a space as part of the value before it.
func unfold(lines []string) []string {
	out := lines[:0:0]
	for _, l := range lines {
		if len(out) > 1 && (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")) {
			l = strings.TrimSpace(l)
			prev := strings.TrimRight(out[len(out)-1], " \t")
			if !strings.HasPrefix(l, ";") && !strings.HasPrefix(l, ",") {
				prev += " "
			}
			out[len(out)-1] = prev + l
			continue
		}
		out = append(out, l)
	}
	return out
}

// first keeps the first value of a header that should appear once.
func first(have, v string) string {
	if have != "" {
		return have
	}
	return v
}

// explainParseError names what the parser refused: the first header line
// that fails alone, or else the body. The parser's own errors rarely say
// which header they are about ("parsing "x": invalid syntax").
func explainParseError(data []byte, parseErr error) string {
	head, body, _ := bytes.Cut(data, []byte("\r\n\r\n"))
	lines := unfold(strings.Split(strings.ReplaceAll(string(head), "\r\n", "\n"), "\n"))
	p := sip.NewParser()
	for _, line := range lines[1:] {
		name, value, _ := strings.Cut(line, ":")
		name = strings.TrimSpace(name)
		if n, isLength := contentLength(name, value); isLength {
			if n >= 0 && len(body) < n {
				return fmt.Sprintf("the body has %d bytes, fewer than its Content-Length of %d", len(body), n)
			}
			if n >= 0 {
				continue
			}
		}
		probe := "OPTIONS sip:probe@invalid SIP/2.0\r\n" + line + "\r\nContent-Length: 0\r\n\r\n"
		if _, err := p.ParseSIP([]byte(probe)); err != nil {
			return fmt.Sprintf("malformed %s header: %v", name, err)
		}
	}
	return fmt.Sprintf("malformed request: %v", parseErr)
}

// contentLength reads a Content-Length header: isLength tells whether the
// header is one, n its value, or -1 if that is not a count.
func contentLength(name, value string) (n int, isLength bool) {
	if !strings.EqualFold(name, "content-length") && !strings.EqualFold(name, "l") {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(value))
	if err != nil || n < 0 {
		return -1, true
	}
	return n, true
}

// clip cuts s to at most n bytes, on a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
