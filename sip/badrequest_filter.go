package siprec

import (
	"bytes"
	"log/slog"
	"net"

	"github.com/emiago/sipgo/sip"
	"golang.org/x/time/rate"
)

// badRequestRate bounds the 400s sent per second, with a burst of as
// many: a flood of malformed requests from a forged source address must
// not make Earshot flood that address.
const badRequestRate = 50

// badRequests sees every UDP datagram before sipgo does. sipgo drops what
// its parser refuses without an answer, so an SBC that sends a request we
// cannot read would retransmit it for 32 s and then give up on a call
// nobody told it why we lost. This answers such requests with a 400 whose
// Warning says what is wrong.
type badRequests struct {
	parser *sip.Parser
	// log is the parse guard's logger: it counts each refusal in
	// earshot_sip_malformed_total and thins the log lines out.
	log   *slog.Logger
	limit *rate.Limiter
	// conn is the UDP listener, set before it is served.
	conn net.PacketConn
}

func newBadRequests(log *slog.Logger) *badRequests {
	return &badRequests{parser: sip.NewParser(), log: log,
		limit: rate.NewLimiter(badRequestRate, badRequestRate)}
}

// filter passes on what parses, and keep-alives; it answers the rest if it
// can, and drops it. It runs on the UDP read loop, one datagram at a time.
// TCP and TLS reads pass through untouched: a read there is any piece of a
// stream, which cannot be judged alone, and sipgo closes a connection whose
// stream it cannot parse, which the sender notices at once.
func (b *badRequests) filter(p sip.TransportReadProps, data []byte) ([]byte, error) {
	if p.Transport != "UDP" || len(bytes.Trim(data, "\r\n")) == 0 {
		return data, nil
	}
	_, err := b.parser.ParseSIP(data)
	if err == nil {
		return data, nil
	}
	b.log.Error("failed to parse", "error", err)
	if b.conn == nil || !b.limit.Allow() {
		return nil, nil
	}
	if reply := badRequestReply(data, err); reply != nil {
		// A lost 400 is no worse than the silence before it.
		_, _ = b.conn.WriteTo(reply, p.RemoteAddr)
	}
	return nil, nil
}
