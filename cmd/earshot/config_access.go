package main

import (
	"flag"
	"fmt"
	"strings"
	"time"

	"earshot/qa"
)

// adminPasswordEnv names the variable that sets the first admin's password
// on the first start. It is not a flag, so that it never shows in a
// process list.
const adminPasswordEnv = "EARSHOT_ADMIN_PASSWORD"

// metricsTokenEnv names the variable that holds the bearer token a
// Prometheus scraper sends to read /metrics; like the admin password it is
// kept out of the process list.
const metricsTokenEnv = "EARSHOT_METRICS_TOKEN"

// minMetricsToken is the shortest metrics token taken: 16 characters of
// "openssl rand -hex 16" are 64 bits, which no one guesses over HTTP.
const minMetricsToken = 16

// accessConfig holds the serve settings of signing in.
type accessConfig struct {
	// SecureCookies marks the session cookie Secure on every request.
	SecureCookies bool
	// SessionIdle and SessionMaxAge end browser sessions.
	SessionIdle   time.Duration
	SessionMaxAge time.Duration
	// DisputeWindow is how long after an evaluation is submitted its agent
	// may dispute it.
	DisputeWindow time.Duration
	// MetricsToken, from metricsTokenEnv, lets a scraper read /metrics.
	MetricsToken string
}

// register binds the settings to fs, with their defaults.
func (a *accessConfig) register(fs *flag.FlagSet) {
	fs.BoolVar(&a.SecureCookies, "secure-cookies", false,
		"mark the session cookie Secure on every request; set it behind a TLS proxy that does not send\n"+
			"        X-Forwarded-Proto (requests over TLS, or marked so, always get a Secure cookie)")
	fs.DurationVar(&a.SessionIdle, "session-idle", 12*time.Hour,
		"sign a browser out after this long without a request")
	fs.DurationVar(&a.SessionMaxAge, "session-max-age", 24*time.Hour,
		"sign a browser out this long after it signed in, however busy")
	fs.DurationVar(&a.DisputeWindow, "dispute-window", qa.DefaultDisputeWindow,
		"how long after an evaluation is submitted its agent may dispute it")
}

// validate checks the settings and reads the metrics token from env; the
// error names the setting.
func (a *accessConfig) validate(env func(string) string) error {
	a.MetricsToken = strings.TrimSpace(env(metricsTokenEnv))
	if n := len(a.MetricsToken); n > 0 && n < minMetricsToken {
		return usageError{fmt.Sprintf("invalid %s: %d characters is too easy to guess; use at least %d, "+
			"such as the output of \"openssl rand -hex 16\"", metricsTokenEnv, n, minMetricsToken)}
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"--session-idle", a.SessionIdle}, {"--session-max-age", a.SessionMaxAge},
		{"--dispute-window", a.DisputeWindow}} {
		if d.v < time.Minute {
			return usageError{fmt.Sprintf("invalid %s %s: must be at least 1m", d.name, d.v)}
		}
	}
	return nil
}

// qaAccess is the QA service's view of the settings.
func (a *accessConfig) qaAccess() qa.AccessConfig {
	return qa.AccessConfig{SessionIdle: a.SessionIdle, SessionMaxAge: a.SessionMaxAge}
}
