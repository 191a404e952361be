package ui

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// versionRow is one version of a form's history: when, by whom, and what
// changed from the version before it.
type versionRow struct {
	qa.FormVersion
	Author    string
	Questions int
	// Edited says the wording was edited in place after the version was
	// made (UpdatedAt is later than CreatedAt).
	Edited  bool
	Changes []formChange
}

// formHistoryView is the history page.
type formHistoryView struct {
	Form     *qa.Form
	Versions []versionRow // newest first
}

func (s *Server) formHistoryPage(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := formPathID(c, "form")
	if err != nil {
		return s.webQAError(c, "form", err)
	}
	f, err := s.cfg.QA.GetForm(ctx, id)
	if err != nil {
		return s.webQAError(c, "get form", err)
	}
	vs, err := s.cfg.QA.ListFormVersions(ctx, id)
	if err != nil {
		return s.webQAError(c, "list form versions", err)
	}
	names, err := s.userNames(ctx)
	if err != nil {
		return s.webFail(c, "list users", err)
	}
	v := formHistoryView{Form: f}
	for i := len(vs) - 1; i >= 0; i-- {
		row := versionRow{FormVersion: vs[i], Author: formAuthor(names, vs[i].CreatedBy),
			Questions: formQuestionCount(vs[i].Definition),
			Edited:    vs[i].UpdatedAt.After(vs[i].CreatedAt)}
		if i > 0 {
			row.Changes = diffForms(vs[i-1].Definition, vs[i].Definition)
		}
		v.Versions = append(v.Versions, row)
	}
	return s.render(c, http.StatusOK, "form_history", pageData{Title: f.Name + ": versions",
		Nav: "forms", Page: v})
}

// userNames maps user ids to the name people know them by: the display
// name, else the username.
func (s *Server) userNames(ctx context.Context) (map[int64]string, error) {
	users, err := s.cfg.QA.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(users))
	for _, u := range users {
		out[u.ID] = u.Username
		if u.DisplayName != "" {
			out[u.ID] = u.DisplayName
		}
	}
	return out, nil
}

func formAuthor(names map[int64]string, id *int64) string {
	if id == nil {
		return ""
	}
	if n, ok := names[*id]; ok {
		return n
	}
	return fmt.Sprintf("user %d", *id)
}

// formVersionView is one version, read-only, with what changed from the
// version before it.
type formVersionView struct {
	FormName string
	Version  *qa.FormVersion
	Author   string
	Latest   bool
	// Previous is the version before, if any; Changes are from it.
	Previous *qa.FormVersion
	Changes  []formChange
}

func (s *Server) formVersionPage(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := formPathID(c, "form")
	if err != nil {
		return s.webQAError(c, "form", err)
	}
	vid, err := strconv.ParseInt(c.Param("vid"), 10, 64)
	if err != nil || vid <= 0 {
		return s.webError(c, http.StatusNotFound, "There is no such version of this form.")
	}
	f, err := s.cfg.QA.GetForm(ctx, id)
	if err != nil {
		return s.webQAError(c, "get form", err)
	}
	v, err := s.cfg.QA.GetFormVersion(ctx, vid)
	if err != nil {
		return s.webQAError(c, "get form version", err)
	}
	if v.FormID != id {
		return s.webError(c, http.StatusNotFound, "There is no such version of this form.")
	}
	return s.renderFormVersion(c, f.Name, v)
}

// renderFormVersion shows v read-only beside the change from the version
// before it.
func (s *Server) renderFormVersion(c echo.Context, name string, v *qa.FormVersion) error {
	ctx := c.Request().Context()
	vs, err := s.cfg.QA.ListFormVersions(ctx, v.FormID)
	if err != nil {
		return s.webQAError(c, "list form versions", err)
	}
	names, err := s.userNames(ctx)
	if err != nil {
		return s.webFail(c, "list users", err)
	}
	view := formVersionView{FormName: name, Version: v, Author: formAuthor(names, v.CreatedBy),
		Latest: vs[len(vs)-1].ID == v.ID}
	for i := range vs {
		if vs[i].Version == v.Version-1 {
			view.Previous = &vs[i]
			view.Changes = diffForms(vs[i].Definition, v.Definition)
		}
	}
	title := fmt.Sprintf("%s, version %d", name, v.Version)
	return s.render(c, http.StatusOK, "form_version", pageData{Title: title, Nav: "forms",
		Page: view})
}
