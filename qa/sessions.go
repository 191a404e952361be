package qa

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Session is a signed-in browser.
type Session struct {
	User *User
	// Token is the cookie value. It is returned once: the database keeps
	// only its SHA-256.
	Token string
	// CSRF must come back in a header with every request that changes
	// something, which a page of another site cannot do.
	CSRF string
	// Ends is when the session ends at the latest, however busy it is.
	Ends time.Time
}

// errSignIn is the one answer to a refused sign-in, whatever the reason,
// so that it does not tell which usernames exist.
func errSignIn() error {
	return fmt.Errorf("wrong username or password: %w", ErrUnauthenticated)
}

// randomToken returns 32 random bytes in URL-safe base64.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails; see crypto/rand.Read
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken is how session and API tokens are stored: a token is 256
// random bits, so a fast unsalted hash is enough to make a copy of the
// database useless for signing in.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Login checks a username and password and starts a browser session.
// Every refusal (unknown user, wrong password, disabled account) is the
// same ErrUnauthenticated, takes as long, and is written to the audit log
// without the password.
func (s *Service) Login(ctx context.Context, username, password, remoteAddr string) (*Session, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	throttled, err := s.loginThrottled(ctx, username)
	if err != nil {
		return nil, err
	}
	if throttled {
		s.burnPassword(ctx, password)
		return nil, s.refuseLogin(ctx, username, "too many failed sign-ins", remoteAddr)
	}
	u, stored, err := s.loginUser(ctx, username)
	if errors.Is(err, ErrNotFound) {
		s.burnPassword(ctx, password)
		return nil, s.refuseLogin(ctx, username, "unknown user", remoteAddr)
	}
	if err != nil {
		return nil, err
	}
	ok, stale, err := s.verifyPassword(ctx, stored, password)
	if err != nil {
		return nil, fmt.Errorf("sign in %q: %w", username, err)
	}
	switch {
	case !ok:
		return nil, s.refuseLogin(ctx, username, "wrong password", remoteAddr)
	case u.Disabled:
		return nil, s.refuseLogin(ctx, username, "account disabled", remoteAddr)
	case stale:
		s.rehash(ctx, u.ID, stored, password)
	}
	sess, err := s.startSession(ctx, u, remoteAddr)
	if err != nil {
		return nil, err
	}
	err = s.Audit(ctx, Entry{User: u, Action: ActionLogin, ObjectType: "user",
		ObjectID: fmt.Sprint(u.ID), RemoteAddr: remoteAddr})
	return sess, err
}

// loginUser returns a user and their password hash.
func (s *Service) loginUser(ctx context.Context, username string) (*User, string, error) {
	var stored string
	row := s.db.QueryRowContext(ctx,
		`SELECT `+userColumns+`, u.password_hash FROM users u WHERE u.username = ?`, username)
	u, err := scanUser(row, &stored)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", ErrNotFound
	}
	if err != nil {
		return nil, "", fmt.Errorf("sign in %q: %w", username, err)
	}
	return u, stored, nil
}

// refuseLogin audits a refused sign-in and returns the error to answer. The
// name tried is kept only if it could be a username: a password typed into
// the wrong field must not end up in the log.
func (s *Service) refuseLogin(ctx context.Context, username, reason, remoteAddr string) error {
	tried := username
	if checkUsername(username) != nil {
		tried = "(not a valid username)"
	}
	s.log.Info("sign-in refused", "username", tried, "reason", reason, "remote_addr", remoteAddr)
	err := s.Audit(ctx, Entry{Action: ActionLoginFailed, ObjectType: "user", ObjectID: tried,
		Detail: map[string]any{"reason": reason}, RemoteAddr: remoteAddr})
	if err != nil {
		return err
	}
	return errSignIn()
}

// rehash replaces a hash made with other parameters than the current ones.
// It is best effort: the old hash still works.
func (s *Service) rehash(ctx context.Context, userID int64, old, password string) {
	hash, err := s.hashPassword(ctx, password)
	if err == nil {
		_, err = s.db.ExecContext(ctx,
			`UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?`, hash, userID, old)
	}
	if err != nil {
		s.log.Warn("password hash not upgraded", "user_id", userID, "err", err)
	}
}

// startSession stores a new session of u, and drops expired ones.
func (s *Service) startSession(ctx context.Context, u *User, remoteAddr string) (*Session, error) {
	cfg := s.access.cfg
	now := s.now()
	sess := &Session{User: u, Token: randomToken(), CSRF: randomToken(),
		Ends: now.Add(cfg.SessionMaxAge)}
	idle := now.Add(min(cfg.SessionIdle, cfg.SessionMaxAge))
	_, err := s.db.ExecContext(ctx, `INSERT INTO sessions
		(token_hash, user_id, csrf, created_at, expires_at, ends_at, remote_addr)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		hashToken(sess.Token), u.ID, sess.CSRF, now.UnixMilli(), idle.UnixMilli(),
		sess.Ends.UnixMilli(), remoteAddr)
	if err != nil {
		return nil, fmt.Errorf("start session: %w", err)
	}
	_, err = s.db.ExecContext(ctx,
		`DELETE FROM sessions WHERE expires_at <= ? OR ends_at <= ?`, now.UnixMilli(), now.UnixMilli())
	if err != nil {
		s.log.Warn("expired sessions not removed", "err", err)
	}
	return sess, nil
}

// Logout ends the session of token. Ending a session that has ended
// already is not an error.
func (s *Service) Logout(ctx context.Context, token, remoteAddr string) error {
	var userID int64
	err := s.db.QueryRowContext(ctx,
		`DELETE FROM sessions WHERE token_hash = ? RETURNING user_id`, hashToken(token)).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	u, err := s.GetUser(ctx, userID)
	if err != nil {
		return err
	}
	return s.Audit(ctx, Entry{User: u, Action: ActionLogout, ObjectType: "user",
		ObjectID: fmt.Sprint(u.ID), RemoteAddr: remoteAddr})
}

// AuthenticateSession returns the user of a session token and the
// session's CSRF token, or ErrUnauthenticated for a token that is unknown,
// expired, or of a disabled user. Each use moves the idle expiry on
// (at most once a minute, to spare writes), up to the session's end.
func (s *Service) AuthenticateSession(ctx context.Context, token string) (*User, string, error) {
	var csrf string
	var expires, ends int64
	h := hashToken(token)
	row := s.db.QueryRowContext(ctx, `SELECT `+userColumns+`, s.csrf, s.expires_at, s.ends_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`, h)
	u, err := scanUser(row, &csrf, &expires, &ends)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", ErrUnauthenticated
	}
	if err != nil {
		return nil, "", fmt.Errorf("check session: %w", err)
	}
	now := s.nowMS()
	if now >= expires || now >= ends || u.Disabled {
		return nil, "", ErrUnauthenticated
	}
	next := min(now+s.access.cfg.SessionIdle.Milliseconds(), ends)
	if next-expires >= time.Minute.Milliseconds() {
		_, err := s.db.ExecContext(ctx, `UPDATE sessions SET expires_at = ? WHERE token_hash = ?`, next, h)
		if err != nil {
			return nil, "", fmt.Errorf("extend session: %w", err)
		}
	}
	return u, csrf, nil
}
