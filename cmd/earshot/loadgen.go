package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/netip"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"earshot/internal/loadgen"
)

const loadgenSummary = "Place SIPREC calls on a recorder, as an SBC forking calls to it\n" +
	"would, and check the recordings. Each call is an INVITE in one vendor's dialect with\n" +
	"two streams of G.711 audio, ended by a BYE. With --audio tone the streams carry 440 Hz\n" +
	"and 1000 Hz, with clicks on both at 0.5 s and every second after, to check channels\n" +
	"and alignment by; with --audio speech, a short support conversation in turns, the\n" +
	"customer on the first stream and the agent on the second. The summary gives call\n" +
	"setup latency, failures by SIP status and the RTP sent; given --api and a token\n" +
	"(EARSHOT_TOKEN), it checks that every call's recording is listed, as long as the call,\n" +
	"with no more loss than was left unsent and --max-loss allows. Exits 1 when a call or a\n" +
	"check failed. SIP and RTP go to --target only."

// loadgenFlags are the settings of "earshot loadgen".
type loadgenFlags struct {
	cfg   loadgen.Config
	rtpIP string
	// maxLossPct is --max-loss, in percent; cfg.MaxLoss is a share.
	maxLossPct float64
}

func (f *loadgenFlags) register(fs *flag.FlagSet) {
	c := &f.cfg
	fs.StringVar(&c.Target, "target", "127.0.0.1:5060", "the recorder's SIP `address`, IPv4:port")
	fs.IntVar(&c.Calls, "calls", 10, "`number` of calls to place")
	fs.IntVar(&c.Concurrency, "concurrency", 10, "calls in progress at once, at most")
	fs.DurationVar(&c.Duration, "duration", 30*time.Second,
		"how long each call sends audio before its BYE")
	fs.Float64Var(&c.Rate, "rate", 10, "new calls per second at most; 0 for no limit")
	fs.StringVar(&c.Codec, "codec", "pcmu", "the one `codec` offered: pcmu or pcma")
	fs.StringVar(&c.Audio, "audio", loadgen.AudioTone, "the `kind` of audio both streams carry: "+
		"tone (tones and clicks)\n        or speech (a conversation in turns)")
	fs.StringVar(&c.Transport, "transport", "udp", "SIP `transport`: udp or tcp")
	fs.StringVar(&c.Dialect, "dialect", "rfc7865-example", "the INVITE `dialect`: "+
		strings.Join(loadgen.Dialects(), ", ")+",\n        or mix for each in turn")
	fs.StringVar(&f.rtpIP, "rtp-ip", "127.0.0.1",
		"local `IP` RTP is sent from and offered in the SDP")
	fs.IntVar(&c.Senders, "senders", 0, "RTP sockets, each paced by one goroutine;\n"+
		"        0 means one per 1,000 streams, at most one per CPU")
	fs.Float64Var(&c.Loss, "loss", 0, "`share` of RTP packets deliberately left unsent, 0 to 0.5")
	fs.DurationVar(&c.Timeout, "timeout", 0, "bound on the whole run;\n"+
		"        0 means enough for every call at the rate and concurrency given")
	fs.StringVar(&c.API, "api", "", "the recorder's web `URL` (http://host:8080), "+
		"to check every recording")
	fs.StringVar(&c.Token, "token", "",
		"API `token` for --api; prefer EARSHOT_TOKEN, which ps does not show")
	fs.DurationVar(&c.VerifyWait, "verify-wait", loadgen.DefaultVerifyWait,
		"how long after its BYE a recording may take to be listed; 0 looks once")
	fs.Float64Var(&c.MaxUnreceived, "max-unreceived", loadgen.DefaultMaxUnreceived,
		"`share` of the packets sent the recorder may not have received before the run fails;\n"+
			"        raise it to what the network loses when not on loopback")
	fs.Float64Var(&f.maxLossPct, "max-loss", 0, "`percent` of a call's packets sent that the "+
		"recorder may count lost, on top of those left unsent,\n"+
		"        before the call's check fails; 0 suits loopback, raise it on a lossy network")
	fs.DurationVar(&c.DurationSlack, "duration-slack", loadgen.DefaultDurationSlack,
		"allowed beyond 100 ms between a recording's length and the call's span on the wire")
	// The flags carry the package's defaults, so a zero left in one was
	// given, and means zero.
	c.KeepZeros = true
}

func runLoadgen(ctx context.Context, args []string, env func(string) string,
	stdout, stderr io.Writer) error {
	var f loadgenFlags
	fs := newFlagSet("loadgen", loadgenSummary, stdout)
	f.register(fs)
	if err := parseFlags(fs, args, env); err != nil {
		return err
	}
	cfg, err := f.config()
	if err != nil {
		return err
	}
	bar := newCallBar(cfg.Calls, stderr)
	cfg.OnCallDone = bar.callDone
	gen, err := loadgen.New(cfg)
	if err != nil {
		return usageError{"loadgen: " + err.Error()}
	}
	bar.gen = gen

	log := newLogger(stderr, "text", slog.LevelInfo)
	ctx, stop := withShutdownSignals(ctx, log)
	defer stop()
	rep, err := gen.Run(ctx)
	_ = bar.bar.Finish()
	if err != nil {
		return fmt.Errorf("loadgen: %w", err)
	}
	rep.WriteSummary(stdout)
	return rep.Err()
}

// config checks what the flags alone cannot and returns the run's
// settings, for loadgen.New to validate.
func (f *loadgenFlags) config() (loadgen.Config, error) {
	if err := f.checkZeros(); err != nil {
		return loadgen.Config{}, err
	}
	if p := f.maxLossPct; p < 0 || p > 100 || math.IsNaN(p) {
		return loadgen.Config{}, usageError{
			fmt.Sprintf("invalid --max-loss %v: want a percent from 0 to 100", p)}
	}
	ip, err := netip.ParseAddr(f.rtpIP)
	if err != nil {
		return loadgen.Config{}, usageError{
			fmt.Sprintf("invalid --rtp-ip %q: want an IPv4 address", f.rtpIP)}
	}
	c := f.cfg
	c.RTPIP = ip
	c.MaxLoss = f.maxLossPct / 100
	return c, nil
}

// checkZeros refuses zero counts: to the package zero means a default, on
// the command line it is a mistake.
func (f *loadgenFlags) checkZeros() error {
	for name, zero := range map[string]bool{
		"--calls": f.cfg.Calls == 0, "--concurrency": f.cfg.Concurrency == 0,
		"--duration": f.cfg.Duration == 0,
	} {
		if zero {
			return usageError{fmt.Sprintf("invalid %s 0: must be positive", name)}
		}
	}
	return nil
}

// callBar is the progress bar of a run, on stderr: calls ended out of
// the calls to place, with how many are in progress and failed.
type callBar struct {
	bar *progressbar.ProgressBar
	gen *loadgen.Runner
}

func newCallBar(calls int, w io.Writer) *callBar {
	return &callBar{bar: progressbar.NewOptions(calls,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("calls"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("calls"),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)}
}

func (b *callBar) callDone(*loadgen.CallResult) {
	if b.gen != nil {
		p := b.gen.Progress()
		b.bar.Describe(fmt.Sprintf("calls (%d in progress, %d failed)",
			p.Started-p.Done, p.Failed))
	}
	_ = b.bar.Add(1)
}
