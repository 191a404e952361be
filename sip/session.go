package siprec

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"earshot/recorder"
)

// recording is one call being recorded. Usually one dialog feeds it; a PBX
// that forks a call as two single-stream INVITEs feeds it from two.
type recording struct {
	mu      sync.Mutex // guards the fields below
	call    *recorder.Call
	params  []recorder.StreamParams
	dialogs int // dialogs still open; the recording ends with the last
}

// session is one recording dialog (RFC 3261 section 12) with the SRC.
type session struct {
	key    string // Call-ID and the SRC's tag
	rec    *recording
	base   int // index of this dialog's first stream in the recording
	siprec bool
	invite *sip.Request
	tag    string // our To tag

	mu      sync.Mutex // guards the fields below
	offer   *Offer
	meta    *Metadata
	version uint64 // SDP session version of our last answer
	acked   chan struct{}
	ended   bool
}

// dialogKey identifies a dialog from the SRC's requests: the Call-ID and
// the SRC's From tag, which every request in the dialog repeats.
func dialogKey(req *sip.Request) string {
	tag := ""
	if from := req.From(); from != nil {
		tag, _ = from.Params.Get("tag")
	}
	return callID(req) + ";" + tag
}

func newTag() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (s *Server) session(req *sip.Request) (*session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[dialogKey(req)]
	return sess, ok
}

// endSession forgets a dialog and ends its recording if it was the last
// dialog feeding it.
func (s *Server) endSession(sess *session, reason string) {
	s.endSessionAt(sess, reason, time.Now())
}

// endSessionAt is endSession for a dialog that ended at a known moment
// (when its BYE arrived), which the recording keeps as its end.
func (s *Server) endSessionAt(sess *session, reason string, at time.Time) {
	s.mu.Lock()
	delete(s.sessions, sess.key)
	s.mu.Unlock()
	sess.mu.Lock()
	already := sess.ended
	sess.ended = true
	sess.mu.Unlock()
	if already {
		return
	}
	sess.rec.mu.Lock()
	sess.rec.dialogs--
	last := sess.rec.dialogs == 0
	sess.rec.mu.Unlock()
	if last {
		sess.rec.call.EndAt(reason, at)
	}
}

// retransmitOK resends a 2xx to an INVITE over UDP until the ACK arrives
// (RFC 3261 section 13.3.1.4): from T1, doubling up to T2, for 64*T1.
func (s *Server) retransmitOK(sess *session, res *sip.Response) {
	interval := sip.T1
	deadline := time.Now().Add(64 * sip.T1)
	for time.Now().Before(deadline) {
		select {
		case <-sess.acked:
			return
		case <-s.done:
			return
		case <-time.After(interval):
		}
		if err := s.srv.WriteResponse(res); err != nil {
			return
		}
		interval = min(2*interval, sip.T2)
	}
	s.log.Warn("no ack for the 200 to an invite", "sip_call_id", callID(sess.invite))
}
