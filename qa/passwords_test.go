package qa

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// cheapHashes are argon2id costs low enough for tests.
var cheapHashes = PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1}

// accessClock is a clock that tests move by hand.
type accessClock struct{ t time.Time }

func (c *accessClock) now() time.Time          { return c.t }
func (c *accessClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// openAccessTest opens a service with cheapHashes password hashes and a clock
// the test moves.
func openAccessTest(t *testing.T) (*Service, *accessClock) {
	t.Helper()
	s := openTest(t)
	s.SetAccess(AccessConfig{Password: cheapHashes})
	clock := &accessClock{t: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
	s.SetClock(clock.now)
	return s, clock
}

func TestPasswordHashVerifies(t *testing.T) {
	s, _ := openAccessTest(t)
	ctx := t.Context()
	hash, err := s.hashPassword(ctx, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("hash = %q, want the PHC argon2id form with its parameters", hash)
	}
	tests := []struct {
		name   string
		pw     string
		params PasswordParams
		ok     bool
		stale  bool
	}{
		{name: "right password", pw: "correct horse battery", params: cheapHashes, ok: true},
		{name: "wrong password", pw: "correct horse batterY", params: cheapHashes},
		{name: "right password, parameters raised", pw: "correct horse battery",
			params: PasswordParams{Time: 2, MemoryKiB: 64, Threads: 1}, ok: true, stale: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.SetAccess(AccessConfig{Password: tt.params})
			ok, stale, err := s.verifyPassword(ctx, hash, tt.pw)
			if err != nil {
				t.Fatal(err)
			}
			if ok != tt.ok || stale != tt.stale {
				t.Errorf("verify = ok %v, stale %v; want %v, %v", ok, stale, tt.ok, tt.stale)
			}
		})
	}
}

func TestPasswordHashesAreSalted(t *testing.T) {
	s, _ := openAccessTest(t)
	a, err1 := s.hashPassword(t.Context(), "the same password")
	b, err2 := s.hashPassword(t.Context(), "the same password")
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Errorf("two hashes of one password are equal: %q", a)
	}
}

func TestDecodeHashRefusesDamagedHashes(t *testing.T) {
	const salt, key = "c2FsdHNhbHRzYWx0c2FsdA", "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5"
	tests := []struct {
		name    string
		encoded string
	}{
		{name: "empty", encoded: ""},
		{name: "bcrypt", encoded: "$2a$10$abcdefghijklmnopqrstuu5Ba8tTRHJHwG4m4WmQ0qE2H7r6z1i3u"},
		{name: "argon2i", encoded: "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{name: "old version", encoded: "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key},
		{name: "memory beyond bound", encoded: "$argon2id$v=19$m=99999999,t=1,p=1$" + salt + "$" + key},
		{name: "no passes", encoded: "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key},
		{name: "no lanes", encoded: "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key},
		{name: "salt not base64", encoded: "$argon2id$v=19$m=64,t=1,p=1$!!!$" + key},
		{name: "short key", encoded: "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$a2V5"},
		{name: "extra field", encoded: "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key + "$x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, _, err := decodeHash(tt.encoded); !errors.Is(err, errBadHash) {
				t.Errorf("decodeHash(%q) = %v, want errBadHash", tt.encoded, err)
			}
		})
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		name  string
		pw    string
		valid bool
	}{
		{name: "nine characters", pw: "123456789"},
		{name: "ten characters", pw: "1234567890", valid: true},
		{name: "ten letters beyond ASCII", pw: "éééééééééé", valid: true},
		{name: "too long", pw: strings.Repeat("x", maxPasswordBytes+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkPassword("password", tt.pw)
			var in *InputError
			if tt.valid != (err == nil) || err != nil && !errors.As(err, &in) {
				t.Errorf("checkPassword = %v, want valid %v (or an *InputError)", err, tt.valid)
			}
		})
	}
}

func TestGeneratedPasswordPassesTheRules(t *testing.T) {
	if pw := GeneratePassword(); checkPassword("password", pw) != nil || pw == GeneratePassword() {
		t.Errorf("generated password %q breaks the rules or repeats", pw)
	}
}
