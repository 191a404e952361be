package ui

import (
	"fmt"
	"strings"

	"github.com/labstack/echo/v4"

	"earshot/qa"
)

// The answers of an evaluation as the agent's evaluation page and the
// dispute page show them: each question with the answer given, what it
// earned, the agent's proposal and the final answer of a decided
// dispute. The pages' forms name a proposed or final answer after its
// question: p.ID (the agent's proposal) and a.ID (a manager's answer),
// with naValue for N/A and empty for "no change".

// answerSection is one section of the form with its rows.
type answerSection struct {
	Title string
	Rows  []answerRow
}

// answerRow is one question of an evaluation.
type answerRow struct {
	ID, Text string
	Critical bool
	// Given is the answer as scored, Earned the share of the question's
	// weight it earned ("–" for N/A).
	Given, Earned string
	Failed        bool
	Comment       string
	// Proposed and Final are the dispute's answers for the question,
	// empty when it names none.
	Proposed, Final string
	// Choices are the answers the question takes, for a select; Picked
	// is the value picked in the form being re-shown, if any.
	Choices []choiceView
	AllowNA bool
	Picked  string
}

// answerSections lays out ev's answers along def, with the dispute's
// proposed and final answers when d is not nil. picked holds what a
// re-shown form had chosen, by question id.
func answerSections(
	def qa.FormDefinition,
	ev *qa.Evaluation,
	d *qa.Dispute,
	picked map[string]string,
) []answerSection {
	results := questionResults(ev.Result)
	out := make([]answerSection, 0, len(def.Sections))
	for _, sec := range def.Sections {
		as := answerSection{Title: sec.Title}
		for _, q := range sec.Questions {
			choices := questionChoices(q)
			a := ev.Answers[q.ID]
			row := answerRow{ID: q.ID, Text: q.Text, Critical: q.Critical != "",
				Given: answerLabel(choices, a), Comment: a.Comment, Choices: choices,
				AllowNA: q.AllowNA, Picked: picked[q.ID], Earned: "–"}
			if r, ok := results[q.ID]; ok && !r.NA {
				row.Earned, row.Failed = fmt.Sprintf("%.0f%%", 100*r.Fraction), r.Failed
			}
			if d != nil {
				if p, ok := d.Proposed[q.ID]; ok {
					row.Proposed = answerLabel(choices, p)
				}
				if f, ok := d.Final[q.ID]; ok {
					row.Final = answerLabel(choices, f)
				}
			}
			as.Rows = append(as.Rows, row)
		}
		out = append(out, as)
	}
	return out
}

func questionResults(res *qa.Result) map[string]qa.QuestionResult {
	out := map[string]qa.QuestionResult{}
	if res == nil {
		return out
	}
	for _, sec := range res.Sections {
		for _, q := range sec.Questions {
			out[q.ID] = q
		}
	}
	return out
}

// answerLabel is how an answer reads: its option's label, N/A, or a dash.
func answerLabel(choices []choiceView, a qa.Answer) string {
	switch {
	case a.NA:
		return "N/A"
	case a.Value == "":
		return "–"
	}
	for _, ch := range choices {
		if ch.Value == a.Value {
			return ch.Label
		}
	}
	return a.Value
}

// pickedAnswers reads the answers a form picked, fields prefix+ID, for
// the questions of def: the answers that change. It keeps the raw values
// too, to show the form again.
func pickedAnswers(
	c echo.Context,
	def qa.FormDefinition,
	prefix string,
) (map[string]qa.Answer, map[string]string) {
	answers, raw := map[string]qa.Answer{}, map[string]string{}
	for _, sec := range def.Sections {
		for _, q := range sec.Questions {
			v := strings.TrimSpace(c.FormValue(prefix + q.ID))
			if v == "" {
				continue
			}
			raw[q.ID] = v
			if v == naValue {
				answers[q.ID] = qa.Answer{NA: true}
			} else {
				answers[q.ID] = qa.Answer{Value: v}
			}
		}
	}
	return answers, raw
}

// questionTexts maps the question ids of a form to their text.
func questionTexts(def qa.FormDefinition) map[string]string {
	out := map[string]string{}
	for _, sec := range def.Sections {
		for _, q := range sec.Questions {
			out[q.ID] = q.Text
		}
	}
	return out
}
