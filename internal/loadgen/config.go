package loadgen

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"runtime"
	"strconv"
	"time"
)

// Limits that keep a run bounded whatever it is given.
const (
	MaxCalls       = 1_000_000
	MaxConcurrency = 20_000
	MaxDuration    = 24 * time.Hour
)

// Config is one run of the generator. Zero fields take the defaults
// documented on them; Validate checks the rest once, before a run starts.
type Config struct {
	// Target is the recorder's SIP address, IPv4:port. A host name is
	// resolved once, up front; nothing is sent anywhere else.
	Target string
	// Transport is "udp" (the default) or "tcp": one socket or one
	// connection carries the signalling of every call.
	Transport string
	// Calls is how many calls to place (default 1); Concurrency how many
	// may be in progress at once, from INVITE to the BYE's answer
	// (default 1).
	Calls, Concurrency int
	// Duration is how long each call sends audio before its BYE (default
	// 10s); it is rounded down to whole packets of 20 ms.
	Duration time.Duration
	// Rate is how many calls start per second at most; 0 starts them as
	// fast as Concurrency allows.
	Rate float64
	// Codec is "pcmu" (the default) or "pcma": the only audio format
	// offered, so the recorder must take it.
	Codec string
	// Audio is what both streams carry: "tone" (the default), a steady
	// tone per stream (LegTones) with clicks at the same instants on both
	// (ClickFirst, ClickEvery), which recordings can be checked against;
	// or "speech", a short support conversation in turns, the agent's
	// lines on the second stream and the customer's on the first, with
	// silence while the other speaks and no clicks. Each call starts at
	// the beginning of one exchange of the conversation, in turn.
	Audio string
	// Dialect names the corpus INVITE every call is sent as (see
	// Dialects); "mix" takes each in turn. Default "rfc7865-example".
	Dialect string
	// RTPIP is the local address RTP is sent from and offered in the SDP
	// (default 127.0.0.1).
	RTPIP netip.Addr
	// Senders is how many sockets, each with one pacing goroutine, send
	// the RTP; 0 means one per 1,000 streams at once, at most one per CPU.
	Senders int
	// Loss is the share of packets deliberately not sent, from 0 to 0.5.
	Loss float64
	// Timeout bounds the whole run. 0 means long enough for every call at
	// the rate and concurrency given, plus two minutes.
	Timeout time.Duration

	// API is the recorder's web address (http://host:port); when set,
	// every call's recording is checked there with Token.
	API, Token string
	// VerifyWait bounds the wait for a recording to be listed, from its
	// BYE (default DefaultVerifyWait; with KeepZeros, 0 looks once).
	VerifyWait time.Duration
	// MaxUnreceived is the share of the packets sent that the recorder
	// may report not received, over the recordings checked, before the
	// run fails (default DefaultMaxUnreceived; with KeepZeros, 0 allows
	// none). Packets a recorder reads too late are dropped by the kernel,
	// and those at the end of a call are not counted lost: this is what
	// catches them. Over a real network, raise it to what the network
	// loses.
	MaxUnreceived float64
	// MaxLoss is the share of a call's packets sent, from 0 to 1, that
	// the recorder may count lost on top of those left unsent before the
	// call's check fails. 0, the default, allows none: right on loopback;
	// over a real network, raise it to what the network loses.
	MaxLoss float64
	// DurationSlack is allowed beyond 100 ms between a recording's length
	// and the call's span on the wire (default DefaultDurationSlack; with
	// KeepZeros, 0 allows none): the recorder stamps the end once it has
	// synced the spool.
	DurationSlack time.Duration
	// KeepZeros takes a zero VerifyWait, MaxUnreceived or DurationSlack
	// as given instead of as a request for the default. A command line
	// whose flags carry the defaults sets it, so that a 0 typed is kept.
	KeepZeros bool

	// OnCallDone, when set, is called as each call ends, before its
	// recording is checked, from any goroutine.
	OnCallDone func(*CallResult)
	// Seed makes the deliberate loss repeatable; 0 picks one.
	Seed uint64

	target netip.AddrPort
	pt     uint8
}

// The defaults of the recording checks' settings in Config.
const (
	DefaultVerifyWait    = time.Minute
	DefaultMaxUnreceived = 0.0001
	DefaultDurationSlack = 250 * time.Millisecond
)

// The values of Config.Audio.
const (
	AudioTone   = "tone"
	AudioSpeech = "speech"
)

// codecPT is the RFC 3551 payload type of each codec offered.
var codecPT = map[string]uint8{"pcmu": 0, "pcma": 8}

// Validate fills in the defaults and checks every setting. Its errors
// name the setting and are meant to be shown as they are.
func (c *Config) Validate() error {
	c.defaults()
	if err := c.resolveTarget(); err != nil {
		return err
	}
	switch {
	case c.Transport != "udp" && c.Transport != "tcp":
		return fmt.Errorf("transport %q: want udp or tcp", c.Transport)
	case c.Calls < 1 || c.Calls > MaxCalls:
		return fmt.Errorf("calls %d: want 1 to %d", c.Calls, MaxCalls)
	case c.Concurrency < 1 || c.Concurrency > MaxConcurrency:
		return fmt.Errorf("concurrency %d: want 1 to %d", c.Concurrency, MaxConcurrency)
	case c.Duration < packetTime || c.Duration > MaxDuration:
		return fmt.Errorf("duration %s: want %s to %s", c.Duration, packetTime, MaxDuration)
	case c.Rate < 0 || math.IsNaN(c.Rate) || math.IsInf(c.Rate, 0):
		return fmt.Errorf("rate %v: want 0 (no limit) or more calls per second", c.Rate)
	case !c.RTPIP.Is4():
		return fmt.Errorf("rtp ip %s: want an IPv4 address", c.RTPIP)
	case c.Senders < 0 || c.Senders > 64:
		return fmt.Errorf("senders %d: want 0 (automatic) to 64", c.Senders)
	case c.Loss < 0 || c.Loss > 0.5 || math.IsNaN(c.Loss):
		return fmt.Errorf("loss %v: want 0 to 0.5", c.Loss)
	case c.MaxUnreceived < 0 || c.MaxUnreceived > 1 || math.IsNaN(c.MaxUnreceived):
		return fmt.Errorf("max unreceived %v: want a share from 0 to 1", c.MaxUnreceived)
	case c.MaxLoss < 0 || c.MaxLoss > 1 || math.IsNaN(c.MaxLoss):
		return fmt.Errorf("max loss %v: want a share from 0 to 1", c.MaxLoss)
	case c.Timeout < 0 || c.VerifyWait < 0 || c.DurationSlack < 0:
		return errors.New("timeout, verify wait and duration slack must not be negative")
	case c.API != "" && c.Token == "":
		return errors.New("api given without a token: the recorder's API needs one")
	}
	if c.Audio != AudioTone && c.Audio != AudioSpeech {
		return fmt.Errorf("audio %q: want %s or %s", c.Audio, AudioTone, AudioSpeech)
	}
	pt, ok := codecPT[c.Codec]
	if !ok {
		return fmt.Errorf("codec %q: want pcmu or pcma", c.Codec)
	}
	c.pt = pt
	if c.Dialect != DialectMix {
		if _, err := lookupDialect(c.Dialect); err != nil {
			return err
		}
	}
	c.Duration = c.Duration.Truncate(packetTime)
	return nil
}

func (c *Config) defaults() {
	c.Transport = defaultTo(c.Transport, "udp")
	c.Codec = defaultTo(c.Codec, "pcmu")
	c.Audio = defaultTo(c.Audio, AudioTone)
	c.Dialect = defaultTo(c.Dialect, "rfc7865-example")
	if c.Calls == 0 {
		c.Calls = 1
	}
	if c.Concurrency == 0 {
		c.Concurrency = 1
	}
	if c.Duration == 0 {
		c.Duration = 10 * time.Second
	}
	if !c.RTPIP.IsValid() {
		c.RTPIP = netip.MustParseAddr("127.0.0.1")
	}
	if c.KeepZeros {
		return
	}
	if c.VerifyWait == 0 {
		c.VerifyWait = DefaultVerifyWait
	}
	if c.DurationSlack == 0 {
		c.DurationSlack = DefaultDurationSlack
	}
	if c.MaxUnreceived == 0 {
		c.MaxUnreceived = DefaultMaxUnreceived
	}
}

func defaultTo(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// resolveTarget turns Target into the one address the run talks to.
func (c *Config) resolveTarget() error {
	host, port, err := net.SplitHostPort(c.Target)
	if err != nil {
		return fmt.Errorf("target %q: want HOST:PORT", c.Target)
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil || p == 0 {
		return fmt.Errorf("target %q: port must be 1 to 65535", c.Target)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		addrs, lerr := net.LookupHost(host)
		if lerr != nil || len(addrs) == 0 {
			return fmt.Errorf("target %q: cannot resolve %s", c.Target, host)
		}
		ip, err = netip.ParseAddr(addrs[0])
	}
	if err != nil || !ip.Unmap().Is4() {
		return fmt.Errorf("target %q: want an IPv4 address", c.Target)
	}
	c.target = netip.AddrPortFrom(ip.Unmap(), uint16(p))
	return nil
}

// senders is how many RTP sockets to use.
func (c *Config) senders() int {
	if c.Senders > 0 {
		return c.Senders
	}
	streams := 2 * min(c.Concurrency, c.Calls)
	return max(1, min((streams+999)/1000, runtime.GOMAXPROCS(0)))
}

// timeout is the bound on the whole run.
func (c *Config) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	// Each call takes its duration, plus up to 32 s to be answered and
	// 32 s for its BYE (RFC 3261 timers B and F), in waves of Concurrency.
	perCall := c.Duration + 64*time.Second
	waves := time.Duration((c.Calls + c.Concurrency - 1) / c.Concurrency)
	d := waves * perCall
	if c.Rate > 0 {
		d = max(d, time.Duration(float64(c.Calls)/c.Rate*float64(time.Second))+perCall)
	}
	if c.API != "" {
		d += c.VerifyWait
	}
	return d + 2*time.Minute
}
