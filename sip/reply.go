package siprec

import (
	"errors"
	"fmt"
	"strings"

	"github.com/emiago/sipgo/sip"

	"earshot/recorder"
)

// allowMethods is what the recorder answers, for Allow headers.
const allowMethods = "INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE, INFO"

// acceptTypes is what the recorder reads, for Accept headers.
const acceptTypes = "application/sdp, application/rs-metadata+xml, multipart/mixed"

// refusal is a request refused with a SIP status and a reason a person can
// act on; the reason also goes into a Warning header (RFC 3261 section
// 20.43) so that it shows in SBC logs and packet captures.
type refusal struct {
	code   int
	reason string
	detail string
}

func (r *refusal) Error() string { return fmt.Sprintf("%d %s: %s", r.code, r.reason, r.detail) }

func refuse(code int, reason, format string, args ...any) *refusal {
	return &refusal{code: code, reason: reason, detail: fmt.Sprintf(format, args...)}
}

// refusalFor maps an error from parsing or the recorder to what the SRC is
// told. A 503 says "try another recorder"; the others say "fix the
// request".
func refusalFor(err error) *refusal {
	var r *refusal
	switch {
	case errors.As(err, &r):
		return r
	case errors.Is(err, recorder.ErrTooManyCalls):
		return refuse(503, "Service Unavailable", "recorder is at its call limit")
	case errors.Is(err, recorder.ErrNoPorts):
		return refuse(503, "Service Unavailable", "recorder has no free RTP port")
	case errors.Is(err, recorder.ErrShuttingDown):
		return refuse(503, "Service Unavailable", "recorder is shutting down")
	case errors.Is(err, recorder.ErrSpoolFull):
		return refuse(503, "Service Unavailable", "recorder spool disk is full")
	case errors.Is(err, ErrBadSDP):
		return refuse(400, "Bad Request", "%v", err)
	}
	switch code := ResponseStatus(err); code {
	case 413:
		return refuse(413, "Request Entity Too Large", "%v", err)
	case 415:
		return refuse(415, "Unsupported Media Type", "%v", err)
	case 400:
		return refuse(400, "Bad Request", "%v", err)
	}
	return refuse(500, "Server Internal Error", "%v", err)
}

// warningText keeps a Warning header's quoted text valid: no quote or
// backslash to end or escape it, no control character to end the line.
func warningText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '"' || r == '\\':
			return '\''
		case r < 0x20 || r == 0x7f:
			return ' '
		}
		return r
	}, s)
}

// reply answers req with r.
func (s *Server) reply(tx sip.ServerTransaction, req *sip.Request, r *refusal) {
	res := sip.NewResponseFromRequest(req, r.code, r.reason, nil)
	res.AppendHeader(sip.NewHeader("Warning", fmt.Sprintf(`399 earshot "%s"`, warningText(r.detail))))
	if r.code == 503 {
		res.AppendHeader(sip.NewHeader("Retry-After", fmt.Sprint(s.cfg.RetryAfter)))
	}
	if r.code == 415 {
		res.AppendHeader(sip.NewHeader("Accept", acceptTypes))
	}
	if err := tx.Respond(res); err != nil {
		s.log.Warn("send sip response", "sip_call_id", callID(req), "status", r.code, "err", err)
	}
	s.log.Info("sip request refused", "sip_call_id", callID(req), "method", req.Method.String(),
		"status", r.code, "reason", r.detail, "remote_addr", req.Source())
}

// ok answers req with 200 and an optional SDP body.
func (s *Server) ok(tx sip.ServerTransaction, req *sip.Request, sdp []byte) {
	res := sip.NewResponseFromRequest(req, 200, "OK", sdp)
	if sdp != nil {
		res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	}
	if err := tx.Respond(res); err != nil {
		s.log.Warn("send sip response", "sip_call_id", callID(req), "status", 200, "err", err)
	}
}

func callID(req *sip.Request) string {
	if h := req.CallID(); h != nil {
		return h.Value()
	}
	return ""
}

// headerHas reports whether any header called name lists token, comma
// separated, case-insensitively (Require, Supported).
func headerHas(req *sip.Request, name, token string) bool {
	for _, h := range req.GetHeaders(name) {
		for _, v := range strings.Split(h.Value(), ",") {
			if strings.EqualFold(strings.TrimSpace(v), token) {
				return true
			}
		}
	}
	return false
}
