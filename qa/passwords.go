package qa

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Passwords are hashed with argon2id (RFC 9106), a memory-hard function:
// guessing a stolen hash costs memory as well as time, which is what makes
// graphics cards and custom chips slow at it. The stored form is the PHC
// string format, which carries its own parameters and salt:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt, base64>$<key, base64>
//
// so that a hash made with old parameters still verifies after the
// parameters change; it is replaced with a hash of the new parameters at
// the user's next sign-in.

const (
	// Password length bounds, in characters and bytes.
	minPasswordChars = 10
	maxPasswordBytes = 1024

	saltBytes = 16
	keyBytes  = 32

	// hashSlots bounds the hashes computed at once: each holds
	// PasswordParams.MemoryKiB of memory, and a burst of sign-ins must not
	// take the machine's memory from the recorder.
	hashSlots = 4
)

// PasswordParams are the argon2id costs of new password hashes. The zero
// value of each field means the default, which is the first of OWASP's
// recommended argon2id settings (19 MiB, 2 passes, 1 lane): about 30 ms
// per hash on one core of a current server.
type PasswordParams struct {
	// Time is the number of passes over the memory; zero means 2.
	Time uint32
	// MemoryKiB is the memory each hash fills, in KiB; zero means 19456.
	MemoryKiB uint32
	// Threads is the number of lanes computed in parallel; zero means 1.
	Threads uint8
}

func (p PasswordParams) withDefaults() PasswordParams {
	if p.Time == 0 {
		p.Time = 2
	}
	if p.MemoryKiB == 0 {
		p.MemoryKiB = 19 * 1024
	}
	if p.Threads == 0 {
		p.Threads = 1
	}
	return p
}

// AccessConfig holds the settings of passwords and browser sessions.
type AccessConfig struct {
	// Password sets the cost of new password hashes. Tests lower it.
	Password PasswordParams
	// SessionIdle ends a browser session that has not been used for this
	// long; zero means 12 hours.
	SessionIdle time.Duration
	// SessionMaxAge ends a browser session this long after sign-in, however
	// busy; zero means 24 hours.
	SessionMaxAge time.Duration
}

func (c AccessConfig) withDefaults() AccessConfig {
	c.Password = c.Password.withDefaults()
	if c.SessionIdle <= 0 {
		c.SessionIdle = 12 * time.Hour
	}
	if c.SessionMaxAge <= 0 {
		c.SessionMaxAge = 24 * time.Hour
	}
	return c
}

// access is the service's state for passwords and sessions.
type access struct {
	cfg AccessConfig
	// hashing holds a token per password hash being computed.
	hashing chan struct{}
}

func newAccess(cfg AccessConfig) *access {
	return &access{cfg: cfg.withDefaults(), hashing: make(chan struct{}, hashSlots)}
}

// SetAccess replaces the settings of passwords and sessions. Call it
// before the service is used: it is not safe to call concurrently with
// other methods.
func (s *Service) SetAccess(cfg AccessConfig) { s.access = newAccess(cfg) }

// checkPassword applies the password rules to a new password.
func checkPassword(field, pw string) error {
	switch {
	case utf8.RuneCountInString(pw) < minPasswordChars:
		return &InputError{Field: field,
			Msg: fmt.Sprintf("must be at least %d characters long", minPasswordChars)}
	case len(pw) > maxPasswordBytes:
		return &InputError{Field: field,
			Msg: fmt.Sprintf("must be at most %d bytes long", maxPasswordBytes)}
	}
	return nil
}

// GeneratePassword returns a random password of 26 characters (128
// bits), for an account whose creator gave none.
func GeneratePassword() string { return rand.Text() }

// argonKey computes an argon2id key, waiting for a free hashing slot.
func (s *Service) argonKey(ctx context.Context, pw string, salt []byte, p PasswordParams) ([]byte, error) {
	a := s.access
	select {
	case a.hashing <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("hash password: %w", ctx.Err())
	}
	defer func() { <-a.hashing }()
	return argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, keyBytes), nil
}

// hashPassword returns the PHC-encoded argon2id hash of pw, with a fresh
// salt and the service's current parameters.
func (s *Service) hashPassword(ctx context.Context, pw string) (string, error) {
	p := s.access.cfg.Password
	salt := make([]byte, saltBytes)
	_, _ = rand.Read(salt) // never fails; see crypto/rand.Read
	key, err := s.argonKey(ctx, pw, salt, p)
	if err != nil {
		return "", err
	}
	return encodeHash(p, salt, key), nil
}

// verifyPassword reports whether pw matches the encoded hash, and whether
// the hash should be replaced because it was made with other parameters.
func (s *Service) verifyPassword(ctx context.Context, encoded, pw string) (ok, stale bool, err error) {
	p, salt, want, err := decodeHash(encoded)
	if err != nil {
		return false, false, err
	}
	got, err := s.argonKey(ctx, pw, salt, p)
	if err != nil {
		return false, false, err
	}
	ok = subtle.ConstantTimeCompare(got, want) == 1
	return ok, p != s.access.cfg.Password, nil
}

// burnPassword spends the time of a verification, so that a sign-in with an
// unknown user name takes as long as one with a wrong password.
func (s *Service) burnPassword(ctx context.Context, pw string) {
	_, _ = s.argonKey(ctx, pw, make([]byte, saltBytes), s.access.cfg.Password)
}

func encodeHash(p PasswordParams, salt, key []byte) string {
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		p.MemoryKiB, p.Time, p.Threads, enc.EncodeToString(salt), enc.EncodeToString(key))
}

// errBadHash is a stored hash this build cannot read; the user cannot sign
// in until an admin sets a new password.
var errBadHash = errors.New("qa: stored password hash is not argon2id in PHC format")

// decodeHash parses a PHC argon2id string. Parameters are bounded so that a
// damaged row cannot make the server allocate without limit.
func decodeHash(encoded string) (PasswordParams, []byte, []byte, error) {
	var p PasswordParams
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, errBadHash
	}
	_, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads)
	if err != nil || p.Time < 1 || p.Time > 64 || p.Threads < 1 ||
		p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > 4<<20 {
		return p, nil, nil, errBadHash
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 {
		return p, nil, nil, errBadHash
	}
	return p, salt, key, nil
}
