package ui

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// The team and agent pages of the people area. An agent's calls are
// found by the SIP identities linked to them; qa maps the calls again
// whenever an identity is added or removed, and the remap button maps
// every call again, as after the catalog is rebuilt.

// nameForm is a team name as typed.
type nameForm struct {
	Name string
	fieldProblem
}

// teamRename is a refused rename, shown again in the team's row.
type teamRename struct {
	ID   int64
	Name string
	Msg  string
}

// agentForm is an agent's fields as typed; TeamID 0 is no team.
type agentForm struct {
	Name   string
	TeamID int64
	Active bool
	fieldProblem
}

func readAgentForm(c echo.Context) (agentForm, error) {
	f := agentForm{Name: c.FormValue("name"), Active: c.FormValue("active") != ""}
	var err error
	f.TeamID, err = formID(c, "team_id")
	return f, err
}

func (f agentForm) input() qa.AgentInput {
	return qa.AgentInput{Name: f.Name, TeamID: optionalID(f.TeamID), Active: &f.Active}
}

func agentFormOf(a *qa.Agent) agentForm {
	f := agentForm{Name: a.Name, Active: a.Active}
	if a.TeamID != nil {
		f.TeamID = *a.TeamID
	}
	return f
}

// identityForm is an identity as typed.
type identityForm struct {
	Kind, Value string
	fieldProblem
}

// kindChoice is an identity kind offered in the form.
type kindChoice struct {
	Kind        qa.IdentityKind
	Label, Hint string
}

// identityKinds are the kinds qa compares participants by, the most
// specific first, as qa tries them.
var identityKinds = []kindChoice{
	{qa.IdentityAddress, "SIP address", "a whole address, such as sip:1001@pbx.example"},
	{qa.IdentityUser, "SIP user", "the user part of an address, whatever the host: 1001, or alice"},
	{qa.IdentityExtension, "Extension",
		"up to 15 digits, compared with the digits of the user part"},
}

// record writes ch to the audit log, as the API's changed does.
func (s *Server) record(c echo.Context, ch change) error {
	return s.audit(c, ch.action, ch.objectType, strconv.FormatInt(ch.objectID, 10), ch.detail)
}

func (s *Server) peopleTeamCreate(c echo.Context) error {
	name := c.FormValue("name")
	t, err := s.cfg.QA.CreateTeam(c.Request().Context(), name)
	if p, code, ok := refusal(err); ok {
		return s.peopleRefused(c, code, p.problemText("The team was not created:"),
			func(v *peopleView) { v.NewTeam = nameForm{Name: name, fieldProblem: p} })
	}
	if err != nil {
		return s.webQAError(c, "create team", err)
	}
	if err := s.record(c, change{qa.ActionCreate, "team", t.ID,
		map[string]any{"name": t.Name}}); err != nil {
		return s.webFail(c, "audit", err)
	}
	return c.Redirect(http.StatusSeeOther, "/people?done=team#teams")
}

func (s *Server) peopleTeamRename(c echo.Context) error {
	id, err := webID(c)
	if err != nil {
		return s.webQAError(c, "team", err)
	}
	name := c.FormValue("name")
	t, err := s.cfg.QA.RenameTeam(c.Request().Context(), id, name)
	if p, code, ok := refusal(err); ok {
		return s.peopleRefused(c, code, p.problemText("The team was not renamed:"),
			func(v *peopleView) { v.Rename = teamRename{ID: id, Name: name, Msg: p.Msg} })
	}
	if err != nil {
		return s.webQAError(c, "rename team", err)
	}
	if err := s.record(c, change{qa.ActionChange, "team", id,
		map[string]any{"name": t.Name}}); err != nil {
		return s.webFail(c, "audit", err)
	}
	return c.Redirect(http.StatusSeeOther, "/people?done=renamed#teams")
}

func (s *Server) peopleAgentNew(c echo.Context) error {
	return s.renderAgentPage(c, http.StatusOK, nil, nil, "", "")
}

func (s *Server) peopleAgentCreate(c echo.Context) error {
	f, err := readAgentForm(c)
	var a *qa.Agent
	if err == nil {
		a, err = s.cfg.QA.CreateAgent(c.Request().Context(), f.input())
	}
	if p, code, ok := refusal(err); ok {
		f.fieldProblem = p
		return s.renderAgentPage(c, code, nil, func(v *agentPageView) { v.Form = f },
			"", p.problemText("The agent was not created:"))
	}
	if err != nil {
		return s.webQAError(c, "create agent", err)
	}
	if err := s.record(c, change{qa.ActionCreate, "agent", a.ID,
		map[string]any{"name": a.Name, "team_id": a.TeamID}}); err != nil {
		return s.webFail(c, "audit", err)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/people/agents/%d?done=created", a.ID))
}

// agentPageView is the page of one agent, or of a new one (Agent nil).
type agentPageView struct {
	May   peopleAccess
	Agent *qa.Agent
	Team  string
	Teams []qa.Team
	// Form and Identity are as stored or empty, or as typed when qa
	// refused them.
	Form     agentForm
	Identity identityForm
	Kinds    []kindChoice
	// Users are the accounts linked to the agent, for those who see
	// users.
	Users []qa.User
}

// pathAgent is the agent the path names.
func (s *Server) pathAgent(c echo.Context) (*qa.Agent, error) {
	id, err := webID(c)
	if err != nil {
		return nil, err
	}
	return s.cfg.QA.GetAgent(c.Request().Context(), id)
}

func (s *Server) peopleAgentPage(c echo.Context) error {
	a, err := s.pathAgent(c)
	if err != nil {
		return s.webQAError(c, "agent", err)
	}
	return s.renderAgentPage(c, http.StatusOK, a, nil, agentNoticeOf(c), "")
}

// renderAgentPage shows agent a, or the form of a new one when a is nil;
// keep, if not nil, puts a refused form back as typed.
func (s *Server) renderAgentPage(
	c echo.Context,
	code int,
	a *qa.Agent,
	keep func(*agentPageView),
	notice, problem string,
) error {
	v, err := s.agentPageView(c, a)
	if err != nil {
		return s.webQAError(c, "agent", err)
	}
	if keep != nil {
		keep(v)
	}
	title := "New agent"
	if a != nil {
		title = "Agent " + a.Name
	}
	return s.render(c, code, "people_agent", pageData{Title: title, Nav: "people", Page: v,
		Notice: notice, Problem: problem})
}

func (s *Server) agentPageView(c echo.Context, a *qa.Agent) (*agentPageView, error) {
	ctx := c.Request().Context()
	teams, err := s.cfg.QA.ListTeams(ctx)
	if err != nil {
		return nil, err
	}
	v := &agentPageView{May: s.peopleAccess(c), Agent: a, Teams: teams,
		Form: agentForm{Active: true}, Identity: identityForm{Kind: string(qa.IdentityAddress)},
		Kinds: identityKinds}
	if a == nil {
		return v, nil
	}
	v.Team, v.Form = teamName(teams, a.TeamID), agentFormOf(a)
	if !v.May.SeeUsers {
		return v, nil
	}
	users, err := s.cfg.QA.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if u.AgentID != nil && *u.AgentID == a.ID {
			v.Users = append(v.Users, u)
		}
	}
	return v, nil
}

// agentNoticeOf words the change that led to the agent page.
func agentNoticeOf(c echo.Context) string {
	switch c.QueryParam("done") {
	case "created":
		return "Agent created. Add the SIP identities their calls carry, " +
			"so that the calls are linked to them."
	case "saved":
		return "Saved."
	case "identity":
		return "Identity added; the calls it matches are linked to this agent."
	case "removed":
		return "Identity removed; its calls were mapped again."
	}
	return ""
}

func (s *Server) peopleAgentUpdate(c echo.Context) error {
	before, err := s.pathAgent(c)
	if err != nil {
		return s.webQAError(c, "agent", err)
	}
	id := before.ID
	f, err := readAgentForm(c)
	var a *qa.Agent
	if err == nil {
		a, err = s.cfg.QA.UpdateAgent(c.Request().Context(), id, f.input())
	}
	if p, code, ok := refusal(err); ok {
		f.fieldProblem = p
		return s.renderAgentPage(c, code, before, func(v *agentPageView) { v.Form = f },
			"", p.problemText("Not saved:"))
	}
	if err != nil {
		return s.webQAError(c, "update agent", err)
	}
	if err := s.record(c, change{qa.ActionChange, "agent", id,
		map[string]any{"name": a.Name, "team_id": a.TeamID, "active": a.Active}}); err != nil {
		return s.webFail(c, "audit", err)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/people/agents/%d?done=saved", id))
}

func (s *Server) peopleIdentityAdd(c echo.Context) error {
	a, err := s.pathAgent(c)
	if err != nil {
		return s.webQAError(c, "agent", err)
	}
	id := a.ID
	ident := qa.Identity{Kind: qa.IdentityKind(c.FormValue("kind")), Value: c.FormValue("value")}
	_, err = s.cfg.QA.AddIdentity(c.Request().Context(), id, ident)
	if p, code, ok := refusal(err); ok {
		typed := identityForm{Kind: string(ident.Kind), Value: ident.Value, fieldProblem: p}
		return s.renderAgentPage(c, code, a, func(v *agentPageView) { v.Identity = typed },
			"", p.problemText("The identity was not added:"))
	}
	if err != nil {
		return s.webQAError(c, "add identity", err)
	}
	if err := s.record(c, change{qa.ActionChange, "agent", id,
		map[string]any{"identity_added": ident}}); err != nil {
		return s.webFail(c, "audit", err)
	}
	return c.Redirect(http.StatusSeeOther,
		fmt.Sprintf("/people/agents/%d?done=identity#identities", id))
}

func (s *Server) peopleIdentityRemove(c echo.Context) error {
	id, err := webID(c)
	if err != nil {
		return s.webQAError(c, "agent", err)
	}
	ident := qa.Identity{Kind: qa.IdentityKind(c.FormValue("kind")), Value: c.FormValue("value")}
	if _, err := s.cfg.QA.RemoveIdentity(c.Request().Context(), id, ident); err != nil {
		return s.webQAError(c, "remove identity", err)
	}
	if err := s.record(c, change{qa.ActionChange, "agent", id,
		map[string]any{"identity_removed": ident}}); err != nil {
		return s.webFail(c, "audit", err)
	}
	return c.Redirect(http.StatusSeeOther,
		fmt.Sprintf("/people/agents/%d?done=removed#identities", id))
}

// peopleRemap maps every call to its agent again, as the API's remap
// does and audited the same way, and shows the counts on the overview.
func (s *Server) peopleRemap(c echo.Context) error {
	res, err := s.remapAll(c)
	if err != nil {
		return s.webQAError(c, "map calls", err)
	}
	v, err := s.peopleView(c)
	if err != nil {
		return s.webQAError(c, "list people", err)
	}
	notice := fmt.Sprintf("Every call was mapped again: %d looked at, %d linked to an agent.",
		res.Calls, res.Mapped)
	return s.renderPeople(c, http.StatusOK, v, notice, "")
}
