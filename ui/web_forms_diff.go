package ui

import (
	"fmt"
	"slices"
	"strconv"

	"earshot/qa"
)

// formChange is one difference between two versions of a form, for the
// history page.
type formChange struct {
	// Kind is "added", "removed" or "changed".
	Kind string
	// What is "form", "section" or "question"; ID is the section's or
	// question's id and Label its title or text.
	What, ID, Label string
	// Details list what changed, old value to new, for "changed".
	Details []string
}

// diffForms lists what changed from old to new: the form's own fields,
// then the sections, then the questions, each in the new version's order
// and the removed ones after. Questions are matched by id, which stays
// the same across versions, so a question moved to another section is
// one change, not a removal and an addition.
func diffForms(old, new qa.FormDefinition) []formChange {
	var out []formChange
	var form []string
	form = formDiffField(form, "name", old.Name, new.Name)
	form = formDiffField(form, "description", old.Description, new.Description)
	if len(form) > 0 {
		out = append(out, formChange{Kind: "changed", What: "form", Label: new.Name, Details: form})
	}
	out = append(out, diffSections(old, new)...)
	return append(out, diffQuestions(old, new)...)
}

func diffSections(old, new qa.FormDefinition) []formChange {
	before := map[string]qa.FormSection{}
	for _, s := range old.Sections {
		before[s.ID] = s
	}
	var out []formChange
	seen := map[string]bool{}
	for _, s := range new.Sections {
		seen[s.ID] = true
		o, ok := before[s.ID]
		if !ok {
			out = append(out, formChange{Kind: "added", What: "section", ID: s.ID, Label: s.Title})
			continue
		}
		var d []string
		d = formDiffField(d, "title", o.Title, s.Title)
		d = formDiffField(d, "weight", formNum(o.Weight), formNum(s.Weight))
		if len(d) > 0 {
			out = append(out, formChange{Kind: "changed", What: "section", ID: s.ID, Label: s.Title,
				Details: d})
		}
	}
	for _, s := range old.Sections {
		if !seen[s.ID] {
			out = append(out, formChange{Kind: "removed", What: "section", ID: s.ID, Label: s.Title})
		}
	}
	return out
}

// placedQuestion is a question and the title of its section.
type placedQuestion struct {
	qa.FormQuestion
	section string
}

func formPlaceQuestions(d qa.FormDefinition) ([]placedQuestion, map[string]placedQuestion) {
	var list []placedQuestion
	byID := map[string]placedQuestion{}
	for _, s := range d.Sections {
		for _, q := range s.Questions {
			p := placedQuestion{FormQuestion: q, section: s.Title}
			list = append(list, p)
			byID[q.ID] = p
		}
	}
	return list, byID
}

func diffQuestions(old, new qa.FormDefinition) []formChange {
	oldList, before := formPlaceQuestions(old)
	newList, after := formPlaceQuestions(new)
	var out []formChange
	for _, q := range newList {
		o, ok := before[q.ID]
		if !ok {
			out = append(out, formChange{Kind: "added", What: "question", ID: q.ID, Label: q.Text,
				Details: []string{"in " + q.section}})
			continue
		}
		if d := questionDetails(o, q); len(d) > 0 {
			out = append(out, formChange{Kind: "changed", What: "question", ID: q.ID, Label: q.Text,
				Details: d})
		}
	}
	for _, q := range oldList {
		if _, ok := after[q.ID]; !ok {
			out = append(out, formChange{Kind: "removed", What: "question", ID: q.ID, Label: q.Text})
		}
	}
	return out
}

// questionDetails lists what changed in one question, scoring first.
func questionDetails(o, q placedQuestion) []string {
	var d []string
	d = formDiffField(d, "section", o.section, q.section)
	d = formDiffField(d, "type", string(o.Type), string(q.Type))
	d = formDiffField(d, "weight", formNum(o.Weight), formNum(q.Weight))
	d = formDiffField(d, "N/A allowed", formYesNo(o.AllowNA), formYesNo(q.AllowNA))
	d = formDiffField(d, "critical", formCriticalText(o.Critical), formCriticalText(q.Critical))
	if o.Type == qa.AnswerScale || q.Type == qa.AnswerScale {
		d = formDiffField(d, "scale", formScaleText(o.FormQuestion), formScaleText(q.FormQuestion))
	}
	d = formDiffField(d, "answers", formOptionsText(o.Options), formOptionsText(q.Options))
	d = formDiffField(d, "text", o.Text, q.Text)
	if o.Guidance != q.Guidance {
		d = append(d, "guidance reworded")
	}
	if !slices.EqualFunc(o.Options, q.Options, func(a, b qa.AnswerOption) bool {
		return a.Guidance == b.Guidance
	}) && formOptionsText(o.Options) == formOptionsText(q.Options) {
		d = append(d, "answer guidance reworded")
	}
	return d
}

// formDiffField appends "name: old → new" when the values differ.
func formDiffField(d []string, name, old, new string) []string {
	if old == new {
		return d
	}
	if old == "" {
		old = "none"
	}
	if new == "" {
		new = "none"
	}
	return append(d, fmt.Sprintf("%s: %s → %s", name, old, new))
}

func formNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func formYesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// formCriticalText words a critical setting.
func formCriticalText(c qa.Critical) string {
	switch c {
	case qa.CriticalSection:
		return "fails the section"
	case qa.CriticalForm:
		return "fails the form"
	}
	return "no"
}

func formScaleText(q qa.FormQuestion) string {
	if q.Type != qa.AnswerScale {
		return ""
	}
	return fmt.Sprintf("%d to %d", q.Min, q.Max)
}

// formOptionsText lists answers as value (label) = points, which is what a
// reviewer picks from and what they earn.
func formOptionsText(os []qa.AnswerOption) string {
	s := ""
	for i, o := range os {
		if i > 0 {
			s += ", "
		}
		s += o.Value
		if o.Label != "" {
			s += " (" + o.Label + ")"
		}
		if o.Points != 0 {
			s += " = " + formNum(o.Points)
		}
	}
	return s
}
