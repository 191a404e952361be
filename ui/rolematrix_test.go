package ui

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"earshot/qa"
)

// matrixID stands for every path parameter: an id that names nothing, so
// that a request allowed in reaches the handler and changes nothing.
const matrixID = "987654321"

// matrixPath fills the parameters of a route path with matrixID.
func matrixPath(p string) string {
	parts := strings.Split(p, "/")
	for i, part := range parts {
		if strings.HasPrefix(part, ":") || part == "*" {
			parts[i] = matrixID
		}
	}
	return strings.Join(parts, "/")
}

// TestRoleMatrix walks every route of the API table with no credentials
// and with the token of a user holding each role alone. Without
// credentials a route answers 401, unless it is public. A role the route
// does not list gets 403; a role it lists (or any role, when it lists
// none) is let in: anything but 401 and 403, and no server error either,
// since an id that names nothing is a 404, not a crash.
func TestRoleMatrix(t *testing.T) {
	f := newAuthFixture(t)
	keys := map[qa.Role]string{}
	for _, r := range qa.AllRoles {
		keys[r] = f.token(t, matrixUser(t, f, r))
	}
	routes := f.srv.apiRoutes()
	if len(routes) == 0 {
		t.Fatal("the API table is empty")
	}
	for _, rt := range routes {
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			req := authReq{method: rt.method, path: matrixPath(rt.path)}
			if !safeMethod(rt.method) {
				req.body = map[string]any{}
			}
			resp, body := f.do(t, nil, req)
			switch {
			case rt.public && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden):
				t.Errorf("public, without credentials: %d %s", resp.StatusCode, body)
			case !rt.public && resp.StatusCode != http.StatusUnauthorized:
				t.Errorf("without credentials: %d %s, want 401", resp.StatusCode, body)
			}
			for _, role := range qa.AllRoles {
				req.bearer = keys[role]
				resp, body := f.do(t, nil, req)
				checkMatrixStatus(t, rt, role, resp.StatusCode, body)
			}
		})
	}
}

// matrixUser creates a user holding role r alone. An agent account is
// linked to an agent, as it is in use: routes that show agents their own
// figures need to know whose they are.
func matrixUser(t *testing.T, f *authFixture, r qa.Role) *qa.User {
	t.Helper()
	nu := qa.NewUser{Username: "only-" + string(r), Password: "matrix password", Roles: []qa.Role{r}}
	if r == qa.RoleAgent {
		res, err := f.cat.DB().ExecContext(t.Context(), `INSERT INTO agents (name) VALUES ('Matrix Agent')`)
		if err != nil {
			t.Fatal(err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			t.Fatal(err)
		}
		nu.AgentID = &id
	}
	u, err := f.qa.CreateUser(t.Context(), nu)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func checkMatrixStatus(t *testing.T, rt route, role qa.Role, status int, body []byte) {
	t.Helper()
	allowed := rt.public || len(rt.roles) == 0 || slices.Contains(rt.roles, role)
	switch {
	case allowed && (status == http.StatusUnauthorized || status == http.StatusForbidden):
		t.Errorf("%s, allowed: %d %s, want it let in", role, status, body)
	case allowed && status >= 500:
		t.Errorf("%s, allowed: %d %s, want no server error for an id that names nothing",
			role, status, body)
	case !allowed && status != http.StatusForbidden:
		t.Errorf("%s, not allowed: %d %s, want 403", role, status, body)
	}
}

// TestEveryAPIRouteIsInTheTable: nothing under /api/v1 is served around
// the table, and so around the role check.
func TestEveryAPIRouteIsInTheTable(t *testing.T) {
	f := newAuthFixture(t)
	// Outside the table on purpose: the OpenAPI document, which describes
	// the API to anyone and holds no data.
	open := map[string]bool{"GET /api/v1/openapi.json": true}
	table := map[string]bool{}
	for _, rt := range f.srv.apiRoutes() {
		table[rt.method+" "+rt.path] = true
	}
	served := 0
	for _, r := range f.srv.echo.Routes() {
		key := r.Method + " " + r.Path
		if !strings.HasPrefix(r.Path, "/api/") || open[key] {
			continue
		}
		served++
		if !table[key] {
			t.Errorf("%s is served but not in the API table, so no role is checked", key)
		}
	}
	if served != len(table) {
		t.Errorf("%d API routes served, %d in the table", served, len(table))
	}
}
