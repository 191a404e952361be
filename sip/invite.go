package siprec

import (
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/emiago/sipgo/sip"

	"earshot/recorder"
)

// inviteBody is what an INVITE or re-INVITE carries, read and checked.
type inviteBody struct {
	offer    *Offer
	meta     *Metadata
	rawMeta  string
	warnings []string
}

// readBody parses a request's body: the SDP offer and, if present, the
// recording metadata. Unreadable metadata is a warning, never a refusal
// (a call must be recorded whatever its metadata says).
func (s *Server) readBody(req *sip.Request, needOffer bool) (*inviteBody, error) {
	body := req.Body()
	if len(body) > s.cfg.MaxBodyBytes {
		return nil, refuse(413, "Request Entity Too Large",
			"body of %d bytes is over the recorder's limit of %d", len(body), s.cfg.MaxBodyBytes)
	}
	if len(body) == 0 {
		if needOffer {
			return nil, refuse(488, "Not Acceptable Here",
				"INVITE without an SDP offer: the recorder needs the offer in the INVITE")
		}
		return &inviteBody{}, nil
	}
	ct := ""
	if h := req.ContentType(); h != nil {
		ct = h.Value()
	}
	parts, err := ParseBody(ct, body, s.cfg.MaxBodyBytes)
	if err != nil {
		return nil, err
	}
	ib := &inviteBody{warnings: parts.Warnings}
	if len(parts.SDP) > 0 {
		if ib.offer, err = ParseOffer(parts.SDP); err != nil {
			return nil, err
		}
	} else if needOffer {
		return nil, refuse(400, "Bad Request", "body has no application/sdp part")
	}
	if len(parts.Metadata) > 0 {
		ib.rawMeta = string(parts.Metadata)
		ib.meta, err = ParseMetadata(parts.Metadata, s.cfg.MaxBodyBytes)
		if err != nil {
			ib.warnings = append(ib.warnings, fmt.Sprintf("recording metadata ignored: %v", err))
			ib.meta = nil
		} else {
			ib.warnings = append(ib.warnings, ib.meta.Warnings...)
		}
	}
	return ib, nil
}

// isSIPREC reports whether an INVITE opens a SIPREC recording session
// (RFC 7866 section 6.1): the siprec option tag, the +sip.src feature tag
// (or the older src parameter) on the Contact, or a metadata body.
func isSIPREC(req *sip.Request, ib *inviteBody) bool {
	if headerHas(req, "Require", "siprec") || headerHas(req, "Supported", "siprec") {
		return true
	}
	if c := req.Contact(); c != nil && (c.Params.Has("+sip.src") || c.Params.Has("src")) {
		return true
	}
	return ib.rawMeta != ""
}

func (s *Server) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if to := req.To(); to != nil && to.Params.Has("tag") {
		s.onReinvite(req, tx)
		return
	}
	if !s.allowed(req) {
		s.reply(tx, req, refuse(403, "Forbidden", "source %s is not allowed to record here", req.Source()))
		return
	}
	if _, dup := s.session(req); dup {
		return // a retransmission of an INVITE already answered
	}
	ib, err := s.readBody(req, true)
	if err != nil {
		s.reply(tx, req, refusalFor(err))
		return
	}
	sess, err := s.startSession(req, ib)
	if err != nil {
		s.reply(tx, req, refusalFor(err))
		return
	}
	s.answer(tx, req, sess)
}

// startSession starts recording a new dialog's streams.
func (s *Server) startSession(req *sip.Request, ib *inviteBody) (*session, error) {
	recordable := ib.offer.RecordableStreams(s.cfg.CodecPreference)
	n := 0
	for _, ok := range recordable {
		if ok {
			n++
		}
	}
	if n == 0 {
		return nil, refuse(488, "Not Acceptable Here",
			"no audio stream over RTP with a codec the recorder takes (%s)",
			strings.Join(s.cfg.CodecPreference, ", "))
	}
	sess := &session{
		key: dialogKey(req), siprec: isSIPREC(req, ib), invite: req, tag: newTag(),
		offer: ib.offer, meta: ib.meta, acked: make(chan struct{}),
	}
	if !sess.siprec && n == 1 && s.pairKey(req) != "" {
		if err := s.joinPair(req, sess, ib, recordable); err != nil {
			return nil, err
		}
	} else if err := s.startRecording(req, sess, ib, recordable); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.sessions[sess.key] = sess
	s.mu.Unlock()
	return sess, nil
}

// startRecording starts a recording fed by this dialog alone.
func (s *Server) startRecording(req *sip.Request, sess *session, ib *inviteBody, recordable []bool) error {
	var plan channelPlan
	if sess.siprec {
		plan = planSIPREC(ib.offer, recordable, ib.meta)
	} else {
		plan = planByOrder(recordable)
		plan.participants = plainParties(req)
	}
	params := streamParams(ib.offer, plan.channels)
	extra := map[string]string{"channel_mapping": plan.basis}
	if ib.meta != nil {
		for k, v := range ib.meta.Extra {
			extra[k] = v
		}
	}
	call, err := s.rec.StartCall(recorder.CallParams{
		SIPCallID: callID(req), Streams: params, Participants: plan.participants,
		Extra: extra, MetadataXML: ib.rawMeta, Warnings: s.callWarnings(sess, ib),
	})
	if err != nil {
		return err
	}
	sess.rec = &recording{call: call, params: params, dialogs: 1}
	return nil
}

func (s *Server) callWarnings(sess *session, ib *inviteBody) []string {
	w := append([]string(nil), ib.warnings...)
	if sess.siprec && ib.meta == nil && ib.rawMeta == "" {
		w = append(w, "SIPREC session without recording metadata: parties are named by m-line order only")
	}
	return w
}

// streamParams turns an offer into the recorder's stream parameters.
func streamParams(offer *Offer, channels []int) []recorder.StreamParams {
	params := make([]recorder.StreamParams, len(offer.Media))
	for i := range offer.Media {
		params[i] = mediaParams(&offer.Media[i], channels[i])
	}
	return params
}

func mediaParams(m *OfferedMedia, channel int) recorder.StreamParams {
	codecs := map[uint8]recorder.Codec{}
	for _, f := range m.Formats {
		codecs[f.PT] = recorder.Codec{Name: f.Name, Clock: f.Clock}
	}
	return recorder.StreamParams{
		Label: m.Label, Channel: channel, Codecs: codecs, EventPT: m.EventPT,
		Remote: m.Remote, Active: m.Direction == "sendonly" || m.Direction == "sendrecv",
	}
}

// answer sends the 200 with our SDP answer, and waits in the background
// for the ACK.
func (s *Server) answer(tx sip.ServerTransaction, req *sip.Request, sess *session) {
	sdp, err := s.buildAnswer(req, sess)
	if err != nil {
		s.endSession(sess, "answer failed")
		s.reply(tx, req, refusalFor(err))
		return
	}
	res := sip.NewResponseFromRequest(req, 200, "OK", sdp)
	res.To().Params.Add("tag", sess.tag)
	res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	res.AppendHeader(s.contact(req, sess.siprec))
	res.AppendHeader(sip.NewHeader("Allow", allowMethods))
	res.AppendHeader(sip.NewHeader("Supported", "siprec, timer"))
	if se := req.GetHeader("Session-Expires"); se != nil {
		// RFC 4028 section 9: we accept the interval and leave the
		// refreshes to the SRC.
		res.AppendHeader(sip.NewHeader("Session-Expires", refresherUAC(se.Value())))
		res.AppendHeader(sip.NewHeader("Require", "timer"))
	}
	if err := tx.Respond(res); err != nil {
		s.log.Warn("send sip response", "sip_call_id", callID(req), "status", 200, "err", err)
		s.endSession(sess, "answer not delivered")
		return
	}
	s.log.Info("recording session answered", "sip_call_id", callID(req), "siprec", sess.siprec,
		"recording_id", sess.rec.call.ID(), "remote_addr", req.Source())
	if strings.EqualFold(req.Transport(), "udp") {
		s.bg.Go(func() { s.retransmitOK(sess, res) })
	}
}

func refresherUAC(v string) string {
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[:i]
	}
	return strings.TrimSpace(v) + ";refresher=uac"
}

// buildAnswer builds the SDP answer for the session's current offer.
func (s *Server) buildAnswer(req *sip.Request, sess *session) ([]byte, error) {
	ports := sess.rec.call.Ports()
	sess.mu.Lock()
	defer sess.mu.Unlock()
	own := make([]int, len(sess.offer.Media))
	for i := range own {
		if j := sess.base + i; j < len(ports) {
			own[i] = ports[j]
		}
	}
	sess.version++
	body, _, err := sess.offer.Answer(AnswerOptions{
		LocalIP: s.localIP(req), Ports: own, Preference: s.cfg.CodecPreference,
		SessionID: sessionID(sess.tag), SessionVersion: sess.version,
	})
	return body, err
}

func sessionID(tag string) uint64 {
	var id uint64
	for _, c := range tag {
		id = id*31 + uint64(c)
	}
	return id >> 1
}

// contact is our Contact header; +sip.srs marks us as a recording server
// (RFC 7866 section 6.1.1).
func (s *Server) contact(req *sip.Request, siprec bool) sip.Header {
	uri := fmt.Sprintf("<sip:earshot@%s>", net.JoinHostPort(s.localIP(req).String(), s.localPort(req)))
	if siprec {
		uri += ";+sip.srs"
	}
	return sip.NewHeader("Contact", uri)
}

// localIP is the address the SRC reaches us at: the configured one, else
// the one the kernel routes the reply from (no packet is sent).
func (s *Server) localIP(req *sip.Request) netip.Addr {
	if s.cfg.AdvertiseIP.IsValid() {
		return s.cfg.AdvertiseIP
	}
	conn, err := net.Dial("udp", req.Source())
	if err != nil {
		return netip.MustParseAddr("127.0.0.1")
	}
	defer conn.Close()
	return conn.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap()
}

func (s *Server) localPort(*sip.Request) string {
	return fmt.Sprint(s.port.Load())
}
