package siprec

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"earshot/internal/siptest"
	"earshot/recorder"
)

// TestSilentSessionIsHungUp: when the SRC's RTP stops and no BYE comes,
// the recorder ends the recording after the RTP timeout and sends the SRC
// a BYE in the dialog.
func TestSilentSessionIsHungUp(t *testing.T) {
	tr := startTestRecorderWith(t, Config{}, recorder.Config{PortLow: 36900, PortHigh: 36999,
		RTPTimeout: 2 * time.Second})
	uac := dialUAC(t, tr)
	conns, ports := senderPorts(t)
	inv := plainInvite(uac, tr.addr, "silent1@test", "<sip:src@sbc.example>", "Require: siprec\r\n",
		"application/sdp", sdpOffer(ports, "sendonly"))
	ok := mustFinal(t, uac, inv, 200)
	_ = uac.Send(siptest.InDialog("ACK", inv, ok, 0, "", nil))
	sendTones(t, conns, siptest.AnswerPorts(ok.Body), 500*time.Millisecond)

	var bye *siptest.Message
	for deadline := time.Now().Add(10 * time.Second); bye == nil && time.Now().Before(deadline); {
		m, err := uac.Read(time.Until(deadline))
		if err != nil {
			t.Fatalf("no BYE from the recorder after the RTP stopped: %v", err)
		}
		if strings.HasPrefix(m.StartLine, "BYE ") {
			bye = m
		}
	}
	if bye.Header("Call-ID") != "silent1@test" || !strings.Contains(bye.Header("From"), "tag=") {
		t.Errorf("BYE %q with From %q, want the dialog's Call-ID and our tag", bye.StartLine, bye.Header("From"))
	}
	_ = uac.Send([]byte(fmt.Sprintf("SIP/2.0 200 OK\r\nVia: %s\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\n"+
		"CSeq: %s\r\nContent-Length: 0\r\n\r\n", bye.Header("Via"), bye.Header("From"), bye.Header("To"),
		bye.Header("Call-ID"), bye.Header("CSeq"))))
	_, sc := tr.sink.wait(t, "silent1@test")
	if sc.DurationMS > 5000 {
		t.Errorf("recording lasts %d ms; want the half second of audio plus at most the timeout", sc.DurationMS)
	}
}
