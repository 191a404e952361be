package siprec

import (
	"fmt"
	"slices"
)

// finish ties the objects of the document together once it is all read,
// by the ids that RFC 7865 uses for every reference, and returns the result.
func (p *metaParser) finish() *Metadata {
	p.applyStreamAssocs()
	p.applyRecordingAssocs()
	p.applyExtensions()
	if p.mode == Complete && !p.truncated {
		p.checkComplete()
	}
	return p.result()
}

// applyStreamAssocs gives each participant the streams that its
// participantstreamassoc elements say it sends and receives.
func (p *metaParser) applyStreamAssocs() {
	for _, a := range p.assocs {
		part := p.assocParticipant(a.participant)
		if part == nil {
			continue
		}
		part.Send = appendNewIDs(part.Send, a.send...)
		part.Recv = appendNewIDs(part.Recv, a.recv...)
	}
}

// assocParticipant returns the participant that an association names. A
// partial update may name one described in an earlier document, so an
// unknown participant gets a record of its own, which Merge folds into the
// earlier one; in a complete document that is also worth a warning.
func (p *metaParser) assocParticipant(id string) *Participant {
	if id == "" {
		p.warnf("participantstreamassoc without a participant id")
		return nil
	}
	if part, ok := p.partByID[id]; ok {
		return part
	}
	if p.mode == Complete {
		p.warnf("participantstreamassoc names participant %q, which is not described",
			clipValue(id))
	}
	part := &Participant{ID: id}
	p.parts = append(p.parts, part)
	p.partByID[id] = part
	return part
}

// applyRecordingAssocs lets the times at which a session joined and left
// the recording stand in for the session's own start and stop times.
func (p *metaParser) applyRecordingAssocs() {
	for _, s := range p.sessions {
		a, ok := p.recAssocs[s.ID]
		if !ok {
			continue
		}
		if s.Start.IsZero() {
			s.Start = a.associate
		}
		if s.Stop.IsZero() {
			s.Stop = a.disassociate
		}
	}
	if p.mode != Complete {
		return
	}
	var unknown []string
	for id := range p.recAssocs {
		if p.sessByID[id] == nil {
			unknown = append(unknown, id)
		}
	}
	slices.Sort(unknown)
	for _, id := range unknown {
		p.warnf("sessionrecordingassoc names session %q, which is not described", clipValue(id))
	}
}

// applyExtensions maps the vendor elements that say who placed the call or
// which call it is onto Participant.Calling and Metadata.Extra.
func (p *metaParser) applyExtensions() {
	for i := range p.exts {
		e := &p.exts[i]
		if e.ParentKind == "" {
			e.ParentKind = p.kindOf(e.Parent)
		}
		if e.part == nil && e.ParentKind == "participant" {
			e.part = p.partByID[e.Parent]
		}
		if isCallingFlag(e.Name) {
			p.markCalling(e)
		}
		if key := extraKey(e.Name, e.vendor); key != "" {
			p.setExtra(key, e.Value)
		}
	}
}

// markCalling applies a calling-party flag.
func (p *metaParser) markCalling(e *extRecord) {
	switch {
	case e.part == nil:
		p.warnf("calling-party flag <%s> is not inside a participant", e.Name)
	case flagValue(e.Value):
		e.part.Calling = true
	}
}

// setExtra sets an Extra key unless an earlier element set it.
func (p *metaParser) setExtra(key, v string) {
	if p.extra == nil {
		p.extra = make(map[string]string)
	}
	if _, ok := p.extra[key]; !ok {
		p.extra[key] = v
	}
}

// kindOf returns the kind of the object with id, or "" if there is none.
func (p *metaParser) kindOf(id string) string {
	switch {
	case id == "":
		return "recording"
	case p.partByID[id] != nil:
		return "participant"
	case p.sessByID[id] != nil:
		return "session"
	case p.streamByID[id] != nil:
		return "stream"
	case p.groups[id]:
		return "group"
	}
	return ""
}

// checkComplete warns about what a complete document should hold but does
// not. A partial update is exempt: it may lean on what came before.
func (p *metaParser) checkComplete() {
	if len(p.parts) == 0 {
		p.warnf("metadata names no participant")
	}
	for _, part := range p.parts {
		if part.AOR == "" && part.Name == "" {
			p.warnf("participant %q has neither name nor address", clipValue(part.ID))
		}
	}
	for _, s := range p.streams {
		if s.Label == "" {
			p.warnf("stream %q has no label", clipValue(s.ID))
		}
	}
	p.checkSenders()
}

// checkSenders warns about a stream sent by two participants, and about a
// stream that is sent but not described where the document describes
// streams at all.
func (p *metaParser) checkSenders() {
	sender := make(map[string]string)
	for _, part := range p.parts {
		for _, id := range part.Send {
			if other, ok := sender[id]; ok && other != part.ID {
				p.warnf("stream %q is sent by both %q and %q",
					clipValue(id), clipValue(other), clipValue(part.ID))
			}
			sender[id] = part.ID
			if len(p.streams) > 0 && p.streamByID[id] == nil {
				p.warnf("participant %q sends stream %q, which is not described",
					clipValue(part.ID), clipValue(id))
			}
		}
	}
}

// result copies what was read into a Metadata.
func (p *metaParser) result() *Metadata {
	md := &Metadata{Mode: p.mode, Extra: p.extra}
	for _, s := range p.sessions {
		md.Sessions = append(md.Sessions, *s)
	}
	for _, part := range p.parts {
		md.Participants = append(md.Participants, *part)
	}
	for _, s := range p.streams {
		md.Streams = append(md.Streams, *s)
	}
	for _, e := range p.exts {
		md.Extensions = append(md.Extensions, e.Extension)
	}
	md.Warnings = p.warnings
	if p.dropped > 0 {
		md.Warnings = append(md.Warnings, fmt.Sprintf("%d more warnings left out", p.dropped))
	}
	return md
}
