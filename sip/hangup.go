package siprec

import (
	"context"
	"time"

	"github.com/emiago/sipgo/sip"

	"earshot/recorder"
)

// hangUp ends, with a BYE to the SRC (RFC 3261 section 15.1.1), every
// dialog that fed a recording the recorder ended by itself after its RTP
// went silent, so that the SRC stops holding a session nobody records.
// The BYEs go out in the background; Serve waits for them.
func (s *Server) hangUp(call *recorder.Call) {
	for _, sess := range s.sessionsOf(call) {
		s.bg.Go(func() {
			s.sendBye(sess)
			s.endSession(sess, "rtp timeout")
		})
	}
}

// sessionsOf returns the dialogs feeding a recording.
func (s *Server) sessionsOf(call *recorder.Call) []*session {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*session
	for _, sess := range s.sessions {
		if sess.rec != nil && sess.rec.call == call {
			out = append(out, sess)
		}
	}
	return out
}

// sendBye sends a BYE within the dialog the INVITE opened: from our side
// (its To, with our tag) to the SRC's Contact.
func (s *Server) sendBye(sess *session) {
	inv := sess.invite
	contact, from, to := inv.Contact(), inv.To(), inv.From()
	if contact == nil || from == nil || to == nil {
		s.log.Warn("cannot hang up a session without Contact, From or To", "sip_call_id", callID(inv))
		return
	}
	bye := sip.NewRequest(sip.BYE, *contact.Address.Clone())
	ours := from.AsFrom()
	ours.Params = ours.Params.Clone()
	ours.Params.Add("tag", sess.tag)
	theirs := to.AsTo()
	theirs.Params = theirs.Params.Clone()
	cid := sip.CallIDHeader(callID(inv))
	bye.AppendHeader(&ours)
	bye.AppendHeader(&theirs)
	bye.AppendHeader(&cid)
	bye.SetTransport(inv.Transport())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := s.client.Do(ctx, bye)
	if err != nil {
		s.log.Warn("send bye after rtp timeout", "sip_call_id", callID(inv), "err", err)
		return
	}
	s.log.Info("hung up a silent session", "sip_call_id", callID(inv), "status", res.StatusCode)
}
