package siprec

import (
	"maps"
	"slices"

	"earshot/recorder"
)

// apply brings a session up to date with a re-offer and new metadata:
// RFC 7865 section 6 (a complete snapshot replaces, a partial update
// merges) and RFC 3264 section 8 (a new offer may change addresses,
// codecs and directions, and add or remove streams).
func (s *Server) apply(sess *session, ib *inviteBody) error {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	if ib.meta != nil {
		sess.meta = Merge(sess.meta, ib.meta)
	}
	if ib.offer != nil {
		sess.offer = ib.offer
	}
	rec := sess.rec
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if ib.offer != nil || ib.meta != nil {
		if err := s.applyStreams(sess, rec); err != nil {
			return err
		}
	}
	if ib.offer != nil {
		if err := pauseIfInactive(rec.call, sess.offer, rec.params[sess.base:]); err != nil {
			return err
		}
	}
	if ib.meta == nil && len(ib.warnings) == 0 {
		return nil
	}
	return s.applyMetadata(sess, rec, ib)
}

// applyStreams updates the recorder's streams from the session's offer.
// A stream keeps its channel once it has one; a stream the offer removes
// stops being expected but keeps what it recorded.
func (s *Server) applyStreams(sess *session, rec *recording) error {
	recordable := sess.offer.RecordableStreams(s.cfg.CodecPreference)
	plan := planByOrder(recordable)
	if sess.siprec {
		plan = planSIPREC(sess.offer, recordable, sess.meta)
	}
	params := slices.Clone(rec.params)
	for i := range sess.offer.Media {
		j := sess.base + i
		p := mediaParams(&sess.offer.Media[i], plan.channels[i])
		if !recordable[i] {
			p.Active = false
		}
		if j < len(params) {
			if params[j].Channel >= 0 && (!sess.siprec || sess.meta == nil || p.Channel < 0) {
				p.Channel = params[j].Channel
			}
			params[j] = p
			continue
		}
		params = append(params, p)
	}
	if err := rec.call.Update(params); err != nil {
		return err
	}
	rec.params = params
	return nil
}

// pauseIfInactive pauses the recording when the SRC marks every stream
// inactive (RFC 7866 section 7.1.1: how an SRC pauses recording, for
// example while a card number is read out) and resumes it when a stream
// is active again.
func pauseIfInactive(call *recorder.Call, offer *Offer, params []recorder.StreamParams) error {
	any, active := false, false
	for i, m := range offer.Media {
		if i >= len(params) || params[i].Channel < 0 || m.Kind != "audio" || m.Port == 0 {
			continue
		}
		any = true
		active = active || m.Direction != "inactive"
	}
	if !any {
		return nil
	}
	if active {
		return call.Resume()
	}
	return call.Pause("sip: all streams inactive")
}

// applyMetadata hands the merged metadata to the recorder.
func (s *Server) applyMetadata(sess *session, rec *recording, ib *inviteBody) error {
	if !sess.siprec || sess.meta == nil {
		return nil
	}
	recordable := sess.offer.RecordableStreams(s.cfg.CodecPreference)
	plan := planSIPREC(sess.offer, recordable, sess.meta)
	extra := map[string]string{"channel_mapping": plan.basis}
	maps.Copy(extra, sess.meta.Extra)
	return rec.call.SetMetadata(plan.participants, extra, ib.rawMeta, ib.warnings)
}
