package qa

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/mattn/go-sqlite3"
)

// IdentityKind says how an identity is compared with a call participant's
// SIP address.
type IdentityKind string

// The identity kinds, from the most specific to the least. When a
// participant matches identities of several kinds, the most specific wins.
const (
	// IdentityAddress is a whole address, compared without parameters,
	// port or display name: sip:1001@pbx.example.
	IdentityAddress IdentityKind = "address"
	// IdentityUser is the user part of an address, whatever the host:
	// 1001, or alice.
	IdentityUser IdentityKind = "user"
	// IdentityExtension is a number, compared with the participant's user
	// part reduced to its digits (a leading + and the visual separators of
	// RFC 3966 section 5.1.1 dropped): extension 1001 matches
	// sip:1001@pbx.example and tel:10-01.
	IdentityExtension IdentityKind = "extension"
)

// Identity links call participants to an agent.
type Identity struct {
	Kind  IdentityKind `json:"kind"`
	Value string       `json:"value"`
}

// maxExtensionDigits is the longest number ITU-T E.164 allows.
const maxExtensionDigits = 15

// NormalizeIdentity checks an identity and returns it in the form it is
// stored and compared in: addresses lower-case, without display name,
// parameters or port, and sips: as sip:; user parts lower-case; extensions
// digits only. It returns an *InputError when the value cannot be an
// identity of that kind.
func NormalizeIdentity(kind IdentityKind, value string) (Identity, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return Identity{}, &InputError{Field: "value", Msg: "give the identity's value"}
	}
	switch kind {
	case IdentityAddress:
		k := parseSIPAddress(value)
		if k.address == "" || k.user == "" {
			return Identity{}, &InputError{Field: "value",
				Msg: fmt.Sprintf("%q is not an address with a user part, such as sip:1001@pbx.example", value)}
		}
		return Identity{Kind: kind, Value: k.address}, nil
	case IdentityUser:
		if strings.ContainsAny(value, "@:;<> \t") {
			return Identity{}, &InputError{Field: "value",
				Msg: fmt.Sprintf("%q is not a bare user part; use the kind address for a whole address", value)}
		}
		return Identity{Kind: kind, Value: strings.ToLower(value)}, nil
	case IdentityExtension:
		if len(value) > maxExtensionDigits || strings.Trim(value, "0123456789") != "" {
			return Identity{}, &InputError{Field: "value",
				Msg: fmt.Sprintf("%q is not an extension: give up to %d digits", value, maxExtensionDigits)}
		}
		return Identity{Kind: kind, Value: value}, nil
	}
	return Identity{}, &InputError{Field: "kind",
		Msg: fmt.Sprintf("%q is not an identity kind; use address, user or extension", kind)}
}

// needle is a string that every participant address matching id contains,
// once lower-cased and stripped of visual separators (see
// affectedCalls): it finds the calls an identity change can affect.
func (id Identity) needle() string {
	if id.Kind == IdentityAddress {
		return parseSIPAddress(id.Value).user
	}
	return id.Value
}

// AddIdentity links an identity to an agent and maps again every call it
// may change. An identity that belongs to another agent is ErrConflict;
// adding one the agent already has changes nothing.
func (s *Service) AddIdentity(ctx context.Context, agentID int64, id Identity) (*Agent, error) {
	id, err := NormalizeIdentity(id.Kind, id.Value)
	if err != nil {
		return nil, err
	}
	err = s.writeTx(ctx, func(tx *sql.Tx) error {
		if err := insertIdentity(ctx, tx, agentID, id); err != nil {
			return err
		}
		return s.remapAffected(ctx, tx, id)
	})
	if err != nil {
		return nil, err
	}
	return s.GetAgent(ctx, agentID)
}

func insertIdentity(ctx context.Context, tx *sql.Tx, agentID int64, id Identity) error {
	var owner int64
	err := tx.QueryRowContext(ctx, `SELECT agent_id FROM agent_identities WHERE kind = ? AND value = ?`,
		id.Kind, id.Value).Scan(&owner)
	switch {
	case err == nil && owner == agentID:
		return nil
	case err == nil:
		return fmt.Errorf("%s %q belongs to agent %d: %w", id.Kind, id.Value, owner, ErrConflict)
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("add identity: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO agent_identities (agent_id, kind, value) VALUES (?, ?, ?)`,
		agentID, id.Kind, id.Value)
	if constraintCode(err) == sqlite3.ErrConstraintForeignKey {
		return fmt.Errorf("agent %d: %w", agentID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("add identity: %w", err)
	}
	return nil
}

// RemoveIdentity unlinks an identity from an agent and maps again every
// call it may change.
func (s *Service) RemoveIdentity(ctx context.Context, agentID int64, id Identity) (*Agent, error) {
	id, err := NormalizeIdentity(id.Kind, id.Value)
	if err != nil {
		return nil, err
	}
	err = s.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`DELETE FROM agent_identities WHERE agent_id = ? AND kind = ? AND value = ?`,
			agentID, id.Kind, id.Value)
		if err != nil {
			return fmt.Errorf("remove identity: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("agent %d has no %s %q: %w", agentID, id.Kind, id.Value, ErrNotFound)
		}
		return s.remapAffected(ctx, tx, id)
	})
	if err != nil {
		return nil, err
	}
	return s.GetAgent(ctx, agentID)
}

// remapAffected maps again the calls whose participants may match id.
func (s *Service) remapAffected(ctx context.Context, tx *sql.Tx, id Identity) error {
	calls, err := affectedCalls(ctx, tx, id)
	if err != nil {
		return fmt.Errorf("find calls of %s %q: %w", id.Kind, id.Value, err)
	}
	if _, err := remapCalls(ctx, tx, calls); err != nil {
		return err
	}
	s.log.Info("calls mapped to agents again", "identity_kind", id.Kind,
		"identity", id.Value, "calls", len(calls))
	return nil
}

// affectedCalls returns the calls with a participant whose address
// contains id's needle: a superset of those id matches. It reads every
// participant, which is fine for an occasional administrative change.
func affectedCalls(ctx context.Context, tx *sql.Tx, id Identity) ([]string, error) {
	// The replace calls drop the separators that extension matching
	// ignores, so that tel:10-01 is found for extension 1001.
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT call_id FROM participants
		WHERE instr(replace(replace(replace(replace(replace(lower(sip_address),
			'-', ''), '.', ''), '(', ''), ')', ''), ' ', ''), ?) > 0
		   OR instr(lower(sip_address), ?) > 0
		ORDER BY call_id`, id.needle(), id.needle())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// identities returns the identities of one agent, or of all when agentID
// is nil, by agent, in a stable order.
func (s *Service) identities(ctx context.Context, agentID *int64) (map[int64][]Identity, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT agent_id, kind, value FROM agent_identities
		WHERE ? IS NULL OR agent_id = ? ORDER BY agent_id, kind, value`, agentID, agentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]Identity{}
	for rows.Next() {
		var a int64
		var id Identity
		if err := rows.Scan(&a, &id.Kind, &id.Value); err != nil {
			return nil, err
		}
		out[a] = append(out[a], id)
	}
	return out, rows.Err()
}
