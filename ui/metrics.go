package ui

import (
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"earshot/qa"
)

// mountMetrics serves /metrics to a Prometheus scraper that sends the
// metrics token, and to admins. The counts it shows hold no personal data,
// but they tell anyone how busy the contact center is and when, so the
// page is not left open. The scraper gets a token of its own because an
// admin's API token in a monitoring system's configuration would open
// every recording to whoever reads that configuration.
func (s *Server) mountMetrics() {
	h := echo.WrapHandler(promhttp.HandlerFor(s.cfg.Gatherer,
		promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(s.cfg.Log.Handler(), slog.LevelWarn)}))
	admin := s.guard(route{roles: []qa.Role{qa.RoleAdmin}})(h)
	s.echo.GET("/metrics", func(c echo.Context) error {
		if s.isMetricsToken(c.Request()) {
			return h(c)
		}
		if !hasCredentials(c.Request()) {
			// Tell a scraper set up without credentials what to send.
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="earshot metrics"`)
		}
		return admin(c)
	})
}

// isMetricsToken reports whether req carries the configured metrics token
// as its bearer token.
func (s *Server) isMetricsToken(req *http.Request) bool {
	if s.cfg.MetricsToken == "" {
		return false
	}
	scheme, token, ok := strings.Cut(req.Header.Get(echo.HeaderAuthorization), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.cfg.MetricsToken)) == 1
}

// hasCredentials reports whether req sends a bearer token or a session
// cookie, right or wrong.
func hasCredentials(req *http.Request) bool {
	if req.Header.Get(echo.HeaderAuthorization) != "" {
		return true
	}
	_, err := req.Cookie(sessionCookie)
	return err == nil
}
