package ui

import (
	"bytes"
	"crypto/subtle"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// The reviewer web app: pages rendered on the server with html/template,
// which escapes everything it prints, and scripts and styles served from
// the binary (no CDN: Earshot often runs without internet). Pages sign in
// with the same session cookie as the JSON API, and the few scripts that
// change something call the API with the session's CSRF token in the
// X-CSRF-Token header. Plain HTML forms carry the token in a hidden
// csrf_token field instead.

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// webCSP is the Content-Security-Policy of every page and asset. Scripts
// come only from this server, never inline. Styles may be inline: the
// waveform player writes a <style> into its shadow DOM; a style cannot run
// code.
const webCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; media-src 'self' blob:; connect-src 'self'; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// csrfField is the name of the hidden field that carries the CSRF token
// in the pages' forms.
const csrfField = "csrf_token"

// webTemplates are the parsed pages, by file name without ".html". Each
// is the layout plus one page that defines "content" (and, if it needs
// them, "scripts").
type webTemplates map[string]*template.Template

var webFuncs = template.FuncMap{
	"clock":    webClock,
	"duration": webDuration,
	"percent":  webPercent,
	"has":      func(u *qa.User, r string) bool { return u.Has(qa.Role(r)) },
	"scorer":   func(u *qa.User) bool { return u.HasAny(scoringRole...) },
	"parties":  partyNames,
	"timed":    timedComment,
}

func parseWebTemplates() (webTemplates, error) {
	layout, err := template.New("layout.html").Funcs(webFuncs).
		ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	pages, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := webTemplates{}
	for _, p := range pages {
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, p)
		if err != nil {
			return nil, err
		}
		out[name] = t
	}
	return out, nil
}

// pageData is what the layout reads; Page is the page's own data.
type pageData struct {
	Title string
	// Nav names the menu entry to highlight.
	Nav  string
	User *qa.User
	CSRF string
	// Notice and Problem are messages shown above the page.
	Notice  string
	Problem string
	Page    any
}

// mountWeb registers the pages and the assets. Without the QA service
// nobody can sign in, so there are no pages.
func (s *Server) mountWeb() {
	if s.cfg.QA == nil {
		return
	}
	// The templates and assets are embedded: an error here is a build
	// mistake that every test of the pages catches.
	tpl, err := parseWebTemplates()
	if err != nil {
		panic("ui: parse web templates: " + err.Error())
	}
	s.pages = tpl
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic("ui: web assets: " + err.Error())
	}
	assets := http.StripPrefix("/static/", http.FileServer(http.FS(static)))
	s.echo.GET("/static/*", echo.WrapHandler(assets), webHeaders(true))
	g := s.echo.Group("", webHeaders(false))
	s.mountWebAuth(g)
	s.mountWebPages(g)
	s.mountWebForms(g)
	s.mountWebSampling(g)
	s.mountWebCalibration(g)
	s.mountWebDashboards(g)
	s.mountWebDisputes(g)
	s.mountWebAudit(g)
	s.mountWebPeople(g)
	if s.cfg.Calls != nil {
		s.mountWebCalls(g)
	}
}

// webHeaders sets the security headers of the web app. Pages hold
// personal data, so no cache keeps them; assets never change within a
// build, so a browser may keep them for an hour.
func webHeaders(asset bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("Content-Security-Policy", webCSP)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "same-origin")
			h.Set("X-Frame-Options", "DENY")
			if asset {
				h.Set("Cache-Control", "private, max-age=3600")
			} else {
				h.Set("Cache-Control", "no-store")
			}
			return next(c)
		}
	}
}

// render executes a page into the response with the given status.
func (s *Server) render(c echo.Context, code int, name string, d pageData) error {
	t, ok := s.pages[name]
	if !ok {
		return s.webFail(c, "render "+name, errors.New("no such template"))
	}
	if d.User == nil {
		d.User = caller(c)
	}
	if d.CSRF == "" {
		d.CSRF, _ = c.Get(csrfKey).(string)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", d); err != nil {
		return s.webFail(c, "render "+name, err)
	}
	return c.HTMLBlob(code, buf.Bytes())
}

// webError renders the error page with a message for the person.
func (s *Server) webError(c echo.Context, code int, msg string) error {
	return s.render(c, code, "error", pageData{Title: http.StatusText(code),
		Page: map[string]any{"Code": code, "Message": msg}})
}

// webFail logs an unexpected error and shows the error page without its
// details, which may name files or hosts.
func (s *Server) webFail(c echo.Context, op string, err error) error {
	s.cfg.Log.Error("web page failed", "op", op, "path", c.Path(), "err", err)
	msg := op + " failed; the server log has the details"
	if t, ok := s.pages["error"]; ok {
		var buf bytes.Buffer
		d := pageData{Title: "Error", User: caller(c),
			Page: map[string]any{"Code": http.StatusInternalServerError, "Message": msg}}
		if t.ExecuteTemplate(&buf, "layout.html", d) == nil {
			return c.HTMLBlob(http.StatusInternalServerError, buf.Bytes())
		}
	}
	return c.String(http.StatusInternalServerError, msg)
}

// webQAError shows an error of the QA domain with its status.
func (s *Server) webQAError(c echo.Context, op string, err error) error {
	var in *qa.InputError
	switch {
	case errors.As(err, &in):
		return s.webError(c, http.StatusBadRequest, in.Error())
	case errors.Is(err, qa.ErrForbidden):
		return s.webError(c, http.StatusForbidden, "Your role does not allow this.")
	case errors.Is(err, qa.ErrNotFound):
		return s.webError(c, http.StatusNotFound, "There is no such page, or it is not yours to see.")
	case errors.Is(err, qa.ErrConflict):
		return s.webError(c, http.StatusConflict, err.Error())
	}
	return s.webFail(c, op, err)
}

// webAuth returns the user of the session cookie and the session's CSRF
// token, which any request but GET and HEAD must carry, in the
// X-CSRF-Token header (scripts) or the csrf_token field (forms). Pages
// take no bearer tokens: they are for browsers.
func (s *Server) webAuth(c echo.Context) (*qa.User, string, error) {
	ck, err := c.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return nil, "", qa.ErrUnauthenticated
	}
	u, csrf, err := s.cfg.QA.AuthenticateSession(c.Request().Context(), ck.Value)
	if err != nil {
		return nil, "", err
	}
	if !safeMethod(c.Request().Method) {
		got := c.Request().Header.Get(csrfHeader)
		if got == "" {
			got = c.FormValue(csrfField)
		}
		if subtle.ConstantTimeCompare([]byte(got), []byte(csrf)) != 1 {
			return nil, "", csrfError{}
		}
	}
	return u, csrf, nil
}

// page wraps a page handler: signed out, the browser goes to the sign-in
// page and comes back after; a role the page does not list gets the 403
// page. Empty roles let any signed-in user in.
func (s *Server) page(roles []qa.Role, h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u, csrf, err := s.webAuth(c)
		var ce csrfError
		switch {
		case errors.Is(err, qa.ErrUnauthenticated):
			return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(nextPath(c)))
		case errors.As(err, &ce):
			return s.webError(c, http.StatusForbidden,
				"This form is out of date or did not come from Earshot. Reload the page and try again.")
		case err != nil:
			return s.webFail(c, "sign-in check", err)
		}
		c.Set(callerKey, u)
		c.Set(csrfKey, csrf)
		if len(roles) > 0 && !u.HasAny(roles...) {
			return s.webError(c, http.StatusForbidden,
				"This page needs the role "+rolesText(roles)+"; your account does not have it.")
		}
		return h(c)
	}
}

// webJSON wraps the JSON endpoints that the pages' scripts call: the same
// checks as page, answered in the API's shape.
func (s *Server) webJSON(roles []qa.Role, h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u, csrf, err := s.webAuth(c)
		if err != nil {
			return s.apiError(c, err)
		}
		c.Set(callerKey, u)
		c.Set(csrfKey, csrf)
		if len(roles) > 0 && !u.HasAny(roles...) {
			return apiErr(c, http.StatusForbidden, "%s may not do this; it needs the role %s",
				u.Username, rolesText(roles))
		}
		return h(c)
	}
}

// nextPath is where to come back to after signing in: the page asked
// for, if it was a GET.
func nextPath(c echo.Context) string {
	if c.Request().Method != http.MethodGet {
		return "/"
	}
	return c.Request().URL.RequestURI()
}

// safeNext keeps a redirect after sign-in on this site: a path, not
// "//host" or a full URL.
func safeNext(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	return p
}
