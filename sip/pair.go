package siprec

import (
	"slices"
	"time"

	"github.com/emiago/sipgo/sip"

	"earshot/storage"
)

// pairKey returns the correlation value of a forked single-stream INVITE:
// the configured parameter of the From URI (Cisco puts x-refci there), or
// of the To URI; "" when pairing is off or the value is absent.
func (s *Server) pairKey(req *sip.Request) string {
	if s.cfg.PairParam == "" {
		return ""
	}
	for _, u := range []*sip.Uri{addrOf(req.From()), addrOfTo(req.To())} {
		if u == nil {
			continue
		}
		if v, ok := u.UriParams.Get(s.cfg.PairParam); ok && v != "" {
			return v
		}
	}
	return ""
}

func addrOf(h *sip.FromHeader) *sip.Uri {
	if h == nil {
		return nil
	}
	return &h.Address
}

func addrOfTo(h *sip.ToHeader) *sip.Uri {
	if h == nil {
		return nil
	}
	return &h.Address
}

// joinPair records a single-stream INVITE that a PBX sends for one side
// of a call. The first of a pair starts the recording on the left channel
// and waits PairWait for its partner; the second adds its stream on the
// right. A leg whose partner never comes is recorded alone.
func (s *Server) joinPair(req *sip.Request, sess *session, ib *inviteBody, recordable []bool) error {
	key := s.pairKey(req)
	s.mu.Lock()
	first := s.pending[key]
	if first != nil {
		delete(s.pending, key)
	}
	s.mu.Unlock()
	if first == nil {
		return s.startFirstLeg(req, sess, ib, recordable, key)
	}
	return s.addSecondLeg(req, sess, ib, recordable, first)
}

func (s *Server) startFirstLeg(
	req *sip.Request,
	sess *session,
	ib *inviteBody,
	recordable []bool,
	key string,
) error {
	plan := planByOrder(recordable)
	plan.basis = "forked legs paired by " + s.cfg.PairParam + ", first leg on the left"
	plan.participants = legParty(req, 0)
	if err := s.startRecording(req, sess, ib, recordable); err != nil {
		return err
	}
	s.mu.Lock()
	s.pending[key] = sess
	s.mu.Unlock()
	time.AfterFunc(s.cfg.PairWait, func() {
		s.mu.Lock()
		if s.pending[key] == sess {
			delete(s.pending, key)
		}
		s.mu.Unlock()
	})
	c := sess.rec.call
	extra := map[string]string{"channel_mapping": plan.basis, "pair_key": key}
	return c.SetMetadata(plan.participants, extra, "", nil)
}

func (s *Server) addSecondLeg(
	req *sip.Request,
	sess *session,
	ib *inviteBody,
	recordable []bool,
	first *session,
) error {
	channels := make([]int, len(recordable))
	for i, ok := range recordable {
		channels[i] = -1
		if ok {
			channels[i] = 1
		}
	}
	rec := first.rec
	rec.mu.Lock()
	defer rec.mu.Unlock()
	params := slices.Concat(rec.params, streamParams(ib.offer, channels))
	if err := rec.call.Update(params); err != nil {
		return err
	}
	sess.base = len(rec.params)
	rec.params = params
	rec.dialogs++
	sess.rec = rec
	parties := append(legParty(first.invite, 0), legParty(req, 1)...)
	return rec.call.SetMetadata(parties, map[string]string{
		"channel_mapping": "forked legs paired by " + s.cfg.PairParam + ", first leg on the left",
		"pair_key":        s.pairKey(req),
	}, "", nil)
}

// legParty names the party of one forked leg from its From header.
func legParty(req *sip.Request, channel int) []storage.Participant {
	p := storage.Participant{Channel: channel}
	if from := req.From(); from != nil {
		p.Name, p.SIPAddress = from.DisplayName, uriString(&from.Address)
	}
	return []storage.Participant{p}
}
