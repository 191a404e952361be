package siprec

import (
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// badInvite is an INVITE with one header to be replaced, by name.
const badInvite = "INVITE sip:rec@127.0.0.1 SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa\r\n" +
	" ;received=10.0.0.1\r\n" +
	"v: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKb\r\n" +
	"Max-Forwards: 70\r\n" +
	"f: <sip:src@example.com>;tag=src1\r\n" +
	"To: <sip:rec@example.com>\r\n" +
	"i: abc@example.com\r\n" +
	"CSeq: 7 INVITE\r\n" +
	"Content-Length: 0\r\n\r\n"

func TestBadRequestReply(t *testing.T) {
	tests := []struct {
		name    string
		msg     string
		warning string // "" when no answer is due
	}{
		{name: "bad Max-Forwards", msg: strings.Replace(badInvite, "Max-Forwards: 70", "Max-Forwards: x", 1),
			warning: "malformed Max-Forwards header"},
		{name: "bad Content-Length", msg: strings.Replace(badInvite, "Content-Length: 0", "Content-Length: none", 1),
			warning: "malformed Content-Length header"},
		{name: "body shorter than said", msg: strings.Replace(badInvite, "Content-Length: 0", "Content-Length: 90", 1),
			warning: "the body has 0 bytes, fewer than its Content-Length of 90"},
		// A 400 with the CSeq copied would not parse at the client either.
		{name: "bad CSeq number", msg: strings.Replace(badInvite, "CSeq: 7 INVITE", "CSeq: seven INVITE", 1)},
		{name: "a response", msg: "SIP/2.0 200 OK\r\n" + strings.SplitN(badInvite, "\r\n", 2)[1][:40]},
		{name: "an ACK", msg: strings.Replace(strings.Replace(badInvite, "INVITE sip", "ACK sip", 1),
			"Max-Forwards: 70", "Max-Forwards: x", 1)},
		{name: "an ACK by its CSeq", msg: strings.Replace(strings.Replace(badInvite, "CSeq: 7 INVITE", "CSeq: 7 ACK", 1),
			"Max-Forwards: 70", "Max-Forwards: x", 1)},
		{name: "no Call-ID", msg: strings.Replace(strings.Replace(badInvite, "i: abc@example.com\r\n", "", 1),
			"Max-Forwards: 70", "Max-Forwards: x", 1)},
		{name: "not SIP", msg: "GET / HTTP/1.1\r\nHost: x\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, parseErr := sip.NewParser().ParseSIP([]byte(tt.msg))
			if parseErr == nil {
				t.Fatal("the test message parses; it should not")
			}
			reply := badRequestReply([]byte(tt.msg), parseErr)
			if tt.warning == "" {
				if reply != nil {
					t.Errorf("reply = %q, want none", reply)
				}
				return
			}
			res := parseReply(t, reply)
			checkCopied(t, res)
			if w := res.GetHeader("Warning"); w == nil || !strings.Contains(w.Value(), tt.warning) {
				t.Errorf("Warning = %v, want it to say %q", w, tt.warning)
			}
		})
	}
}

// parseReply parses a 400 as the client would.
func parseReply(t *testing.T, reply []byte) *sip.Response {
	t.Helper()
	msg, err := sip.NewParser().ParseSIP(reply)
	if err != nil {
		t.Fatalf("the 400 does not parse: %v\n%s", err, reply)
	}
	res, ok := msg.(*sip.Response)
	if !ok || res.StatusCode != 400 {
		t.Fatalf("reply = %q, want a 400", reply)
	}
	return res
}

// checkCopied requires the headers a client matches its answer by, copied
// from badInvite, and a To tag added.
func checkCopied(t *testing.T, res *sip.Response) {
	t.Helper()
	vias := res.GetHeaders("Via")
	if len(vias) != 2 || !strings.Contains(vias[0].Value(), "branch=z9hG4bKa") ||
		!strings.Contains(vias[0].Value(), "received=10.0.0.1") ||
		!strings.Contains(vias[1].Value(), "branch=z9hG4bKb") {
		t.Errorf("Via = %v, want both, in order, the first unfolded", vias)
	}
	if id := res.CallID(); id == nil || id.Value() != "abc@example.com" {
		t.Errorf("Call-ID = %v", id)
	}
	if cs := res.CSeq(); cs == nil || cs.SeqNo != 7 || cs.MethodName != sip.INVITE {
		t.Errorf("CSeq = %v", cs)
	}
	if from := res.From(); from == nil || tagOf(from.Params) != "src1" {
		t.Errorf("From = %v", from)
	}
	if to := res.To(); to == nil || tagOf(to.Params) == "" {
		t.Errorf("To = %v, want a tag added", to)
	}
}

func tagOf(p sip.HeaderParams) string {
	v, _ := p.Get("tag")
	return v
}

func TestWarningTextIsQuotable(t *testing.T) {
	got := warningText(clip("a \"quoted\" \\ word\r\nnext\x00", 22))
	if got != "a 'quoted' ' word  nex" {
		t.Errorf("warningText = %q", got)
	}
	if got := clip("héllo", 2); got != "h" {
		t.Errorf("clip cut a character in two: %q", got)
	}
}

// FuzzBadRequestReply: whatever the parser refuses, the answer is either
// none or a 400 that parses.
func FuzzBadRequestReply(f *testing.F) {
	f.Add([]byte(strings.Replace(badInvite, "Max-Forwards: 70", "Max-Forwards: x", 1)))
	f.Add([]byte(strings.Replace(badInvite, "CSeq: 7 INVITE", "CSeq: 7", 1)))
	f.Add([]byte("OPTIONS sip:a SIP/2.0\r\nv: x\r\nf: y\r\nt: z\r\ni: w\r\nCSeq: 1 OPTIONS\r\nl: q\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, parseErr := sip.NewParser().ParseSIP(data)
		if parseErr == nil {
			return
		}
		reply := badRequestReply(data, parseErr)
		if reply == nil {
			return
		}
		msg, err := sip.NewParser().ParseSIP(reply)
		if err != nil {
			t.Fatalf("the 400 does not parse: %v\n%q", err, reply)
		}
		if res, ok := msg.(*sip.Response); !ok || res.StatusCode != 400 {
			t.Fatalf("reply = %q, want a 400", reply)
		}
	})
}
