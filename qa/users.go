package qa

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/mattn/go-sqlite3"
)

const (
	maxUsernameLen    = 64
	maxDisplayNameLen = 200
	// AdminUsername is the account EnsureAdmin creates.
	AdminUsername = "admin"
)

// NewUser is an account to create.
type NewUser struct {
	// Username is 1 to 64 of a-z, 0-9, '.', '_' and '-'.
	Username    string
	DisplayName string
	// Password is at least 10 characters.
	Password string
	// Roles holds at least one role.
	Roles []Role
	// AgentID links the user to the agent whose calls they take; nil for
	// none.
	AgentID *int64
}

// UserUpdate changes an account; nil fields are left as they are.
type UserUpdate struct {
	DisplayName *string
	// Roles, when not nil, replaces the roles; it must hold at least one.
	Roles []Role
	// Disabled, when true, also ends the user's browser sessions; their
	// API tokens stop working while the account is disabled.
	Disabled *bool
	// AgentID links the user to an agent; a pointer to 0 unlinks them.
	AgentID *int64
}

// checkUsername applies the username rules.
func checkUsername(name string) error {
	if name == "" || len(name) > maxUsernameLen {
		return &InputError{Field: "username",
			Msg: fmt.Sprintf("must be 1 to %d characters long", maxUsernameLen)}
	}
	for _, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
		if !ok {
			return &InputError{Field: "username",
				Msg: fmt.Sprintf("%q: use only a-z, 0-9, '.', '_' and '-'", name)}
		}
	}
	return nil
}

// checkRoles checks a role list: at least one, each known.
func checkRoles(rs []Role) ([]Role, error) {
	if len(rs) == 0 {
		return nil, &InputError{Field: "roles", Msg: "give at least one role"}
	}
	return ParseRoles(formatRoles(rs))
}

func checkDisplayName(name string) error {
	if utf8.RuneCountInString(name) > maxDisplayNameLen {
		return &InputError{Field: "display_name",
			Msg: fmt.Sprintf("must be at most %d characters long", maxDisplayNameLen)}
	}
	return nil
}

// checkNewUser applies every rule to nu and returns it with its roles
// cleaned up.
func checkNewUser(nu NewUser) (NewUser, error) {
	if err := checkUsername(nu.Username); err != nil {
		return nu, err
	}
	if err := checkDisplayName(nu.DisplayName); err != nil {
		return nu, err
	}
	if err := checkPassword("password", nu.Password); err != nil {
		return nu, err
	}
	roles, err := checkRoles(nu.Roles)
	nu.Roles = roles
	return nu, err
}

// CreateUser creates an account. A taken username is ErrConflict; a broken
// rule or an unknown agent is an *InputError.
func (s *Service) CreateUser(ctx context.Context, nu NewUser) (*User, error) {
	nu, err := checkNewUser(nu)
	if err != nil {
		return nil, err
	}
	hash, err := s.hashPassword(ctx, nu.Password)
	if err != nil {
		return nil, err
	}
	return s.insertUser(ctx, s.db, nu, hash)
}

// execer is what *sql.DB and *sql.Tx have in common for writes.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func (s *Service) insertUser(ctx context.Context, db execer, nu NewUser, hash string) (*User, error) {
	res, err := db.ExecContext(ctx, `INSERT INTO users
		(username, display_name, password_hash, roles, agent_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`,
		nu.Username, nu.DisplayName, hash, formatRoles(nu.Roles), nu.AgentID, s.nowMS())
	if err != nil {
		return nil, userWriteError(nu.Username, nu.AgentID, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, fmt.Errorf("create user: %w", err)
	}
	return &User{ID: id, Username: nu.Username, DisplayName: nu.DisplayName,
		Roles: nu.Roles, AgentID: nu.AgentID}, nil
}

// userWriteError turns a constraint failure on users into the error the
// caller can act on.
func userWriteError(username string, agentID *int64, err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.ExtendedCode {
		case sqlite3.ErrConstraintUnique:
			return fmt.Errorf("user %q already exists: %w", username, ErrConflict)
		case sqlite3.ErrConstraintForeignKey:
			return &InputError{Field: "agent_id", Msg: fmt.Sprintf("no agent %d", *agentID)}
		}
	}
	return fmt.Errorf("write user %q: %w", username, err)
}

// userColumns are the columns scanUser reads, in its order.
const userColumns = `u.id, u.username, u.display_name, u.roles, u.agent_id, u.disabled`

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanUser(row scanner, extra ...any) (*User, error) {
	var u User
	var roles string
	var agent sql.NullInt64
	dest := append([]any{&u.ID, &u.Username, &u.DisplayName, &roles, &agent, &u.Disabled}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	for r := range strings.SplitSeq(roles, ",") {
		if r != "" {
			u.Roles = append(u.Roles, Role(r))
		}
	}
	if agent.Valid {
		u.AgentID = &agent.Int64
	}
	return &u, nil
}

// GetUser returns the user with id, or ErrNotFound.
func (s *Service) GetUser(ctx context.Context, id int64) (*User, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = ?`, id)
	u, err := scanUser(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("user %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get user %d: %w", id, err)
	}
	return u, nil
}

// UserByName returns the user with username, or ErrNotFound.
func (s *Service) UserByName(ctx context.Context, username string) (*User, error) {
	row := s.db.QueryRowContext(ctx,
		`SELECT `+userColumns+` FROM users u WHERE u.username = ?`, username)
	u, err := scanUser(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("user %q: %w", username, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get user %q: %w", username, err)
	}
	return u, nil
}

// ListUsers returns every user, by username.
func (s *Service) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users u ORDER BY u.username`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	out := []User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, *u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// checkUpdate applies the rules to the fields of up that are set, and
// cleans up its roles.
func checkUpdate(up *UserUpdate) error {
	if up.DisplayName != nil {
		if err := checkDisplayName(*up.DisplayName); err != nil {
			return err
		}
	}
	if up.Roles != nil {
		roles, err := checkRoles(up.Roles)
		if err != nil {
			return err
		}
		up.Roles = roles
	}
	return nil
}

// apply sets the fields of up on u.
func (up UserUpdate) apply(u *User) {
	if up.DisplayName != nil {
		u.DisplayName = *up.DisplayName
	}
	if up.Roles != nil {
		u.Roles = up.Roles
	}
	if up.Disabled != nil {
		u.Disabled = *up.Disabled
	}
	if up.AgentID != nil {
		u.AgentID = up.AgentID
		if *up.AgentID == 0 {
			u.AgentID = nil
		}
	}
}

// UpdateUser changes the roles, display name, agent link or disabled state
// of a user and returns the user as changed. It refuses (ErrConflict) a
// change that would leave no enabled admin, so that nobody is locked out.
func (s *Service) UpdateUser(ctx context.Context, id int64, up UserUpdate) (*User, error) {
	if err := checkUpdate(&up); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("update user %d: %w", id, err)
	}
	defer tx.Rollback()

	row := tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = ?`, id)
	u, err := scanUser(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("user %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("update user %d: %w", id, err)
	}
	up.apply(u)
	_, err = tx.ExecContext(ctx, `UPDATE users SET display_name = ?, roles = ?, disabled = ?, agent_id = ?
		WHERE id = ?`, u.DisplayName, formatRoles(u.Roles), u.Disabled, u.AgentID, id)
	if err != nil {
		return nil, userWriteError(u.Username, u.AgentID, err)
	}
	if err := checkAdminLeft(ctx, tx); err != nil {
		return nil, err
	}
	if u.Disabled {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
			return nil, fmt.Errorf("end sessions of user %d: %w", id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("update user %d: %w", id, err)
	}
	return u, nil
}

// checkAdminLeft returns ErrConflict when no enabled user holds the admin
// role.
func checkAdminLeft(ctx context.Context, tx *sql.Tx) error {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users
		WHERE disabled = 0 AND ',' || roles || ',' LIKE '%,admin,%'`).Scan(&n)
	if err != nil {
		return fmt.Errorf("count admins: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("that would leave no enabled admin; make another user admin first: %w",
			ErrConflict)
	}
	return nil
}

// SetPassword sets a user's password and ends their browser sessions, so
// that whoever knew the old password is signed out. API tokens stay valid:
// revoke them separately.
func (s *Service) SetPassword(ctx context.Context, userID int64, password string) error {
	if err := checkPassword("password", password); err != nil {
		return err
	}
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return err
	}
	return s.storePassword(ctx, userID, hash)
}

// ChangePassword is SetPassword for users changing their own password:
// they must give the current one (else an *InputError).
func (s *Service) ChangePassword(ctx context.Context, userID int64, current, next string) error {
	if err := checkPassword("new_password", next); err != nil {
		return err
	}
	var stored string
	err := s.db.QueryRowContext(ctx,
		`SELECT password_hash FROM users WHERE id = ?`, userID).Scan(&stored)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("user %d: %w", userID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	ok, _, err := s.verifyPassword(ctx, stored, current)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if !ok {
		return &InputError{Field: "current_password", Msg: "is not the current password"}
	}
	return s.SetPassword(ctx, userID, next)
}

// storePassword writes a password hash and ends the user's sessions.
func (s *Service) storePassword(ctx context.Context, userID int64, hash string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, userID)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("user %d: %w", userID, ErrNotFound)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("end sessions of user %d: %w", userID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return nil
}

// EnsureAdmin creates the first account when there is none at all: user
// "admin" with every role but agent, and password as its password, or a
// generated one when password is empty. It returns whether it created the
// account and the generated password, which the caller shows once and
// must not log. A password that breaks the rules is an *InputError even
// when accounts exist, so that a bad setting is noticed at once.
func (s *Service) EnsureAdmin(
	ctx context.Context,
	password string,
) (created bool, generatedPassword string, err error) {
	if password == "" {
		generatedPassword = GeneratePassword()
		password = generatedPassword
	} else if err := checkPassword("admin password", password); err != nil {
		return false, "", err
	}
	// Look before hashing, so that a start with accounts costs no hash.
	if n, err := s.countUsers(ctx, s.db); err != nil || n > 0 {
		return false, "", err
	}
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return false, "", err
	}
	created, err = s.insertFirstAdmin(ctx, hash)
	if !created {
		generatedPassword = ""
	}
	return created, generatedPassword, err
}

// insertFirstAdmin creates the admin account unless another process has
// created any account since we looked.
func (s *Service) insertFirstAdmin(ctx context.Context, hash string) (bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("create admin: %w", err)
	}
	defer tx.Rollback()
	if n, err := s.countUsers(ctx, tx); err != nil || n > 0 {
		return false, err
	}
	nu := NewUser{Username: AdminUsername, DisplayName: "Administrator",
		Roles: []Role{RoleAdmin, RoleManager, RoleReviewer}}
	if _, err := s.insertUser(ctx, tx, nu, hash); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("create admin: %w", err)
	}
	s.log.Info("first admin account created", "username", AdminUsername)
	return true, nil
}

// rowQuerier is what *sql.DB and *sql.Tx have in common for one-row reads.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Service) countUsers(ctx context.Context, q rowQuerier) (int, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}
