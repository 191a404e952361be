package qa

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// mustUser creates a user with a known password and the given roles.
func mustUser(t *testing.T, s *Service, name string, roles ...Role) *User {
	t.Helper()
	u, err := s.CreateUser(t.Context(), NewUser{Username: name, DisplayName: strings.ToUpper(name),
		Password: name + "-password", Roles: roles})
	if err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	return u
}

func ptrOf[T any](v T) *T { return &v }

func TestCreateUserRules(t *testing.T) {
	s, _ := openAccessTest(t)
	good := NewUser{Username: "ana.ruiz", Password: "long enough pw", Roles: []Role{RoleReviewer}}
	tests := []struct {
		name      string
		edit      func(nu *NewUser)
		wantField string
	}{
		{name: "valid", edit: func(nu *NewUser) {}},
		{name: "empty username", edit: func(nu *NewUser) { nu.Username = "" }, wantField: "username"},
		{name: "upper case", edit: func(nu *NewUser) { nu.Username = "Ana" }, wantField: "username"},
		{name: "space", edit: func(nu *NewUser) { nu.Username = "ana ruiz" }, wantField: "username"},
		{name: "65 characters", edit: func(nu *NewUser) { nu.Username = strings.Repeat("a", 65) },
			wantField: "username"},
		{name: "64 characters", edit: func(nu *NewUser) { nu.Username = strings.Repeat("b", 64) }},
		{name: "dots dashes underscores digits", edit: func(nu *NewUser) { nu.Username = "a.b-c_d9" }},
		{name: "short password", edit: func(nu *NewUser) { nu.Password = "short" }, wantField: "password"},
		{name: "no role", edit: func(nu *NewUser) { nu.Roles = nil }, wantField: "roles"},
		{name: "unknown role", edit: func(nu *NewUser) { nu.Roles = []Role{"boss"} }, wantField: "roles"},
		{name: "unknown agent", edit: func(nu *NewUser) { nu.Username = "agent.x"; nu.AgentID = ptrOf[int64](404) },
			wantField: "agent_id"},
		{name: "long display name", edit: func(nu *NewUser) { nu.DisplayName = strings.Repeat("n", 201) },
			wantField: "display_name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nu := good
			tt.edit(&nu)
			_, err := s.CreateUser(t.Context(), nu)
			var in *InputError
			switch {
			case tt.wantField == "" && err != nil:
				t.Errorf("CreateUser = %v, want success", err)
			case tt.wantField != "" && (!errors.As(err, &in) || in.Field != tt.wantField):
				t.Errorf("CreateUser = %v, want an *InputError on %s", err, tt.wantField)
			}
		})
	}
}

func TestCreateUserTwiceConflicts(t *testing.T) {
	s, _ := openAccessTest(t)
	mustUser(t, s, "bob", RoleAgent)
	_, err := s.CreateUser(t.Context(), NewUser{Username: "bob", Password: "another password",
		Roles: []Role{RoleReviewer}})
	if !errors.Is(err, ErrConflict) {
		t.Errorf("second bob: %v, want ErrConflict", err)
	}
}

func TestGetAndListUsers(t *testing.T) {
	s, _ := openAccessTest(t)
	ctx := t.Context()
	carol := mustUser(t, s, "carol", RoleReviewer, RoleAgent)
	alice := mustUser(t, s, "alice", RoleManager)

	got, err := s.GetUser(ctx, carol.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(carol, got); diff != "" {
		t.Errorf("GetUser (-created +read):\n%s", diff)
	}
	byName, err := s.UserByName(ctx, "alice")
	if err != nil || byName.ID != alice.ID {
		t.Errorf("UserByName(alice) = %+v, %v; want user %d", byName, err, alice.ID)
	}
	list, err := s.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]User{*alice, *carol}, list); diff != "" {
		t.Errorf("ListUsers (-want +got):\n%s", diff)
	}
	if _, err := s.GetUser(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetUser(999) = %v, want ErrNotFound", err)
	}
	if _, err := s.UserByName(ctx, "nobody"); !errors.Is(err, ErrNotFound) {
		t.Errorf("UserByName(nobody) = %v, want ErrNotFound", err)
	}
}

func TestUpdateUser(t *testing.T) {
	s, _ := openAccessTest(t)
	admin := mustUser(t, s, "root", RoleAdmin)
	dana := mustUser(t, s, "dana", RoleAgent)
	tests := []struct {
		name    string
		id      int64
		up      UserUpdate
		want    *User
		wantErr error
	}{
		{name: "roles and name", id: dana.ID,
			up:   UserUpdate{Roles: []Role{RoleReviewer, RoleAgent}, DisplayName: ptrOf("Dana K")},
			want: &User{ID: dana.ID, Username: "dana", DisplayName: "Dana K", Roles: []Role{RoleReviewer, RoleAgent}}},
		{name: "disable", id: dana.ID, up: UserUpdate{Disabled: ptrOf(true)},
			want: &User{ID: dana.ID, Username: "dana", DisplayName: "Dana K",
				Roles: []Role{RoleReviewer, RoleAgent}, Disabled: true}},
		{name: "empty roles", id: dana.ID, up: UserUpdate{Roles: []Role{}}, wantErr: &InputError{}},
		{name: "last admin loses the role", id: admin.ID, up: UserUpdate{Roles: []Role{RoleManager}},
			wantErr: ErrConflict},
		{name: "last admin disabled", id: admin.ID, up: UserUpdate{Disabled: ptrOf(true)}, wantErr: ErrConflict},
		{name: "unknown user", id: 999, up: UserUpdate{DisplayName: ptrOf("x")}, wantErr: ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.UpdateUser(t.Context(), tt.id, tt.up)
			if tt.wantErr != nil {
				var in *InputError
				if !errors.Is(err, tt.wantErr) && !(errors.As(tt.wantErr, &in) && errors.As(err, &in)) {
					t.Errorf("UpdateUser = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("UpdateUser (-want +got):\n%s", diff)
			}
		})
	}
	if u, _ := s.GetUser(t.Context(), admin.ID); !u.Has(RoleAdmin) || u.Disabled {
		t.Errorf("refused change was written: admin is now %+v", u)
	}
}

func TestDisablingEndsSessionsAndTokens(t *testing.T) {
	s, _ := openAccessTest(t)
	ctx := t.Context()
	mustUser(t, s, "root", RoleAdmin)
	eve := mustUser(t, s, "eve", RoleReviewer)
	sess, err := s.Login(ctx, "eve", "eve-password", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := s.CreateToken(ctx, eve, eve.ID, "script")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateUser(ctx, eve.ID, UserUpdate{Disabled: ptrOf(true)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AuthenticateSession(ctx, sess.Token); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("session of disabled user: %v, want ErrUnauthenticated", err)
	}
	if _, err := s.AuthenticateToken(ctx, secret); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("token of disabled user: %v, want ErrUnauthenticated", err)
	}
	if _, err := s.Login(ctx, "eve", "eve-password", ""); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("disabled user signs in: %v, want ErrUnauthenticated", err)
	}
	if _, err := s.UpdateUser(ctx, eve.ID, UserUpdate{Disabled: ptrOf(false)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthenticateToken(ctx, secret); err != nil {
		t.Errorf("token after enabling again: %v, want it to work", err)
	}
}

func TestSetPasswordEndsSessions(t *testing.T) {
	s, _ := openAccessTest(t)
	ctx := t.Context()
	fay := mustUser(t, s, "fay", RoleReviewer)
	sess, err := s.Login(ctx, "fay", "fay-password", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetPassword(ctx, fay.ID, "short"); !errors.As(err, new(*InputError)) {
		t.Errorf("SetPassword(short) = %v, want an *InputError", err)
	}
	if err := s.SetPassword(ctx, fay.ID, "a brand new password"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AuthenticateSession(ctx, sess.Token); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("old session after a new password: %v, want ErrUnauthenticated", err)
	}
	if _, err := s.Login(ctx, "fay", "fay-password", ""); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("old password: %v, want ErrUnauthenticated", err)
	}
	if _, err := s.Login(ctx, "fay", "a brand new password", ""); err != nil {
		t.Errorf("new password: %v", err)
	}
	if err := s.SetPassword(ctx, 999, "whatever password"); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetPassword(999) = %v, want ErrNotFound", err)
	}
}

func TestChangePasswordNeedsTheCurrentOne(t *testing.T) {
	s, _ := openAccessTest(t)
	ctx := t.Context()
	gus := mustUser(t, s, "gus", RoleAgent)
	var in *InputError
	err := s.ChangePassword(ctx, gus.ID, "not my password", "next password!")
	if !errors.As(err, &in) || in.Field != "current_password" {
		t.Errorf("wrong current password: %v, want an *InputError on current_password", err)
	}
	if err := s.ChangePassword(ctx, gus.ID, "gus-password", "next password!"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Login(ctx, "gus", "next password!", ""); err != nil {
		t.Errorf("sign in with the changed password: %v", err)
	}
}

func TestEnsureAdmin(t *testing.T) {
	tests := []struct {
		name      string
		password  string
		existing  bool
		created   bool
		generated bool
		wantErr   bool
	}{
		{name: "empty database, generated password", created: true, generated: true},
		{name: "empty database, given password", password: "given admin pw", created: true},
		{name: "accounts exist", password: "given admin pw", existing: true},
		{name: "accounts exist, nothing given", existing: true},
		{name: "password too short", password: "short", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := openAccessTest(t)
			ctx := t.Context()
			if tt.existing {
				mustUser(t, s, "someone", RoleAdmin)
			}
			created, generated, err := s.EnsureAdmin(ctx, tt.password)
			if tt.wantErr != (err != nil) || created != tt.created || tt.generated != (generated != "") {
				t.Fatalf("EnsureAdmin = %v, %q, %v; want created %v, generated %v, error %v",
					created, generated, err, tt.created, tt.generated, tt.wantErr)
			}
			if !created {
				return
			}
			pw := tt.password
			if generated != "" {
				pw = generated
			}
			sess, err := s.Login(ctx, AdminUsername, pw, "")
			if err != nil {
				t.Fatalf("sign in as the new admin: %v", err)
			}
			if !sess.User.Has(RoleAdmin) {
				t.Errorf("admin roles = %v, want admin", sess.User.Roles)
			}
			if again, _, err := s.EnsureAdmin(ctx, ""); again || err != nil {
				t.Errorf("second EnsureAdmin = %v, %v; want nothing created", again, err)
			}
		})
	}
}
