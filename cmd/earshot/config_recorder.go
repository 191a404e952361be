package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// registerRecorder binds the settings of the SIP and RTP side.
func (c *Config) registerRecorder(fs *flag.FlagSet) {
	fs.StringVar(&c.SIPTLSListen, "sip-tls-listen", ":5061",
		"`address` for SIP over TLS; served only when --sip-tls-cert and --sip-tls-key are set")
	fs.StringVar(&c.SIPTLSCert, "sip-tls-cert", "", "PEM certificate `file` (chain) for SIP over TLS")
	fs.StringVar(&c.SIPTLSKey, "sip-tls-key", "", "PEM private key `file` for SIP over TLS")
	fs.StringVar(&c.SIPAdvertise, "sip-advertise", "",
		"`IP` put in SDP answers and Contact headers; empty means the address the SBC reached")
	fs.StringVar(&c.SIPAllow, "sip-allow", "",
		"comma-separated `CIDRs` allowed to open recording sessions (others get 403); empty allows all")
	fs.IntVar(&c.SIPMaxBody, "sip-max-body", 16<<10,
		"largest INVITE body in `bytes` (SDP and metadata); larger ones get 413")
	fs.IntVar(&c.MaxCalls, "max-calls", 2000,
		"calls recorded at once; more get 503 with Retry-After so the SBC tries another recorder")
	fs.StringVar(&c.RTPBind, "rtp-bind", "0.0.0.0", "`IP` the RTP sockets bind to")
	fs.DurationVar(&c.RTPTimeout, "rtp-timeout", 60*time.Second,
		"end a call when all its active streams have been silent this long and no BYE came")
	fs.BoolVar(&c.RTPLatch, "rtp-latch", false,
		"accept RTP from the first source seen instead of only the SDP's address (SBCs behind NAT)")
	fs.StringVar(&c.Codecs, "codecs", "PCMU,PCMA,G722", "codec `preference`, best first, chosen from each offer")
	fs.StringVar(&c.PairParam, "pair-param", "x-refci",
		"From URI `parameter` that pairs the two single-stream INVITEs some PBXs fork per call; empty disables")
	fs.IntVar(&c.SpoolMinFreeM, "spool-min-free", 256,
		"refuse new calls with 503 when the spool disk has fewer `MiB` free")
}

// validateRecorder checks the SIP and RTP settings and derives their
// parsed forms.
func (c *Config) validateRecorder() error {
	var err error
	if c.SIPAdvertise != "" {
		if c.advertiseIP, err = netip.ParseAddr(c.SIPAdvertise); err != nil {
			return usageError{fmt.Sprintf("invalid --sip-advertise %q: want an IP address", c.SIPAdvertise)}
		}
	}
	if c.allow, err = parseCIDRs(c.SIPAllow); err != nil {
		return usageError{fmt.Sprintf("invalid --sip-allow %q: %v", c.SIPAllow, err)}
	}
	if c.rtpBindIP, err = netip.ParseAddr(c.RTPBind); err != nil {
		return usageError{fmt.Sprintf("invalid --rtp-bind %q: want an IP address", c.RTPBind)}
	}
	switch {
	case c.SIPMaxBody < 1024 || c.SIPMaxBody > 60000:
		return usageError{fmt.Sprintf("invalid --sip-max-body %d: must be 1024 to 60000", c.SIPMaxBody)}
	case c.MaxCalls < 1:
		return usageError{fmt.Sprintf("invalid --max-calls %d: must be at least 1", c.MaxCalls)}
	case c.RTPTimeout < time.Second:
		return usageError{fmt.Sprintf("invalid --rtp-timeout %s: must be at least 1s", c.RTPTimeout)}
	case c.SpoolMinFreeM < 1:
		return usageError{fmt.Sprintf("invalid --spool-min-free %d: must be at least 1", c.SpoolMinFreeM)}
	}
	if err := c.validateTLS(); err != nil {
		return err
	}
	return c.validateCodecs()
}

// validateTLS loads the SIP certificate now, so that a wrong path or a
// key that does not match stops the start rather than the first call.
func (c *Config) validateTLS() error {
	switch {
	case c.SIPTLSCert == "" && c.SIPTLSKey == "":
		return nil
	case c.SIPTLSCert == "" || c.SIPTLSKey == "":
		return usageError{"invalid --sip-tls-cert/--sip-tls-key: set both, or neither to serve SIP without TLS"}
	}
	if err := checkListen(c.SIPTLSListen); err != nil {
		return usageError{fmt.Sprintf("invalid --sip-tls-listen %q: %v", c.SIPTLSListen, err)}
	}
	cert, err := tls.LoadX509KeyPair(c.SIPTLSCert, c.SIPTLSKey)
	if err != nil {
		return usageError{fmt.Sprintf("invalid --sip-tls-cert/--sip-tls-key: %v", err)}
	}
	c.tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	return nil
}

func (c *Config) validateCodecs() error {
	c.codecList = nil
	for _, name := range strings.Split(c.Codecs, ",") {
		name = strings.ToUpper(strings.TrimSpace(name))
		switch name {
		case "PCMU", "PCMA", "G722":
			c.codecList = append(c.codecList, name)
		case "":
		default:
			return usageError{fmt.Sprintf("invalid --codecs %q: %s is not one of PCMU, PCMA, G722", c.Codecs, name)}
		}
	}
	if len(c.codecList) == 0 {
		return usageError{"invalid --codecs: name at least one of PCMU, PCMA, G722"}
	}
	return nil
}

func parseCIDRs(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8", part)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
