package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSIPpMalformedInviteGets400: SIPp sends an INVITE the SIP parser
// refuses; earshot answers 400 with a Warning naming the header (the
// scenario checks it), counts it, opens no call, and still answers OPTIONS.
func TestSIPpMalformedInviteGets400(t *testing.T) {
	sipp := lookSIPp(t)
	sipPort := freeSIPPort(t)
	p := startEarshot(t, fmt.Sprintf("EARSHOT_SIP_LISTEN=127.0.0.1:%d", sipPort))
	run := startSIPpScenario(t, sipp, sipPort, "malformed.xml")
	run.wait(t, 30*time.Second)

	refused := strings.Join(run.waitLog(t, "refused", time.Second), " ")
	if !strings.Contains(refused, "malformed Max-Forwards header") {
		t.Errorf("the 400's Warning = %q, want it to name the Max-Forwards header", refused)
	}
	wire, err := os.ReadFile(filepath.Join(run.dir, "messages.log"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(wire), "SIP/2.0 400 Bad Request"); n != 1 {
		t.Errorf("SIPp got %d answers of 400, want 1 (no retransmission left unanswered):\n%s", n, wire)
	}
	if v := metricValue(t, p, "earshot_sip_malformed_total"); v != 1 {
		t.Errorf("earshot_sip_malformed_total = %v, want 1", v)
	}
	if _, body := p.apiGet(t, "/api/v1/calls", nil); strings.Contains(string(body), `"id"`) {
		t.Errorf("the refused INVITE left a call: %s", body)
	}
}
