package siprec

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/prometheus/client_golang/prometheus"

	"earshot/internal/sockbuf"
	"earshot/recorder"
)

// Config configures the SIP side of the recorder.
type Config struct {
	// Listen is the address for SIP over UDP and TCP, such as ":5060".
	Listen string
	// TLSListen is the address for SIP over TLS, such as ":5061"; it is
	// used only when TLS is set.
	TLSListen string
	// TLS, when set, also serves SIP over TLS (RFC 3261 section 26.2)
	// with this configuration (its certificate, at least).
	TLS *tls.Config
	// AdvertiseIP is the address put in SDP answers and Contact headers;
	// the zero value uses the address the request arrived on.
	AdvertiseIP netip.Addr
	// MaxBodyBytes caps an INVITE's body; larger ones get 413. Zero means
	// 16 KiB, well under what SIP over UDP can carry.
	MaxBodyBytes int
	// Allow lists the networks that may open recording sessions; empty
	// allows all. Others get 403.
	Allow []netip.Prefix
	// CodecPreference orders the codecs chosen from an offer; empty means
	// DefaultPreference.
	CodecPreference []string
	// PairParam names the From URI parameter that correlates the two
	// single-stream INVITEs some PBXs send for one call (Cisco's x-refci);
	// empty disables pairing.
	PairParam string
	// PairWait is how long a single-stream call waits for its pair before
	// it is recorded alone; zero means 5s.
	PairWait time.Duration
	// RetryAfter is the Retry-After of a 503, in seconds; zero means 30.
	RetryAfter int
	// Registerer receives the SIP metrics; nil registers none.
	Registerer prometheus.Registerer
}

func (c Config) withDefaults() Config {
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 16 << 10
	}
	if len(c.CodecPreference) == 0 {
		c.CodecPreference = []string{"PCMU", "PCMA", "G722"}
	}
	if c.PairWait <= 0 {
		c.PairWait = 5 * time.Second
	}
	if c.RetryAfter <= 0 {
		c.RetryAfter = 30
	}
	return c
}

// Server answers recording sessions and drives the recorder.
type Server struct {
	cfg    Config
	rec    *recorder.Manager
	log    *slog.Logger
	ua     *sipgo.UserAgent
	srv    *sipgo.Server
	client *sipgo.Client

	port atomic.Int32 // the SIP port, once listening
	bg   sync.WaitGroup
	done chan struct{} // closed when Serve returns
	// bad answers UDP requests sipgo cannot parse (badrequest_filter.go).
	bad *badRequests

	mu       sync.Mutex          // guards sessions and pending
	sessions map[string]*session // by dialog id
	pending  map[string]*session // single-stream calls waiting for a pair, by key
}

// New builds a server; ListenAndServe starts it.
func New(cfg Config, rec *recorder.Manager, log *slog.Logger) (*Server, error) {
	malformed := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "earshot_sip_malformed_total",
		Help: "SIP messages dropped because they could not be parsed.",
	})
	if cfg.Registerer != nil {
		cfg.Registerer.MustRegister(malformed)
	}
	tlog := slog.New(newParseGuard(log.Handler(), malformed))
	bad := newBadRequests(tlog)
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("Earshot"),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(tlog),
			sip.WithTransportLayerReadFilter(bad.filter)))
	if err != nil {
		return nil, fmt.Errorf("sip user agent: %w", err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(log))
	if err != nil {
		return nil, fmt.Errorf("sip server: %w", err)
	}
	client, err := sipgo.NewClient(ua, sipgo.WithClientLogger(log))
	if err != nil {
		return nil, fmt.Errorf("sip client: %w", err)
	}
	s := &Server{
		cfg: cfg.withDefaults(), rec: rec, log: log, ua: ua, srv: srv, client: client, bad: bad,
		sessions: map[string]*session{}, pending: map[string]*session{},
		done: make(chan struct{}),
	}
	rec.OnTimeout(s.hangUp)
	srv.OnInvite(s.onInvite)
	srv.OnAck(s.onAck)
	srv.OnBye(s.onBye)
	srv.OnCancel(s.onCancel)
	srv.OnOptions(s.onOptions)
	srv.OnUpdate(s.onUpdate)
	srv.OnInfo(s.onInfo)
	return s, nil
}

// Listeners are the sockets a Server serves.
type Listeners struct {
	UDP net.PacketConn
	TCP net.Listener
	TLS net.Listener // nil without TLS
}

// Close closes every listener.
func (l *Listeners) Close() {
	l.UDP.Close()
	l.TCP.Close()
	if l.TLS != nil {
		l.TLS.Close()
	}
}

// Listen opens UDP and TCP on the configured address, on the same port.
func (s *Server) Listen() (*Listeners, error) {
	udp, err := net.ListenPacket("udp", s.cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen for sip over udp on %s: %w", s.cfg.Listen, err)
	}
	// An SBC failing over sends its calls' INVITEs at once: a thousand of
	// them is a few megabytes that the default buffer would drop, turning a
	// burst into retransmissions seconds later.
	if u, ok := udp.(*net.UDPConn); ok {
		sockbuf.Grow(u, sipReadBuffer)
	}
	host, _, _ := net.SplitHostPort(s.cfg.Listen)
	port := udp.LocalAddr().(*net.UDPAddr).Port
	s.port.Store(int32(port))
	tcp, err := net.Listen("tcp", net.JoinHostPort(host, fmt.Sprint(port)))
	if err != nil {
		udp.Close()
		return nil, fmt.Errorf("listen for sip over tcp on %s: %w", s.cfg.Listen, err)
	}
	l := &Listeners{UDP: udp, TCP: tcp}
	if s.cfg.TLS != nil {
		if l.TLS, err = tls.Listen("tcp", s.cfg.TLSListen, s.cfg.TLS); err != nil {
			l.Close()
			return nil, fmt.Errorf("listen for sip over tls on %s: %w", s.cfg.TLSListen, err)
		}
	}
	return l, nil
}

// Serve answers SIP on l until ctx ends. Calls in progress are not ended
// here: the recorder's Close ends and finalizes them.
func (s *Server) Serve(ctx context.Context, l *Listeners) error {
	errs := make(chan error, 3)
	s.bad.conn = l.UDP
	go func() { errs <- s.srv.ServeUDP(l.UDP) }()
	go func() { errs <- s.srv.ServeTCP(l.TCP) }()
	if l.TLS != nil {
		go func() { errs <- s.srv.ServeTLS(l.TLS) }()
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-errs:
	}
	close(s.done)
	l.Close()
	s.bg.Wait()
	s.srv.Close()
	s.client.Close()
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("serve sip: %w", err)
	}
	return nil
}

// allowed reports whether a request's source may open a session.
func (s *Server) allowed(req *sip.Request) bool {
	if len(s.cfg.Allow) == 0 {
		return true
	}
	ap, err := netip.ParseAddrPort(req.Source())
	if err != nil {
		return false
	}
	for _, p := range s.cfg.Allow {
		if p.Contains(ap.Addr().Unmap()) {
			return true
		}
	}
	return false
}

// sipReadBuffer is the receive buffer of the SIP UDP socket.
const sipReadBuffer = 16 << 20
