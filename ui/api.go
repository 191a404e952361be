package ui

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// route is one endpoint of the JSON API. Every endpoint is declared here,
// with the roles that may call it, so that the role check, the role matrix
// test and the OpenAPI document all read one table.
type route struct {
	method string
	path   string
	// roles may call the route; empty means any signed-in user. Finer
	// rules (an agent sees only their own calls) are in the handler.
	roles []qa.Role
	// public routes need no sign-in (logging in itself).
	public  bool
	summary string
	h       echo.HandlerFunc
}

// apiRoutes gathers the routes of every part of the API.
func (s *Server) apiRoutes() []route {
	return slices.Concat(s.callAPI(), s.authAPI(), s.agentAPI(), s.formAPI(), s.samplingAPI(),
		s.reportAPI(), s.calibrationAPI())
}

// mountAPI registers the API routes behind the role check.
func (s *Server) mountAPI() {
	for _, r := range s.apiRoutes() {
		s.echo.Add(r.method, r.path, r.h, s.guard(r))
	}
	// The document describes the API to anyone who can reach it; it holds
	// no data.
	s.echo.GET("/api/v1/openapi.json", s.serveOpenAPI)
}

// callerKey is the echo context key of the signed-in user.
const callerKey = "earshot.caller"

// guard authenticates the caller and checks the route's roles: 401 without
// valid credentials, 403 with a role that may not call it.
func (s *Server) guard(r route) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if r.public || s.cfg.QA == nil {
				return next(c)
			}
			u, err := s.authenticate(c)
			if err != nil {
				return s.apiError(c, err)
			}
			if len(r.roles) > 0 && !u.HasAny(r.roles...) {
				return apiErr(c, http.StatusForbidden, "%s may not do this; it needs the role %s",
					u.Username, rolesText(r.roles))
			}
			c.Set(callerKey, u)
			return next(c)
		}
	}
}

func rolesText(rs []qa.Role) string {
	out := ""
	for i, r := range rs {
		switch {
		case i == 0:
		case i == len(rs)-1:
			out += " or "
		default:
			out += ", "
		}
		out += string(r)
	}
	return out
}

// caller returns the signed-in user of a guarded request.
func caller(c echo.Context) *qa.User {
	u, _ := c.Get(callerKey).(*qa.User)
	return u
}

// apiError answers an error from the QA domain with its status.
func (s *Server) apiError(c echo.Context, err error) error {
	var in *qa.InputError
	switch {
	case errors.As(err, &in):
		return apiErr(c, http.StatusBadRequest, "%s", in.Error())
	case errors.Is(err, qa.ErrUnauthenticated):
		return apiErr(c, http.StatusUnauthorized, "sign in first: send a session cookie or an Authorization: Bearer token")
	case errors.Is(err, qa.ErrForbidden):
		return apiErr(c, http.StatusForbidden, "%v", err)
	case errors.Is(err, qa.ErrNotFound):
		return apiErr(c, http.StatusNotFound, "%v", err)
	case errors.Is(err, qa.ErrConflict):
		return apiErr(c, http.StatusConflict, "%v", err)
	}
	return s.internal(c, "request", err)
}

var (
	anyRole     = []qa.Role(nil)
	staff       = []qa.Role{qa.RoleAdmin, qa.RoleManager}
	scoringRole = []qa.Role{qa.RoleAdmin, qa.RoleManager, qa.RoleReviewer}
)

var _ = anyRole

// jsonErrorHandler answers Echo's own errors (unknown route, wrong method,
// a recovered panic) in the API's shape, {"error": "..."}.
func jsonErrorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		code, msg := http.StatusInternalServerError, "internal error; the server log has the details"
		var he *echo.HTTPError
		if errors.As(err, &he) {
			code = he.Code
			if code < 500 {
				msg = fmt.Sprint(he.Message)
			}
		}
		if code >= 500 {
			log.Error("http request failed", "path", c.Path(), "err", err)
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(code)
			return
		}
		_ = c.JSON(code, apiError{Error: msg})
	}
}
