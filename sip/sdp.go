package siprec

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
)

// ErrBadSDP is wrapped by every error of ParseOffer: the offer is not SDP,
// or is SDP that the recorder cannot answer. The SIP layer refuses such an
// offer with 488 Not Acceptable Here (RFC 3261 section 21.4.26).
var ErrBadSDP = errors.New("siprec: malformed sdp")

// Media directions (RFC 8866 section 6.7), as OfferedMedia.Direction and
// Chosen.Direction hold them.
const (
	DirSendRecv = "sendrecv"
	DirSendOnly = "sendonly"
	DirRecvOnly = "recvonly"
	DirInactive = "inactive"
)

// eventName is the encoding name of DTMF and other telephony events
// (RFC 4733), which rides beside the audio codec rather than being one.
const eventName = "telephone-event"

// Offer is what the recorder needs of an SDP offer: the o= line's session
// identity, to tell a re-offer that changes nothing (RFC 3264 section 8),
// and the m-lines in order.
type Offer struct {
	// SessionID and SessionVersion are the offerer's o= line fields.
	SessionID, SessionVersion uint64
	// Media holds one entry per m-line, in offer order.
	Media []OfferedMedia
}

// OfferedMedia is one m-line of an offer.
type OfferedMedia struct {
	// Index is the m-line's position in the offer, from 0.
	Index int
	// Kind is the media type: "audio", "video", "application"...
	Kind string
	// Port is the offered port; 0 means the offerer disabled the stream
	// (RFC 3264 section 8.2).
	Port int
	// Proto is the transport: "RTP/AVP", "RTP/SAVP", "RTP/AVPF"...
	Proto string
	// Label is the a=label value (RFC 4574), which SIPREC metadata uses to
	// tie a stream to a participant (RFC 7866 section 8.1.1), or "".
	Label string
	// Direction is DirSendOnly, DirRecvOnly, DirSendRecv or DirInactive:
	// the media-level attribute, else the session-level one, else
	// sendrecv (RFC 3264 section 5.1).
	Direction string
	// Remote is the media-level c= address, else the session-level one,
	// with Port. It is the zero AddrPort when the address is 0.0.0.0 or
	// :: (the offerer is holding, RFC 3264 section 8.4) or when a
	// disabled m-line has no c= at all.
	Remote netip.AddrPort
	// Formats are the RTP payload formats, in offer order. It is empty
	// when Proto is not RTP.
	Formats []Format
	// RawFormats are the m-line's <fmt> tokens as written, which a refused
	// m-line echoes whatever its proto.
	RawFormats []string
	// EventPT is the payload type of the first telephone-event format
	// (RFC 4733), or -1 if none is offered.
	EventPT int
	// Ptime is the a=ptime value in milliseconds (RFC 8866 section 6.4),
	// or 0 when the offer has none or it is not a whole number.
	Ptime int
}

// Format is one RTP payload format of an m-line.
type Format struct {
	// PT is the RTP payload type.
	PT uint8
	// Name is the encoding name as written ("PCMU", "opus"), or "" for a
	// dynamic payload type without a=rtpmap. Compare it with
	// strings.EqualFold: encoding names are case-insensitive (RFC 8866
	// section 6.6).
	Name string
	// Clock is the RTP clock rate in Hz, 0 when Name is "".
	Clock uint32
	// Channels is the number of audio channels, 1 when not given.
	Channels int
	// Fmtp is the a=fmtp value after the payload type, or "".
	Fmtp string
}

// staticPT is the RFC 3551 section 6 table 4 audio payload types, which an
// offer may list without a=rtpmap.
var staticPT = map[uint8]Format{
	0:  {Name: "PCMU", Clock: 8000, Channels: 1},
	3:  {Name: "GSM", Clock: 8000, Channels: 1},
	4:  {Name: "G723", Clock: 8000, Channels: 1},
	5:  {Name: "DVI4", Clock: 8000, Channels: 1},
	6:  {Name: "DVI4", Clock: 16000, Channels: 1},
	7:  {Name: "LPC", Clock: 8000, Channels: 1},
	8:  {Name: "PCMA", Clock: 8000, Channels: 1},
	9:  {Name: "G722", Clock: 8000, Channels: 1},
	10: {Name: "L16", Clock: 44100, Channels: 2},
	11: {Name: "L16", Clock: 44100, Channels: 1},
	12: {Name: "QCELP", Clock: 8000, Channels: 1},
	13: {Name: "CN", Clock: 8000, Channels: 1},
	14: {Name: "MPA", Clock: 90000, Channels: 1},
	15: {Name: "G728", Clock: 8000, Channels: 1},
	16: {Name: "DVI4", Clock: 11025, Channels: 1},
	17: {Name: "DVI4", Clock: 22050, Channels: 1},
	18: {Name: "G729", Clock: 8000, Channels: 1},
}

// ParseOffer parses an SDP offer (RFC 8866) from a SIPREC client or a
// forking PBX. Lines may end in CRLF or a bare LF. Errors wrap ErrBadSDP
// and say what is wrong, counting lines and m-lines from 1 as a reader of
// the body would: "sdp: m-line 2: no connection address".
//
// An m-line with a port needs a connection address, media-level or
// session-level, that is a literal IP address: a host name is refused
// rather than resolved. An m-line of a media type or proto that pion/sdp
// does not know, such as T.38 fax (m=image ... udptl t38) after a call
// switches to fax, is kept as written, with no Formats: the answer
// refuses it with port 0 (RFC 3264 section 6) and the rest of the offer
// is answered as usual, so the recording goes on.
func ParseOffer(body []byte) (*Offer, error) {
	lines, err := sdpLines(body)
	if err != nil {
		return nil, err
	}
	foreign := maskForeignMedia(lines)
	sd, err := unmarshalLines(lines)
	if err != nil {
		return nil, err
	}
	o, err := offerFrom(sd)
	if err != nil {
		return nil, err
	}
	for i, name := range foreign {
		o.Media[i].Kind, o.Media[i].Proto = name.kind, name.proto
	}
	return o, nil
}

// pionMedia and pionProtos are the media types and proto tokens that
// pion/sdp accepts on an m-line; it refuses the whole description for any
// other.
var (
	pionMedia  = []string{"audio", "video", "text", "application", "message"}
	pionProtos = []string{"UDP", "RTP", "AVP", "SAVP", "SAVPF", "TLS", "DTLS", "SCTP", "AVPF",
		"TCP", "MSRP", "BFCP", "UDT", "IX", "MRCPv2", "FEC"}
)

// mediaName is an m-line's media type and proto as written.
type mediaName struct{ kind, proto string }

// maskForeignMedia rewrites, in lines, each m-line whose media type or
// proto pion/sdp would refuse as an application m-line over UDP with the
// same port and formats, and returns what each of them said, by m-line
// index. Such an m-line is not RTP, so nothing else of it is read.
func maskForeignMedia(lines []sdpLine) map[int]mediaName {
	var out map[int]mediaName
	index := -1
	for i := range lines {
		if !strings.HasPrefix(lines[i].text, "m=") {
			continue
		}
		index++
		f := strings.Fields(lines[i].text[2:]) // checkLine made sure of three
		if pionKnows(f[0], f[2]) {
			continue
		}
		if out == nil {
			out = map[int]mediaName{}
		}
		out[index] = mediaName{kind: f[0], proto: f[2]}
		f[0], f[2] = "application", "UDP"
		lines[i].text = "m=" + strings.Join(f, " ")
	}
	return out
}

// pionKnows reports whether pion/sdp accepts an m-line's media and proto.
func pionKnows(media, proto string) bool {
	if !slices.Contains(pionMedia, media) {
		return false
	}
	for p := range strings.SplitSeq(proto, "/") {
		if !slices.Contains(pionProtos, p) {
			return false
		}
	}
	return true
}

// badSDP returns an error that starts "sdp: " and wraps ErrBadSDP.
func badSDP(format string, args ...any) error {
	return fmt.Errorf("sdp: %s: %w", fmt.Sprintf(format, args...), ErrBadSDP)
}

// sdpLine is one non-blank line of an offer and its line number in the
// body, from 1.
type sdpLine struct {
	num  int
	text string
}

// sdpLines checks the line structure of body and returns its lines without
// line endings, blank lines or trailing blanks, which pion/sdp would
// otherwise refuse or keep in attribute values. It catches here the faults
// worth a clear message: pion/sdp reports only a byte offset.
func sdpLines(body []byte) ([]sdpLine, error) {
	var lines []sdpLine
	mline := 0
	for i, text := range strings.Split(string(body), "\n") {
		text = strings.TrimRight(text, " \t\r")
		if text == "" {
			continue
		}
		if len(lines) == 0 && text != "v=0" {
			return nil, badSDP("not an SDP body: first line is %.40q, not v=0", text)
		}
		if text[0] == 'm' {
			mline++
		}
		if err := checkLine(text, mline); err != nil {
			return nil, badSDP("line %d: %v", i+1, err)
		}
		lines = append(lines, sdpLine{num: i + 1, text: text})
	}
	if len(lines) == 0 {
		return nil, badSDP("empty body")
	}
	return lines, nil
}

// unmarshalLines parses lines with pion/sdp. When pion/sdp refuses them, it
// finds the first line whose prefix fails, by bisection: pion/sdp reads
// line by line, so a prefix that fails makes every longer one fail.
func unmarshalLines(lines []sdpLine) (*sdp.SessionDescription, error) {
	sd := &sdp.SessionDescription{}
	err := sd.UnmarshalString(joinLines(lines))
	if err == nil {
		if len(sd.TimeDescriptions) == 0 {
			// pion/sdp takes a body cut short before t= as complete.
			return nil, badSDP("no t= line")
		}
		return sd, nil
	}
	bad := sort.Search(len(lines), func(n int) bool {
		var prefix sdp.SessionDescription
		return prefix.UnmarshalString(joinLines(lines[:n+1])) != nil
	})
	bad = min(bad, len(lines)-1)
	return nil, fmt.Errorf("sdp: line %d: %.40q: %w: %w",
		lines[bad].num, lines[bad].text, err, ErrBadSDP)
}

// joinLines writes lines out with CRLF endings.
func joinLines(lines []sdpLine) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.text)
		b.WriteString("\r\n")
	}
	return b.String()
}

// checkLine checks one line's <type>=<value> shape (RFC 8866 section 5),
// and the fields of m= and c= lines. mline is the count of m-lines so far.
func checkLine(line string, mline int) error {
	if len(line) < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z' {
		return fmt.Errorf("not a <type>=<value> line: %.40q", line)
	}
	if strings.ContainsAny(line, "\r\x00") {
		return fmt.Errorf("control character in %.40q", line)
	}
	switch line[0] {
	case 'm':
		if err := checkMediaLine(line[2:]); err != nil {
			return fmt.Errorf("m-line %d: %w", mline, err)
		}
	case 'c':
		if _, err := connAddr(line[2:]); err != nil {
			return err
		}
	}
	return nil
}

// checkMediaLine checks "<media> <port>[/<count>] <proto> <fmt>..."
// (RFC 8866 section 5.14) enough to name a missing port.
func checkMediaLine(value string) error {
	f := strings.Fields(value)
	if len(f) < 3 {
		return fmt.Errorf("want <media> <port> <proto> <fmt>..., have %.40q", value)
	}
	port, _, _ := strings.Cut(f[1], "/")
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("port %.20q is not a number from 0 to 65535", f[1])
	}
	return nil
}

// connAddr parses the value of a c= line, "IN IP4 192.0.2.1" (RFC 8866
// section 5.7), into its address. A multicast TTL or count after a slash
// is dropped: the recorder only needs to know where the offerer is.
func connAddr(value string) (netip.Addr, error) {
	f := strings.Fields(value)
	if len(f) != 3 || f[0] != "IN" || (f[1] != "IP4" && f[1] != "IP6") {
		return netip.Addr{}, fmt.Errorf("bad connection line %.60q: want IN IP4|IP6 <address>",
			"c="+value)
	}
	host, _, _ := strings.Cut(f[2], "/")
	addr, err := netip.ParseAddr(host)
	if err != nil || addr.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("connection address %.40q is not an IP address", f[2])
	}
	return addr.Unmap(), nil
}

// offerFrom converts what pion/sdp parsed into an Offer.
func offerFrom(sd *sdp.SessionDescription) (*Offer, error) {
	o := &Offer{
		SessionID:      sd.Origin.SessionID,
		SessionVersion: sd.Origin.SessionVersion,
		Media:          make([]OfferedMedia, 0, len(sd.MediaDescriptions)),
	}
	session, err := sessionAddr(sd.ConnectionInformation)
	if err != nil {
		return nil, badSDP("session: %v", err)
	}
	dir := direction(sd.Attributes, DirSendRecv)
	for i, md := range sd.MediaDescriptions {
		m, err := offeredMedia(i, md, session, dir)
		if err != nil {
			return nil, badSDP("m-line %d: %v", i+1, err)
		}
		o.Media = append(o.Media, m)
	}
	return o, nil
}

// sessionAddr returns the address of a c= line, or the invalid Addr when
// there is none.
func sessionAddr(ci *sdp.ConnectionInformation) (netip.Addr, error) {
	if ci == nil {
		return netip.Addr{}, nil
	}
	if ci.Address == nil {
		return netip.Addr{}, errors.New("c= line without an address")
	}
	return connAddr(ci.NetworkType + " " + ci.AddressType + " " + ci.Address.Address)
}

// offeredMedia converts one m-line. session and sessionDir are the
// session-level connection address and direction, which the media level
// overrides (RFC 8866 section 5.7, RFC 3264 section 5.1).
func offeredMedia(
	i int,
	md *sdp.MediaDescription,
	session netip.Addr,
	sessionDir string,
) (OfferedMedia, error) {
	m := OfferedMedia{
		Index:      i,
		Kind:       md.MediaName.Media,
		Port:       md.MediaName.Port.Value,
		Proto:      strings.Join(md.MediaName.Protos, "/"),
		Label:      attr(md.Attributes, "label"),
		Direction:  direction(md.Attributes, sessionDir),
		RawFormats: md.MediaName.Formats,
		EventPT:    -1,
	}
	m.Ptime, _ = strconv.Atoi(attr(md.Attributes, "ptime"))
	m.Ptime = max(m.Ptime, 0)

	addr, err := sessionAddr(md.ConnectionInformation)
	if err != nil {
		return m, err
	}
	if !addr.IsValid() {
		addr = session
	}
	switch {
	case !addr.IsValid() && m.Port != 0:
		return m, errors.New("no connection address")
	case addr.IsValid() && !addr.IsUnspecified():
		m.Remote = netip.AddrPortFrom(addr, uint16(m.Port))
	}

	if !isRTP(m.Proto) {
		return m, nil
	}
	if m.Formats, err = rtpFormats(md); err != nil {
		return m, err
	}
	for _, f := range m.Formats {
		if strings.EqualFold(f.Name, eventName) {
			m.EventPT = int(f.PT)
			break
		}
	}
	return m, nil
}

// isRTP reports whether an m-line's formats are RTP payload types
// (RFC 8866 section 5.14): its proto is RTP/AVP or a variant of it.
func isRTP(proto string) bool {
	return strings.HasPrefix(proto, "RTP/") || strings.Contains(proto, "/RTP/")
}

// rtpFormats reads the payload types of an RTP m-line with their rtpmap
// and fmtp attributes (RFC 8866 sections 6.6 and 6.15). A static payload
// type without rtpmap takes its RFC 3551 name; a malformed rtpmap is
// ignored, leaving a dynamic type nameless, so never chosen.
func rtpFormats(md *sdp.MediaDescription) ([]Format, error) {
	formats := make([]Format, 0, len(md.MediaName.Formats))
	for _, tok := range md.MediaName.Formats {
		pt, err := strconv.ParseUint(tok, 10, 7)
		if err != nil {
			return nil, fmt.Errorf("payload type %.20q is not a number from 0 to 127", tok)
		}
		f := staticPT[uint8(pt)]
		f.PT = uint8(pt)
		formats = append(formats, f)
	}
	for _, a := range md.Attributes {
		pt, value, ok := ptAttr(a)
		if !ok {
			continue
		}
		for i := range formats {
			if formats[i].PT != pt {
				continue
			}
			if strings.EqualFold(a.Key, "fmtp") {
				formats[i].Fmtp = value
			} else if name, clock, ch, ok := parseRTPMap(value); ok {
				formats[i].Name, formats[i].Clock, formats[i].Channels = name, clock, ch
			}
		}
	}
	return formats, nil
}

// ptAttr splits an rtpmap or fmtp attribute, "<pt> <rest>", and reports
// whether a is one with a valid payload type.
func ptAttr(a sdp.Attribute) (uint8, string, bool) {
	if !strings.EqualFold(a.Key, "rtpmap") && !strings.EqualFold(a.Key, "fmtp") {
		return 0, "", false
	}
	tok, rest, _ := strings.Cut(strings.TrimSpace(a.Value), " ")
	pt, err := strconv.ParseUint(tok, 10, 7)
	if err != nil {
		return 0, "", false
	}
	return uint8(pt), strings.TrimSpace(rest), true
}

// parseRTPMap parses "<name>/<clock>[/<channels>]" (RFC 8866 section 6.6).
func parseRTPMap(value string) (name string, clock uint32, channels int, ok bool) {
	parts := strings.Split(value, "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || strings.ContainsAny(parts[0], " \t") {
		return "", 0, 0, false
	}
	c, err := strconv.ParseUint(parts[1], 10, 32)
	if err != nil || c == 0 {
		return "", 0, 0, false
	}
	channels = 1
	if len(parts) == 3 {
		n, err := strconv.ParseUint(parts[2], 10, 8)
		if err != nil || n == 0 {
			return "", 0, 0, false
		}
		channels = int(n)
	}
	return parts[0], uint32(c), channels, true
}

// attr returns the trimmed value of the first attribute named key, or "".
func attr(attrs []sdp.Attribute, key string) string {
	for _, a := range attrs {
		if strings.EqualFold(a.Key, key) {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

// direction returns the first direction attribute in attrs (RFC 8866
// section 6.7), or def when there is none.
func direction(attrs []sdp.Attribute, def string) string {
	for _, a := range attrs {
		switch k := strings.ToLower(a.Key); k {
		case DirSendRecv, DirSendOnly, DirRecvOnly, DirInactive:
			return k
		}
	}
	return def
}
