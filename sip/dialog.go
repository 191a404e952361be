package siprec

import (
	"time"

	"github.com/emiago/sipgo/sip"
)

func (s *Server) onAck(req *sip.Request, _ sip.ServerTransaction) {
	sess, ok := s.session(req)
	if !ok {
		return
	}
	sess.mu.Lock()
	select {
	case <-sess.acked:
	default:
		close(sess.acked)
	}
	sess.mu.Unlock()
}

func (s *Server) onBye(req *sip.Request, tx sip.ServerTransaction) {
	arrived := time.Now()
	sess, ok := s.session(req)
	if !ok {
		s.reply(tx, req, refuse(481, "Call/Transaction Does Not Exist", "no recording session for this BYE"))
		return
	}
	s.ok(tx, req, nil)
	s.onAck(req, tx) // a BYE confirms the dialog even if the ACK was lost
	s.endSessionAt(sess, "bye", arrived)
	s.log.Info("recording session ended", "sip_call_id", callID(req), "recording_id", sess.rec.call.ID())
}

// onCancel handles a CANCEL the transaction layer did not absorb. The
// recorder answers INVITEs at once, so a CANCEL almost always arrives
// after the 200; the SRC then sends BYE (RFC 3261 section 9.2).
func (s *Server) onCancel(req *sip.Request, tx sip.ServerTransaction) {
	if sess, ok := s.session(req); ok {
		s.endSession(sess, "cancel")
	}
	s.ok(tx, req, nil)
}

// onOptions answers keepalives and capability queries: SBCs ping their
// recorders and take them out of rotation when the answer stops.
func (s *Server) onOptions(req *sip.Request, tx sip.ServerTransaction) {
	res := sip.NewResponseFromRequest(req, 200, "OK", nil)
	res.AppendHeader(sip.NewHeader("Allow", allowMethods))
	res.AppendHeader(sip.NewHeader("Accept", acceptTypes))
	res.AppendHeader(sip.NewHeader("Supported", "siprec, timer"))
	if err := tx.Respond(res); err != nil {
		s.log.Warn("send sip response", "sip_call_id", callID(req), "status", 200, "err", err)
	}
}

// onReinvite applies a new offer (hold, resume, a new address or codec,
// streams added or removed, a pause as a=inactive) and new metadata, or
// refreshes the session timer when nothing changed (RFC 4028).
func (s *Server) onReinvite(req *sip.Request, tx sip.ServerTransaction) {
	s.updateSession(req, tx, true)
}

// onUpdate handles UPDATE (RFC 3311): with an offer like a re-INVITE, or
// with metadata alone, or empty as a session refresh.
func (s *Server) onUpdate(req *sip.Request, tx sip.ServerTransaction) {
	s.updateSession(req, tx, false)
}

// updateSession applies what a re-INVITE or UPDATE carries and answers
// 200: with our SDP when the request held an offer, and always for a
// re-INVITE, whose 200 must carry one (RFC 3261 section 14.2).
func (s *Server) updateSession(req *sip.Request, tx sip.ServerTransaction, needSDP bool) {
	sess, ok := s.session(req)
	if !ok {
		s.reply(tx, req, refuse(481, "Call/Transaction Does Not Exist",
			"no recording session for this %s", req.Method.String()))
		return
	}
	ib, err := s.readBody(req, false)
	if err == nil {
		err = s.apply(sess, ib)
	}
	var sdp []byte
	if err == nil && (needSDP || ib.offer != nil) {
		sdp, err = s.buildAnswer(req, sess)
	}
	if err != nil {
		s.reply(tx, req, refusalFor(err))
		return
	}
	s.ok(tx, req, sdp)
}

// onInfo accepts INFO inside a session; a metadata body updates the
// parties.
func (s *Server) onInfo(req *sip.Request, tx sip.ServerTransaction) {
	sess, ok := s.session(req)
	if !ok {
		s.reply(tx, req, refuse(481, "Call/Transaction Does Not Exist", "no recording session for this INFO"))
		return
	}
	if ib, err := s.readBody(req, false); err == nil && ib.offer == nil {
		_ = s.apply(sess, ib)
	}
	s.ok(tx, req, nil)
}
