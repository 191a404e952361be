package siprec

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"earshot/internal/rtpgen"
	"earshot/internal/siptest"
	"earshot/recorder"
)

// sdpOffer is a two-stream SIPREC offer; dir is the direction of both.
func sdpOffer(ports [2]int, dir string) string {
	var b strings.Builder
	b.WriteString("v=0\r\no=src 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n")
	for i, p := range ports {
		fmt.Fprintf(&b, "m=audio %d RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"+
			"a=rtpmap:101 telephone-event/8000\r\na=%s\r\na=label:%d\r\n", p, dir, i+1)
	}
	return b.String()
}

// plainInvite is a forked INVITE without SIPREC.
func plainInvite(uac *siptest.UAC, server, callID, from, extraHeaders, contentType, body string) []byte {
	return []byte(fmt.Sprintf("INVITE sip:rec@%s SIP/2.0\r\n"+
		"Via: SIP/2.0/UDP %s;branch=z9hG4bK%s;rport\r\n"+
		"Max-Forwards: 70\r\nFrom: %s;tag=f%s\r\nTo: <sip:rec@%s>\r\n"+
		"Call-ID: %s\r\nCSeq: 1 INVITE\r\nContact: <sip:pbx@%s>\r\n%s"+
		"Content-Type: %s\r\nContent-Length: %d\r\n\r\n%s",
		server, uac.Addr(), strings.ReplaceAll(callID, "@", ""), from, strings.ReplaceAll(callID, "@", ""),
		server, callID, uac.Addr(), extraHeaders, contentType, len(body), body))
}

func dialUAC(t *testing.T, tr *testRecorder) *siptest.UAC {
	t.Helper()
	uac, err := siptest.Dial(tr.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { uac.Close() })
	return uac
}

func senderPorts(t *testing.T) ([2]*net.UDPConn, [2]int) {
	t.Helper()
	var conns [2]*net.UDPConn
	var ports [2]int
	for i := range conns {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		conns[i], ports[i] = c, c.LocalAddr().(*net.UDPAddr).Port
	}
	return conns, ports
}

func TestOptionsAdvertisesSIPREC(t *testing.T) {
	tr := startTestRecorder(t, Config{}, 35000)
	uac := dialUAC(t, tr)
	req := fmt.Sprintf("OPTIONS sip:rec@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bKopt1\r\n"+
		"From: <sip:sbc@example.com>;tag=o1\r\nTo: <sip:rec@%s>\r\nCall-ID: opt1\r\nCSeq: 1 OPTIONS\r\n"+
		"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n", tr.addr, uac.Addr(), tr.addr)
	res := mustFinal(t, uac, []byte(req), 200)
	for header, want := range map[string]string{
		"Allow": "INVITE", "Accept": "application/rs-metadata+xml", "Supported": "siprec",
	} {
		if !strings.Contains(res.Header(header), want) {
			t.Errorf("%s: %q, want it to list %s", header, res.Header(header), want)
		}
	}
}

func TestRefusalsArePrecise(t *testing.T) {
	tr := startTestRecorder(t, Config{MaxBodyBytes: 2048}, 35200)
	_, ports := senderPorts(t)
	offer := sdpOffer(ports, "sendonly")
	tests := []struct {
		name        string
		contentType string
		body        string
		code        int
		warning     string
	}{
		{name: "body over the limit", contentType: "application/sdp",
			body: offer + strings.Repeat("a=x-pad:0123456789\r\n", 200),
			code: 413, warning: "limit"},
		{name: "malformed sdp", contentType: "application/sdp", body: "v=0\r\nthis is not sdp\r\n",
			code: 400, warning: "sdp"},
		{name: "no offer", contentType: "application/sdp", body: "", code: 488, warning: "offer"},
		{name: "video only", contentType: "application/sdp",
			body: "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
				"m=video 5000 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n",
			code: 488, warning: "no audio stream"},
		{name: "multipart without boundary", contentType: "multipart/mixed", body: offer, code: 400, warning: "boundary"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			uac := dialUAC(t, tr)
			inv := plainInvite(uac, tr.addr, fmt.Sprintf("refuse%d@test", i), "<sip:a@example.com>", "",
				tt.contentType, tt.body)
			res := mustFinal(t, uac, inv, tt.code)
			if w := res.Header("Warning"); !strings.Contains(strings.ToLower(w), tt.warning) {
				t.Errorf("Warning: %q, want it to say %q", w, tt.warning)
			}
		})
	}
}

func TestSourceOutsideAllowListIsForbidden(t *testing.T) {
	tr := startTestRecorder(t, Config{Allow: mustPrefixes("10.0.0.0/8")}, 35400)
	uac := dialUAC(t, tr)
	_, ports := senderPorts(t)
	mustFinal(t, uac, plainInvite(uac, tr.addr, "allow1@test", "<sip:a@example.com>", "",
		"application/sdp", sdpOffer(ports, "sendonly")), 403)
}

func TestOverCallLimitIsRetryLater(t *testing.T) {
	tr := startTestRecorderWith(t, Config{}, recorder.Config{PortLow: 35600, PortHigh: 35799, MaxCalls: 1})
	_, ports := senderPorts(t)
	uac := dialUAC(t, tr)
	first := plainInvite(uac, tr.addr, "limit1@test", "<sip:a@example.com>", "", "application/sdp",
		sdpOffer(ports, "sendonly"))
	ok := mustFinal(t, uac, first, 200)
	uac2 := dialUAC(t, tr)
	res := mustFinal(t, uac2, plainInvite(uac2, tr.addr, "limit2@test", "<sip:a@example.com>", "",
		"application/sdp", sdpOffer(ports, "sendonly")), 503)
	if res.Header("Retry-After") == "" {
		t.Errorf("503 without Retry-After: the SBC cannot tell when to come back")
	}
	mustFinal(t, uac, siptest.InDialog("BYE", first, ok, 2, "", nil), 200)
}

func TestByeForUnknownDialog(t *testing.T) {
	tr := startTestRecorder(t, Config{}, 35800)
	uac := dialUAC(t, tr)
	bye := fmt.Sprintf("BYE sip:rec@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bKbye9\r\n"+
		"From: <sip:a@example.com>;tag=zz\r\nTo: <sip:rec@%s>;tag=yy\r\nCall-ID: nosuch@test\r\n"+
		"CSeq: 2 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n", tr.addr, uac.Addr(), tr.addr)
	mustFinal(t, uac, []byte(bye), 481)
}

func TestPlainForkedCallNamesPartiesFromHeaders(t *testing.T) {
	tr := startTestRecorder(t, Config{}, 36000)
	uac := dialUAC(t, tr)
	conns, ports := senderPorts(t)
	inv := plainInvite(uac, tr.addr, "plain1@test", `"Front Desk" <sip:1000@pbx.example>`,
		"P-Asserted-Identity: \"Dana Customer\" <sip:+15550001@carrier.example>\r\n",
		"application/sdp", sdpOffer(ports, "sendonly"))
	ok := mustFinal(t, uac, inv, 200)
	_ = uac.Send(siptest.InDialog("ACK", inv, ok, 0, "", nil))
	sendTones(t, conns, siptest.AnswerPorts(ok.Body), time.Second)
	mustFinal(t, uac, siptest.InDialog("BYE", inv, ok, 2, "", nil), 200)
	_, sc := tr.sink.wait(t, "plain1@test")
	if len(sc.Participants) != 2 || sc.Participants[0].Name != "Dana Customer" ||
		sc.Participants[0].SIPAddress != "sip:+15550001@carrier.example" || sc.Participants[0].Role != "caller" {
		t.Errorf("participants %+v, want the P-Asserted-Identity caller on the left", sc.Participants)
	}
}

func TestPairedForkedInvitesMakeOneStereoRecording(t *testing.T) {
	tr := startTestRecorder(t, Config{PairParam: "x-refci"}, 36200)
	conns, ports := senderPorts(t)
	var oks [2]*siptest.Message
	var invs [2][]byte
	var uacs [2]*siptest.UAC
	for i := range 2 {
		uacs[i] = dialUAC(t, tr)
		body := "v=0\r\no=pbx 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
			fmt.Sprintf("m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendonly\r\n", ports[i])
		from := fmt.Sprintf("<sip:leg%d@pbx.example;x-refci=77001>", i)
		invs[i] = plainInvite(uacs[i], tr.addr, fmt.Sprintf("pair%d@test", i), from, "", "application/sdp", body)
		oks[i] = mustFinal(t, uacs[i], invs[i], 200)
		_ = uacs[i].Send(siptest.InDialog("ACK", invs[i], oks[i], 0, "", nil))
	}
	answered := []int{siptest.AnswerPorts(oks[0].Body)[0], siptest.AnswerPorts(oks[1].Body)[0]}
	sendTones(t, conns, answered, time.Second)
	for i := range 2 {
		mustFinal(t, uacs[i], siptest.InDialog("BYE", invs[i], oks[i], 2, "", nil), 200)
	}
	wav, sc := tr.sink.wait(t, "pair0@test")
	ch, _, err := rtpgen.DecodeStereo(wav)
	if err != nil {
		t.Fatal(err)
	}
	checkLeftTone(t, ch, legTones["1"])
	if sc.Extra["pair_key"] != "77001" || len(sc.Streams) != 2 {
		t.Errorf("extra %v, %d streams; want both legs paired by x-refci in one recording", sc.Extra, len(sc.Streams))
	}
}
