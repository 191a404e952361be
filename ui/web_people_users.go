package ui

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// The user pages of the people area: create an account, change its
// roles, display name and agent, disable or enable it, and set its
// password. A password left empty is generated, as the API does, and
// shown once on the page that answers the form: it is in no URL and no
// log, and the page is not cached.

// roleChoice is a role offered as a checkbox, with what it lets one do.
type roleChoice struct {
	Role qa.Role
	Hint string
}

// roleHints say what each role is for, as the qa package defines them.
var roleHints = map[qa.Role]string{
	qa.RoleAdmin:    "manages users and reads the audit log",
	qa.RoleManager:  "runs QA: forms, sampling, calibration, disputes, teams and agents",
	qa.RoleReviewer: "scores calls",
	qa.RoleAgent:    "sees their own calls and evaluations; link the account to its agent",
}

// roleChoices are the roles, in qa's order of privilege.
var roleChoices = func() []roleChoice {
	out := make([]roleChoice, 0, len(qa.AllRoles))
	for _, r := range qa.AllRoles {
		out = append(out, roleChoice{Role: r, Hint: roleHints[r]})
	}
	return out
}()

// userForm is the account form as typed; AgentID 0 is no agent.
type userForm struct {
	Username, DisplayName string
	Roles                 []qa.Role
	AgentID               int64
	fieldProblem
}

// Has reports whether the form ticks role r.
func (f userForm) Has(r qa.Role) bool { return slices.Contains(f.Roles, r) }

// readUserForm reads the account fields a form sent; a malformed agent
// is an *qa.InputError, with the form as typed.
func readUserForm(c echo.Context) (userForm, error) {
	f := userForm{Username: c.FormValue("username"), DisplayName: c.FormValue("display_name"),
		Roles: []qa.Role{}}
	for _, r := range c.Request().PostForm["roles"] {
		f.Roles = append(f.Roles, qa.Role(r))
	}
	var err error
	f.AgentID, err = formID(c, "agent_id")
	return f, err
}

func userFormOf(u *qa.User) userForm {
	f := userForm{Username: u.Username, DisplayName: u.DisplayName, Roles: u.Roles}
	if u.AgentID != nil {
		f.AgentID = *u.AgentID
	}
	return f
}

// optionalID is nil for 0, else a pointer to id.
func optionalID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// passwordView is the page that shows a password set from the people
// pages.
type passwordView struct {
	User *qa.User
	// Password is the generated password, shown this once; empty when
	// the admin typed one.
	Password string
	Created  bool
}

func (s *Server) peopleUserNew(c echo.Context) error {
	return s.renderUserPage(c, http.StatusOK, nil, nil, "", "")
}

func (s *Server) peopleUserCreate(c echo.Context) error {
	f, err := readUserForm(c)
	password, generated := c.FormValue("password"), ""
	if password == "" {
		generated = qa.GeneratePassword()
		password = generated
	}
	var u *qa.User
	if err == nil {
		u, err = s.cfg.QA.CreateUser(c.Request().Context(), qa.NewUser{Username: f.Username,
			DisplayName: f.DisplayName, Password: password, Roles: f.Roles,
			AgentID: optionalID(f.AgentID)})
	}
	if p, code, ok := refusal(err); ok {
		f.fieldProblem = p
		return s.renderUserPage(c, code, nil, &f, "", p.problemText("The user was not created:"))
	}
	if err != nil {
		return s.webQAError(c, "create user", err)
	}
	// The API's audit of the same creation.
	if err := s.audit(c, qa.ActionCreate, "user", fmt.Sprint(u.ID),
		map[string]any{"username": u.Username, "roles": u.Roles}); err != nil {
		return s.webFail(c, "audit", err)
	}
	return s.render(c, http.StatusOK, "people_password", pageData{Title: "User created",
		Nav: "people", Page: passwordView{User: u, Password: generated, Created: true}})
}

// userPageView is the page of one account, or of a new one (User nil).
type userPageView struct {
	User   *qa.User
	Roles  []roleChoice
	Agents []qa.Agent
	// Form is the account as stored, or as typed when qa refused it.
	Form userForm
}

// pathUser is the user the path names.
func (s *Server) pathUser(c echo.Context) (*qa.User, error) {
	id, err := webID(c)
	if err != nil {
		return nil, err
	}
	return s.cfg.QA.GetUser(c.Request().Context(), id)
}

func (s *Server) peopleUserPage(c echo.Context) error {
	u, err := s.pathUser(c)
	if err != nil {
		return s.webQAError(c, "user", err)
	}
	return s.renderUserPage(c, http.StatusOK, u, nil, userNotice(c), "")
}

// renderUserPage shows the account u, or the form of a new one when u
// is nil; typed, if not nil, is a refused form shown again.
func (s *Server) renderUserPage(
	c echo.Context,
	code int,
	u *qa.User,
	typed *userForm,
	notice, problem string,
) error {
	agents, err := s.cfg.QA.ListAgents(c.Request().Context(), qa.AgentFilter{Inactive: true})
	if err != nil {
		return s.webQAError(c, "list agents", err)
	}
	v := &userPageView{User: u, Roles: roleChoices, Agents: agents}
	title := "New user"
	if u != nil {
		v.Form, title = userFormOf(u), "User "+u.Username
	}
	if typed != nil {
		v.Form = *typed
	}
	return s.render(c, code, "people_user", pageData{Title: title, Nav: "people",
		Page: v, Notice: notice, Problem: problem})
}

// userNotice words the change that led to the user page.
func userNotice(c echo.Context) string {
	switch c.QueryParam("done") {
	case "saved":
		return "Saved."
	case "same":
		return "Nothing changed."
	case "disabled":
		return "Account disabled: its sessions are ended, and its API tokens stop working."
	case "enabled":
		return "Account enabled."
	}
	return ""
}

// userChanges is the update that turns u into what f says; fields that
// are the same are left out, so the audit names only what changed.
func userChanges(u *qa.User, f userForm) qa.UserUpdate {
	var up qa.UserUpdate
	if f.DisplayName != u.DisplayName {
		up.DisplayName = &f.DisplayName
	}
	same := len(f.Roles) == len(u.Roles)
	for _, r := range f.Roles {
		same = same && u.Has(r)
	}
	if !same {
		up.Roles = f.Roles
	}
	var before int64
	if u.AgentID != nil {
		before = *u.AgentID
	}
	if f.AgentID != before {
		up.AgentID = &f.AgentID // 0 unlinks
	}
	return up
}

func (s *Server) peopleUserUpdate(c echo.Context) error {
	before, err := s.pathUser(c)
	if err != nil {
		return s.webQAError(c, "user", err)
	}
	id := before.ID
	f, err := readUserForm(c)
	f.Username = before.Username
	up := userChanges(before, f)
	if err == nil && len(changedFields(up)) == 0 {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/people/users/%d?done=same", id))
	}
	if err == nil {
		err = s.changeUser(c, id, up)
	}
	if p, code, ok := refusal(err); ok {
		f.fieldProblem = p
		return s.renderUserPage(c, code, before, &f, "", p.problemText("Not saved:"))
	}
	if err != nil {
		return s.webQAError(c, "update user", err)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/people/users/%d?done=saved", id))
}

// changeUser applies up to user id and audits it as the API does.
func (s *Server) changeUser(c echo.Context, id int64, up qa.UserUpdate) error {
	u, err := s.cfg.QA.UpdateUser(c.Request().Context(), id, up)
	if err != nil {
		return err
	}
	err = s.audit(c, qa.ActionChange, "user", fmt.Sprint(id), map[string]any{
		"changed": changedFields(up), "roles": u.Roles, "disabled": u.Disabled})
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// changedFields names the fields up sets, in the words of the API's
// audit entries.
func changedFields(up qa.UserUpdate) []string {
	return userUpdateRequest{DisplayName: up.DisplayName, Roles: up.Roles, Disabled: up.Disabled,
		AgentID: up.AgentID}.changed()
}

func (s *Server) peopleUserDisable(c echo.Context) error {
	u, err := s.pathUser(c)
	if err != nil {
		return s.webQAError(c, "user", err)
	}
	disabled, err := strconv.ParseBool(c.FormValue("disabled"))
	if err != nil {
		return s.webError(c, http.StatusBadRequest, "The form did not say whether to "+
			"disable or enable the account. Reload the page and try again.")
	}
	err = s.changeUser(c, u.ID, qa.UserUpdate{Disabled: &disabled})
	if p, code, ok := refusal(err); ok {
		return s.renderUserPage(c, code, u, nil, "", p.problemText("Not changed:"))
	}
	if err != nil {
		return s.webQAError(c, "update user", err)
	}
	done := "enabled"
	if disabled {
		done = "disabled"
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/people/users/%d?done=%s", u.ID, done))
}

func (s *Server) peopleUserPassword(c echo.Context) error {
	u, err := s.pathUser(c)
	if err != nil {
		return s.webQAError(c, "user", err)
	}
	password, generated := c.FormValue("password"), ""
	if password == "" {
		generated = qa.GeneratePassword()
		password = generated
	}
	err = s.cfg.QA.SetPassword(c.Request().Context(), u.ID, password)
	if p, code, ok := refusal(err); ok {
		return s.renderUserPage(c, code, u, nil, "", p.problemText("The password was not set:"))
	}
	if err != nil {
		return s.webQAError(c, "set password", err)
	}
	if err := s.audit(c, qa.ActionChange, "user", fmt.Sprint(u.ID),
		map[string]any{"changed": []string{"password"}}); err != nil {
		return s.webFail(c, "audit", err)
	}
	return s.render(c, http.StatusOK, "people_password", pageData{Title: "Password set",
		Nav: "people", Page: passwordView{User: u, Password: generated}})
}
