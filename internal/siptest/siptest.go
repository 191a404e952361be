// Package siptest is a minimal SIP user agent client for tests: it sends
// requests as written text, so that a test controls every byte (vendor
// dialects, odd bodies), and reads the answers back.
package siptest

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// UAC sends SIP over UDP from one local socket to one server.
type UAC struct {
	conn   *net.UDPConn
	target *net.UDPAddr
}

// Dial opens a UAC towards target (host:port).
func Dial(target string) (*UAC, error) {
	addr, err := net.ResolveUDPAddr("udp4", target)
	if err != nil {
		return nil, err
	}
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, err
	}
	return &UAC{conn: conn, target: addr}, nil
}

// Close closes the socket.
func (u *UAC) Close() error { return u.conn.Close() }

// Addr is the UAC's own address, for Via and Contact.
func (u *UAC) Addr() string { return u.conn.LocalAddr().String() }

// Send sends one message.
func (u *UAC) Send(msg []byte) error {
	_, err := u.conn.WriteToUDP(msg, u.target)
	return err
}

// Message is a parsed SIP message.
type Message struct {
	StartLine string
	Code      int // for a response
	Headers   map[string][]string
	Body      []byte
}

// Header returns the first value of a header, by name, case-insensitively.
func (m *Message) Header(name string) string {
	if v := m.Headers[strings.ToLower(name)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Read waits up to timeout for the next message.
func (u *UAC) Read(timeout time.Duration) (*Message, error) {
	buf := make([]byte, 65535)
	_ = u.conn.SetReadDeadline(time.Now().Add(timeout))
	n, err := u.conn.Read(buf)
	if err != nil {
		return nil, err
	}
	return Parse(buf[:n])
}

// Final reads until a final response (200 and up), skipping provisional
// ones and requests.
func (u *UAC) Final(timeout time.Duration) (*Message, error) {
	deadline := time.Now().Add(timeout)
	for {
		m, err := u.Read(time.Until(deadline))
		if err != nil {
			return nil, err
		}
		if m.Code >= 200 {
			return m, nil
		}
	}
}

// Parse reads a SIP message: a start line, headers, a blank line, a body.
func Parse(b []byte) (*Message, error) {
	head, body, ok := bytes.Cut(b, []byte("\r\n\r\n"))
	if !ok {
		return nil, fmt.Errorf("siptest: message without a blank line")
	}
	sc := bufio.NewScanner(bytes.NewReader(head))
	m := &Message{Headers: map[string][]string{}, Body: body}
	if !sc.Scan() {
		return nil, fmt.Errorf("siptest: empty message")
	}
	m.StartLine = sc.Text()
	if f := strings.Fields(m.StartLine); len(f) > 1 && strings.HasPrefix(f[0], "SIP/") {
		m.Code, _ = strconv.Atoi(f[1])
	}
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if ok {
			key := strings.ToLower(strings.TrimSpace(name))
			m.Headers[key] = append(m.Headers[key], strings.TrimSpace(value))
		}
	}
	return m, nil
}

// Rewrite says how to adapt a recorded INVITE to a test: who sends it,
// where to, under which Call-ID, and where its media come from.
type Rewrite struct {
	Server     string // host:port of the recorder
	UAC        string // host:port of the sender
	CallID     string
	MediaIP    string // put in every c= line
	MediaPorts []int  // put in the m= lines, in order
}

var (
	reRequestLine = regexp.MustCompile(`(?m)^INVITE \S+ SIP/2\.0`)
	reVia         = regexp.MustCompile(`(?mi)^Via:[^\r\n]*`)
	reCallID      = regexp.MustCompile(`(?mi)^Call-ID:[^\r\n]*`)
	reContact     = regexp.MustCompile(`(?mi)^Contact:\s*<[^>]*>`)
	reConn        = regexp.MustCompile(`(?m)^c=IN IP4 [^\r\n]*`)
	reMedia       = regexp.MustCompile(`(?m)^m=(\w+) \d+`)
	reLength      = regexp.MustCompile(`(?mi)^Content-Length:[^\r\n]*`)
)

// PrepareInvite rewrites a stored INVITE for a test and fixes its
// Content-Length. Only the first Via is kept, pointing at the UAC.
func PrepareInvite(raw []byte, r Rewrite) []byte {
	s := strings.ReplaceAll(string(raw), "\r\n", "\n")
	head, body, _ := strings.Cut(s, "\n\n")
	head = strings.ReplaceAll(head, "\n", "\r\n")
	head = reRequestLine.ReplaceAllString(head, "INVITE sip:recorder@"+r.Server+" SIP/2.0")
	first := true
	head = reVia.ReplaceAllStringFunc(head, func(string) string {
		if !first {
			return "X-Old-Via: dropped"
		}
		first = false
		return "Via: SIP/2.0/UDP " + r.UAC + ";branch=z9hG4bK" + r.CallID + ";rport"
	})
	head = reCallID.ReplaceAllString(head, "Call-ID: "+r.CallID)
	head = reContact.ReplaceAllString(head, "Contact: <sip:src@"+r.UAC+">")
	body = reConn.ReplaceAllString(body, "c=IN IP4 "+r.MediaIP)
	i := 0
	body = reMedia.ReplaceAllStringFunc(body, func(m string) string {
		kind := reMedia.FindStringSubmatch(m)[1]
		if kind != "audio" || i >= len(r.MediaPorts) {
			return m
		}
		i++
		return fmt.Sprintf("m=audio %d", r.MediaPorts[i-1])
	})
	head = reLength.ReplaceAllString(head, fmt.Sprintf("Content-Length: %d", len(body)))
	return []byte(head + "\r\n\r\n" + body)
}

// InDialog builds a request inside the dialog an INVITE and its 200
// opened: ACK, BYE, re-INVITE, UPDATE, INFO, with an optional body.
func InDialog(method string, invite []byte, ok *Message, cseq int, contentType string, body []byte) []byte {
	inv, _ := Parse(bytes.ReplaceAll(invite, []byte("\r\n\r\n"), []byte("\r\n\r\n")))
	var b strings.Builder
	target := strings.Fields(inv.StartLine)[1]
	fmt.Fprintf(&b, "%s %s SIP/2.0\r\n", method, target)
	// A new branch per request: each is its own transaction (RFC 3261
	// section 8.1.1.7).
	branch := "branch=z9hG4bK" + method + strconv.Itoa(cseq)
	fmt.Fprintf(&b, "Via: %s\r\n", strings.Replace(inv.Header("Via"), "branch=z9hG4bK", branch, 1))
	fmt.Fprintf(&b, "Max-Forwards: 70\r\n")
	fmt.Fprintf(&b, "From: %s\r\n", inv.Header("From"))
	fmt.Fprintf(&b, "To: %s\r\n", ok.Header("To"))
	fmt.Fprintf(&b, "Call-ID: %s\r\n", inv.Header("Call-ID"))
	if method == "ACK" {
		cseq = firstInt(inv.Header("CSeq"))
	}
	fmt.Fprintf(&b, "CSeq: %d %s\r\n", cseq, method)
	fmt.Fprintf(&b, "Contact: %s\r\n", inv.Header("Contact"))
	if contentType != "" {
		fmt.Fprintf(&b, "Content-Type: %s\r\n", contentType)
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(body))
	b.Write(body)
	return []byte(b.String())
}

func firstInt(s string) int {
	n, _ := strconv.Atoi(strings.Fields(s + " 0")[0])
	return n
}

// AnswerPorts returns the port of each m= line of an SDP body, in order.
func AnswerPorts(sdp []byte) []int {
	var ports []int
	for _, line := range strings.Split(string(sdp), "\n") {
		if f := strings.Fields(line); len(f) > 1 && strings.HasPrefix(f[0], "m=") {
			p, _ := strconv.Atoi(f[1])
			ports = append(ports, p)
		}
	}
	return ports
}
