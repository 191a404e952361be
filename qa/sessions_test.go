package qa

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestLoginStartsASession(t *testing.T) {
	s, clock := openAccessTest(t)
	ctx := t.Context()
	hal := mustUser(t, s, "hal", RoleReviewer)
	sess, err := s.Login(ctx, " HAL ", "hal-password", "192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	if sess.User.ID != hal.ID || len(sess.Token) != 43 || len(sess.CSRF) != 43 || sess.Token == sess.CSRF {
		t.Errorf("session = %+v, want hal with two distinct 256-bit tokens", sess)
	}
	if want := clock.now().Add(24 * time.Hour); !sess.Ends.Equal(want) {
		t.Errorf("session ends %v, want %v", sess.Ends, want)
	}
	u, csrf, err := s.AuthenticateSession(ctx, sess.Token)
	if err != nil || u.ID != hal.ID || csrf != sess.CSRF {
		t.Errorf("AuthenticateSession = %+v, %q, %v; want hal and the CSRF token", u, csrf, err)
	}
	var stored int
	err = s.db.QueryRowContext(ctx, `SELECT count(*) FROM sessions WHERE token_hash = ?`, sess.Token).Scan(&stored)
	if err != nil || stored != 0 {
		t.Errorf("the session token is stored as is (%d rows, %v)", stored, err)
	}
	log, err := s.ListAudit(ctx, AuditFilter{Action: ActionLogin})
	if err != nil || len(log) != 1 || log[0].RemoteAddr != "192.0.2.7" || log[0].Username != "hal" {
		t.Errorf("audit of the sign-in = %+v, %v", log, err)
	}
}

func TestLoginRefusalsLookAlike(t *testing.T) {
	s, _ := openAccessTest(t)
	ctx := t.Context()
	mustUser(t, s, "root", RoleAdmin)
	ivy := mustUser(t, s, "ivy", RoleAgent)
	mustUser(t, s, "jon", RoleAgent)
	if _, err := s.UpdateUser(ctx, ivy.ID, UserUpdate{Disabled: ptrOf(true)}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		username   string
		password   string
		wantObject string
		wantReason string
	}{
		{name: "unknown user", username: "kim", password: "kim-password", wantObject: "kim",
			wantReason: "unknown user"},
		{name: "wrong password", username: "jon", password: "not-jons-password", wantObject: "jon",
			wantReason: "wrong password"},
		{name: "disabled", username: "ivy", password: "ivy-password", wantObject: "ivy",
			wantReason: "account disabled"},
		{name: "password typed as username", username: "Secret Pass!", password: "x",
			wantObject: "(not a valid username)", wantReason: "unknown user"},
	}
	var messages []string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Login(ctx, tt.username, tt.password, "198.51.100.9")
			if !errors.Is(err, ErrUnauthenticated) {
				t.Fatalf("Login = %v, want ErrUnauthenticated", err)
			}
			messages = append(messages, err.Error())
			log, err := s.ListAudit(ctx, AuditFilter{Action: ActionLoginFailed, Limit: 1})
			if err != nil || len(log) != 1 {
				t.Fatalf("audit = %v, %v; want the refusal", log, err)
			}
			r := log[0]
			if r.ObjectID != tt.wantObject || r.Detail["reason"] != tt.wantReason || r.RemoteAddr != "198.51.100.9" {
				t.Errorf("audit record = %+v, want object %q, reason %q", r, tt.wantObject, tt.wantReason)
			}
			if strings.Contains(r.ObjectID+r.Username+r.Action+r.RemoteAddr, tt.password) {
				t.Errorf("audit record %+v holds the password", r)
			}
		})
	}
	for _, m := range messages[1:] {
		if m != messages[0] {
			t.Errorf("refusal messages differ: %q", messages)
		}
	}
}

func TestSessionExpiry(t *testing.T) {
	tests := []struct {
		name string
		// steps are the waits between uses of the session; the last use
		// is refused when expired.
		steps   []time.Duration
		expired bool
	}{
		{name: "used within the idle time", steps: []time.Duration{11 * time.Hour}},
		{name: "idle too long", steps: []time.Duration{12 * time.Hour}, expired: true},
		{name: "each use moves the idle end", steps: []time.Duration{11 * time.Hour, 11 * time.Hour}},
		{name: "busy past the maximum age", expired: true, steps: []time.Duration{
			8 * time.Hour, 8 * time.Hour, 8 * time.Hour}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clock := openAccessTest(t)
			ctx := t.Context()
			mustUser(t, s, "lea", RoleReviewer)
			sess, err := s.Login(ctx, "lea", "lea-password", "")
			if err != nil {
				t.Fatal(err)
			}
			for i, d := range tt.steps {
				clock.advance(d)
				_, _, err = s.AuthenticateSession(ctx, sess.Token)
				if i < len(tt.steps)-1 && err != nil {
					t.Fatalf("use %d: %v", i+1, err)
				}
			}
			if tt.expired != errors.Is(err, ErrUnauthenticated) {
				t.Errorf("last use: %v, want expired %v", err, tt.expired)
			}
		})
	}
}

func TestLogout(t *testing.T) {
	s, _ := openAccessTest(t)
	ctx := t.Context()
	mustUser(t, s, "max", RoleReviewer)
	sess, err := s.Login(ctx, "max", "max-password", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Logout(ctx, sess.Token, "192.0.2.3"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AuthenticateSession(ctx, sess.Token); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("session after logout: %v, want ErrUnauthenticated", err)
	}
	if err := s.Logout(ctx, sess.Token, ""); err != nil {
		t.Errorf("second logout: %v, want nil", err)
	}
	if _, _, err := s.AuthenticateSession(ctx, "made-up"); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("made-up session: %v, want ErrUnauthenticated", err)
	}
}

func TestLoginUpgradesAnOldHash(t *testing.T) {
	s, _ := openAccessTest(t)
	ctx := t.Context()
	ned := mustUser(t, s, "ned", RoleReviewer)
	raised := PasswordParams{Time: 2, MemoryKiB: 128, Threads: 1}
	s.SetAccess(AccessConfig{Password: raised})
	if _, err := s.Login(ctx, "ned", "ned-password", ""); err != nil {
		t.Fatal(err)
	}
	var stored string
	if err := s.db.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = ?`, ned.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if p, _, _, err := decodeHash(stored); err != nil || p != raised {
		t.Errorf("stored hash parameters = %+v, %v; want %+v", p, err, raised)
	}
	if _, err := s.Login(ctx, "ned", "ned-password", ""); err != nil {
		t.Errorf("sign in with the upgraded hash: %v", err)
	}
}

// TestFailedSignInsAreThrottled: after ten refusals in a quarter of an hour
// even the right password is refused, until the window has passed.
func TestFailedSignInsAreThrottled(t *testing.T) {
	s := openTest(t)
	s.SetAccess(AccessConfig{Password: PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1}})
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	if _, err := s.CreateUser(t.Context(), NewUser{Username: "rae", Password: "rae-password",
		Roles: []Role{RoleReviewer}}); err != nil {
		t.Fatal(err)
	}
	for range maxFailedLogins {
		if _, err := s.Login(t.Context(), "rae", "wrong-password", "127.0.0.1"); !errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("wrong password: %v, want ErrUnauthenticated", err)
		}
	}
	if _, err := s.Login(t.Context(), "rae", "rae-password", "127.0.0.1"); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("right password while throttled: %v, want refused", err)
	}
	now = now.Add(failedLoginWindow + time.Minute)
	if _, err := s.Login(t.Context(), "rae", "rae-password", "127.0.0.1"); err != nil {
		t.Fatalf("right password after the window: %v", err)
	}
}
