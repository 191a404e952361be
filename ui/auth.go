package ui

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// Two ways to sign in: a browser signs in with a password and gets a
// session cookie; a program sends an API token in the Authorization
// header. A cookie is sent by the browser on its own, even on a request a
// page of another site makes it send, so every cookie request that changes
// something must also carry the session's CSRF token in a header, which
// another site cannot read or set. A bearer token is never sent on its
// own, so it needs no CSRF token.
const (
	sessionCookie = "earshot_session"
	csrfHeader    = "X-CSRF-Token"
	// csrfKey is the echo context key of the CSRF token of a cookie session.
	csrfKey = "earshot.csrf"
	// maxAuthBody bounds the JSON bodies of the routes below.
	maxAuthBody = 64 << 10
)

// csrfError refuses a cookie request that changes something without the
// session's CSRF token.
type csrfError struct{}

func (csrfError) Error() string {
	return "a signed-in browser request that changes something must send the " + csrfHeader +
		" header with the csrf_token that login returned"
}

func (csrfError) Unwrap() error { return qa.ErrForbidden }

// authenticate returns the signed-in user of a request: the owner of the
// bearer token if there is an Authorization header, else the user of the
// session cookie, which must come with its CSRF token on any method but
// GET, HEAD and OPTIONS.
func (s *Server) authenticate(c echo.Context) (*qa.User, error) {
	req := c.Request()
	if h := req.Header.Get(echo.HeaderAuthorization); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "bearer") {
			return nil, qa.ErrUnauthenticated
		}
		return s.cfg.QA.AuthenticateToken(req.Context(), strings.TrimSpace(token))
	}
	ck, err := req.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return nil, qa.ErrUnauthenticated
	}
	u, csrf, err := s.cfg.QA.AuthenticateSession(req.Context(), ck.Value)
	if err != nil {
		return nil, err
	}
	if !safeMethod(req.Method) &&
		subtle.ConstantTimeCompare([]byte(req.Header.Get(csrfHeader)), []byte(csrf)) != 1 {
		return nil, csrfError{}
	}
	c.Set(csrfKey, csrf)
	return u, nil
}

// safeMethod reports whether a method only reads (RFC 9110, section 9.2.1).
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// setSessionCookie sets the session cookie, or clears it when value is
// empty. It is Secure on TLS requests (directly or through a proxy that
// says so) and whenever the configuration asks.
func (s *Server) setSessionCookie(c echo.Context, value string, ends time.Time) {
	ck := &http.Cookie{Name: sessionCookie, Value: value, Path: "/", HttpOnly: true,
		Secure: s.cfg.SecureCookies || c.Scheme() == "https", SameSite: http.SameSiteLaxMode}
	if value == "" {
		ck.MaxAge = -1
	} else {
		ck.Expires = ends
	}
	c.SetCookie(ck)
}

// audit records what the signed-in caller did. Without the QA service (a
// seam for tests of the HTTP logic) there is nobody to record.
func (s *Server) audit(
	c echo.Context,
	action, objectType, objectID string,
	detail map[string]any,
) error {
	if s.cfg.QA == nil {
		return nil
	}
	return s.cfg.QA.Audit(c.Request().Context(), qa.Entry{User: caller(c), Action: action,
		ObjectType: objectType, ObjectID: objectID, Detail: detail, RemoteAddr: c.RealIP()})
}

// decodeAuthJSON reads a JSON object body into v, refusing unknown fields.
// The body must say it is JSON: a form of another site can post text that
// parses as JSON, but cannot set that content type without the browser
// asking this server first (CORS), which it never allows. That keeps a
// page elsewhere from signing a browser in to an account of its choosing.
func decodeAuthJSON(c echo.Context, v any) error {
	mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEApplicationJSON {
		return &qa.InputError{Msg: "send the body as JSON, with Content-Type: application/json"}
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, maxAuthBody))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	if errors.Is(err, io.EOF) {
		return &qa.InputError{Msg: "send a JSON object as the request body"}
	}
	if err != nil {
		return &qa.InputError{Msg: fmt.Sprintf("the body is not the JSON object expected: %v", err)}
	}
	return nil
}

// authAPI are the routes of signing in and out, users, API tokens and the
// audit log.
func (s *Server) authAPI() []route {
	if s.cfg.QA == nil {
		return nil
	}
	admin := []qa.Role{qa.RoleAdmin}
	return []route{
		{method: http.MethodPost, path: "/api/v1/login", public: true, h: s.login,
			summary: "Sign in with {username, password}: sets the session cookie, " +
				"returns {user, csrf_token}"},
		{method: http.MethodPost, path: "/api/v1/logout", roles: anyRole, h: s.logout,
			summary: "End the browser session"},
		{method: http.MethodGet, path: "/api/v1/me", roles: anyRole, h: s.me,
			summary: "The signed-in user, and the session's csrf_token"},
		{method: http.MethodPost, path: "/api/v1/me/password", roles: anyRole, h: s.changeOwnPassword,
			summary: "Change your password with {current_password, new_password}; ends your sessions"},
		{method: http.MethodGet, path: "/api/v1/users", roles: admin, h: s.listUsers,
			summary: "List users"},
		{method: http.MethodPost, path: "/api/v1/users", roles: admin, h: s.createUser,
			summary: "Create a user from {username, display_name, password, roles, agent_id}; " +
				"without a password, one is generated and returned once"},
		{method: http.MethodPatch, path: "/api/v1/users/:id", roles: admin, h: s.updateUser,
			summary: "Change a user's {display_name, roles, disabled, agent_id} (agent_id 0 unlinks)"},
		{method: http.MethodPost, path: "/api/v1/users/:id/password", roles: admin, h: s.setUserPassword,
			summary: "Set a user's {password}; ends their sessions"},
		{method: http.MethodGet, path: "/api/v1/tokens", roles: anyRole, h: s.listTokens,
			summary: "List your API tokens, or (admin) user_id=N's or user_id=all"},
		{method: http.MethodPost, path: "/api/v1/tokens", roles: anyRole, h: s.createToken,
			summary: "Create an API token {name} for yourself, or (admin) for {user_id}, expiring after " +
				"{expires_in_days} if given; the secret is returned once"},
		{method: http.MethodDelete, path: "/api/v1/tokens/:id", roles: anyRole, h: s.revokeToken,
			summary: "Revoke one of your API tokens, or (admin) anyone's"},
		{method: http.MethodGet, path: "/api/v1/audit", roles: admin, h: s.listAudit,
			summary: "The audit log, newest first: from, to, user_id, action, limit, before"},
	}
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type sessionAnswer struct {
	User *qa.User `json:"user"`
	// CSRFToken goes in the X-CSRF-Token header of every request that
	// changes something; empty for a bearer token.
	CSRFToken string     `json:"csrf_token,omitempty"`
	Ends      *time.Time `json:"session_ends,omitempty"`
}

func (s *Server) login(c echo.Context) error {
	var req loginRequest
	if err := decodeAuthJSON(c, &req); err != nil {
		return s.apiError(c, err)
	}
	if req.Username == "" || req.Password == "" {
		return apiErr(c, http.StatusBadRequest, "give both username and password")
	}
	sess, err := s.cfg.QA.Login(c.Request().Context(), req.Username, req.Password, c.RealIP())
	if errors.Is(err, qa.ErrUnauthenticated) {
		return apiErr(c, http.StatusUnauthorized, "wrong username or password")
	}
	if err != nil {
		return s.apiError(c, err)
	}
	s.setSessionCookie(c, sess.Token, sess.Ends)
	return c.JSON(http.StatusOK, sessionAnswer{User: sess.User, CSRFToken: sess.CSRF, Ends: &sess.Ends})
}

// logout ends the session of the cookie; with a bearer token there is no
// session, and nothing changes (revoke the token to end it).
func (s *Server) logout(c echo.Context) error {
	ck, err := c.Cookie(sessionCookie)
	if err == nil && c.Request().Header.Get(echo.HeaderAuthorization) == "" {
		if err := s.cfg.QA.Logout(c.Request().Context(), ck.Value, c.RealIP()); err != nil {
			return s.apiError(c, err)
		}
		s.setSessionCookie(c, "", time.Time{})
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) me(c echo.Context) error {
	csrf, _ := c.Get(csrfKey).(string)
	return c.JSON(http.StatusOK, sessionAnswer{User: caller(c), CSRFToken: csrf})
}

func (s *Server) changeOwnPassword(c echo.Context) error {
	var req struct {
		Current string `json:"current_password"`
		New     string `json:"new_password"`
	}
	if err := decodeAuthJSON(c, &req); err != nil {
		return s.apiError(c, err)
	}
	u := caller(c)
	if err := s.cfg.QA.ChangePassword(c.Request().Context(), u.ID, req.Current, req.New); err != nil {
		return s.apiError(c, err)
	}
	if err := s.audit(c, qa.ActionChange, "user", fmt.Sprint(u.ID),
		map[string]any{"changed": []string{"password"}}); err != nil {
		return s.internal(c, "audit", err)
	}
	s.setSessionCookie(c, "", time.Time{})
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) listUsers(c echo.Context) error {
	users, err := s.cfg.QA.ListUsers(c.Request().Context())
	if err != nil {
		return s.apiError(c, err)
	}
	return c.JSON(http.StatusOK, map[string]any{"users": users})
}

type newUserRequest struct {
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name"`
	Password    string    `json:"password"`
	Roles       []qa.Role `json:"roles"`
	AgentID     *int64    `json:"agent_id"`
}

type newUserAnswer struct {
	User *qa.User `json:"user"`
	// Password is set only when it was generated: shown this once.
	Password string `json:"password,omitempty"`
}

func (s *Server) createUser(c echo.Context) error {
	var req newUserRequest
	if err := decodeAuthJSON(c, &req); err != nil {
		return s.apiError(c, err)
	}
	var generated string
	if req.Password == "" {
		generated = qa.GeneratePassword()
		req.Password = generated
	}
	u, err := s.cfg.QA.CreateUser(c.Request().Context(), qa.NewUser{Username: req.Username,
		DisplayName: req.DisplayName, Password: req.Password, Roles: req.Roles, AgentID: req.AgentID})
	if err != nil {
		return s.apiError(c, err)
	}
	if err := s.audit(c, qa.ActionCreate, "user", fmt.Sprint(u.ID),
		map[string]any{"username": u.Username, "roles": u.Roles}); err != nil {
		return s.internal(c, "audit", err)
	}
	return c.JSON(http.StatusCreated, newUserAnswer{User: u, Password: generated})
}

// authPathID reads the numeric :id of a path; anything else names nothing.
func authPathID(c echo.Context, what string) (int64, error) {
	var id int64
	if _, err := fmt.Sscan(c.Param("id"), &id); err != nil || id <= 0 {
		return 0, fmt.Errorf("%s %q: %w", what, c.Param("id"), qa.ErrNotFound)
	}
	return id, nil
}

type userUpdateRequest struct {
	DisplayName *string   `json:"display_name"`
	Roles       []qa.Role `json:"roles"`
	Disabled    *bool     `json:"disabled"`
	AgentID     *int64    `json:"agent_id"`
}

// changed names the fields a request sets, for the audit log.
func (r userUpdateRequest) changed() []string {
	var out []string
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"display_name", r.DisplayName != nil}, {"roles", r.Roles != nil},
		{"disabled", r.Disabled != nil}, {"agent_id", r.AgentID != nil},
	} {
		if f.set {
			out = append(out, f.name)
		}
	}
	return out
}

func (s *Server) updateUser(c echo.Context) error {
	id, err := authPathID(c, "user")
	if err != nil {
		return s.apiError(c, err)
	}
	var req userUpdateRequest
	if err := decodeAuthJSON(c, &req); err != nil {
		return s.apiError(c, err)
	}
	u, err := s.cfg.QA.UpdateUser(c.Request().Context(), id, qa.UserUpdate{
		DisplayName: req.DisplayName, Roles: req.Roles, Disabled: req.Disabled, AgentID: req.AgentID})
	if err != nil {
		return s.apiError(c, err)
	}
	if err := s.audit(c, qa.ActionChange, "user", fmt.Sprint(id), map[string]any{
		"changed": req.changed(), "roles": u.Roles, "disabled": u.Disabled}); err != nil {
		return s.internal(c, "audit", err)
	}
	return c.JSON(http.StatusOK, u)
}

func (s *Server) setUserPassword(c echo.Context) error {
	id, err := authPathID(c, "user")
	if err != nil {
		return s.apiError(c, err)
	}
	var req struct {
		Password string `json:"password"`
	}
	if err := decodeAuthJSON(c, &req); err != nil {
		return s.apiError(c, err)
	}
	if err := s.cfg.QA.SetPassword(c.Request().Context(), id, req.Password); err != nil {
		return s.apiError(c, err)
	}
	if err := s.audit(c, qa.ActionChange, "user", fmt.Sprint(id),
		map[string]any{"changed": []string{"password"}}); err != nil {
		return s.internal(c, "audit", err)
	}
	return c.NoContent(http.StatusNoContent)
}

// tokenOwner reads the user_id a token request names: the caller when
// absent, 0 (every user) for "all".
func tokenOwner(c echo.Context, v string) (int64, error) {
	switch v {
	case "":
		return caller(c).ID, nil
	case "all":
		return 0, nil
	}
	var id int64
	if _, err := fmt.Sscan(v, &id); err != nil || id <= 0 {
		return 0, &qa.InputError{Field: "user_id", Msg: fmt.Sprintf("%q: want a user id or all", v)}
	}
	return id, nil
}

func (s *Server) listTokens(c echo.Context) error {
	owner, err := tokenOwner(c, c.QueryParam("user_id"))
	if err != nil {
		return s.apiError(c, err)
	}
	tokens, err := s.cfg.QA.ListTokens(c.Request().Context(), caller(c), owner)
	if err != nil {
		return s.apiError(c, err)
	}
	return c.JSON(http.StatusOK, map[string]any{"tokens": tokens})
}

type newTokenAnswer struct {
	Token *qa.Token `json:"token"`
	// Secret is the token to send as "Authorization: Bearer ...": shown
	// this once.
	Secret string `json:"secret"`
}

func (s *Server) createToken(c echo.Context) error {
	var req struct {
		Name   string `json:"name"`
		UserID int64  `json:"user_id"`
		// ExpiresInDays, if set, makes the token stop working that many
		// days from now.
		ExpiresInDays int `json:"expires_in_days"`
	}
	if err := decodeAuthJSON(c, &req); err != nil {
		return s.apiError(c, err)
	}
	if req.UserID == 0 {
		req.UserID = caller(c).ID
	}
	tok, secret, err := s.cfg.QA.CreateExpiringToken(c.Request().Context(), caller(c), req.UserID, req.Name,
		tokenLifetime(req.ExpiresInDays))
	if err != nil {
		return s.apiError(c, err)
	}
	if err := s.audit(c, qa.ActionCreate, "api_token", fmt.Sprint(tok.ID),
		map[string]any{"name": tok.Name, "user_id": tok.UserID, "expires_at": tok.ExpiresAt}); err != nil {
		return s.internal(c, "audit", err)
	}
	return c.JSON(http.StatusCreated, newTokenAnswer{Token: tok, Secret: secret})
}

// tokenLifetime turns a count of days into a token's lifetime. A count out
// of range stays out of range, without overflowing, for qa to refuse.
func tokenLifetime(days int) time.Duration {
	const day = 24 * time.Hour
	if days > int(qa.MaxTokenLifetime/day) {
		return qa.MaxTokenLifetime + day
	}
	return time.Duration(max(days, -1)) * day
}

func (s *Server) revokeToken(c echo.Context) error {
	id, err := authPathID(c, "token")
	if err != nil {
		return s.apiError(c, err)
	}
	tok, err := s.cfg.QA.RevokeToken(c.Request().Context(), caller(c), id)
	if err != nil {
		return s.apiError(c, err)
	}
	if err := s.audit(c, qa.ActionRevoke, "api_token", fmt.Sprint(id),
		map[string]any{"name": tok.Name, "user_id": tok.UserID}); err != nil {
		return s.internal(c, "audit", err)
	}
	return c.NoContent(http.StatusNoContent)
}

type auditPage struct {
	Entries []qa.AuditRecord `json:"entries"`
	// Next is the cursor of the next page (pass it as before=), absent on
	// the last page.
	Next int64 `json:"next,omitempty"`
}

func (s *Server) listAudit(c echo.Context) error {
	f, err := auditFilter(c)
	if err != nil {
		return apiErr(c, http.StatusBadRequest, "%v", err)
	}
	entries, err := s.cfg.QA.ListAudit(c.Request().Context(), f)
	if err != nil {
		return s.apiError(c, err)
	}
	page := auditPage{Entries: entries}
	if f.Limit == 0 {
		f.Limit = qa.DefaultAuditLimit
	}
	if len(entries) == f.Limit {
		page.Next = entries[len(entries)-1].ID
	}
	return c.JSON(http.StatusOK, page)
}

// auditFilter reads the query parameters of GET /api/v1/audit.
func auditFilter(c echo.Context) (qa.AuditFilter, error) {
	f := qa.AuditFilter{Action: c.QueryParam("action")}
	var err error
	if f.From, err = queryTime(c, "from"); err != nil {
		return f, err
	}
	if f.To, err = queryTime(c, "to"); err != nil {
		return f, err
	}
	if f.UserID, err = queryInt(c, "user_id"); err != nil {
		return f, err
	}
	if f.BeforeID, err = queryInt(c, "before"); err != nil {
		return f, err
	}
	limit, err := queryInt(c, "limit")
	f.Limit = int(limit)
	return f, err
}
