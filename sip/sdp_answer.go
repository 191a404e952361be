package siprec

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
)

// defaultPreference is the codec order that AnswerOptions.Preference
// defaults to: the narrowband codecs every SBC offers first, then G.722.
var defaultPreference = []string{"PCMU", "PCMA", "G722"}

// AnswerOptions is what the recorder decides for an answer.
type AnswerOptions struct {
	// LocalIP is the address the recorder receives RTP on, written in the
	// c= and o= lines. It is required.
	LocalIP netip.Addr
	// Ports holds the recorder's RTP port for each m-line, by index. A
	// port of 0, or an index past the end, refuses that m-line; so does a
	// port given for an m-line that Offer.RecordableStreams rejects.
	Ports []int
	// Preference lists the codec names the recorder accepts, best first,
	// compared case-insensitively. Empty means PCMU, PCMA, G722.
	Preference []string
	// SessionID and SessionVersion go into the o= line. A re-answer in the
	// same dialog keeps SessionID and increments SessionVersion (RFC 3264
	// section 8).
	SessionID, SessionVersion uint64
}

// Chosen is what Answer decided for one m-line: what the recorder will
// receive, and from where.
type Chosen struct {
	// Index is the m-line's position, from 0.
	Index int
	// Active reports that the m-line was accepted with a port. An accepted
	// m-line may still be inactive: see Direction.
	Active bool
	// Format is the one audio codec accepted; zero when Active is false.
	Format Format
	// EventPT is the telephone-event payload type accepted beside Format
	// (RFC 4733), or -1.
	EventPT int
	// Remote is the offer's address for the stream; see OfferedMedia.
	Remote netip.AddrPort
	// Label is the offered a=label, which metadata refers to.
	Label string
	// Direction is the direction answered, from the recorder's side:
	// DirRecvOnly when the offerer sends, else DirInactive.
	Direction string
}

// RecordableStreams reports, for each m-line, whether the recorder should
// open a port for it: an audio m-line over plain RTP (RTP/AVP or
// RTP/AVPF), not disabled (port > 0), offering a codec of preference
// (empty means PCMU, PCMA, G722). An inactive or recvonly m-line is recordable:
// it gets a port, which a later re-offer may start sending to.
//
// SRTP (RTP/SAVP, RTP/SAVPF) is not recordable: the recorder has no key
// exchange, so such m-lines are refused.
func (o *Offer) RecordableStreams(preference []string) []bool {
	preference = preferenceOrDefault(preference)
	rec := make([]bool, len(o.Media))
	for i := range o.Media {
		rec[i] = recordable(&o.Media[i], preference)
	}
	return rec
}

// recordable reports whether the recorder can take m; see RecordableStreams.
func recordable(m *OfferedMedia, preference []string) bool {
	if m.Kind != "audio" || m.Port <= 0 {
		return false
	}
	if m.Proto != "RTP/AVP" && m.Proto != "RTP/AVPF" {
		return false
	}
	_, ok := chooseFormat(m.Formats, preference)
	return ok
}

// chooseFormat returns the first format of preference that formats hold;
// among formats of the same name, the first offered wins.
func chooseFormat(formats []Format, preference []string) (Format, bool) {
	for _, name := range preference {
		if strings.EqualFold(name, eventName) {
			continue // an event stream is no audio to record
		}
		for _, f := range formats {
			if f.Name != "" && strings.EqualFold(f.Name, name) {
				return f, true
			}
		}
	}
	return Format{}, false
}

// chooseEvent returns the telephone-event format to accept beside audio:
// the one with audio's clock rate, as RFC 4733 asks the sender to use, else
// the first offered.
func chooseEvent(formats []Format, audio Format) (Format, bool) {
	var first *Format
	for i, f := range formats {
		if !strings.EqualFold(f.Name, eventName) {
			continue
		}
		if f.Clock == audio.Clock {
			return f, true
		}
		if first == nil {
			first = &formats[i]
		}
	}
	if first == nil {
		return Format{}, false
	}
	return *first, true
}

// Answer builds the recorder's answer to o (RFC 3264 section 6) and reports
// what it chose per m-line. The answer has the offer's m-lines in the
// offer's order. An accepted m-line carries one audio codec, the first of
// opts.Preference that the offer has, plus telephone-event when offered,
// each with its offered payload type, rtpmap and fmtp; the offered ptime
// and label; and a=recvonly, or a=inactive when the offerer does not send.
// A refused m-line has port 0 and the offered formats, as RFC 3264 section
// 6 requires of a rejected stream. Lines end in CRLF.
//
// A re-offer (RFC 3264 section 8) is answered the same way: an m-line
// that it adds is taken like any other, and one it disables (port 0) is
// refused. Errors are about opts only.
func (o *Offer) Answer(opts AnswerOptions) ([]byte, []Chosen, error) {
	if !opts.LocalIP.IsValid() || opts.LocalIP.IsUnspecified() {
		return nil, nil, errors.New("answer sdp: no local ip")
	}
	local := opts.LocalIP.Unmap().WithZone("")
	preference := preferenceOrDefault(opts.Preference)

	sd := answerSession(local, opts.SessionID, opts.SessionVersion)
	chosen := make([]Chosen, 0, len(o.Media))
	for i := range o.Media {
		port := 0
		if i < len(opts.Ports) {
			port = opts.Ports[i]
		}
		if port < 0 || port > 65535 {
			return nil, nil, fmt.Errorf("answer sdp: m-line %d: port %d out of range", i+1, port)
		}
		md, c := answerMedia(&o.Media[i], port, preference)
		sd.MediaDescriptions = append(sd.MediaDescriptions, md)
		chosen = append(chosen, c)
	}

	body, err := sd.Marshal()
	if err != nil {
		return nil, nil, fmt.Errorf("answer sdp: %w", err)
	}
	return body, chosen, nil
}

// preferenceOrDefault returns p, or defaultPreference when p is empty.
func preferenceOrDefault(p []string) []string {
	if len(p) == 0 {
		return defaultPreference
	}
	return p
}

// answerSession returns the session-level part of an answer: o=, s=, c=
// and t= (RFC 8866 sections 5.2 to 5.9). The one session-level c= serves
// every m-line, since the recorder receives all streams on one address.
func answerSession(local netip.Addr, id, version uint64) *sdp.SessionDescription {
	addrType := "IP4"
	if local.Is6() {
		addrType = "IP6"
	}
	return &sdp.SessionDescription{
		Origin: sdp.Origin{
			Username:       "earshot",
			SessionID:      id,
			SessionVersion: version,
			NetworkType:    "IN",
			AddressType:    addrType,
			UnicastAddress: local.String(),
		},
		SessionName: "-",
		ConnectionInformation: &sdp.ConnectionInformation{
			NetworkType: "IN",
			AddressType: addrType,
			Address:     &sdp.Address{Address: local.String()},
		},
		TimeDescriptions: []sdp.TimeDescription{{Timing: sdp.Timing{}}},
	}
}

// answerMedia answers one m-line on port, 0 to refuse it.
func answerMedia(m *OfferedMedia, port int, preference []string) (*sdp.MediaDescription, Chosen) {
	c := Chosen{
		Index:     m.Index,
		EventPT:   -1,
		Remote:    m.Remote,
		Label:     m.Label,
		Direction: DirInactive,
	}
	md := &sdp.MediaDescription{MediaName: sdp.MediaName{
		Media:   m.Kind,
		Protos:  strings.Split(m.Proto, "/"),
		Formats: offeredFormats(m),
	}}
	if m.Label != "" {
		md.Attributes = append(md.Attributes, sdp.NewAttribute("label", m.Label))
	}
	if port == 0 || !recordable(m, preference) {
		return md, c
	}

	c.Active = true
	c.Format, _ = chooseFormat(m.Formats, preference)
	md.MediaName.Port.Value = port
	md.MediaName.Formats = []string{strconv.Itoa(int(c.Format.PT))}
	md.Attributes = appendFormat(md.Attributes, c.Format)
	if ev, ok := chooseEvent(m.Formats, c.Format); ok {
		c.EventPT = int(ev.PT)
		md.MediaName.Formats = append(md.MediaName.Formats, strconv.Itoa(c.EventPT))
		md.Attributes = appendFormat(md.Attributes, ev)
	}
	if m.Ptime > 0 {
		md.Attributes = append(md.Attributes, sdp.NewAttribute("ptime", strconv.Itoa(m.Ptime)))
	}
	c.Direction = answerDirection(m.Direction)
	md.Attributes = append(md.Attributes, sdp.NewPropertyAttribute(c.Direction))
	return md, c
}

// answerDirection is the recorder's direction for an offered one (RFC 3264
// section 6.1): it only ever receives, so it answers recvonly to a
// sender and inactive to an offerer that does not send.
func answerDirection(offered string) string {
	if offered == DirSendOnly || offered == DirSendRecv {
		return DirRecvOnly
	}
	return DirInactive
}

// offeredFormats returns the <fmt> tokens to echo on a refused m-line.
func offeredFormats(m *OfferedMedia) []string {
	if len(m.RawFormats) > 0 {
		return m.RawFormats
	}
	fmts := make([]string, len(m.Formats))
	for i, f := range m.Formats {
		fmts[i] = strconv.Itoa(int(f.PT))
	}
	return fmts
}

// appendFormat appends the a=rtpmap of f, and its a=fmtp when it has one
// (RFC 8866 sections 6.6 and 6.15). The rtpmap is written for static
// payload types too: it costs a line and spares the offerer a lookup.
func appendFormat(attrs []sdp.Attribute, f Format) []sdp.Attribute {
	rtpmap := fmt.Sprintf("%d %s/%d", f.PT, f.Name, f.Clock)
	if f.Channels > 1 {
		rtpmap += "/" + strconv.Itoa(f.Channels)
	}
	attrs = append(attrs, sdp.NewAttribute("rtpmap", rtpmap))
	if f.Fmtp != "" {
		attrs = append(attrs, sdp.NewAttribute("fmtp", fmt.Sprintf("%d %s", f.PT, f.Fmtp)))
	}
	return attrs
}
