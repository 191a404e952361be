package siprec

import (
	"strings"
	"time"
)

// This file holds what is specific to vendors' dialects of the metadata:
// their extension elements, and the forms they give addresses and times.

// Keys of Metadata.Extra, the vendor extensions that identify the call.
const (
	// ExtraUCID is a universal call id as Oracle/Acme Packet SBCs send it
	// (apkt:ucid), or another vendor's without a namespace that says whose.
	ExtraUCID = "ucid"
	// ExtraAvayaUCID is Avaya's universal call id.
	ExtraAvayaUCID = "avaya_ucid"
	// ExtraGenesysCallID is the Genesys call UUID.
	ExtraGenesysCallID = "genesys_call_id"
	// ExtraCiscoGUID is the call GUID of Cisco CUBE.
	ExtraCiscoGUID = "cisco_guid"
	// ExtraOriginalCallID is the Call-ID of the recorded call.
	ExtraOriginalCallID = "original_call_id"
	// ExtraOriginalFrom is the From of the recorded call.
	ExtraOriginalFrom = "original_from"
	// ExtraOriginalTo is the To of the recorded call.
	ExtraOriginalTo = "original_to"
)

// maxHint caps the length of a vendor hint, so that deeply nested vendor
// data costs no more than shallow data.
const maxHint = 256

// extOwner is the object that vendor data inside an element belongs to.
type extOwner struct {
	id, kind string
	part     *Participant // when the owner is a participant it is nested in
}

// extension records a vendor element that has text and no child elements:
// the schema of RFC 7865 (Section 9) lets elements of other namespaces
// appear inside any object, and vendors put their call identifiers and
// calling-party flags there.
func (p *metaParser) extension(f *metaFrame) {
	v := strings.TrimSpace(string(f.text))
	if v == "" {
		return
	}
	p.exts = append(p.exts, extRecord{
		Extension: Extension{
			Name:       f.name.Local,
			Space:      f.name.Space,
			Value:      v,
			Parent:     f.owner.id,
			ParentKind: f.owner.kind,
		},
		vendor: f.hint,
		part:   f.owner.part,
	})
}

// ownerOf returns the object that vendor data in f belongs to: the object
// f describes, the one a "parent" attribute names (as Oracle writes vendor
// data at the top level), or else its parent's owner. The kind of a
// "parent" reference is found once the whole document is read.
func ownerOf(f, parent *metaFrame) extOwner {
	switch f.kind {
	case kindParticipant:
		return extOwner{f.part.ID, "participant", f.part}
	case kindSession:
		return extOwner{id: f.sess.ID, kind: "session"}
	case kindStream:
		return extOwner{id: f.stream.ID, kind: "stream"}
	case kindGroup:
		return extOwner{id: f.id, kind: "group"}
	case kindStreamAssoc:
		return extOwner{id: f.assoc.participant, kind: "participant"}
	case kindSessionAssoc:
		return extOwner{id: f.id, kind: "participant"}
	}
	if f.parent != "" {
		return extOwner{id: f.parent}
	}
	if parent == nil {
		return extOwner{kind: "recording"}
	}
	return parent.owner
}

// vendorHint returns the namespace, prefix and name of a vendor element and
// of the vendor elements around it, lower-case and capped at maxHint bytes:
// enough to tell whose "ucid" or "callId" it is.
func (p *metaParser) vendorHint(f, parent *metaFrame) string {
	h := strings.ToLower(f.name.Space + " " + p.prefixes[f.name.Space] + " " + f.name.Local)
	if parent != nil && parent.kind == kindExt {
		h += " " + parent.hint
	}
	if len(h) > maxHint {
		h = h[:maxHint]
	}
	return h
}

// extraKey returns the Metadata.Extra key for a vendor element, or "" if
// it does not identify the call or its parties. name is the element's
// local name; vendor is its vendorHint.
func extraKey(name, vendor string) string {
	n := squashName(name)
	switch n {
	case "avayaucid":
		return ExtraAvayaUCID
	case "genesysuuid", "genesyscallid", "genesyscalluuid", "calluuid":
		return ExtraGenesysCallID
	case "guid", "ciscoguid":
		return ExtraCiscoGUID
	case "callerorig", "originalfrom", "origfrom", "from":
		return ExtraOriginalFrom
	case "calleeorig", "originalto", "origto", "to":
		return ExtraOriginalTo
	case "ucid", "universalcallid":
		if strings.Contains(vendor, "avaya") {
			return ExtraAvayaUCID
		}
		return ExtraUCID
	case "callid", "sipcallid", "originalcallid":
		if strings.Contains(vendor, "genesys") {
			return ExtraGenesysCallID
		}
		return ExtraOriginalCallID
	}
	return ""
}

// isCallingFlag reports whether a vendor element named name marks the
// calling party (Cisco's callingParty, Oracle's apkt:callingParty).
func isCallingFlag(name string) bool {
	return squashName(name) == "callingparty"
}

// flagValue reports whether a flag's value means yes.
func flagValue(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1", "yes", "y":
		return true
	}
	return false
}

// squashName lower-cases a name and drops the '-', '_' and '.' that vendors
// spell their element names with in different ways.
func squashName(name string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '-', '_', '.':
			return -1
		}
		return r
	}, strings.ToLower(name))
}

// normalizeAOR returns an address of record with its scheme: sip:, sips:
// and tel: are kept (scheme lower-cased), other schemes are kept as sent,
// and an address without a scheme, as several SRCs write it, gets sip:.
// Angle brackets around the address are dropped.
func normalizeAOR(v string) string {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "<") && strings.HasSuffix(v, ">") {
		v = strings.TrimSpace(v[1 : len(v)-1])
	}
	if v == "" {
		return ""
	}
	scheme, rest, ok := strings.Cut(v, ":")
	if !ok || !isScheme(scheme) {
		return "sip:" + v
	}
	switch s := strings.ToLower(scheme); s {
	case "sip", "sips", "tel":
		return s + ":" + rest
	}
	return v
}

// isScheme reports whether s is a URI scheme (RFC 3986 Section 3.1). A
// user part followed by a host and port, as in "alice@host:5060", is not.
func isScheme(s string) bool {
	if s == "" || !isASCIILetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isASCIILetter(c) && !('0' <= c && c <= '9') && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// isASCIILetter reports whether c is an ASCII letter.
func isASCIILetter(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// metadataTimeLayouts are the forms of date-time that SRCs send. The
// schema of RFC 7865 (Section 9) asks for xs:dateTime, which RFC 3339
// covers, but some SRCs leave out the zone (read as UTC) or write it
// without a colon.
var metadataTimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
}

// time parses a date-time value; what cannot be parsed gives a warning
// naming what it was, and the zero time.
func (p *metaParser) time(v, what string) time.Time {
	if v == "" {
		return time.Time{}
	}
	for _, layout := range metadataTimeLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC()
		}
	}
	p.warnf("%s %q is not a date-time", what, clipValue(v))
	return time.Time{}
}
