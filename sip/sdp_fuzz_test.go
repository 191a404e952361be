package siprec

// The tests in this file run on the offers in testdata/sdp: each is answered
// and compared with its stored answer, and all of them seed the fuzzer.

import (
	"errors"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pion/sdp/v3"
)

var updateSDP = flag.Bool("update-sdp", false, "rewrite testdata/sdp/*.answer")

// FuzzParseOffer feeds untrusted offers to ParseOffer. It must never panic,
// and must fail only with ErrBadSDP. An offer it accepts must be answerable:
// Answer does not fail or panic, and its answer parses with pion/sdp and
// with ParseOffer, with the offer's m-lines in the offer's order.
func FuzzParseOffer(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "sdp", "*.sdp"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no SDP corpus: %v", err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add(siprecOffer)
	f.Add([]byte("v=0\r\n"))
	f.Add([]byte("v=0\no=- 1 1 IN IP6 ::1\ns=-\nc=IN IP6 ::\nt=0 0\nm=audio 1 RTP/AVP 0 0 96\n" +
		"a=rtpmap:96 telephone-event/8000\na=rtpmap:0 telephone-event/8000\na=label:\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		offer, err := ParseOffer(data)
		if err != nil {
			if !errors.Is(err, ErrBadSDP) {
				t.Fatalf("error %v does not wrap ErrBadSDP", err)
			}
			return
		}
		answer, chosen, err := offer.Answer(AnswerOptions{
			LocalIP: netip.MustParseAddr("192.0.2.1"),
			Ports:   []int{4000, 4002},
		})
		if err != nil {
			t.Fatalf("Answer: %v", err)
		}
		checkFuzzAnswer(t, offer, answer, chosen)
	})
}

// checkFuzzAnswer checks that answer, for offer, parses both with pion/sdp
// and with ParseOffer, and matches offer and chosen m-line by m-line.
func checkFuzzAnswer(t *testing.T, offer *Offer, answer []byte, chosen []Chosen) {
	t.Helper()
	if _, err := pionUnmarshal(answer); err != nil {
		t.Fatalf("pion cannot parse the answer: %v\n%s", err, answer)
	}
	again, err := ParseOffer(answer)
	if err != nil {
		t.Fatalf("ParseOffer cannot parse the answer: %v\n%s", err, answer)
	}
	if len(again.Media) != len(offer.Media) || len(chosen) != len(offer.Media) {
		t.Fatalf("offer has %d m-lines, answer %d, chosen %d",
			len(offer.Media), len(again.Media), len(chosen))
	}
	for i, m := range again.Media {
		want := offer.Media[i]
		if m.Kind != want.Kind || m.Proto != want.Proto || m.Label != want.Label {
			t.Errorf("m-line %d answered as %s %s label %q, offered %s %s label %q",
				i+1, m.Kind, m.Proto, m.Label, want.Kind, want.Proto, want.Label)
		}
		if (m.Port != 0) != chosen[i].Active {
			t.Errorf("m-line %d: port %d, but Active is %v", i+1, m.Port, chosen[i].Active)
		}
	}
}

// pionUnmarshal parses an answer with pion/sdp alone, but for the
// m-lines of a media type or proto it does not know, which it is given
// masked as ParseOffer gives them and which come back as written.
func pionUnmarshal(answer []byte) (*sdp.SessionDescription, error) {
	var lines []sdpLine
	for i, text := range strings.Split(strings.TrimRight(string(answer), "\r\n"), "\r\n") {
		lines = append(lines, sdpLine{num: i + 1, text: text})
	}
	foreign := maskForeignMedia(lines)
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(joinLines(lines)); err != nil {
		return nil, err
	}
	for i, name := range foreign {
		md := &sd.MediaDescriptions[i].MediaName
		md.Media, md.Protos = name.kind, strings.Split(name.proto, "/")
	}
	return &sd, nil
}

// TestSDPCorpus answers every offer in testdata/sdp, checks the answer's
// shape with pion/sdp, and compares it with the stored NAME.answer.
func TestSDPCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "sdp", "*.sdp"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no SDP corpus: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			answer := answerCorpusFile(t, file)
			golden := strings.TrimSuffix(file, ".sdp") + ".answer"
			if *updateSDP {
				if err := os.WriteFile(golden, answer, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update-sdp to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(answer)); diff != "" {
				t.Errorf("answer differs from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// corpusPreference puts G722 first, so that the corpus answers show a
// dynamic, lower-case rtpmap being chosen.
var corpusPreference = []string{"G722", "PCMU", "PCMA"}

// answerCorpusFile parses an offer file, answers it with port 4000 + 2i on
// each recordable m-line i, and checks the answer against the offer: the
// same m-lines in the same order with the same labels, and a port exactly
// where a port was given.
func answerCorpusFile(t *testing.T, file string) []byte {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	offer, err := ParseOffer(data)
	if err != nil {
		t.Fatalf("ParseOffer: %v", err)
	}
	ports := make([]int, len(offer.Media))
	for i, ok := range offer.RecordableStreams(corpusPreference) {
		if ok {
			ports[i] = 4000 + 2*i
		}
	}
	answer, _, err := offer.Answer(AnswerOptions{LocalIP: netip.MustParseAddr("192.0.2.1"),
		Ports: ports, Preference: corpusPreference, SessionID: 1, SessionVersion: 1})
	if err != nil {
		t.Fatalf("Answer: %v", err)
	}

	sd, err := pionUnmarshal(answer)
	if err != nil {
		t.Fatalf("pion cannot parse the answer: %v", err)
	}
	if len(sd.MediaDescriptions) != len(offer.Media) {
		t.Fatalf("answer has %d m-lines, offer %d", len(sd.MediaDescriptions), len(offer.Media))
	}
	for i, md := range sd.MediaDescriptions {
		m := offer.Media[i]
		label, _ := md.Attribute("label")
		got := []string{md.MediaName.Media, strings.Join(md.MediaName.Protos, "/"),
			label, strconv.Itoa(md.MediaName.Port.Value)}
		want := []string{m.Kind, m.Proto, m.Label, strconv.Itoa(ports[i])}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("m-line %d: kind, proto, label, port (-want +got):\n%s", i+1, diff)
		}
	}
	return answer
}
