package qa

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Audit actions. Other actions may be recorded; these are the ones Earshot
// writes itself.
const (
	// ActionPlay: a recording was streamed to a player.
	ActionPlay = "play"
	// ActionDownload: a recording was downloaded as a file.
	ActionDownload = "download"
	// ActionScore: an evaluation was saved or submitted.
	ActionScore = "score"
	// ActionCreate, ActionChange and ActionDelete: an object was created,
	// changed or deleted.
	ActionCreate = "create"
	ActionChange = "change"
	ActionDelete = "delete"
	// ActionRevoke: an API token was revoked.
	ActionRevoke = "revoke"
	// ActionLogin, ActionLoginFailed and ActionLogout: a browser session
	// started, was refused, or ended.
	ActionLogin       = "login"
	ActionLoginFailed = "login_failed"
	ActionLogout      = "logout"
)

// Entry is one event to record in the audit log: who did what to which
// object. Detail must never hold a secret (a password, a token).
type Entry struct {
	// User did it; nil for the system or the command line.
	User       *User
	Action     string
	ObjectType string
	ObjectID   string
	// Detail is stored as JSON; nil means none.
	Detail     map[string]any
	RemoteAddr string
}

// AuditRecord is an entry as stored.
type AuditRecord struct {
	ID int64     `json:"id"`
	At time.Time `json:"at"`
	// UserID is nil for the system or the command line.
	UserID     *int64         `json:"user_id,omitempty"`
	Username   string         `json:"username"`
	Action     string         `json:"action"`
	ObjectType string         `json:"object_type"`
	ObjectID   string         `json:"object_id"`
	Detail     map[string]any `json:"detail"`
	RemoteAddr string         `json:"remote_addr"`
}

// AuditFilter selects audit records. Zero fields do not filter.
type AuditFilter struct {
	// From and To bound the time: From <= at < To.
	From, To time.Time
	UserID   int64
	Action   string
	// ObjectType and ObjectID name the object acted on ("call" and a
	// recording id).
	ObjectType, ObjectID string
	// Limit is the most records returned; zero means DefaultAuditLimit, at
	// most MaxAuditLimit.
	Limit int
	// BeforeID pages: only records older than this ID (the last ID of the
	// previous page).
	BeforeID int64
}

// Audit list limits.
const (
	DefaultAuditLimit = 100
	MaxAuditLimit     = 1000
)

// Audit records e in the audit log. Callers that must not act without a
// trace (serving a recording) stop when it fails.
func (s *Service) Audit(ctx context.Context, e Entry) error {
	if e.Action == "" || e.ObjectType == "" {
		return errors.New("audit: action and object type are required")
	}
	detail := []byte("{}")
	if len(e.Detail) > 0 {
		var err error
		if detail, err = json.Marshal(e.Detail); err != nil {
			return fmt.Errorf("audit %s: encode detail: %w", e.Action, err)
		}
	}
	var userID *int64
	var username string
	if e.User != nil {
		userID, username = &e.User.ID, e.User.Username
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO audit_log
		(at, user_id, username, action, object_type, object_id, detail, remote_addr)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		s.nowMS(), userID, username, e.Action, e.ObjectType, e.ObjectID, string(detail), e.RemoteAddr)
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// ListAudit returns the audit records f selects, newest first.
func (s *Service) ListAudit(ctx context.Context, f AuditFilter) ([]AuditRecord, error) {
	if f.Limit < 0 || f.Limit > MaxAuditLimit {
		return nil, &InputError{Field: "limit", Msg: fmt.Sprintf("must be 1 to %d", MaxAuditLimit)}
	}
	if f.Limit == 0 {
		f.Limit = DefaultAuditLimit
	}
	where, args := f.where()
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, user_id, username, action, object_type,
		object_id, detail, remote_addr FROM audit_log`+where+` ORDER BY id DESC LIMIT ?`,
		append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("list audit log: %w", err)
	}
	defer rows.Close()
	out := []AuditRecord{}
	for rows.Next() {
		r, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("list audit log: %w", err)
		}
		out = append(out, *r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list audit log: %w", err)
	}
	return out, nil
}

// where returns the WHERE clause of f and its arguments.
func (f AuditFilter) where() (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, arg any) {
		conds = append(conds, cond)
		args = append(args, arg)
	}
	if !f.From.IsZero() {
		add("at >= ?", f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		add("at < ?", f.To.UnixMilli())
	}
	if f.UserID != 0 {
		add("user_id = ?", f.UserID)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	// audit_log_object serves an object id, with or without its type; a
	// type alone matches a large part of the log, read in id order.
	if f.ObjectType != "" {
		add("object_type = ?", f.ObjectType)
	}
	if f.ObjectID != "" {
		add("object_id = ?", f.ObjectID)
	}
	if f.BeforeID != 0 {
		add("id < ?", f.BeforeID)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func scanAudit(row scanner) (*AuditRecord, error) {
	var r AuditRecord
	var at int64
	var userID sql.NullInt64
	var detail string
	err := row.Scan(&r.ID, &at, &userID, &r.Username, &r.Action, &r.ObjectType, &r.ObjectID,
		&detail, &r.RemoteAddr)
	if err != nil {
		return nil, err
	}
	r.At = time.UnixMilli(at).UTC()
	if userID.Valid {
		r.UserID = &userID.Int64
	}
	if err := json.Unmarshal([]byte(detail), &r.Detail); err != nil {
		return nil, fmt.Errorf("audit record %d: decode detail: %w", r.ID, err)
	}
	return &r, nil
}
