package siprec

import (
	"bytes"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pion/sdp/v3"
)

// sdpText turns a readable offer, one line per line, into CRLF SDP.
func sdpText(lines ...string) []byte {
	return []byte(strings.Join(lines, "\r\n") + "\r\n")
}

// siprecOffer is a SIPREC client's two-stream offer (RFC 7866 section 8).
var siprecOffer = sdpText(
	"v=0",
	"o=SRC 2890844526 2890844527 IN IP4 198.51.100.10",
	"s=SIPREC",
	"c=IN IP4 198.51.100.10",
	"t=0 0",
	"m=audio 20000 RTP/AVP 0 8 101",
	"a=label:1",
	"a=rtpmap:0 PCMU/8000",
	"a=rtpmap:8 PCMA/8000",
	"a=rtpmap:101 telephone-event/8000",
	"a=fmtp:101 0-15",
	"a=ptime:20",
	"a=sendonly",
	"m=audio 20002 RTP/AVP 8 0 101",
	"a=label:2",
	"a=rtpmap:101 telephone-event/8000",
	"a=fmtp:101 0-15",
	"a=sendonly",
)

var (
	pcmu  = Format{PT: 0, Name: "PCMU", Clock: 8000, Channels: 1}
	pcma  = Format{PT: 8, Name: "PCMA", Clock: 8000, Channels: 1}
	g722  = Format{PT: 9, Name: "G722", Clock: 8000, Channels: 1}
	event = Format{PT: 101, Name: "telephone-event", Clock: 8000, Channels: 1, Fmtp: "0-15"}
)

func addrPort(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

// equalAddrPort lets cmp compare netip.AddrPort, whose fields are hidden.
var equalAddrPort = cmp.Comparer(func(a, b netip.AddrPort) bool { return a == b })

func TestParseOffer(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want *Offer
	}{
		{
			name: "siprec two streams",
			body: siprecOffer,
			want: &Offer{SessionID: 2890844526, SessionVersion: 2890844527, Media: []OfferedMedia{
				{
					Index: 0, Kind: "audio", Port: 20000, Proto: "RTP/AVP", Label: "1",
					Direction: DirSendOnly, Remote: addrPort("198.51.100.10:20000"),
					Formats:    []Format{pcmu, pcma, event},
					RawFormats: []string{"0", "8", "101"}, EventPT: 101, Ptime: 20,
				},
				{
					Index: 1, Kind: "audio", Port: 20002, Proto: "RTP/AVP", Label: "2",
					Direction: DirSendOnly, Remote: addrPort("198.51.100.10:20002"),
					Formats:    []Format{pcma, pcmu, event},
					RawFormats: []string{"8", "0", "101"}, EventPT: 101,
				},
			}},
		},
		{
			name: "static payload types without rtpmap",
			body: sdpText("v=0", "o=- 1 1 IN IP4 192.0.2.9", "s=-", "c=IN IP4 192.0.2.9",
				"t=0 0", "m=audio 5004 RTP/AVP 0 8 9 3 4 18 13 96"),
			want: &Offer{SessionID: 1, SessionVersion: 1, Media: []OfferedMedia{{
				Kind: "audio", Port: 5004, Proto: "RTP/AVP", Direction: DirSendRecv,
				Remote: addrPort("192.0.2.9:5004"),
				Formats: []Format{pcmu, pcma, g722,
					{PT: 3, Name: "GSM", Clock: 8000, Channels: 1},
					{PT: 4, Name: "G723", Clock: 8000, Channels: 1},
					{PT: 18, Name: "G729", Clock: 8000, Channels: 1},
					{PT: 13, Name: "CN", Clock: 8000, Channels: 1},
					{PT: 96},
				},
				RawFormats: []string{"0", "8", "9", "3", "4", "18", "13", "96"},
				EventPT:    -1,
			}}},
		},
		{
			name: "media level c= and direction override session level",
			body: sdpText("v=0", "o=- 1 2 IN IP4 192.0.2.9", "s=-", "c=IN IP4 192.0.2.9",
				"t=0 0", "a=inactive",
				"m=audio 5004 RTP/AVP 0",
				"m=audio 5006 RTP/AVPF 0", "c=IN IP4 192.0.2.77/127", "a=sendonly"),
			want: &Offer{SessionID: 1, SessionVersion: 2, Media: []OfferedMedia{
				{
					Kind: "audio", Port: 5004, Proto: "RTP/AVP", Direction: DirInactive,
					Remote: addrPort("192.0.2.9:5004"), Formats: []Format{pcmu},
					RawFormats: []string{"0"}, EventPT: -1,
				},
				{
					Index: 1, Kind: "audio", Port: 5006, Proto: "RTP/AVPF", Direction: DirSendOnly,
					Remote: addrPort("192.0.2.77:5006"), Formats: []Format{pcmu},
					RawFormats: []string{"0"}, EventPT: -1,
				},
			}},
		},
		{
			name: "hold with 0.0.0.0 and a disabled m-line without c=",
			body: sdpText("v=0", "o=- 1 3 IN IP4 192.0.2.9", "s=-", "t=0 0",
				"m=audio 5004 RTP/AVP 8", "c=IN IP4 0.0.0.0", "a=sendonly",
				"m=video 0 RTP/AVP 96"),
			want: &Offer{SessionID: 1, SessionVersion: 3, Media: []OfferedMedia{
				{
					Kind: "audio", Port: 5004, Proto: "RTP/AVP", Direction: DirSendOnly,
					Formats: []Format{pcma}, RawFormats: []string{"8"}, EventPT: -1,
				},
				{
					Index: 1, Kind: "video", Proto: "RTP/AVP", Direction: DirSendRecv,
					Formats: []Format{{PT: 96}}, RawFormats: []string{"96"}, EventPT: -1,
				},
			}},
		},
		{
			name: "ipv6 and a non-RTP m-line",
			body: sdpText("v=0", "o=- 9 9 IN IP6 2001:db8::1", "s=-", "c=IN IP6 2001:DB8::1",
				"t=0 0", "m=audio 6000 RTP/AVP 111", "a=rtpmap:111 opus/48000/2",
				"a=fmtp:111 useinbandfec=1", "a=ptime:40",
				"m=application 6002 UDP/DTLS/SCTP webrtc-datachannel"),
			want: &Offer{SessionID: 9, SessionVersion: 9, Media: []OfferedMedia{
				{
					Kind: "audio", Port: 6000, Proto: "RTP/AVP", Direction: DirSendRecv,
					Remote: addrPort("[2001:db8::1]:6000"),
					Formats: []Format{{PT: 111, Name: "opus", Clock: 48000, Channels: 2,
						Fmtp: "useinbandfec=1"}},
					RawFormats: []string{"111"}, EventPT: -1, Ptime: 40,
				},
				{
					Index: 1, Kind: "application", Port: 6002, Proto: "UDP/DTLS/SCTP",
					Direction: DirSendRecv, Remote: addrPort("[2001:db8::1]:6002"),
					RawFormats: []string{"webrtc-datachannel"}, EventPT: -1,
				},
			}},
		},
		{
			name: "bare LF line endings, blank lines and trailing blanks",
			body: []byte("v=0\no=- 5 5 IN IP4 192.0.2.9 \n\ns=-\nc=IN IP4 192.0.2.9\nt=0 0\n" +
				"m=audio 7000 RTP/AVP 8\na=label: x \na=ptime:20.5\na=recvonly"),
			want: &Offer{SessionID: 5, SessionVersion: 5, Media: []OfferedMedia{{
				Kind: "audio", Port: 7000, Proto: "RTP/AVP", Label: "x", Direction: DirRecvOnly,
				Remote: addrPort("192.0.2.9:7000"), Formats: []Format{pcma},
				RawFormats: []string{"8"}, EventPT: -1,
			}}},
		},
		{
			name: "rtpmap overrides a static name, malformed rtpmap ignored",
			body: sdpText("v=0", "o=- 1 1 IN IP4 192.0.2.9", "s=-", "c=IN IP4 192.0.2.9",
				"t=0 0", "m=audio 5004 RTP/AVP 8 97 98", "a=rtpmap:8 pcma/8000",
				"a=rtpmap:97 AMR", "a=rtpmap:98 telephone-event/16000", "a=rtpmap:99 G722/8000"),
			want: &Offer{SessionID: 1, SessionVersion: 1, Media: []OfferedMedia{{
				Kind: "audio", Port: 5004, Proto: "RTP/AVP", Direction: DirSendRecv,
				Remote: addrPort("192.0.2.9:5004"),
				Formats: []Format{{PT: 8, Name: "pcma", Clock: 8000, Channels: 1}, {PT: 97},
					{PT: 98, Name: "telephone-event", Clock: 16000, Channels: 1}},
				RawFormats: []string{"8", "97", "98"}, EventPT: 98,
			}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseOffer(tt.body)
			if err != nil {
				t.Fatalf("ParseOffer: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, equalAddrPort); diff != "" {
				t.Errorf("ParseOffer (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseOfferErrors(t *testing.T) {
	head := []string{"v=0", "o=- 1 1 IN IP4 192.0.2.9", "s=-"}
	offer := func(lines ...string) []byte { return sdpText(append(head, lines...)...) }
	tests := []struct {
		name string
		body []byte
		want string // what the message must name
	}{
		{name: "empty", body: nil, want: "sdp: empty body"},
		{name: "blank lines only", body: []byte("\r\n \r\n"), want: "empty body"},
		{name: "not SDP", body: []byte("<?xml version=\"1.0\"?>\r\n<recording/>"),
			want: "not an SDP body"},
		{name: "wrong version", body: []byte("v=1\r\n"), want: "not an SDP body"},
		{name: "junk line", body: offer("t=0 0", "hello world", "m=audio 1 RTP/AVP 0"),
			want: `line 5: not a <type>=<value> line: "hello world"`},
		{name: "upper-case type", body: offer("T=0 0"), want: "line 4: not a <type>=<value>"},
		{name: "stray carriage return", body: offer("t=0 0", "a=label:1\r2"),
			want: "line 5: control character"},
		{name: "m-line without port", body: offer("c=IN IP4 192.0.2.9", "t=0 0",
			"m=audio 1 RTP/AVP 0", "m=audio RTP/AVP 0 8"),
			want: `line 7: m-line 2: port "RTP/AVP" is not a number`},
		{name: "m-line port out of range", body: offer("t=0 0", "m=audio 70000 RTP/AVP 0"),
			want: "m-line 1: port \"70000\""},
		{name: "m-line too short", body: offer("t=0 0", "m=audio 4000"),
			want: "m-line 1: want <media> <port> <proto>"},
		{name: "c= without address", body: offer("c=IN IP4", "t=0 0"),
			want: "line 4: bad connection line"},
		{name: "c= with a host name", body: offer("c=IN IP4 pbx.example.com", "t=0 0"),
			want: `connection address "pbx.example.com" is not an IP address`},
		{name: "c= of another network", body: offer("c=ATM NSAP 47.0005", "t=0 0"),
			want: "bad connection line"},
		{name: "no connection address", body: offer("t=0 0", "m=audio 0 RTP/AVP 0",
			"m=audio 4000 RTP/AVP 0"), want: "sdp: m-line 2: no connection address"},
		{name: "payload type not a number", body: offer("c=IN IP4 192.0.2.9", "t=0 0",
			"m=audio 4000 RTP/AVP PCMU"), want: `m-line 1: payload type "PCMU" is not a number`},
		{name: "payload type too large", body: offer("c=IN IP4 192.0.2.9", "t=0 0",
			"m=audio 4000 RTP/AVP 128"), want: `payload type "128"`},
		{name: "lines out of order", body: offer("m=audio 4000 RTP/AVP 0", "t=0 0"),
			want: `line 4: "m=audio 4000 RTP/AVP 0": sdp: syntax error`},
		{name: "bad origin", body: []byte("v=0\r\no=- x 1 IN IP4 192.0.2.9\r\ns=-\r\nt=0 0\r\n"),
			want: `line 2: "o=- x 1 IN IP4 192.0.2.9": sdp: syntax error`},
		{name: "cut short before t=", body: offer("c=IN IP4 192.0.2.9"), want: "sdp: no t= line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseOffer(tt.body)
			if !errors.Is(err, ErrBadSDP) {
				t.Fatalf("ParseOffer = %+v, %v; want an error wrapping ErrBadSDP", got, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

// answerMLine is an answer m-line as a test states it: the m= value and
// its a= lines in order.
type answerMLine struct {
	M     string
	Attrs []string
}

func TestAnswer(t *testing.T) {
	local := netip.MustParseAddr("192.0.2.1")
	tests := []struct {
		name        string
		offer       []byte
		ports       []int
		preference  []string
		wantMedia   []answerMLine
		wantChosen  []Chosen
		wantSession []string // the answer's lines up to the first m=; default v4
	}{
		{
			name:  "siprec two streams sendonly",
			offer: siprecOffer,
			ports: []int{4000, 4002},
			wantMedia: []answerMLine{
				{M: "audio 4000 RTP/AVP 0 101", Attrs: []string{"label:1", "rtpmap:0 PCMU/8000",
					"rtpmap:101 telephone-event/8000", "fmtp:101 0-15", "ptime:20", "recvonly"}},
				{M: "audio 4002 RTP/AVP 0 101", Attrs: []string{"label:2", "rtpmap:0 PCMU/8000",
					"rtpmap:101 telephone-event/8000", "fmtp:101 0-15", "recvonly"}},
			},
			wantChosen: []Chosen{
				{Index: 0, Active: true, Format: pcmu, EventPT: 101,
					Remote: addrPort("198.51.100.10:20000"), Label: "1", Direction: DirRecvOnly},
				{Index: 1, Active: true, Format: pcmu, EventPT: 101,
					Remote: addrPort("198.51.100.10:20002"), Label: "2", Direction: DirRecvOnly},
			},
		},
		{
			name:       "G722 preferred when offered",
			offer:      siprecOfferWith("m=audio 20000 RTP/AVP 0 8 9", "a=sendrecv"),
			ports:      []int{4000},
			preference: []string{"g722", "PCMU", "PCMA"},
			wantMedia: []answerMLine{{M: "audio 4000 RTP/AVP 9",
				Attrs: []string{"rtpmap:9 G722/8000", "recvonly"}}},
			wantChosen: []Chosen{{Active: true, Format: g722, EventPT: -1,
				Remote: addrPort("198.51.100.10:20000"), Direction: DirRecvOnly}},
		},
		{
			name:       "preference falls through to a later name",
			offer:      siprecOfferWith("m=audio 20000 RTP/AVP 18 8 0"),
			ports:      []int{4000},
			preference: []string{"G722", "PCMA", "PCMU"},
			wantMedia: []answerMLine{{M: "audio 4000 RTP/AVP 8",
				Attrs: []string{"rtpmap:8 PCMA/8000", "recvonly"}}},
			wantChosen: []Chosen{{Active: true, Format: pcma, EventPT: -1,
				Remote: addrPort("198.51.100.10:20000"), Direction: DirRecvOnly}},
		},
		{
			name: "offer order breaks a tie between equal names",
			offer: siprecOfferWith("m=audio 20000 RTP/AVP 97 96", "a=rtpmap:96 opus/48000/2",
				"a=rtpmap:97 OPUS/48000/2", "a=fmtp:97 stereo=1"),
			ports:      []int{4000},
			preference: []string{"opus"},
			wantMedia: []answerMLine{{M: "audio 4000 RTP/AVP 97",
				Attrs: []string{"rtpmap:97 OPUS/48000/2", "fmtp:97 stereo=1", "recvonly"}}},
			wantChosen: []Chosen{{Active: true, EventPT: -1,
				Format: Format{PT: 97, Name: "OPUS", Clock: 48000, Channels: 2, Fmtp: "stereo=1"},
				Remote: addrPort("198.51.100.10:20000"), Direction: DirRecvOnly}},
		},
		{
			name: "telephone-event at the codec's clock rate",
			offer: siprecOfferWith("m=audio 20000 RTP/AVP 0 126 101",
				"a=rtpmap:126 telephone-event/48000", "a=rtpmap:101 telephone-event/8000"),
			ports: []int{4000},
			wantMedia: []answerMLine{{M: "audio 4000 RTP/AVP 0 101", Attrs: []string{
				"rtpmap:0 PCMU/8000", "rtpmap:101 telephone-event/8000", "recvonly"}}},
			wantChosen: []Chosen{{Active: true, Format: pcmu, EventPT: 101,
				Remote: addrPort("198.51.100.10:20000"), Direction: DirRecvOnly}},
		},
		{
			name: "audio and video: video refused with its formats",
			offer: siprecOfferWith("m=audio 20000 RTP/AVP 8", "a=label:a",
				"m=video 20002 RTP/AVP 96 97", "a=label:v", "a=rtpmap:96 H264/90000",
				"a=rtpmap:97 VP8/90000"),
			ports: []int{4000, 4002},
			wantMedia: []answerMLine{
				{M: "audio 4000 RTP/AVP 8", Attrs: []string{"label:a", "rtpmap:8 PCMA/8000",
					"recvonly"}},
				{M: "video 0 RTP/AVP 96 97", Attrs: []string{"label:v"}},
			},
			wantChosen: []Chosen{
				{Active: true, Format: pcma, EventPT: -1, Label: "a",
					Remote: addrPort("198.51.100.10:20000"), Direction: DirRecvOnly},
				{Index: 1, EventPT: -1, Label: "v",
					Remote: addrPort("198.51.100.10:20002"), Direction: DirInactive},
			},
		},
		{
			name:  "inactive offer answered inactive",
			offer: siprecOfferWith("m=audio 20000 RTP/AVP 0", "a=inactive"),
			ports: []int{4000},
			wantMedia: []answerMLine{{M: "audio 4000 RTP/AVP 0",
				Attrs: []string{"rtpmap:0 PCMU/8000", "inactive"}}},
			wantChosen: []Chosen{{Active: true, Format: pcmu, EventPT: -1,
				Remote: addrPort("198.51.100.10:20000"), Direction: DirInactive}},
		},
		{
			name:  "recvonly offer answered inactive",
			offer: siprecOfferWith("m=audio 20000 RTP/AVP 0", "a=recvonly"),
			ports: []int{4000},
			wantMedia: []answerMLine{{M: "audio 4000 RTP/AVP 0",
				Attrs: []string{"rtpmap:0 PCMU/8000", "inactive"}}},
			wantChosen: []Chosen{{Active: true, Format: pcmu, EventPT: -1,
				Remote: addrPort("198.51.100.10:20000"), Direction: DirInactive}},
		},
		{
			name: "session-level direction and hold address",
			offer: sdpText("v=0", "o=SRC 1 2 IN IP4 198.51.100.10", "s=-",
				"c=IN IP4 0.0.0.0", "t=0 0", "a=sendonly", "m=audio 20000 RTP/AVP 8"),
			ports: []int{4000},
			wantMedia: []answerMLine{{M: "audio 4000 RTP/AVP 8",
				Attrs: []string{"rtpmap:8 PCMA/8000", "recvonly"}}},
			wantChosen: []Chosen{{Active: true, Format: pcma, EventPT: -1,
				Direction: DirRecvOnly}},
		},
		{
			name:  "no common codec",
			offer: siprecOfferWith("m=audio 20000 RTP/AVP 18 4", "a=label:1", "a=ptime:30"),
			ports: []int{4000},
			wantMedia: []answerMLine{
				{M: "audio 0 RTP/AVP 18 4", Attrs: []string{"label:1"}},
			},
			wantChosen: []Chosen{{EventPT: -1, Label: "1",
				Remote: addrPort("198.51.100.10:20000"), Direction: DirInactive}},
		},
		{
			name: "srtp, zero port and missing port refused",
			offer: siprecOfferWith("m=audio 20000 RTP/SAVP 0", "m=audio 20002 RTP/AVP 0",
				"m=audio 20004 RTP/AVP 0"),
			ports: []int{4000, 0},
			wantMedia: []answerMLine{
				{M: "audio 0 RTP/SAVP 0"}, {M: "audio 0 RTP/AVP 0"}, {M: "audio 0 RTP/AVP 0"},
			},
			wantChosen: []Chosen{
				{Index: 0, EventPT: -1, Remote: addrPort("198.51.100.10:20000"),
					Direction: DirInactive},
				{Index: 1, EventPT: -1, Remote: addrPort("198.51.100.10:20002"),
					Direction: DirInactive},
				{Index: 2, EventPT: -1, Remote: addrPort("198.51.100.10:20004"),
					Direction: DirInactive},
			},
		},
		{
			name: "re-offer removes a stream and adds one",
			offer: siprecOfferWith("m=audio 20000 RTP/AVP 0", "a=label:1", "a=sendonly",
				"m=audio 0 RTP/AVP 0", "a=label:2",
				"m=audio 20004 RTP/AVP 8", "a=label:3", "a=sendonly"),
			ports: []int{4000, 4002, 4004},
			wantMedia: []answerMLine{
				{M: "audio 4000 RTP/AVP 0", Attrs: []string{"label:1", "rtpmap:0 PCMU/8000",
					"recvonly"}},
				{M: "audio 0 RTP/AVP 0", Attrs: []string{"label:2"}},
				{M: "audio 4004 RTP/AVP 8", Attrs: []string{"label:3", "rtpmap:8 PCMA/8000",
					"recvonly"}},
			},
			wantChosen: []Chosen{
				{Active: true, Format: pcmu, EventPT: -1, Label: "1",
					Remote: addrPort("198.51.100.10:20000"), Direction: DirRecvOnly},
				{Index: 1, EventPT: -1, Label: "2", Remote: addrPort("198.51.100.10:0"),
					Direction: DirInactive},
				{Index: 2, Active: true, Format: pcma, EventPT: -1, Label: "3",
					Remote: addrPort("198.51.100.10:20004"), Direction: DirRecvOnly},
			},
		},
		{
			name: "ipv6",
			offer: sdpText("v=0", "o=sbc 7 7 IN IP6 2001:db8::10", "s=-", "t=0 0",
				"m=audio 40000 RTP/AVP 0", "c=IN IP6 2001:db8::10", "a=sendonly"),
			ports: []int{4000},
			wantMedia: []answerMLine{{M: "audio 4000 RTP/AVP 0",
				Attrs: []string{"rtpmap:0 PCMU/8000", "recvonly"}}},
			wantChosen: []Chosen{{Active: true, Format: pcmu, EventPT: -1,
				Remote: addrPort("[2001:db8::10]:40000"), Direction: DirRecvOnly}},
			wantSession: []string{"v=0", "o=earshot 11 12 IN IP6 2001:db8::1", "s=-",
				"c=IN IP6 2001:db8::1", "t=0 0"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			offer, err := ParseOffer(tt.offer)
			if err != nil {
				t.Fatalf("ParseOffer: %v", err)
			}
			opts := AnswerOptions{LocalIP: local, Ports: tt.ports, Preference: tt.preference,
				SessionID: 11, SessionVersion: 12}
			wantSession := tt.wantSession
			if wantSession == nil {
				wantSession = []string{"v=0", "o=earshot 11 12 IN IP4 192.0.2.1", "s=-",
					"c=IN IP4 192.0.2.1", "t=0 0"}
			} else {
				opts.LocalIP = netip.MustParseAddr("2001:db8::1")
			}

			body, chosen, err := offer.Answer(opts)
			if err != nil {
				t.Fatalf("Answer: %v", err)
			}
			checkAnswerText(t, body, wantSession)
			if diff := cmp.Diff(tt.wantMedia, answerMLines(t, body)); diff != "" {
				t.Errorf("answer m-lines (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantChosen, chosen, equalAddrPort); diff != "" {
				t.Errorf("chosen (-want +got):\n%s", diff)
			}
		})
	}
}

// siprecOfferWith returns an offer with the session lines of siprecOffer
// and the given media lines.
func siprecOfferWith(media ...string) []byte {
	return sdpText(append([]string{"v=0", "o=SRC 1 1 IN IP4 198.51.100.10", "s=SIPREC",
		"c=IN IP4 198.51.100.10", "t=0 0"}, media...)...)
}

// checkAnswerText checks what every answer must be: CRLF lines, one SDP
// body (not multipart), opening with the session lines wantSession.
func checkAnswerText(t *testing.T, body []byte, wantSession []string) {
	t.Helper()
	if !bytes.HasSuffix(body, []byte("\r\n")) {
		t.Errorf("answer does not end in CRLF: %q", body)
	}
	lines := strings.Split(strings.TrimSuffix(string(body), "\r\n"), "\r\n")
	for _, line := range lines {
		if strings.ContainsAny(line, "\r\n") {
			t.Errorf("answer line %q has a bare CR or LF", line)
		}
		lower := strings.ToLower(line)
		if strings.HasPrefix(line, "--") || strings.Contains(lower, "content-type") {
			t.Errorf("answer line %q looks multipart", line)
		}
	}
	end := len(lines)
	for i, line := range lines {
		if strings.HasPrefix(line, "m=") {
			end = i
			break
		}
	}
	if diff := cmp.Diff(wantSession, lines[:end]); diff != "" {
		t.Errorf("answer session lines (-want +got):\n%s", diff)
	}
}

// answerMLines parses an answer with pion/sdp, independent of ParseOffer,
// and returns its m-lines.
func answerMLines(t *testing.T, body []byte) []answerMLine {
	t.Helper()
	var sd sdp.SessionDescription
	if err := sd.Unmarshal(body); err != nil {
		t.Fatalf("pion cannot parse the answer: %v\n%s", err, body)
	}
	var got []answerMLine
	for _, md := range sd.MediaDescriptions {
		if md.ConnectionInformation != nil {
			t.Errorf("answer has a media-level c=: %v", md.ConnectionInformation)
		}
		m := answerMLine{M: md.MediaName.String()}
		for _, a := range md.Attributes {
			m.Attrs = append(m.Attrs, a.String())
		}
		got = append(got, m)
	}
	return got
}

func TestAnswerErrors(t *testing.T) {
	offer, err := ParseOffer(siprecOffer)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts AnswerOptions
		want string
	}{
		{name: "no local ip", opts: AnswerOptions{Ports: []int{4000}}, want: "no local ip"},
		{name: "unspecified local ip", opts: AnswerOptions{LocalIP: netip.IPv4Unspecified()},
			want: "no local ip"},
		{name: "port out of range", opts: AnswerOptions{
			LocalIP: netip.MustParseAddr("192.0.2.1"), Ports: []int{4000, 65536}},
			want: "m-line 2: port 65536 out of range"},
		{name: "negative port", opts: AnswerOptions{
			LocalIP: netip.MustParseAddr("192.0.2.1"), Ports: []int{-1}},
			want: "m-line 1: port -1 out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, _, err := offer.Answer(tt.opts)
			if err == nil {
				t.Fatalf("Answer = %q, want an error", body)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

func TestRecordableStreams(t *testing.T) {
	offer, err := ParseOffer(siprecOfferWith(
		"m=audio 20000 RTP/AVP 0",
		"m=audio 20002 RTP/AVPF 8",              // AVPF is plain RTP too
		"m=audio 20004 RTP/AVP 0", "a=inactive", // gets a port for a later re-offer
		"m=audio 0 RTP/AVP 0",
		"m=audio 20008 RTP/SAVP 0",
		"m=video 20010 RTP/AVP 0",
		"m=audio 20012 RTP/AVP 18 96", // no codec of the default preference
		"m=audio 20014 RTP/AVP 9",
		"m=text 20016 RTP/AVP 98",
		"m=audio 20018 UDP/TLS/RTP/SAVPF 0",
	))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		preference []string
		want       []bool
	}{
		{name: "default preference", preference: nil,
			want: []bool{true, true, true, false, false, false, false, true, false, false}},
		{name: "PCMA only", preference: []string{"pcma"},
			want: []bool{false, true, false, false, false, false, false, false, false, false}},
		{name: "telephone-event is no codec", preference: []string{"telephone-event", "G729"},
			want: []bool{false, false, false, false, false, false, true, false, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, offer.RecordableStreams(tt.preference)); diff != "" {
				t.Errorf("RecordableStreams (-want +got):\n%s", diff)
			}
		})
	}
}
