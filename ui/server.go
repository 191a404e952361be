package ui

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"earshot/qa"
	"earshot/storage"
)

// Check is one dependency that must answer for the server to be ready.
type Check struct {
	// Name identifies the dependency in the /readyz answer.
	Name string
	// Ping returns nil when the dependency can be used.
	Ping func(ctx context.Context) error
}

// Config configures a Server.
type Config struct {
	Log *slog.Logger
	// Checks are run, in order, by /readyz.
	Checks []Check
	// Detail, if set, adds facts to the /readyz answer (the upload backlog,
	// for example) without affecting readiness.
	Detail func() map[string]any
	// Gatherer serves /metrics; nil serves the process-wide default.
	Gatherer prometheus.Gatherer
	// MetricsToken, if set, is the bearer token a scraper sends to read
	// /metrics without being an admin.
	MetricsToken string
	// CheckTimeout bounds each readiness check; zero means 2s.
	CheckTimeout time.Duration
	// Calls, Store and Control serve the call API; without Calls it is
	// not served.
	Calls   Calls
	Store   storage.Store
	Control CallControl
	// QA is the QA domain: people, roles and everything scored. Without
	// it the API asks no one to sign in: that is a seam for tests of the
	// HTTP logic only, and the earshot binary always sets it.
	QA *qa.Service
	// SecureCookies marks the session cookie Secure on every request, for
	// a server behind a TLS proxy that does not say so in
	// X-Forwarded-Proto. Requests that arrive over TLS, or say they did,
	// always get a Secure cookie.
	SecureCookies bool
}

// Server is the HTTP side of Earshot.
type Server struct {
	cfg  Config
	echo *echo.Echo
	// pages are the web app's templates (see mountWeb).
	pages webTemplates
	// peaks caches the waveform peaks of recently opened calls.
	peaks *lru.Cache[string, *callPeaksOut]
}

// New builds the server and its routes.
func New(cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Gatherer == nil {
		cfg.Gatherer = prometheus.DefaultGatherer
	}
	if cfg.CheckTimeout <= 0 {
		cfg.CheckTimeout = 2 * time.Second
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			cfg.Log.Error("http handler panicked", "path", c.Path(), "err", err, "stack", string(stack))
			return err
		},
	}))
	e.HTTPErrorHandler = jsonErrorHandler(cfg.Log)
	s := &Server{cfg: cfg, echo: e, peaks: newPeakCache()}
	s.routes()
	return s
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.echo }

func (s *Server) routes() {
	s.echo.GET("/healthz", s.healthz)
	s.echo.GET("/readyz", s.readyz)
	s.mountAPI()
	s.mountWeb()
	s.mountMetrics()
}
