package siprec

import (
	"maps"
	"slices"
)

// Merge returns what is known of a recording session once update arrives on
// top of base, as RFC 7865 and RFC 7866 define the data modes. A complete
// update is a snapshot and replaces everything known. A partial update is
// folded in: sessions, participants and streams are matched by id, and a
// field the update gives overwrites the known one; a participant's Send and
// Recv are replaced when the update states them (nil means it did not);
// Calling, once true, stays true; Extra keys in the update overwrite;
// extensions and warnings are appended.
//
// Neither argument is changed, and the result shares no memory with them.
// Either may be nil; with both nil the result is nil.
func Merge(base *Metadata, update *Metadata) *Metadata {
	switch {
	case update == nil:
		return base.clone()
	case base == nil || update.Mode == Complete:
		return update.clone()
	}
	out := base.clone()
	out.Sessions = mergeByID(out.Sessions, update.Sessions,
		func(s *Session) string { return s.ID }, mergeSession, cloneSession)
	out.Participants = mergeByID(out.Participants, update.Participants,
		func(p *Participant) string { return p.ID }, mergeParticipant, cloneParticipant)
	out.Streams = mergeByID(out.Streams, update.Streams,
		func(s *Stream) string { return s.ID }, mergeStream, func(s Stream) Stream { return s })
	if len(update.Extra) > 0 && out.Extra == nil {
		out.Extra = make(map[string]string, len(update.Extra))
	}
	maps.Copy(out.Extra, update.Extra)
	out.Extensions = append(out.Extensions, update.Extensions...)
	out.Warnings = append(out.Warnings, update.Warnings...)
	return out
}

// mergeByID folds each of src into the element of dst with the same id, or
// appends a clone of it when there is none or it has no id.
func mergeByID[T any](dst, src []T, id func(*T) string, merge func(*T, T), clone func(T) T) []T {
	for _, u := range src {
		i := slices.IndexFunc(dst, func(d T) bool {
			return id(&u) != "" && id(&d) == id(&u)
		})
		if i < 0 {
			dst = append(dst, clone(u))
			continue
		}
		merge(&dst[i], u)
	}
	return dst
}

// mergeSession folds a partial update of a session into dst.
func mergeSession(dst *Session, u Session) {
	for _, id := range u.SIPCallIDs {
		if !slices.Contains(dst.SIPCallIDs, id) {
			dst.SIPCallIDs = append(dst.SIPCallIDs, id)
		}
	}
	dst.GroupID = orKeep(u.GroupID, dst.GroupID)
	if !u.Start.IsZero() {
		dst.Start = u.Start
	}
	if !u.Stop.IsZero() {
		dst.Stop = u.Stop
	}
}

// mergeParticipant folds a partial update of a participant into dst.
func mergeParticipant(dst *Participant, u Participant) {
	dst.Name = orKeep(u.Name, dst.Name)
	dst.AOR = orKeep(u.AOR, dst.AOR)
	if u.Send != nil {
		dst.Send = slices.Clone(u.Send)
	}
	if u.Recv != nil {
		dst.Recv = slices.Clone(u.Recv)
	}
	dst.Calling = dst.Calling || u.Calling
}

// mergeStream folds a partial update of a stream into dst.
func mergeStream(dst *Stream, u Stream) {
	dst.Label = orKeep(u.Label, dst.Label)
	dst.SessionID = orKeep(u.SessionID, dst.SessionID)
}

// orKeep returns v, or old when v is empty.
func orKeep(v, old string) string {
	if v == "" {
		return old
	}
	return v
}

// clone returns a deep copy of m, or nil for nil.
func (m *Metadata) clone() *Metadata {
	if m == nil {
		return nil
	}
	c := *m
	c.Sessions = cloneEach(m.Sessions, cloneSession)
	c.Participants = cloneEach(m.Participants, cloneParticipant)
	c.Streams = slices.Clone(m.Streams)
	c.Extra = maps.Clone(m.Extra)
	c.Extensions = slices.Clone(m.Extensions)
	c.Warnings = slices.Clone(m.Warnings)
	return &c
}

// cloneEach returns a copy of list with each element cloned.
func cloneEach[T any](list []T, clone func(T) T) []T {
	if list == nil {
		return nil
	}
	out := make([]T, len(list))
	for i, v := range list {
		out[i] = clone(v)
	}
	return out
}

// cloneSession returns a copy of s that shares no memory with it.
func cloneSession(s Session) Session {
	s.SIPCallIDs = slices.Clone(s.SIPCallIDs)
	return s
}

// cloneParticipant returns a copy of p that shares no memory with it.
func cloneParticipant(p Participant) Participant {
	p.Send = slices.Clone(p.Send)
	p.Recv = slices.Clone(p.Recv)
	return p
}
