package loadgen

import (
	"bufio"
	"strings"
	"testing"
)

func TestParseMessage(t *testing.T) {
	tests := []struct {
		name            string
		raw             string
		method, callID  string
		code            int
		cseqN           int
		cseqMethod, via string
		wantErr         bool
	}{
		{name: "response with compact forms",
			raw: "SIP/2.0 200 OK\r\nv: SIP/2.0/UDP a;branch=z9hG4bK1\r\ni: abc\r\n" +
				"CSeq: 1 INVITE\r\nl: 0\r\n\r\n",
			callID: "abc", code: 200, cseqN: 1, cseqMethod: "INVITE", via: "SIP/2.0/UDP a;branch=z9hG4bK1"},
		{name: "request with a folded header",
			raw: "BYE sip:x SIP/2.0\r\nVia: SIP/2.0/UDP a;\r\n branch=z9hG4bK2\r\nCall-ID: d\r\n" +
				"CSeq: 7 BYE\r\n\r\n",
			method: "BYE", callID: "d", cseqN: 7, cseqMethod: "BYE", via: "SIP/2.0/UDP a; branch=z9hG4bK2"},
		{name: "reason with spaces", raw: "SIP/2.0 503 Service Unavailable\r\nCall-ID: e\r\n\r\n",
			callID: "e", code: 503},
		{name: "no empty line", raw: "SIP/2.0 200 OK\r\nCall-ID: e\r\n", wantErr: true},
		{name: "no call-id", raw: "SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\n\r\n", wantErr: true},
		{name: "status out of range", raw: "SIP/2.0 99 Odd\r\nCall-ID: e\r\n\r\n", wantErr: true},
		{name: "not sip", raw: "GET / HTTP/1.1\r\nCall-ID: e\r\n\r\n", wantErr: true},
		{name: "header without colon", raw: "SIP/2.0 200 OK\r\nCall-ID e\r\n\r\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := parseMessage([]byte(tt.raw))
			if tt.wantErr {
				if err == nil {
					t.Fatalf("parsed %+v, want an error", m)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			n, method := m.cseq()
			if m.method != tt.method || m.code != tt.code || m.get("call-id") != tt.callID ||
				n != tt.cseqN || method != tt.cseqMethod || m.get("via") != tt.via {
				t.Errorf("got %+v, cseq %d %s", m, n, method)
			}
		})
	}
}

func TestContactURIAndTag(t *testing.T) {
	m := &message{headers: []header{{"contact", `"Rec" <sip:rec@10.0.0.1:5060;transport=udp>;+sip.srs`}}}
	if got := m.contactURI(); got != "sip:rec@10.0.0.1:5060;transport=udp" {
		t.Errorf("contactURI = %q", got)
	}
	m.headers[0].value = "sip:rec@10.0.0.1;expires=60"
	if got := m.contactURI(); got != "sip:rec@10.0.0.1" {
		t.Errorf("bare contactURI = %q", got)
	}
	if got := tag("<sip:a@b>;Tag=xy;foo"); got != "xy" {
		t.Errorf("tag = %q, want xy", got)
	}
}

// TestResponseAnswersRequest checks the headers a response copies.
func TestResponseAnswersRequest(t *testing.T) {
	req, err := parseMessage([]byte("BYE sip:x SIP/2.0\r\nVia: SIP/2.0/UDP a;branch=b1\r\n" +
		"Via: SIP/2.0/UDP p;branch=b0\r\nFrom: <sip:r@x>;tag=r\r\nTo: <sip:l@y>\r\n" +
		"Call-ID: c1\r\nCSeq: 9 BYE\r\n\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := parseMessage(response(req, 200, "OK", "t2", []header{{"Allow", "BYE"}}, []byte("x")))
	if err != nil {
		t.Fatal(err)
	}
	var vias []string
	for _, h := range res.headers {
		if h.name == "via" {
			vias = append(vias, h.value)
		}
	}
	if res.code != 200 || len(vias) != 2 || res.get("to") != "<sip:l@y>;tag=t2" ||
		res.get("cseq") != "9 BYE" || res.get("allow") != "BYE" || string(res.body) != "x" {
		t.Errorf("response %+v", res)
	}
}

// TestReadFramed reads two messages and a keep-alive off a TCP stream.
func TestReadFramed(t *testing.T) {
	stream := "\r\n\r\nSIP/2.0 100 Trying\r\nCall-ID: a\r\nContent-Length: 0\r\n\r\n" +
		"SIP/2.0 200 OK\r\nCall-ID: a\r\nl: 5\r\n\r\nhello"
	r := bufio.NewReader(strings.NewReader(stream))
	for _, want := range []struct {
		code int
		body string
	}{{100, ""}, {200, "hello"}} {
		b, err := readFramed(r)
		if err != nil {
			t.Fatal(err)
		}
		m, err := parseMessage(b)
		if err != nil || m.code != want.code || string(m.body) != want.body {
			t.Fatalf("read %q: %+v %v, want %d with body %q", b, m, err, want.code, want.body)
		}
	}
	bad := bufio.NewReader(strings.NewReader("SIP/2.0 200 OK\r\nl: -1\r\n\r\n"))
	if _, err := readFramed(bad); err == nil {
		t.Error("negative Content-Length read without an error")
	}
}

// FuzzParseMessage feeds the parser what a recorder, or anything on its
// port, might send back.
func FuzzParseMessage(f *testing.F) {
	f.Add([]byte("SIP/2.0 200 OK\r\nCall-ID: a\r\nCSeq: 1 INVITE\r\nContact: <sip:x>\r\n\r\nv=0"))
	f.Add([]byte("BYE sip:x SIP/2.0\r\ni: a\r\n folded\r\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseMessage(b)
		if err != nil {
			return
		}
		m.cseq()
		m.contactURI()
		m.status()
		tag(m.get("to"))
		audioPorts(m.body)
		audioFormats(m.body)
	})
}
