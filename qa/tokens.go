package qa

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// TokenPrefix starts every API token, so that a token pasted where it
// should not be (a log, a ticket, a repository) is easy to find.
const TokenPrefix = "esk_"

const maxTokenNameLen = 100

// Token is an API token as listed: never its secret.
type Token struct {
	ID int64 `json:"id"`
	// UserID is the owner: the user the token signs in as.
	UserID   int64  `json:"user_id"`
	Username string `json:"username"`
	Name     string `json:"name"`
	// CreatedBy is the user who created it (the owner or an admin); nil
	// once that user is deleted.
	CreatedBy  *int64     `json:"created_by,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	// ExpiresAt is when the token stops working on its own; nil never.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// MaxTokenLifetime bounds how far ahead a token's expiry may be set; a
// token meant to last longer is made without one.
const MaxTokenLifetime = 10 * 365 * 24 * time.Hour

// mayManageTokens reports whether caller may create, list and revoke the
// tokens of user owner: their own, or anyone's for an admin.
func mayManageTokens(caller *User, owner int64) bool {
	return caller != nil && (caller.ID == owner || caller.Has(RoleAdmin))
}

// CreateToken creates an API token for user forUserID on behalf of caller,
// who must be that user or an admin (else ErrForbidden). It returns the
// token as listed and its secret, which is shown once: only its SHA-256 is
// kept. The token works until it is revoked.
func (s *Service) CreateToken(
	ctx context.Context,
	caller *User,
	forUserID int64,
	name string,
) (*Token, string, error) {
	return s.CreateExpiringToken(ctx, caller, forUserID, name, 0)
}

// CreateExpiringToken is CreateToken for a token that also stops working
// lifetime after it is made; lifetime 0 means never.
func (s *Service) CreateExpiringToken(
	ctx context.Context,
	caller *User,
	forUserID int64,
	name string,
	lifetime time.Duration,
) (*Token, string, error) {
	if lifetime < 0 || lifetime > MaxTokenLifetime {
		return nil, "", &InputError{Field: "expires_in_days", Msg: fmt.Sprintf(
			"a token expires 1 to %d days after it is made, or never (leave it out)",
			int(MaxTokenLifetime/(24*time.Hour)))}
	}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > maxTokenNameLen {
		return nil, "", &InputError{Field: "name", Msg: fmt.Sprintf(
			"give the token a name of 1 to %d characters, saying what uses it", maxTokenNameLen)}
	}
	if !mayManageTokens(caller, forUserID) {
		return nil, "", fmt.Errorf("create a token for user %d: only they or an admin may: %w",
			forUserID, ErrForbidden)
	}
	owner, err := s.GetUser(ctx, forUserID)
	if err != nil {
		return nil, "", err
	}
	if owner.Disabled {
		return nil, "", fmt.Errorf("user %q is disabled: %w", owner.Username, ErrConflict)
	}
	secret := TokenPrefix + randomToken()
	now := s.now()
	var expires sql.NullInt64
	if lifetime > 0 {
		expires = sql.NullInt64{Int64: now.Add(lifetime).UnixMilli(), Valid: true}
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO api_tokens
		(user_id, name, token_hash, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		owner.ID, name, hashToken(secret), caller.ID, now.UnixMilli(), expires)
	if err != nil {
		return nil, "", fmt.Errorf("create token: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, "", fmt.Errorf("create token: %w", err)
	}
	t := &Token{ID: id, UserID: owner.ID, Username: owner.Username, Name: name,
		CreatedBy: &caller.ID, CreatedAt: time.UnixMilli(now.UnixMilli()).UTC(), ExpiresAt: msTime(expires)}
	return t, secret, nil
}

// tokenColumns are the columns scanToken reads, in its order.
const tokenColumns = `t.id, t.user_id, u.username, t.name, t.created_by, t.created_at,
	t.last_used_at, t.revoked_at, t.expires_at`

func scanToken(row scanner) (*Token, error) {
	var t Token
	var createdBy, lastUsed, revoked, expires sql.NullInt64
	var created int64
	err := row.Scan(&t.ID, &t.UserID, &t.Username, &t.Name, &createdBy, &created, &lastUsed, &revoked,
		&expires)
	if err != nil {
		return nil, err
	}
	t.CreatedAt = time.UnixMilli(created).UTC()
	if createdBy.Valid {
		t.CreatedBy = &createdBy.Int64
	}
	t.LastUsedAt = msTime(lastUsed)
	t.RevokedAt = msTime(revoked)
	t.ExpiresAt = msTime(expires)
	return &t, nil
}

func msTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := time.UnixMilli(v.Int64).UTC()
	return &t
}

// ListTokens returns the tokens of user forUserID, revoked ones included,
// newest first; forUserID 0 lists every user's. Callers see their own;
// admins see anyone's (else ErrForbidden).
func (s *Service) ListTokens(ctx context.Context, caller *User, forUserID int64) ([]Token, error) {
	allowed := caller.Has(RoleAdmin) || forUserID != 0 && mayManageTokens(caller, forUserID)
	if !allowed {
		return nil, fmt.Errorf("list the tokens of other users: only an admin may: %w", ErrForbidden)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+tokenColumns+`
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE ? = 0 OR t.user_id = ? ORDER BY t.id DESC`, forUserID, forUserID)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		out = append(out, *t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}

// GetToken returns token id, or ErrNotFound; its owner and admins may read
// it (else ErrForbidden).
func (s *Service) GetToken(ctx context.Context, caller *User, id int64) (*Token, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+tokenColumns+`
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ?`, id)
	t, err := scanToken(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("token %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get token %d: %w", id, err)
	}
	if !mayManageTokens(caller, t.UserID) {
		return nil, fmt.Errorf("token %d belongs to another user: %w", id, ErrForbidden)
	}
	return t, nil
}

// RevokeToken revokes token id for good and returns it as revoked. Its
// owner and admins may (else ErrForbidden); revoking a revoked token
// changes nothing.
func (s *Service) RevokeToken(ctx context.Context, caller *User, id int64) (*Token, error) {
	t, err := s.GetToken(ctx, caller, id)
	if err != nil || t.RevokedAt != nil {
		return t, err
	}
	now := s.nowMS()
	_, err = s.db.ExecContext(ctx,
		`UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, now, id)
	if err != nil {
		return nil, fmt.Errorf("revoke token %d: %w", id, err)
	}
	t.RevokedAt = msTime(sql.NullInt64{Int64: now, Valid: true})
	return t, nil
}

// AuthenticateToken returns the owner of an API token, or
// ErrUnauthenticated for a token that is unknown, revoked, expired, or of a
// disabled user. It records when the token was last used, to the minute.
func (s *Service) AuthenticateToken(ctx context.Context, token string) (*User, error) {
	if !strings.HasPrefix(token, TokenPrefix) {
		return nil, ErrUnauthenticated
	}
	var id int64
	var lastUsed sql.NullInt64
	now := s.nowMS()
	row := s.db.QueryRowContext(ctx, `SELECT `+userColumns+`, t.id, t.last_used_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ? AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?)`,
		hashToken(token), now)
	u, err := scanUser(row, &id, &lastUsed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, fmt.Errorf("check token: %w", err)
	}
	if u.Disabled {
		return nil, ErrUnauthenticated
	}
	if !lastUsed.Valid || now-lastUsed.Int64 >= time.Minute.Milliseconds() {
		_, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, now, id)
		if err != nil {
			return nil, fmt.Errorf("record token use: %w", err)
		}
	}
	return u, nil
}
