package ui

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"
)

// healthz answers as long as the process serves HTTP.
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

type readiness struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
	Detail map[string]any    `json:"detail,omitempty"`
}

// readyz runs every check and answers 503 naming those that failed, so that
// a load balancer stops sending work and an operator sees why.
func (s *Server) readyz(c echo.Context) error {
	r := readiness{Status: "ready", Checks: map[string]string{}}
	for _, chk := range s.cfg.Checks {
		ctx, cancel := context.WithTimeout(c.Request().Context(), s.cfg.CheckTimeout)
		err := chk.Ping(ctx)
		cancel()
		if err != nil {
			r.Status = "not ready"
			r.Checks[chk.Name] = err.Error()
			s.cfg.Log.Warn("readiness check failed", "check", chk.Name, "err", err)
			continue
		}
		r.Checks[chk.Name] = "ok"
	}
	if s.cfg.Detail != nil {
		r.Detail = s.cfg.Detail()
	}
	code := http.StatusOK
	if r.Status != "ready" {
		code = http.StatusServiceUnavailable
	}
	return c.JSON(code, r)
}
