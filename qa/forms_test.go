package qa

import (
	"errors"
	"testing"
)

var (
	formAdmin    = &User{ID: 1, Username: "admin", Roles: []Role{RoleAdmin}}
	formManager  = &User{ID: 2, Username: "manager", Roles: []Role{RoleManager}}
	formReviewer = &User{ID: 3, Username: "reviewer", Roles: []Role{RoleReviewer}}
)

func TestFormValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(d *FormDefinition)
		field string
	}{
		{name: "no name", edit: func(d *FormDefinition) { d.Name = "" }, field: "name"},
		{name: "no sections", edit: func(d *FormDefinition) { d.Sections = nil },
			field: "sections"},
		{name: "section id", edit: func(d *FormDefinition) { d.Sections[1].ID = "a b" },
			field: "sections[1].id"},
		{name: "section id twice", edit: func(d *FormDefinition) { d.Sections[1].ID = "opening" },
			field: "sections[1].id"},
		{name: "section title", edit: func(d *FormDefinition) { d.Sections[0].Title = "" },
			field: "sections[0].title"},
		{name: "negative section weight",
			edit:  func(d *FormDefinition) { d.Sections[1].Weight = -1 },
			field: "sections[1].weight"},
		{name: "empty section", edit: func(d *FormDefinition) { d.Sections[0].Questions = nil },
			field: "sections[0].questions"},
		{name: "question id missing",
			edit:  func(d *FormDefinition) { d.Sections[1].Questions[0].ID = "" },
			field: "sections[1].questions[0].id"},
		{name: "question id twice across sections",
			edit:  func(d *FormDefinition) { d.Sections[1].Questions[2].ID = "greet" },
			field: "sections[1].questions[2].id"},
		{name: "question text",
			edit:  func(d *FormDefinition) { d.Sections[0].Questions[1].Text = "" },
			field: "sections[0].questions[1].text"},
		{name: "question weight",
			edit:  func(d *FormDefinition) { d.Sections[1].Questions[0].Weight = -2 },
			field: "sections[1].questions[0].weight"},
		{name: "type", edit: func(d *FormDefinition) { d.Sections[0].Questions[0].Type = "stars" },
			field: "sections[0].questions[0].type"},
		{name: "critical",
			edit:  func(d *FormDefinition) { d.Sections[0].Questions[0].Critical = "call" },
			field: "sections[0].questions[0].critical"},
		{name: "scale bounds", edit: func(d *FormDefinition) { d.Sections[1].Questions[0].Max = 1 },
			field: "sections[1].questions[0].max"},
		{name: "bounds on yes/no",
			edit:  func(d *FormDefinition) { d.Sections[0].Questions[0].Max = 5 },
			field: "sections[0].questions[0].min"},
		{name: "scale label out of range", edit: func(d *FormDefinition) {
			d.Sections[1].Questions[0].Options = []AnswerOption{{Value: "3", Guidance: "ok"}, {Value: "9"}}
		}, field: "sections[1].questions[0].options[1].value"},
		{name: "points on yes/no", edit: func(d *FormDefinition) {
			d.Sections[0].Questions[0].Options = []AnswerOption{{Value: "yes", Points: 2}}
		}, field: "sections[0].questions[0].options[0].points"},
		{name: "yes/no label value", edit: func(d *FormDefinition) {
			d.Sections[0].Questions[0].Options = []AnswerOption{{Value: "maybe"}}
		}, field: "sections[0].questions[0].options[0].value"},
		{name: "one choice", edit: func(d *FormDefinition) {
			d.Sections[1].Questions[1].Options = d.Sections[1].Questions[1].Options[:1]
		}, field: "sections[1].questions[1].options"},
		{name: "choice value twice",
			edit:  func(d *FormDefinition) { d.Sections[1].Questions[1].Options[2].Value = "full" },
			field: "sections[1].questions[1].options[2].value"},
		{name: "negative points",
			edit:  func(d *FormDefinition) { d.Sections[1].Questions[1].Options[2].Points = -1 },
			field: "sections[1].questions[1].options[2].points"},
		{name: "no points at all", edit: func(d *FormDefinition) {
			for i := range d.Sections[1].Questions[1].Options {
				d.Sections[1].Questions[1].Options[i].Points = 0
			}
		}, field: "sections[1].questions[1].options"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := exampleForm()
			tt.edit(&d)
			err := d.Validate()
			var in *InputError
			if !errors.As(err, &in) || in.Field != tt.field {
				t.Errorf("Validate = %v, want an input error on %s", err, tt.field)
			}
		})
	}
	d := exampleForm()
	if err := d.Validate(); err != nil {
		t.Errorf("the example form: %v", err)
	}
}

func TestCreateForm(t *testing.T) {
	s := openEvalPeople(t).s
	def := exampleForm()
	def.Sections[0].Weight = 0 // stored as 1
	f, err := s.CreateForm(t.Context(), formManager, def)
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "Inbound support" || f.Latest.Version != 1 || f.Latest.Definition.Sections[0].Weight != 1 {
		t.Errorf("CreateForm = %+v, want version 1 with the weight filled in", f)
	}
	if f.Latest.CreatedBy == nil || *f.Latest.CreatedBy != formManager.ID {
		t.Errorf("created by %v, want %d", f.Latest.CreatedBy, formManager.ID)
	}
	v, err := s.GetFormVersion(t.Context(), f.Latest.ID)
	if err != nil || v.Definition.Sections[1].Questions[1].Options[1].Points != 5 {
		t.Errorf("GetFormVersion = %+v, %v", v, err)
	}
	_, err = s.CreateForm(t.Context(), formAdmin, exampleForm())
	if !errors.Is(err, ErrConflict) {
		t.Errorf("a second form of the same name: %v, want ErrConflict", err)
	}
	_, err = s.CreateForm(t.Context(), formReviewer, FormDefinition{Name: "other"})
	if !errors.Is(err, ErrForbidden) {
		t.Errorf("a reviewer creating a form: %v, want ErrForbidden", err)
	}
	if _, err := s.GetForm(t.Context(), 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetForm(999) = %v, want ErrNotFound", err)
	}
	if _, err := s.GetFormVersion(t.Context(), 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetFormVersion(999) = %v, want ErrNotFound", err)
	}
}

func TestUpdateFormVersions(t *testing.T) {
	tests := []struct {
		name       string
		edit       func(d *FormDefinition)
		newVersion bool
	}{
		{name: "nothing", edit: func(d *FormDefinition) {}},
		{name: "rename", edit: func(d *FormDefinition) { d.Name = "Inbound" }},
		{name: "guidance and texts", edit: func(d *FormDefinition) {
			d.Sections[0].Title = "Greeting"
			d.Sections[0].Questions[0].Text = "Greeted the caller by the script"
			d.Sections[0].Questions[0].Guidance = "Company name and own name"
			d.Sections[1].Questions[1].Options[0].Label = "Fully resolved"
			d.Sections[1].Questions[0].Options = []AnswerOption{{Value: "1", Guidance: "cold"}}
		}},
		{name: "order", edit: func(d *FormDefinition) {
			d.Sections[0], d.Sections[1] = d.Sections[1], d.Sections[0]
			qs := d.Sections[0].Questions
			qs[0], qs[2] = qs[2], qs[0]
		}},
		{name: "question weight",
			edit:       func(d *FormDefinition) { d.Sections[0].Questions[0].Weight = 2 },
			newVersion: true},
		{name: "section weight", edit: func(d *FormDefinition) { d.Sections[1].Weight = 2 },
			newVersion: true},
		{name: "question added", newVersion: true, edit: func(d *FormDefinition) {
			d.Sections[0].Questions = append(d.Sections[0].Questions,
				FormQuestion{ID: "close", Text: "closed", Type: AnswerYesNo, Weight: 1})
		}},
		{name: "question removed", newVersion: true, edit: func(d *FormDefinition) {
			d.Sections[0].Questions = d.Sections[0].Questions[:2]
		}},
		{name: "question moved", newVersion: true, edit: func(d *FormDefinition) {
			d.Sections[1].Questions = append(d.Sections[1].Questions, d.Sections[0].Questions[0])
			d.Sections[0].Questions = d.Sections[0].Questions[1:]
		}},
		{name: "type", newVersion: true, edit: func(d *FormDefinition) {
			q := &d.Sections[0].Questions[0]
			q.Type, q.Min, q.Max = AnswerScale, 1, 5
		}},
		{name: "points",
			edit:       func(d *FormDefinition) { d.Sections[1].Questions[1].Options[1].Points = 6 },
			newVersion: true},
		{name: "option added", newVersion: true, edit: func(d *FormDefinition) {
			q := &d.Sections[1].Questions[1]
			q.Options = append(q.Options, AnswerOption{Value: "escalated", Points: 2})
		}},
		{name: "critical",
			edit:       func(d *FormDefinition) { d.Sections[0].Questions[0].Critical = CriticalSection },
			newVersion: true},
		{name: "N/A allowed",
			edit:       func(d *FormDefinition) { d.Sections[0].Questions[0].AllowNA = true },
			newVersion: true},
		{name: "scale bounds",
			edit:       func(d *FormDefinition) { d.Sections[1].Questions[0].Max = 10 },
			newVersion: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def := exampleForm()
			tt.edit(&def)
			checkFormUpdate(t, def, tt.newVersion)
		})
	}
}

// checkFormUpdate updates the example form to def and checks that it made
// a new version if and only if newVersion, and that GetForm shows def.
func checkFormUpdate(t *testing.T, def FormDefinition, newVersion bool) {
	t.Helper()
	s := openEvalPeople(t).s
	f, err := s.CreateForm(t.Context(), formManager, exampleForm())
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.UpdateForm(t.Context(), formAdmin, f.ID, def)
	if err != nil {
		t.Fatal(err)
	}
	versions, err := s.ListFormVersions(t.Context(), f.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[bool]int{false: 1, true: 2}[newVersion]
	if v.Version != want || len(versions) != want || (v.ID == f.Latest.ID) == newVersion {
		t.Fatalf("UpdateForm made version %d (id %d, was %d), %d versions; want %d",
			v.Version, v.ID, f.Latest.ID, len(versions), want)
	}
	got, err := s.GetForm(t.Context(), f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != def.Name || got.Latest.ID != v.ID ||
		got.Latest.Definition.Sections[0].ID != def.Sections[0].ID {
		t.Errorf("GetForm after the update = %+v, want the new definition", got)
	}
	if newVersion && versions[0].Definition.Sections[0].Questions[0].Weight != 1 {
		t.Errorf("version 1 changed: %+v", versions[0].Definition)
	}
}

func TestUpdateFormRefuses(t *testing.T) {
	s := openEvalPeople(t).s
	f, err := s.CreateForm(t.Context(), formManager, exampleForm())
	if err != nil {
		t.Fatal(err)
	}
	other := exampleForm()
	other.Name = "Outbound"
	if _, err := s.CreateForm(t.Context(), formManager, other); err != nil {
		t.Fatal(err)
	}
	bad := exampleForm()
	bad.Sections[1].Questions[0].Min = 7
	tests := []struct {
		name string
		user *User
		id   int64
		def  FormDefinition
		want error
	}{
		{name: "reviewer", user: formReviewer, id: f.ID, def: exampleForm(), want: ErrForbidden},
		{name: "unknown form", user: formManager, id: 999, def: exampleForm(), want: ErrNotFound},
		{name: "name taken", user: formManager, id: f.ID, def: other, want: ErrConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.UpdateForm(t.Context(), tt.user, tt.id, tt.def); !errors.Is(err, tt.want) {
				t.Errorf("UpdateForm = %v, want %v", err, tt.want)
			}
		})
	}
	_, err = s.UpdateForm(t.Context(), formManager, f.ID, bad)
	var in *InputError
	if !errors.As(err, &in) || in.Field != "sections[1].questions[0].max" {
		t.Errorf("UpdateForm with a bad scale = %v, want an input error on its max", err)
	}
}

func TestListForms(t *testing.T) {
	s := openEvalPeople(t).s
	if forms, err := s.ListForms(t.Context()); err != nil || len(forms) != 0 {
		t.Fatalf("ListForms on an empty catalog = %v, %v", forms, err)
	}
	f, err := s.CreateForm(t.Context(), formManager, exampleForm())
	if err != nil {
		t.Fatal(err)
	}
	def := exampleForm()
	def.Sections[0].Weight = 5
	if _, err := s.UpdateForm(t.Context(), formManager, f.ID, def); err != nil {
		t.Fatal(err)
	}
	other := exampleForm()
	other.Name = "Billing"
	if _, err := s.CreateForm(t.Context(), formManager, other); err != nil {
		t.Fatal(err)
	}
	forms, err := s.ListForms(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(forms) != 2 || forms[0].Name != "Billing" || forms[1].Latest.Version != 2 {
		t.Errorf("ListForms = %+v, want Billing, then Inbound support at version 2", forms)
	}
}
