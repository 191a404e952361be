package ui

import (
	"fmt"
	"math"
	"slices"

	"earshot/qa"
)

// Krippendorff's thresholds, drawn on the question chart: alpha of 0.8
// or more is reliable; from 0.667 tentative conclusions only.
const (
	calAlphaReliable  = 0.8
	calAlphaTentative = 0.667
)

// calQuestionRow is one question of the session: its agreement and how
// it was answered on each call.
type calQuestionRow struct {
	ID, Text, Metric string
	calAgreementRow
	Calls []calQuestionCall

	alpha float64
}

// calQuestionCall is how a question was answered on one call.
type calQuestionCall struct {
	CallID    string
	Answers   []calAnswerCount
	Reference string
	Tied      bool
}

// calAnswerCount is how many gave one answer.
type calAnswerCount struct {
	Label string
	N     int
	// Ref marks the reference answer.
	Ref bool
}

func calQuestionRows(def qa.FormDefinition, cmp *qa.CalibrationComparison) []calQuestionRow {
	questions := map[string]qa.FormQuestion{}
	for _, sec := range def.Sections {
		for _, q := range sec.Questions {
			questions[q.ID] = q
		}
	}
	out := make([]calQuestionRow, 0, len(cmp.Questions))
	for _, qc := range cmp.Questions {
		row := calQuestionRow{ID: qc.QuestionID, Text: qc.Text, Metric: qc.Metric,
			calAgreementRow: calAgreementRowOf(qc.Text, "", qc.Agreement),
			alpha:           qc.Agreement.Alpha.Value}
		q := questions[qc.QuestionID]
		for _, call := range qc.Calls {
			row.Calls = append(row.Calls, calQuestionCallOf(q, call))
		}
		out = append(out, row)
	}
	return out
}

// calQuestionCallOf lists the answers given in the order the form lists
// them, N/A last, with their labels.
func calQuestionCallOf(q qa.FormQuestion, call qa.QuestionCall) calQuestionCall {
	out := calQuestionCall{CallID: call.CallID, Tied: call.Tied, Reference: "none"}
	choices := questionChoices(q)
	choices = append(choices, choiceView{Value: "n/a", Label: "N/A"})
	for _, ch := range choices {
		if ch.Value == call.Reference {
			out.Reference = ch.Label
		}
		if n := call.Counts[ch.Value]; n > 0 {
			out.Answers = append(out.Answers, calAnswerCount{Label: ch.Label, N: n,
				Ref: ch.Value == call.Reference})
		}
	}
	// An answer the form no longer lists (it cannot change within a
	// version, so this is defensive) is still counted.
	for value, n := range call.Counts {
		if !slices.ContainsFunc(choices, func(c choiceView) bool { return c.Value == value }) {
			out.Answers = append(out.Answers, calAnswerCount{Label: value, N: n})
		}
	}
	return out
}

// calQuestionChart draws each question's alpha as a bar, with
// Krippendorff's two thresholds.
func calQuestionChart(rows []calQuestionRow) *calRowChart {
	lo := 0.0
	for _, r := range rows {
		if !math.IsNaN(r.alpha) {
			lo = math.Min(lo, r.alpha)
		}
	}
	ch := newCalRowChart("question-chart", "Agreement by question (Krippendorff's alpha)",
		fmt.Sprintf("Bars: alpha of each question over the session's calls, 1 perfect, 0 chance; "+
			"lines at %g (reliable) and %g (tentative).", calAlphaReliable, calAlphaTentative),
		len(rows), lo, 1)
	ch.rule(calAlphaTentative, fmt.Sprintf("%g", calAlphaTentative))
	ch.rule(calAlphaReliable, fmt.Sprintf("%g", calAlphaReliable))
	for _, r := range rows {
		row := ch.row(r.Text, fmt.Sprintf("%s: alpha %s, raw agreement %s", r.Text, r.Alpha, r.Raw))
		if math.IsNaN(r.alpha) {
			row.Note = calClip("undefined: "+calOr(r.AlphaWarn, "too few ratings"), 70)
			continue
		}
		class := "out"
		switch {
		case r.alpha >= calAlphaReliable:
			class = "ok"
		case r.alpha >= calAlphaTentative:
			class = "fair"
		}
		ch.bar(row, r.alpha, class)
	}
	return ch
}

func calOr(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
