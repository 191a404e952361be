package qa

import (
	"fmt"
	"slices"
	"strings"
)

// Role is what a user may do. A person can hold several (a reviewer who is
// also an agent).
type Role string

// The roles.
const (
	// RoleAdmin manages users, tokens and settings, and reads the audit log.
	RoleAdmin Role = "admin"
	// RoleManager runs QA: forms, sampling, calibration, disputes, reports.
	RoleManager Role = "manager"
	// RoleReviewer scores calls.
	RoleReviewer Role = "reviewer"
	// RoleAgent sees their own calls and evaluations.
	RoleAgent Role = "agent"
)

// AllRoles lists every role, in order of privilege.
var AllRoles = []Role{RoleAdmin, RoleManager, RoleReviewer, RoleAgent}

// ParseRoles reads a comma-separated role list.
func ParseRoles(s string) ([]Role, error) {
	var out []Role
	for _, part := range strings.Split(s, ",") {
		r := Role(strings.TrimSpace(strings.ToLower(part)))
		if r == "" {
			continue
		}
		if !slices.Contains(AllRoles, r) {
			return nil, &InputError{Field: "roles",
				Msg: fmt.Sprintf("%q is not a role; use admin, manager, reviewer or agent", r)}
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, &InputError{Field: "roles", Msg: "give at least one role"}
	}
	return out, nil
}

func formatRoles(rs []Role) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = string(r)
	}
	return strings.Join(parts, ",")
}

// User is a person who signs in.
type User struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Roles       []Role `json:"roles"`
	// AgentID links the user to the agent whose calls they take, if any.
	AgentID  *int64 `json:"agent_id,omitempty"`
	Disabled bool   `json:"disabled"`
}

// Has reports whether the user holds role r.
func (u *User) Has(r Role) bool { return u != nil && slices.Contains(u.Roles, r) }

// HasAny reports whether the user holds any of rs.
func (u *User) HasAny(rs ...Role) bool {
	for _, r := range rs {
		if u.Has(r) {
			return true
		}
	}
	return false
}
