package siprec

import (
	"os"
	"strings"
	"testing"
	"time"

	"earshot/internal/rtpgen"
	"earshot/internal/siptest"
)

// TestInactiveReinvitePausesRecording: an SRC pauses recording by offering
// every stream a=inactive (RFC 7866 section 7.1.1) and resumes with
// sendonly. The paused span is silent in the file, whatever was sent, and
// is written in the sidecar.
func TestInactiveReinvitePausesRecording(t *testing.T) {
	tr := startTestRecorder(t, Config{}, 36400)
	uac := dialUAC(t, tr)
	conns, ports := senderPorts(t)
	inv := plainInvite(uac, tr.addr, "pause1@test", "<sip:src@sbc.example>", "Require: siprec\r\n",
		"application/sdp", sdpOffer(ports, "sendonly"))
	ok := mustFinal(t, uac, inv, 200)
	_ = uac.Send(siptest.InDialog("ACK", inv, ok, 0, "", nil))
	answered := siptest.AnswerPorts(ok.Body)
	sendTones(t, conns, answered, time.Second)

	pauseSent := time.Now()
	res := mustFinal(t, uac, siptest.InDialog("INVITE", inv, ok, 2, "application/sdp",
		[]byte(sdpOffer(ports, "inactive"))), 200)
	if strings.Count(string(res.Body), "a=inactive") != 2 {
		t.Errorf("answer to the inactive offer:\n%s\nwant both streams a=inactive", res.Body)
	}
	_ = uac.Send(siptest.InDialog("ACK", inv, res, 2, "", nil))
	sendTones(t, conns, answered, time.Second) // sent, but must not be recorded

	res = mustFinal(t, uac, siptest.InDialog("INVITE", inv, ok, 3, "application/sdp",
		[]byte(sdpOffer(ports, "sendonly"))), 200)
	pauseSpan := time.Since(pauseSent).Milliseconds()
	_ = uac.Send(siptest.InDialog("ACK", inv, res, 3, "", nil))
	sendTones(t, conns, answered, time.Second)
	mustFinal(t, uac, siptest.InDialog("BYE", inv, ok, 4, "", nil), 200)

	wav, sc := tr.sink.wait(t, "pause1@test")
	if len(sc.Pauses) != 1 {
		t.Fatalf("pauses %+v, want one", sc.Pauses)
	}
	p := sc.Pauses[0]
	// The pause runs from the first re-INVITE to the second: at least the
	// second of tones sent between them, at most the time the test took.
	if d := p.EndMS - p.StartMS; d < 950 || d > pauseSpan {
		t.Errorf("pause lasted %d ms, want 950 to %d", d, pauseSpan)
	}
	ch, _, err := rtpgen.DecodeStereo(wav)
	if err != nil {
		t.Fatal(err)
	}
	mid := (p.StartMS + p.EndMS) / 2 * 8
	for i := range ch {
		if level := rtpgen.ToneLevel(ch[i][mid-800:mid+800], []float64{440, 1000}[i], 8000); level > 1e6 {
			t.Errorf("channel %d carries its tone (level %.3g) while paused", i, level)
		}
		after := ch[i][p.EndMS*8+2000 : p.EndMS*8+4000]
		if level := rtpgen.ToneLevel(after, []float64{440, 1000}[i], 8000); level < 1e9 {
			t.Errorf("channel %d is silent after the resume (level %.3g)", i, level)
		}
	}
}

// TestUpdateWithMetadataRenamesParties: a partial metadata update in an
// UPDATE merges into what the INVITE said (RFC 7865 section 6).
func TestUpdateWithMetadataRenamesParties(t *testing.T) {
	tr := startTestRecorder(t, Config{}, 36600)
	uac := dialUAC(t, tr)
	conns, ports := senderPorts(t)
	raw, err := os.ReadFile("testdata/invites/rfc7865-example.sip")
	if err != nil {
		t.Fatal(err)
	}
	inv := siptest.PrepareInvite(raw, siptest.Rewrite{
		Server: tr.addr, UAC: uac.Addr(), CallID: "update1@test", MediaIP: "127.0.0.1", MediaPorts: ports[:],
	})
	ok := mustFinal(t, uac, inv, 200)
	_ = uac.Send(siptest.InDialog("ACK", inv, ok, 0, "", nil))
	sendTones(t, conns, siptest.AnswerPorts(ok.Body), 500*time.Millisecond)
	update := `<?xml version="1.0"?>
<recording xmlns='urn:ietf:params:xml:ns:recording:1'>
  <datamode>partial</datamode>
  <participant participant_id="UGFydHktQm9iLTAwMDE=">
    <nameID aor="sip:bob@biloxi.example.com"><name>Bob Nguyen (Tier 2)</name></nameID>
  </participant>
</recording>`
	mustFinal(t, uac, siptest.InDialog("UPDATE", inv, ok, 2, "application/rs-metadata+xml", []byte(update)), 200)
	mustFinal(t, uac, siptest.InDialog("BYE", inv, ok, 3, "", nil), 200)
	_, sc := tr.sink.wait(t, "update1@test")
	names := map[string]string{}
	for _, p := range sc.Participants {
		names[p.SIPAddress] = p.Name
	}
	if names["sip:bob@biloxi.example.com"] != "Bob Nguyen (Tier 2)" ||
		names["sip:alice@atlanta.example.com"] != "Alice Carter" {
		t.Errorf("participants %+v, want Bob renamed and Alice kept", sc.Participants)
	}
	if !strings.Contains(sc.MetadataXML, "Tier 2") {
		t.Errorf("sidecar keeps the old metadata document, want the latest")
	}
}

// TestFaxReinviteKeepsRecording: a re-offer that adds a T.38 fax stream
// (m=image, proto udptl, which the SDP library does not know) gets a 200
// that refuses the fax stream with port 0, and the audio streams go on
// being recorded.
func TestFaxReinviteKeepsRecording(t *testing.T) {
	tr := startTestRecorder(t, Config{}, 36600)
	uac := dialUAC(t, tr)
	conns, ports := senderPorts(t)
	inv := plainInvite(uac, tr.addr, "fax1@test", "<sip:src@sbc.example>", "Require: siprec\r\n",
		"application/sdp", sdpOffer(ports, "sendonly"))
	ok := mustFinal(t, uac, inv, 200)
	_ = uac.Send(siptest.InDialog("ACK", inv, ok, 0, "", nil))
	answered := siptest.AnswerPorts(ok.Body)
	sendTones(t, conns, answered, time.Second)

	fax := sdpOffer(ports, "sendonly") + "m=image 31002 udptl t38\r\na=T38FaxVersion:0\r\n" +
		"a=T38FaxRateManagement:transferredTCF\r\na=label:3\r\n"
	res := mustFinal(t, uac, siptest.InDialog("INVITE", inv, ok, 2, "application/sdp",
		[]byte(fax)), 200)
	if !strings.Contains(string(res.Body), "m=image 0 udptl t38\r\n") ||
		strings.Count(string(res.Body), "a=recvonly") != 2 {
		t.Errorf("answer to the fax re-offer:\n%s\nwant the image stream refused, audio kept", res.Body)
	}
	_ = uac.Send(siptest.InDialog("ACK", inv, res, 2, "", nil))
	sendTones(t, conns, siptest.AnswerPorts(res.Body), time.Second)
	mustFinal(t, uac, siptest.InDialog("BYE", inv, ok, 3, "", nil), 200)

	wav, sc := tr.sink.wait(t, "fax1@test")
	if sc.DurationMS < 1900 {
		t.Errorf("recording of %d ms, want the two seconds sent", sc.DurationMS)
	}
	ch, _, err := rtpgen.DecodeStereo(wav)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ch {
		// The second after the re-offer is recorded on both channels.
		after := ch[i][len(ch[i])-6000 : len(ch[i])-2000]
		if level := rtpgen.ToneLevel(after, []float64{440, 1000}[i], 8000); level < 1e9 {
			t.Errorf("channel %d is silent after the fax re-offer (level %.3g)", i, level)
		}
	}
}
