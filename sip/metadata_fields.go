package siprec

import (
	"slices"
	"strings"
)

// elemKind is what an element of a metadata document is taken to be.
type elemKind uint8

const (
	kindExt            elemKind = iota // a vendor extension, or anything unknown
	kindRoot                           // recording, or an older root
	kindDataMode                       // datamode
	kindGroup                          // group: a communication session group
	kindSession                        // session: a communication session
	kindParticipant                    // participant
	kindStream                         // stream
	kindStreamAssoc                    // participantstreamassoc
	kindSessionAssoc                   // participantsessionassoc
	kindRecordingAssoc                 // sessionrecordingassoc
	kindNameID                         // nameID, inside a participant
	kindField                          // a known child element, read for its text
)

// entityKinds maps the elements that describe one object of the RFC 7865
// metadata model (a group, session, participant or stream, or an
// association between them) to their kind. The names are those of the
// schema in RFC 7865 Section 9.
var entityKinds = map[string]elemKind{
	"group":                   kindGroup,
	"session":                 kindSession,
	"participant":             kindParticipant,
	"stream":                  kindStream,
	"participantstreamassoc":  kindStreamAssoc,
	"participantsessionassoc": kindSessionAssoc,
	"sessionrecordingassoc":   kindRecordingAssoc,
}

// fieldNames lists, for each kind of parent, the child elements that the
// schema of RFC 7865 (Section 9) and its drafts define, lower-case. They
// are read as fields, not taken for vendor extensions; those the recorder
// has no use for (reason, mode, the association times of participants and
// streams) are dropped. Older drafts put name, aor, send and recv straight
// into participant.
var fieldNames = map[elemKind]map[string]bool{
	kindGroup: nameSet("associate-time", "disassociate-time"),
	kindSession: nameSet("sipsessionid", "group-ref", "reason",
		"start-time", "stop-time", "end-time", "associate-time", "disassociate-time"),
	kindParticipant: nameSet("name", "aor", "send", "recv",
		"start-time", "stop-time", "end-time", "associate-time", "disassociate-time"),
	kindNameID: nameSet("name"),
	kindStream: nameSet("label", "mode", "content",
		"start-time", "stop-time", "end-time", "associate-time", "disassociate-time"),
	kindStreamAssoc:    nameSet("send", "recv", "associate-time", "disassociate-time"),
	kindSessionAssoc:   nameSet("associate-time", "disassociate-time"),
	kindRecordingAssoc: nameSet("associate-time", "disassociate-time"),
}

// nameSet returns a set of the given names.
func nameSet(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// classifyElement tells what an element named local (lower-case) is, from the
// kind of its parent. RFC 7865 puts every object at the top level and ties
// them together by id; some drafts nest sessions in groups and
// participants and streams in sessions, which is read the same way.
// Everything inside a vendor element is vendor data too.
func classifyElement(parent *metaFrame, local string) elemKind {
	if parent == nil {
		return kindRoot
	}
	k, isEntity := entityKinds[local]
	switch parent.kind {
	case kindRoot:
		if local == "datamode" {
			return kindDataMode
		}
		if isEntity {
			return k
		}
		return kindExt
	case kindGroup:
		if k == kindSession {
			return k
		}
	case kindSession:
		if k == kindParticipant || k == kindStream {
			return k
		}
	case kindParticipant:
		if local == "nameid" {
			return kindNameID
		}
	case kindExt, kindField, kindDataMode:
		return kindExt
	}
	if fieldNames[parent.kind][local] {
		return kindField
	}
	return kindExt
}

// field applies the text of a known child element to its parent's record.
func (p *metaParser) field(f, parent *metaFrame) {
	v := strings.TrimSpace(string(f.text))
	switch parent.kind {
	case kindSession:
		p.sessionField(parent.sess, f.local, v)
	case kindParticipant:
		participantField(parent.part, f.local, v)
	case kindNameID:
		if pf := p.nearest(kindParticipant); pf != nil && f.local == "name" {
			setParticipantName(pf.part, v)
		}
	case kindStream:
		if f.local == "label" && parent.stream.Label == "" {
			parent.stream.Label = v
		}
	case kindStreamAssoc:
		switch f.local {
		case "send":
			parent.assoc.send = append(parent.assoc.send, strings.Fields(v)...)
		case "recv":
			parent.assoc.recv = append(parent.assoc.recv, strings.Fields(v)...)
		}
	case kindRecordingAssoc:
		p.assocTime(parent.recA, f.local, v)
	}
}

// sessionField applies one child element of a session.
func (p *metaParser) sessionField(s *Session, local, v string) {
	switch local {
	case "sipsessionid":
		if v != "" && !slices.Contains(s.SIPCallIDs, v) {
			s.SIPCallIDs = append(s.SIPCallIDs, v)
		}
	case "group-ref":
		s.GroupID = v
	case "start-time":
		s.Start = p.time(v, "session start-time")
	case "stop-time", "end-time":
		s.Stop = p.time(v, "session "+local)
	case "associate-time", "disassociate-time":
		// Some SRCs time the session itself this way rather than with a
		// sessionrecordingassoc; both stand in for missing start/stop.
		if s.ID != "" {
			p.assocTime(p.recordingAssoc(s.ID), local, v)
		}
	}
}

// participantField applies one child element of a participant: the older
// drafts' name, aor, send and recv.
func participantField(part *Participant, local, v string) {
	switch local {
	case "name":
		setParticipantName(part, v)
	case "aor":
		setParticipantAOR(part, v)
	case "send":
		part.Send = appendNewIDs(part.Send, strings.Fields(v)...)
	case "recv":
		part.Recv = appendNewIDs(part.Recv, strings.Fields(v)...)
	}
}

// assocTime applies an associate-time or disassociate-time.
func (p *metaParser) assocTime(a *recordingAssoc, local, v string) {
	switch local {
	case "associate-time":
		a.associate = p.time(v, local)
	case "disassociate-time":
		a.disassociate = p.time(v, local)
	}
}

// participant returns the participant with id, creating it if needed.
func (p *metaParser) participant(id string) *Participant {
	part, dup := recordByID(p.partByID, &p.parts, id, func() *Participant {
		return &Participant{ID: id}
	})
	p.noteRecord("participant", id, dup)
	return part
}

// session returns the session with id, creating it if needed.
func (p *metaParser) session(id string) *Session {
	s, dup := recordByID(p.sessByID, &p.sessions, id, func() *Session {
		return &Session{ID: id}
	})
	p.noteRecord("session", id, dup)
	return s
}

// stream returns the stream with id, creating it if needed.
func (p *metaParser) stream(id string) *Stream {
	s, dup := recordByID(p.streamByID, &p.streams, id, func() *Stream {
		return &Stream{ID: id}
	})
	p.noteRecord("stream", id, dup)
	return s
}

// recordingAssoc returns the association times of session id.
func (p *metaParser) recordingAssoc(id string) *recordingAssoc {
	if id == "" {
		p.warnf("sessionrecordingassoc without a session id")
		return &recordingAssoc{}
	}
	a, ok := p.recAssocs[id]
	if !ok {
		a = &recordingAssoc{}
		p.recAssocs[id] = a
	}
	return a
}

// noteRecord warns about an object without an id, or described twice.
func (p *metaParser) noteRecord(kind, id string, dup bool) {
	switch {
	case id == "":
		p.warnf("%s without an id", kind)
	case dup:
		p.warnf("%s %q is described twice; merged", kind, clipValue(id))
	}
}

// recordByID returns the object with id from byID, or makes one with mk and
// adds it to list; objects without an id are never shared. dup reports
// whether the object existed already.
func recordByID[T any](byID map[string]*T, list *[]*T, id string, mk func() *T) (rec *T, dup bool) {
	if r, ok := byID[id]; ok && id != "" {
		return r, true
	}
	r := mk()
	*list = append(*list, r)
	if id != "" {
		byID[id] = r
	}
	return r, false
}

// setParticipantName sets the participant's name unless it has one: the first name
// given, in whatever language, is the one shown.
func setParticipantName(part *Participant, v string) {
	if part.Name == "" {
		part.Name = v
	}
}

// setParticipantAOR sets the participant's address of record unless it has one.
func setParticipantAOR(part *Participant, v string) {
	if a := normalizeAOR(v); part.AOR == "" && a != "" {
		part.AOR = a
	}
}

// appendNewIDs appends the values of add that list lacks. The result is
// never nil, so that an association that names no stream still says so.
func appendNewIDs(list []string, add ...string) []string {
	if list == nil {
		list = []string{}
	}
	for _, v := range add {
		if !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}
