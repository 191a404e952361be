package ui

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// The forms pages: managers and admins build evaluation forms and read
// their versions; reviewers, who score with them, may read them. The
// builder is a script that edits the definition as a tree and posts it,
// as JSON in the definition field, with the page's CSRF token; qa checks
// it and decides whether the change makes a new version.

func (s *Server) mountWebForms(g *echo.Group) {
	g.GET("/forms", s.page(scoringRole, s.formsPage))
	g.GET("/forms/new", s.page(staff, s.formNewPage))
	g.POST("/forms", s.page(staff, s.formCreate))
	g.GET("/forms/:id", s.page(scoringRole, s.formPage))
	g.POST("/forms/:id", s.page(staff, s.formUpdate))
	g.GET("/forms/:id/versions", s.page(scoringRole, s.formHistoryPage))
	g.GET("/forms/:id/versions/:vid", s.page(scoringRole, s.formVersionPage))
}

// formRow is one form of the list.
type formRow struct {
	qa.Form
	Questions int
}

func (s *Server) formsPage(c echo.Context) error {
	forms, err := s.cfg.QA.ListForms(c.Request().Context())
	if err != nil {
		return s.webFail(c, "list forms", err)
	}
	rows := make([]formRow, 0, len(forms))
	for _, f := range forms {
		rows = append(rows, formRow{Form: f, Questions: formQuestionCount(f.Latest.Definition)})
	}
	return s.render(c, http.StatusOK, "forms", pageData{Title: "Evaluation forms", Nav: "forms",
		Page: rows})
}

func formQuestionCount(d qa.FormDefinition) int {
	n := 0
	for _, sec := range d.Sections {
		n += len(sec.Questions)
	}
	return n
}

// formEditView is the builder page: a new form (FormID 0) or the latest
// version of one.
type formEditView struct {
	FormID int64
	// Version is the latest version's number; 0 for a new form.
	Version int
	// Definition is what the builder starts from: the stored one, or what
	// the person sent when qa refused it.
	Definition qa.FormDefinition
	// Raw is the posted text when it was not JSON at all, shown in the
	// fallback field so that nothing typed is lost.
	Raw string
	// ErrorField is the path of the field qa refused, such as
	// "sections[0].questions[1].weight", for the builder to mark.
	ErrorField string
	ErrorMsg   string
}

// starterForm is what a new form starts with: one section with one
// yes/no question, the smallest form qa accepts, to edit from there.
var starterForm = qa.FormDefinition{Sections: []qa.FormSection{{ID: "s1", Title: "", Weight: 1,
	Questions: []qa.FormQuestion{{ID: "q1", Type: qa.AnswerYesNo, Weight: 1}}}}}

func (s *Server) formNewPage(c echo.Context) error {
	return s.renderFormEdit(c, http.StatusOK, formEditView{Definition: starterForm}, "")
}

func (s *Server) renderFormEdit(c echo.Context, code int, v formEditView, problem string) error {
	title := "New form"
	if v.FormID != 0 {
		title = "Edit " + v.Definition.Name
	}
	return s.render(c, code, "form_edit", pageData{Title: title, Nav: "forms", Page: v,
		Problem: problem})
}

// formPage shows the builder to those who may change the form and the
// latest version, read-only, to the others.
func (s *Server) formPage(c echo.Context) error {
	id, err := formPathID(c, "form")
	if err != nil {
		return s.webQAError(c, "form", err)
	}
	f, err := s.cfg.QA.GetForm(c.Request().Context(), id)
	if err != nil {
		return s.webQAError(c, "get form", err)
	}
	if !caller(c).HasAny(staff...) {
		return s.renderFormVersion(c, f.Name, &f.Latest)
	}
	v := formEditView{FormID: f.ID, Version: f.Latest.Version, Definition: f.Latest.Definition}
	pd := pageData{Title: "Edit " + f.Name, Nav: "forms", Page: v, Notice: formSavedNotice(c, f)}
	return s.render(c, http.StatusOK, "form_edit", pd)
}

// formSavedNotice words the outcome of the save that led here; the query
// names one of a few fixed outcomes, so that no text is reflected.
func formSavedNotice(c echo.Context, f *qa.Form) string {
	v := f.Latest.Version
	switch c.QueryParam("saved") {
	case "created":
		return "Form created as version 1."
	case "version":
		return fmt.Sprintf("Saved as version %d: the change can alter scores, so evaluations "+
			"already made keep version %d.", v, v-1)
	case "wording":
		return fmt.Sprintf("Saved: only wording changed, so version %d was edited in place.", v)
	case "same":
		return "Nothing changed."
	}
	return ""
}

func (s *Server) formCreate(c echo.Context) error {
	def, v, ok := formPosted(c)
	if !ok {
		return s.renderFormEdit(c, http.StatusBadRequest, v, v.ErrorMsg)
	}
	f, err := s.cfg.QA.CreateForm(c.Request().Context(), caller(c), def)
	if err != nil {
		return s.formSaveError(c, v, "create form", err)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/forms/%d?saved=created", f.ID))
}

// sameDefinition reports whether two form definitions are equal as stored.
func sameDefinition(a, b qa.FormDefinition) bool {
	x, errA := json.Marshal(a)
	y, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(x, y)
}

func (s *Server) formUpdate(c echo.Context) error {
	id, err := formPathID(c, "form")
	if err != nil {
		return s.webQAError(c, "form", err)
	}
	ctx := c.Request().Context()
	before, err := s.cfg.QA.GetForm(ctx, id)
	if err != nil {
		return s.webQAError(c, "get form", err)
	}
	def, v, ok := formPosted(c)
	v.FormID, v.Version = id, before.Latest.Version
	if !ok {
		return s.renderFormEdit(c, http.StatusBadRequest, v, v.ErrorMsg)
	}
	after, err := s.cfg.QA.UpdateForm(ctx, caller(c), id, def)
	if err != nil {
		return s.formSaveError(c, v, "update form", err)
	}
	saved := "wording"
	switch {
	case after.Version != before.Latest.Version:
		saved = "version"
	case sameDefinition(before.Latest.Definition, after.Definition):
		// Compared by content, not by UpdatedAt: two saves within one
		// millisecond carry the same time.
		saved = "same"
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/forms/%d?saved=%s", id, saved))
}

// formPosted reads the builder's definition field. When it is not
// JSON, ok is false and v holds the text and the problem.
func formPosted(c echo.Context) (def qa.FormDefinition, v formEditView, ok bool) {
	raw := c.FormValue("definition")
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&def); err != nil {
		v = formEditView{Definition: starterForm, Raw: raw,
			ErrorMsg: "The definition is not a form in JSON (" + err.Error() + "). " +
				"Fix it in the field below, or reload the page to start again from the saved form."}
		return def, v, false
	}
	return def, formEditView{Definition: def}, true
}

// formSaveError shows the builder again with what was sent and qa's
// reason, next to the field it names; other errors get the error page.
func (s *Server) formSaveError(c echo.Context, v formEditView, op string, err error) error {
	var in *qa.InputError
	switch {
	case errors.As(err, &in):
		v.ErrorField, v.ErrorMsg = in.Field, in.Msg
		return s.renderFormEdit(c, http.StatusBadRequest, v,
			"Not saved. "+formFieldLabel(in.Field)+": "+in.Msg+".")
	case errors.Is(err, qa.ErrConflict):
		v.ErrorField, v.ErrorMsg = "name", "another form has this name"
		return s.renderFormEdit(c, http.StatusConflict, v,
			"Not saved: another form already has this name. Choose another name.")
	}
	return s.webQAError(c, op, err)
}

// formFieldLabel words a qa field path for people: "sections[1].questions[0]
// .weight" is "Section 2, question 1, weight".
func formFieldLabel(path string) string {
	if path == "" {
		return "The form"
	}
	names := map[string]string{"sections": "Section", "questions": "question",
		"options": "answer"}
	var parts []string
	for _, p := range strings.Split(path, ".") {
		name, idx, found := strings.Cut(strings.TrimSuffix(p, "]"), "[")
		n, err := strconv.Atoi(idx)
		if !found || err != nil {
			parts = append(parts, strings.ReplaceAll(p, "_", " "))
			continue
		}
		word := names[name]
		if word == "" {
			word = name
		}
		parts = append(parts, fmt.Sprintf("%s %d", word, n+1))
	}
	out := strings.Join(parts, ", ")
	return strings.ToUpper(out[:1]) + out[1:]
}
