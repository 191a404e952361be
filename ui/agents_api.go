package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// maxPeopleBody bounds the JSON bodies of the agent and sampling routes; a
// sampling plan with a large reviewer pool is the largest.
const maxPeopleBody = 1 << 20

// agentAPI are the routes of teams, agents and their SIP identities.
// Reviewers may read them; only staff change them.
func (s *Server) agentAPI() []route {
	if s.cfg.QA == nil {
		return nil
	}
	return []route{
		{method: http.MethodGet, path: "/api/v1/teams", roles: scoringRole, h: s.listTeams,
			summary: "List teams by name, with the number of agents in each"},
		{method: http.MethodPost, path: "/api/v1/teams", roles: staff, h: s.createTeam,
			summary: "Create a team {name}"},
		{method: http.MethodPut, path: "/api/v1/teams/:id", roles: staff, h: s.renameTeam,
			summary: "Rename a team {name}"},
		{method: http.MethodDelete, path: "/api/v1/teams/:id", roles: staff, h: s.deleteTeam,
			summary: "Delete a team; its agents stay, without a team"},
		{method: http.MethodGet, path: "/api/v1/agents", roles: scoringRole, h: s.listAgents,
			summary: "List agents with their SIP identities: team_id, inactive=true to include those who left"},
		{method: http.MethodPost, path: "/api/v1/agents", roles: staff, h: s.createAgent,
			summary: "Create an agent {name, team_id, active}"},
		{method: http.MethodGet, path: "/api/v1/agents/:id", roles: scoringRole, h: s.getAgent,
			summary: "One agent with their SIP identities"},
		{method: http.MethodPut, path: "/api/v1/agents/:id", roles: staff, h: s.updateAgent,
			summary: "Set an agent's {name, team_id, active}; team_id null for none"},
		{method: http.MethodDelete, path: "/api/v1/agents/:id", roles: staff, h: s.deleteAgent,
			summary: "Delete an agent never evaluated nor drawn; make others inactive instead"},
		{method: http.MethodPost, path: "/api/v1/agents/:id/identities", roles: staff, h: s.addIdentity,
			summary: "Link a SIP identity {kind: address|user|extension, value} to an agent; " +
				"maps the calls it matches"},
		{method: http.MethodDelete, path: "/api/v1/agents/:id/identities", roles: staff, h: s.removeIdentity,
			summary: "Unlink the SIP identity ?kind=&value= from an agent; maps its calls again"},
		{method: http.MethodPost, path: "/api/v1/agents/remap", roles: staff, h: s.remapAgents,
			summary: "Map every call to its agent again, as after the catalog is rebuilt"},
	}
}

// decodePeopleBody reads a JSON object body into v, refusing unknown
// fields so that a misspelt field is an error rather than ignored.
func decodePeopleBody(c echo.Context, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, maxPeopleBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return &qa.InputError{Msg: "send a JSON object as the request body"}
	case errors.As(err, &tooBig):
		return &qa.InputError{Msg: fmt.Sprintf("the body is over %d bytes", tooBig.Limit)}
	case err != nil:
		return &qa.InputError{Msg: fmt.Sprintf("the body is not the JSON object expected: %v", err)}
	}
	return nil
}

// peoplePathID reads the numeric :id of a path; anything else names
// nothing, so it is a 404.
func peoplePathID(c echo.Context, what string) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%s %q: %w", what, c.Param("id"), qa.ErrNotFound)
	}
	return id, nil
}

type teamRequest struct {
	Name string `json:"name"`
}

func (s *Server) listTeams(c echo.Context) error {
	teams, err := s.cfg.QA.ListTeams(c.Request().Context())
	if err != nil {
		return s.apiError(c, err)
	}
	return c.JSON(http.StatusOK, map[string]any{"teams": teams})
}

func (s *Server) createTeam(c echo.Context) error {
	var req teamRequest
	if err := decodePeopleBody(c, &req); err != nil {
		return s.apiError(c, err)
	}
	team, err := s.cfg.QA.CreateTeam(c.Request().Context(), req.Name)
	if err != nil {
		return s.apiError(c, err)
	}
	return s.changed(c, http.StatusCreated, team, change{qa.ActionCreate, "team", team.ID,
		map[string]any{"name": team.Name}})
}

func (s *Server) renameTeam(c echo.Context) error {
	id, err := peoplePathID(c, "team")
	if err != nil {
		return s.apiError(c, err)
	}
	var req teamRequest
	if err := decodePeopleBody(c, &req); err != nil {
		return s.apiError(c, err)
	}
	team, err := s.cfg.QA.RenameTeam(c.Request().Context(), id, req.Name)
	if err != nil {
		return s.apiError(c, err)
	}
	return s.changed(c, http.StatusOK, team, change{qa.ActionChange, "team", id,
		map[string]any{"name": team.Name}})
}

func (s *Server) deleteTeam(c echo.Context) error {
	id, err := peoplePathID(c, "team")
	if err != nil {
		return s.apiError(c, err)
	}
	if err := s.cfg.QA.DeleteTeam(c.Request().Context(), id); err != nil {
		return s.apiError(c, err)
	}
	return s.changed(c, http.StatusNoContent, nil, change{qa.ActionDelete, "team", id, nil})
}

// change is what a handler changed, for the audit log.
type change struct {
	action     string
	objectType string
	objectID   int64
	detail     map[string]any
}

// changed records ch in the audit log and answers code with v; a nil v
// answers no body.
func (s *Server) changed(c echo.Context, code int, v any, ch change) error {
	err := s.audit(c, ch.action, ch.objectType, strconv.FormatInt(ch.objectID, 10), ch.detail)
	if err != nil {
		return s.internal(c, "audit", err)
	}
	if v == nil {
		return c.NoContent(code)
	}
	return c.JSON(code, v)
}

func (s *Server) listAgents(c echo.Context) error {
	var f qa.AgentFilter
	if v := c.QueryParam("team_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return s.apiError(c, &qa.InputError{Field: "team_id", Msg: fmt.Sprintf("%q is not a team id", v)})
		}
		f.TeamID = &id
	}
	switch v := c.QueryParam("inactive"); v {
	case "", "false":
	case "true":
		f.Inactive = true
	default:
		return s.apiError(c, &qa.InputError{Field: "inactive", Msg: "use true or false"})
	}
	agents, err := s.cfg.QA.ListAgents(c.Request().Context(), f)
	if err != nil {
		return s.apiError(c, err)
	}
	return c.JSON(http.StatusOK, map[string]any{"agents": agents})
}

func (s *Server) getAgent(c echo.Context) error {
	id, err := peoplePathID(c, "agent")
	if err != nil {
		return s.apiError(c, err)
	}
	a, err := s.cfg.QA.GetAgent(c.Request().Context(), id)
	if err != nil {
		return s.apiError(c, err)
	}
	return c.JSON(http.StatusOK, a)
}

func (s *Server) createAgent(c echo.Context) error {
	var req qa.AgentInput
	if err := decodePeopleBody(c, &req); err != nil {
		return s.apiError(c, err)
	}
	a, err := s.cfg.QA.CreateAgent(c.Request().Context(), req)
	if err != nil {
		return s.apiError(c, err)
	}
	return s.changed(c, http.StatusCreated, a, change{qa.ActionCreate, "agent", a.ID,
		map[string]any{"name": a.Name, "team_id": a.TeamID}})
}

func (s *Server) updateAgent(c echo.Context) error {
	id, err := peoplePathID(c, "agent")
	if err != nil {
		return s.apiError(c, err)
	}
	var req qa.AgentInput
	if err := decodePeopleBody(c, &req); err != nil {
		return s.apiError(c, err)
	}
	a, err := s.cfg.QA.UpdateAgent(c.Request().Context(), id, req)
	if err != nil {
		return s.apiError(c, err)
	}
	return s.changed(c, http.StatusOK, a, change{qa.ActionChange, "agent", id,
		map[string]any{"name": a.Name, "team_id": a.TeamID, "active": a.Active}})
}

func (s *Server) deleteAgent(c echo.Context) error {
	id, err := peoplePathID(c, "agent")
	if err != nil {
		return s.apiError(c, err)
	}
	if err := s.cfg.QA.DeleteAgent(c.Request().Context(), id); err != nil {
		return s.apiError(c, err)
	}
	return s.changed(c, http.StatusNoContent, nil, change{qa.ActionDelete, "agent", id, nil})
}

func (s *Server) addIdentity(c echo.Context) error {
	id, err := peoplePathID(c, "agent")
	if err != nil {
		return s.apiError(c, err)
	}
	var req qa.Identity
	if err := decodePeopleBody(c, &req); err != nil {
		return s.apiError(c, err)
	}
	a, err := s.cfg.QA.AddIdentity(c.Request().Context(), id, req)
	if err != nil {
		return s.apiError(c, err)
	}
	return s.changed(c, http.StatusOK, a, change{qa.ActionChange, "agent", id,
		map[string]any{"identity_added": req}})
}

// removeIdentity takes the identity in the query: an address holds
// characters that a path segment would need escaped.
func (s *Server) removeIdentity(c echo.Context) error {
	id, err := peoplePathID(c, "agent")
	if err != nil {
		return s.apiError(c, err)
	}
	ident := qa.Identity{Kind: qa.IdentityKind(c.QueryParam("kind")), Value: c.QueryParam("value")}
	a, err := s.cfg.QA.RemoveIdentity(c.Request().Context(), id, ident)
	if err != nil {
		return s.apiError(c, err)
	}
	return s.changed(c, http.StatusOK, a, change{qa.ActionChange, "agent", id,
		map[string]any{"identity_removed": ident}})
}

// remapAll maps every call to its agent again and records who did it:
// it can move calls between agents, and so what each agent is judged on.
// The remap is done when it is recorded; a failure to record it is
// logged, as the change is not undone.
func (s *Server) remapAll(c echo.Context) (qa.RemapResult, error) {
	res, err := s.cfg.QA.RemapAll(c.Request().Context())
	if err != nil {
		return res, err
	}
	if err := s.audit(c, qa.ActionChange, "call_agents", "all",
		map[string]any{"remapped_calls": res.Calls, "mapped": res.Mapped}); err != nil {
		s.cfg.Log.Error("audit entry lost", "action", "remap", "err", err)
	}
	return res, nil
}

func (s *Server) remapAgents(c echo.Context) error {
	res, err := s.remapAll(c)
	if err != nil {
		return s.apiError(c, err)
	}
	return c.JSON(http.StatusOK, res)
}
