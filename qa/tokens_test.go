package qa

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestTokenLifecycle(t *testing.T) {
	s, clock := openAccessTest(t)
	ctx := t.Context()
	olga := mustUser(t, s, "olga", RoleReviewer)
	tok, secret, err := s.CreateToken(ctx, olga, olga.ID, "  nightly export ")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) != len(TokenPrefix)+43 {
		t.Errorf("secret = %q, want esk_ and 256 random bits", secret)
	}
	if tok.Name != "nightly export" || tok.UserID != olga.ID || tok.LastUsedAt != nil {
		t.Errorf("token = %+v", tok)
	}

	clock.advance(time.Hour)
	u, err := s.AuthenticateToken(ctx, secret)
	if err != nil || u.ID != olga.ID {
		t.Fatalf("AuthenticateToken = %+v, %v; want olga", u, err)
	}
	list, err := s.ListTokens(ctx, olga, olga.ID)
	if err != nil || len(list) != 1 || list[0].LastUsedAt == nil || !list[0].LastUsedAt.Equal(clock.now()) {
		t.Fatalf("ListTokens = %+v, %v; want one token used just now", list, err)
	}
	var plain int
	err = s.db.QueryRowContext(ctx, `SELECT count(*) FROM api_tokens WHERE token_hash = ?`, secret).Scan(&plain)
	if err != nil || plain != 0 {
		t.Errorf("the token secret is stored as is (%d rows, %v)", plain, err)
	}

	revoked, err := s.RevokeToken(ctx, olga, tok.ID)
	if err != nil || revoked.RevokedAt == nil {
		t.Fatalf("RevokeToken = %+v, %v", revoked, err)
	}
	if _, err := s.AuthenticateToken(ctx, secret); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("revoked token: %v, want ErrUnauthenticated", err)
	}
	if _, err := s.RevokeToken(ctx, olga, tok.ID); err != nil {
		t.Errorf("revoking twice: %v, want nil", err)
	}
}

func TestTokenPermissions(t *testing.T) {
	s, _ := openAccessTest(t)
	ctx := t.Context()
	admin := mustUser(t, s, "root", RoleAdmin)
	pam := mustUser(t, s, "pam", RoleReviewer)
	quin := mustUser(t, s, "quin", RoleManager)
	pamTok, _, err := s.CreateToken(ctx, pam, pam.ID, "pam's")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		op      func() error
		wantErr error
	}{
		{name: "admin creates for another", op: func() error {
			_, _, err := s.CreateToken(ctx, admin, pam.ID, "set up by admin")
			return err
		}},
		{name: "manager creates for another", wantErr: ErrForbidden, op: func() error {
			_, _, err := s.CreateToken(ctx, quin, pam.ID, "not mine")
			return err
		}},
		{name: "nobody creates", wantErr: ErrForbidden, op: func() error {
			_, _, err := s.CreateToken(ctx, nil, pam.ID, "anonymous")
			return err
		}},
		{name: "admin creates for unknown user", wantErr: ErrNotFound, op: func() error {
			_, _, err := s.CreateToken(ctx, admin, 999, "ghost")
			return err
		}},
		{name: "manager lists another's", wantErr: ErrForbidden, op: func() error {
			_, err := s.ListTokens(ctx, quin, pam.ID)
			return err
		}},
		{name: "manager lists everyone's", wantErr: ErrForbidden, op: func() error {
			_, err := s.ListTokens(ctx, quin, 0)
			return err
		}},
		{name: "admin lists everyone's", op: func() error {
			_, err := s.ListTokens(ctx, admin, 0)
			return err
		}},
		{name: "manager revokes another's", wantErr: ErrForbidden, op: func() error {
			_, err := s.RevokeToken(ctx, quin, pamTok.ID)
			return err
		}},
		{name: "revoke unknown token", wantErr: ErrNotFound, op: func() error {
			_, err := s.RevokeToken(ctx, admin, 999)
			return err
		}},
		{name: "admin revokes another's", op: func() error {
			_, err := s.RevokeToken(ctx, admin, pamTok.ID)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.op(); !errors.Is(err, tt.wantErr) {
				t.Errorf("got %v, want %v", err, tt.wantErr)
			}
		})
	}
	all, err := s.ListTokens(ctx, admin, 0)
	if err != nil || len(all) != 2 || all[0].CreatedBy == nil || *all[0].CreatedBy != admin.ID {
		t.Errorf("every token = %+v, %v; want pam's two, the newest created by the admin", all, err)
	}
}

func TestTokenInputs(t *testing.T) {
	s, _ := openAccessTest(t)
	ctx := t.Context()
	rex := mustUser(t, s, "rex", RoleAgent)
	for _, name := range []string{"", "   ", strings.Repeat("n", 101)} {
		if _, _, err := s.CreateToken(ctx, rex, rex.ID, name); !errors.As(err, new(*InputError)) {
			t.Errorf("CreateToken(name %q) = %v, want an *InputError", name, err)
		}
	}
	for _, tok := range []string{"", "esk_", "Bearer x", "esk_" + strings.Repeat("A", 43)} {
		if _, err := s.AuthenticateToken(ctx, tok); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("AuthenticateToken(%q) = %v, want ErrUnauthenticated", tok, err)
		}
	}
}

// TestTokenExpiry: a token made to expire works until then, is refused
// from then on, and lists when it expires; lifetimes out of range are
// refused with the field named.
func TestTokenExpiry(t *testing.T) {
	s, clock := openAccessTest(t)
	ctx := t.Context()
	olga := mustUser(t, s, "olga", RoleReviewer)
	tok, secret, err := s.CreateExpiringToken(ctx, olga, olga.ID, "quarterly audit", 90*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	want := clock.now().Add(90 * 24 * time.Hour)
	if tok.ExpiresAt == nil || !tok.ExpiresAt.Equal(want) {
		t.Errorf("created token expires %v, want %v", tok.ExpiresAt, want)
	}
	clock.advance(90*24*time.Hour - time.Minute)
	if u, err := s.AuthenticateToken(ctx, secret); err != nil || u.ID != olga.ID {
		t.Errorf("a minute before expiry: %+v, %v; want olga", u, err)
	}
	clock.advance(time.Minute)
	if _, err := s.AuthenticateToken(ctx, secret); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("at expiry: %v, want ErrUnauthenticated", err)
	}
	list, err := s.ListTokens(ctx, olga, olga.ID)
	if err != nil || len(list) != 1 || list[0].ExpiresAt == nil || !list[0].ExpiresAt.Equal(want) {
		t.Errorf("ListTokens = %+v, %v; want the expiry", list, err)
	}

	for _, lifetime := range []time.Duration{-time.Hour, MaxTokenLifetime + time.Hour} {
		_, _, err := s.CreateExpiringToken(ctx, olga, olga.ID, "bad", lifetime)
		var in *InputError
		if !errors.As(err, &in) || in.Field != "expires_in_days" {
			t.Errorf("lifetime %v: %v, want an input error on expires_in_days", lifetime, err)
		}
	}
}
