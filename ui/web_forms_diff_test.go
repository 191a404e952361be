package ui

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"earshot/qa"
)

// TestDiffForms: questions are matched by id across sections, so a move
// is one change; added and removed questions and sections are named.
func TestDiffForms(t *testing.T) {
	var old qa.FormDefinition
	if err := json.Unmarshal([]byte(webForm), &old); err != nil {
		t.Fatal(err)
	}
	var next qa.FormDefinition
	if err := json.Unmarshal([]byte(webForm), &next); err != nil {
		t.Fatal(err)
	}
	open, handling := &next.Sections[0], &next.Sections[1]
	hold := handling.Questions[1]
	handling.Questions = handling.Questions[:1]   // hold leaves Handling...
	open.Questions = append(open.Questions, hold) // ...for Opening
	open.Questions = slices.Delete(open.Questions, 0, 1)
	open.Questions[0].Critical = qa.CriticalSection
	handling.Weight = 3
	next.Sections = append(next.Sections, qa.FormSection{ID: "close", Title: "Closing",
		Questions: []qa.FormQuestion{{ID: "bye", Text: "Said goodbye", Type: qa.AnswerYesNo}}})

	var got []string
	for _, c := range diffForms(old, next) {
		got = append(got, c.Kind+" "+c.What+" "+c.ID+": "+strings.Join(c.Details, "; "))
	}
	want := []string{
		"changed section handling: weight: 2 → 3",
		"added section close: ",
		"changed question verify: critical: fails the form → fails the section",
		"changed question hold: section: Handling → Opening",
		"added question bye: in Closing",
		"removed question greet: ",
	}
	if !slices.Equal(got, want) {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if d := diffForms(old, old); len(d) != 0 {
		t.Errorf("a form against itself: %v", d)
	}
}
