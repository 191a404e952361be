package ui

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// The people pages: users, teams, agents and the SIP identities that link
// calls to agents, managed from the browser. Each page and form does what
// one route of the JSON API does, through the same qa function, audited
// the same way, and takes that route's roles from the API table, so that
// the browser allows exactly what the API allows: admins manage users,
// managers and admins teams and agents, and reviewers read the lists
// (the library's agent filter needs them; users stay hidden from them).
//
// Not offered: deleting a team or an agent. An agent who leaves is made
// inactive, which keeps their calls and evaluations linked; a team can be
// renamed. Neither the API nor qa deletes them yet.

// mountWebPeople registers the people pages.
func (s *Server) mountWebPeople(g *echo.Group) {
	api := s.apiRoleTable()
	g.GET("/people", s.page(api.of("GET /api/v1/agents"), s.peoplePage))
	g.GET("/people/users/new", s.page(api.of("POST /api/v1/users"), s.peopleUserNew))
	g.POST("/people/users", s.page(api.of("POST /api/v1/users"), s.peopleUserCreate))
	g.GET("/people/users/:id", s.page(api.of("GET /api/v1/users"), s.peopleUserPage))
	g.POST("/people/users/:id", s.page(api.of("PATCH /api/v1/users/:id"), s.peopleUserUpdate))
	g.POST("/people/users/:id/disabled",
		s.page(api.of("PATCH /api/v1/users/:id"), s.peopleUserDisable))
	g.POST("/people/users/:id/password",
		s.page(api.of("POST /api/v1/users/:id/password"), s.peopleUserPassword))
	g.POST("/people/teams", s.page(api.of("POST /api/v1/teams"), s.peopleTeamCreate))
	g.POST("/people/teams/:id", s.page(api.of("PUT /api/v1/teams/:id"), s.peopleTeamRename))
	g.GET("/people/agents/new", s.page(api.of("POST /api/v1/agents"), s.peopleAgentNew))
	g.POST("/people/agents", s.page(api.of("POST /api/v1/agents"), s.peopleAgentCreate))
	g.GET("/people/agents/:id", s.page(api.of("GET /api/v1/agents/:id"), s.peopleAgentPage))
	g.POST("/people/agents/:id", s.page(api.of("PUT /api/v1/agents/:id"), s.peopleAgentUpdate))
	g.POST("/people/agents/:id/identities",
		s.page(api.of("POST /api/v1/agents/:id/identities"), s.peopleIdentityAdd))
	g.POST("/people/agents/:id/identities/remove",
		s.page(api.of("DELETE /api/v1/agents/:id/identities"), s.peopleIdentityRemove))
	g.POST("/people/remap", s.page(api.of("POST /api/v1/agents/remap"), s.peopleRemap))
}

// apiRoleTable holds the roles of each API route, by "METHOD path".
type apiRoleTable map[string][]qa.Role

func (s *Server) apiRoleTable() apiRoleTable {
	t := apiRoleTable{}
	for _, r := range s.apiRoutes() {
		t[r.method+" "+r.path] = r.roles
	}
	return t
}

// of returns the roles of a route. A route missing from the table is a
// build mistake, which every test of the pages catches.
func (t apiRoleTable) of(route string) []qa.Role {
	roles, ok := t[route]
	if !ok {
		panic("ui: no API route " + route)
	}
	return roles
}

// allows reports whether u may call the route.
func (t apiRoleTable) allows(u *qa.User, route string) bool {
	roles := t.of(route)
	return len(roles) == 0 || u.HasAny(roles...)
}

// peopleAccess says what of the people pages the caller may see and
// change, by the API routes that do the same.
type peopleAccess struct {
	// SeeUsers lists the users; Users creates and changes them.
	SeeUsers, Users bool
	// Teams and Agents change teams, and agents and their identities.
	Teams, Agents bool
}

func (s *Server) peopleAccess(c echo.Context) peopleAccess {
	t, u := s.apiRoleTable(), caller(c)
	return peopleAccess{SeeUsers: t.allows(u, "GET /api/v1/users"),
		Users: t.allows(u, "POST /api/v1/users"), Teams: t.allows(u, "POST /api/v1/teams"),
		Agents: t.allows(u, "POST /api/v1/agents")}
}

// fieldProblem is qa's refusal of a form, shown beside the field it
// names; Field is empty for a refusal of the whole form.
type fieldProblem struct {
	Field, Msg string
}

// ErrorFor returns the reason when the field was refused, else "".
func (p fieldProblem) ErrorFor(field string) string {
	if p.Field == field {
		return p.Msg
	}
	return ""
}

// refusal sorts an error of qa for a form shown again: a refused field
// or a conflict comes back with its reason and status; ok is false for
// the other errors, which are for webQAError.
func refusal(err error) (p fieldProblem, code int, ok bool) {
	var in *qa.InputError
	switch {
	case errors.As(err, &in):
		return fieldProblem{Field: in.Field, Msg: in.Msg}, http.StatusBadRequest, true
	case errors.Is(err, qa.ErrConflict):
		msg := strings.TrimSuffix(err.Error(), ": "+qa.ErrConflict.Error())
		return fieldProblem{Msg: msg}, http.StatusConflict, true
	}
	return fieldProblem{}, 0, false
}

// problemText words a refusal for the top of the page.
func (p fieldProblem) problemText(what string) string {
	if p.Field == "" {
		return what + " " + p.Msg + "."
	}
	return what + " " + strings.ReplaceAll(p.Field, "_", " ") + ": " + p.Msg +
		". Correct it below and send the form again."
}

// formID reads an optional id a form picked from a list: empty is 0.
func formID(c echo.Context, field string) (int64, error) {
	v := c.FormValue(field)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, &qa.InputError{Field: field, Msg: "pick one from the list"}
	}
	return n, nil
}

// peopleView is the people overview, with the team forms: empty, or as
// typed when qa refused them.
type peopleView struct {
	May     peopleAccess
	Users   []peopleUserRow
	Teams   []qa.Team
	Agents  []peopleAgentRow
	NewTeam nameForm
	// Rename is a refused rename, shown again in its team's row.
	Rename teamRename
}

// peopleUserRow is a user of the list, with the agent they are linked to.
type peopleUserRow struct {
	qa.User
	Agent string
}

// peopleAgentRow is an agent of the list, with their team's name.
type peopleAgentRow struct {
	qa.Agent
	Team string
}

func (s *Server) peoplePage(c echo.Context) error {
	v, err := s.peopleView(c)
	if err != nil {
		return s.webQAError(c, "list people", err)
	}
	return s.renderPeople(c, http.StatusOK, v, peopleNotice(c), "")
}

// peopleRefused shows the overview again with a refused team form as
// typed, which keep puts back in its place.
func (s *Server) peopleRefused(
	c echo.Context,
	code int,
	problem string,
	keep func(*peopleView),
) error {
	v, err := s.peopleView(c)
	if err != nil {
		return s.webQAError(c, "list people", err)
	}
	keep(v)
	return s.renderPeople(c, code, v, "", problem)
}

// renderPeople renders the overview with a notice or a problem.
func (s *Server) renderPeople(
	c echo.Context,
	code int,
	v *peopleView,
	notice, problem string,
) error {
	return s.render(c, code, "people", pageData{Title: "People", Nav: "people", Page: v,
		Notice: notice, Problem: problem})
}

// peopleView reads the lists the caller may see: users for those who
// manage them, teams and agents, inactive ones too, for everyone here.
func (s *Server) peopleView(c echo.Context) (*peopleView, error) {
	ctx := c.Request().Context()
	v := &peopleView{May: s.peopleAccess(c)}
	var err error
	if v.Teams, err = s.cfg.QA.ListTeams(ctx); err != nil {
		return nil, err
	}
	agents, err := s.cfg.QA.ListAgents(ctx, qa.AgentFilter{Inactive: true})
	if err != nil {
		return nil, err
	}
	for _, a := range agents {
		v.Agents = append(v.Agents, peopleAgentRow{Agent: a, Team: teamName(v.Teams, a.TeamID)})
	}
	if !v.May.SeeUsers {
		return v, nil
	}
	users, err := s.cfg.QA.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		v.Users = append(v.Users, peopleUserRow{User: u, Agent: agentName(agents, u.AgentID)})
	}
	return v, nil
}

func teamName(teams []qa.Team, id *int64) string {
	if id == nil {
		return ""
	}
	i := slices.IndexFunc(teams, func(t qa.Team) bool { return t.ID == *id })
	if i < 0 {
		return ""
	}
	return teams[i].Name
}

func agentName(agents []qa.Agent, id *int64) string {
	if id == nil {
		return ""
	}
	i := slices.IndexFunc(agents, func(a qa.Agent) bool { return a.ID == *id })
	if i < 0 {
		return ""
	}
	return agents[i].Name
}

// peopleNotice words the outcome of the change that led here; the query
// names one of a few fixed outcomes, so that no text is reflected.
func peopleNotice(c echo.Context) string {
	switch c.QueryParam("done") {
	case "team":
		return "Team created."
	case "renamed":
		return "Team renamed."
	}
	return ""
}
