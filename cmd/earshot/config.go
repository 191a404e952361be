package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"earshot/storage"
)

// Config is every setting of "earshot serve", loaded from flags and the
// environment and validated once before anything starts.
type Config struct {
	DataDir        string
	Storage        string
	HTTPListen     string
	SIPListen      string
	RTPPorts       portRange
	LogFormat      logFormat
	LogLevel       slog.Level
	DrainTimeout   time.Duration
	UploadWorkers  int
	UploadMaxRetry time.Duration

	SIPTLSListen  string
	SIPTLSCert    string
	SIPTLSKey     string
	SIPAdvertise  string
	SIPAllow      string
	SIPMaxBody    int
	MaxCalls      int
	RTPBind       string
	RTPTimeout    time.Duration
	RTPLatch      bool
	Codecs        string
	PairParam     string
	SpoolMinFreeM int
	// DebugListen, if set, serves the Go profiler there (debug.go).
	DebugListen string

	// Access holds the settings of signing in (config_access.go).
	Access accessConfig

	// Derived by validate.
	advertiseIP netip.Addr
	allow       []netip.Prefix
	rtpBindIP   netip.Addr
	codecList   []string
	tlsConfig   *tls.Config
}

// register binds the serve settings to fs, with their defaults.
func (c *Config) register(fs *flag.FlagSet) {
	c.registerCommon(fs)
	fs.StringVar(&c.HTTPListen, "http-listen", ":8080",
		"`address` of the web app, API, health checks and metrics")
	fs.StringVar(&c.SIPListen, "sip-listen", ":5060",
		"`address` for SIP over UDP and TCP, where the PBX or SBC sends recording sessions")
	c.RTPPorts = portRange{20000, 29999}
	fs.Var(&c.RTPPorts, "rtp-ports", "`LOW-HIGH` UDP port range for incoming RTP, one port per stream")
	c.registerRecorder(fs)
	fs.DurationVar(&c.DrainTimeout, "drain-timeout", 30*time.Second,
		"on SIGTERM, how long to wait for requests and uploads in flight before stopping")
	fs.StringVar(&c.DebugListen, "debug-listen", "",
		"loopback `address` for the Go profiler (net/http/pprof), such as 127.0.0.1:6060; empty means off")
	fs.IntVar(&c.UploadWorkers, "upload-workers", 4, "recordings uploaded to the store at once")
	fs.DurationVar(&c.UploadMaxRetry, "upload-max-backoff", 2*time.Minute,
		"longest wait between two attempts to store a recording while the store is unreachable")
}

// registerCommon binds the settings that every command touching the data
// shares.
func (c *Config) registerCommon(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data-dir", "./earshot-data",
		"`folder` for the catalog database, the spool and, by default, the recordings")
	fs.StringVar(&c.Storage, "storage", "",
		"where recordings are stored: file:///path, or s3://bucket/prefix?endpoint=host:port&region=R&insecure=true\n"+
			"        (credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY); empty means file://DATA-DIR/recordings")
	c.LogFormat = "text"
	fs.Var(&c.LogFormat, "log-format", "log `format`: text or json")
	fs.TextVar(&c.LogLevel, "log-level", slog.LevelInfo, "log `level`: debug, info, warn or error")
}

// validate checks the settings that flag parsing cannot, and fills in the
// derived defaults. The error names the setting.
func (c *Config) validate(env func(string) string) error {
	for _, l := range []struct{ name, addr string }{
		{"--http-listen", c.HTTPListen},
		{"--sip-listen", c.SIPListen},
	} {
		if err := checkListen(l.addr); err != nil {
			return usageError{fmt.Sprintf("invalid %s %q: %v", l.name, l.addr, err)}
		}
	}
	if err := checkDebugListen(c.DebugListen); err != nil {
		return usageError{fmt.Sprintf("invalid --debug-listen %q: %v", c.DebugListen, err)}
	}
	if c.DrainTimeout <= 0 {
		return usageError{fmt.Sprintf("invalid --drain-timeout %s: must be positive", c.DrainTimeout)}
	}
	if err := c.validateRecorder(); err != nil {
		return err
	}
	if c.UploadWorkers < 1 || c.UploadWorkers > 64 {
		return usageError{fmt.Sprintf("invalid --upload-workers %d: must be 1 to 64", c.UploadWorkers)}
	}
	return c.validateStorage(env)
}

func (c *Config) validateStorage(env func(string) string) error {
	if c.DataDir == "" {
		return usageError{"invalid --data-dir: must not be empty"}
	}
	if c.Storage == "" {
		abs, err := filepath.Abs(filepath.Join(c.DataDir, "recordings"))
		if err != nil {
			return usageError{fmt.Sprintf("invalid --data-dir %q: %v", c.DataDir, err)}
		}
		c.Storage = "file://" + abs
	}
	if err := storage.CheckURL(c.Storage, env); err != nil {
		return usageError{fmt.Sprintf("invalid --storage %q: %v", storage.RedactURL(c.Storage), err)}
	}
	return nil
}

func checkListen(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New("want HOST:PORT or :PORT")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	return nil
}

// portRange is an inclusive range of UDP ports.
type portRange struct{ Low, High int }

func (p *portRange) String() string { return fmt.Sprintf("%d-%d", p.Low, p.High) }

// Set parses LOW-HIGH. RTP wants an even port per stream (RFC 3550 section
// 11), so a range needs room for at least one pair.
func (p *portRange) Set(s string) error {
	lo, hi, ok := strings.Cut(s, "-")
	if !ok {
		return errors.New("want LOW-HIGH, for example 20000-29999")
	}
	l, err1 := strconv.Atoi(strings.TrimSpace(lo))
	h, err2 := strconv.Atoi(strings.TrimSpace(hi))
	switch {
	case err1 != nil || err2 != nil:
		return errors.New("want two port numbers, LOW-HIGH")
	case l < 1024 || h > 65535:
		return errors.New("ports must be from 1024 to 65535")
	case h-l < 1:
		return errors.New("range must hold at least two ports")
	}
	p.Low, p.High = l, h
	return nil
}

// logFormat is text or json.
type logFormat string

func (f *logFormat) String() string { return string(*f) }

// Set accepts text or json.
func (f *logFormat) Set(s string) error {
	if s != "text" && s != "json" {
		return errors.New("want text or json")
	}
	*f = logFormat(s)
	return nil
}
