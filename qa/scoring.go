package qa

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Answer is a reviewer's answer to one question, with their notes on it.
type Answer struct {
	// Value is "yes" or "no", a scale value such as "4", or a choice's
	// option value. Empty and not NA means not answered yet (a draft).
	Value string `json:"value,omitempty"`
	// NA marks the question not applicable to this call.
	NA      bool   `json:"na,omitempty"`
	Comment string `json:"comment,omitempty"`
	// MarksMS are moments of the recording the answer refers to, in
	// milliseconds from its start.
	MarksMS []int64 `json:"marks_ms,omitempty"`
}

// UnmarshalJSON accepts a scale value as a JSON number as well as a
// string, so that {"value": 4} and {"value": "4"} mean the same.
func (a *Answer) UnmarshalJSON(b []byte) error {
	type plain Answer
	var raw struct {
		plain
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*a = Answer(raw.plain)
	v := bytes.TrimSpace(raw.Value)
	switch {
	case len(v) == 0 || string(v) == "null":
	case v[0] == '"':
		return json.Unmarshal(v, &a.Value)
	default:
		n, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return fmt.Errorf("answer value %s: give a string or a number", v)
		}
		a.Value = strconv.FormatFloat(n, 'f', -1, 64)
	}
	return nil
}

// answered reports whether the answer is a value or N/A.
func (a Answer) answered() bool { return a.NA || a.Value != "" }

// Result is the score of an evaluation and how it was reached. See
// docs/scoring.md for the formula.
type Result struct {
	// Percent is the score, 0 to 100. It is 0 when AllNA: check AllNA
	// before reading it.
	Percent float64 `json:"percent"`
	// Points is the weighted sum of the applicable sections' fractions,
	// MaxPoints the sum of their weights: Percent = 100 × Points /
	// MaxPoints, except that a failed form-level critical question makes
	// Points and Percent 0.
	Points    float64         `json:"points"`
	MaxPoints float64         `json:"max_points"`
	Sections  []SectionResult `json:"sections"`
	// CriticalFailed is true when any critical question failed, section
	// or form level; FailedCritical lists them.
	CriticalFailed bool     `json:"critical_failed"`
	FailedCritical []string `json:"failed_critical,omitempty"`
	// AllNA is true when every question was answered N/A: there is no
	// score, and the evaluation counts in no average.
	AllNA bool `json:"all_na"`
}

// SectionResult is the score of one section.
type SectionResult struct {
	ID     string  `json:"id"`
	Weight float64 `json:"weight"`
	// Points is the weighted sum of the answered questions' fractions,
	// MaxPoints the sum of their weights.
	Points    float64 `json:"points"`
	MaxPoints float64 `json:"max_points"`
	// Percent is 100 × Points / MaxPoints, or 0 if CriticalFailed.
	Percent float64 `json:"percent"`
	// NA is true when every question of the section was N/A: the section
	// is left out of the total.
	NA             bool             `json:"na"`
	CriticalFailed bool             `json:"critical_failed"`
	Questions      []QuestionResult `json:"questions"`
}

// QuestionResult is what one answer earned.
type QuestionResult struct {
	ID string `json:"id"`
	NA bool   `json:"na"`
	// Fraction is the share of the question's weight earned, 0 to 1.
	Fraction float64 `json:"fraction"`
	// Failed is true when the answer earned nothing.
	Failed bool `json:"failed"`
}

// Score computes the score of a complete set of answers to a form. Every
// question needs an answer or N/A; a missing, unknown or invalid answer is
// an *InputError naming it ("answers.greeting"). Score does not read the
// comments or marks.
func Score(def FormDefinition, answers map[string]Answer) (Result, error) {
	if err := def.Validate(); err != nil {
		return Result{}, fmt.Errorf("form: %w", err)
	}
	if err := checkAnswerIDs(&def, answers); err != nil {
		return Result{}, err
	}
	var res Result
	formFailed := false
	for _, sec := range def.Sections {
		sr, err := scoreSection(sec, answers)
		if err != nil {
			return Result{}, err
		}
		res.Sections = append(res.Sections, sr)
		for _, q := range sec.Questions {
			if q.Critical != CriticalNone && questionFailed(sr, q.ID) {
				res.FailedCritical = append(res.FailedCritical, q.ID)
				formFailed = formFailed || q.Critical == CriticalForm
			}
		}
		if !sr.NA {
			res.Points += sec.Weight * sr.Percent / 100
			res.MaxPoints += sec.Weight
		}
	}
	res.CriticalFailed = len(res.FailedCritical) > 0
	res.AllNA = res.MaxPoints == 0
	switch {
	case formFailed:
		res.Points, res.Percent = 0, 0
	case !res.AllNA:
		res.Percent = 100 * res.Points / res.MaxPoints
	}
	return res, nil
}

// scoreSection scores one section; its Percent is already 0 if one of its
// section-level critical questions failed.
func scoreSection(sec FormSection, answers map[string]Answer) (SectionResult, error) {
	sr := SectionResult{ID: sec.ID, Weight: sec.Weight}
	for _, q := range sec.Questions {
		a, ok := answers[q.ID]
		if !ok || !a.answered() {
			return SectionResult{}, inputf("answers."+q.ID, "answer the question or mark it N/A")
		}
		frac, err := answerFraction(&q, a)
		if err != nil {
			return SectionResult{}, err
		}
		qr := QuestionResult{ID: q.ID, NA: a.NA}
		if !a.NA {
			qr.Fraction, qr.Failed = frac, frac == 0
			sr.Points += q.Weight * frac
			sr.MaxPoints += q.Weight
			sr.CriticalFailed = sr.CriticalFailed || (qr.Failed && q.Critical == CriticalSection)
		}
		sr.Questions = append(sr.Questions, qr)
	}
	sr.NA = sr.MaxPoints == 0
	if !sr.NA && !sr.CriticalFailed {
		sr.Percent = 100 * sr.Points / sr.MaxPoints
	}
	return sr, nil
}

func questionFailed(sr SectionResult, id string) bool {
	for _, qr := range sr.Questions {
		if qr.ID == id {
			return qr.Failed
		}
	}
	return false
}

// checkAnswerIDs refuses answers to questions the form does not have.
func checkAnswerIDs(def *FormDefinition, answers map[string]Answer) error {
	for _, id := range slices.Sorted(maps.Keys(answers)) {
		if def.question(id) == nil {
			return inputf("answers."+id, "the form has no such question")
		}
	}
	return nil
}

// answerFraction checks one answer against its question and returns the
// share of the question's weight it earns: 0 for N/A and for no answer.
func answerFraction(q *FormQuestion, a Answer) (float64, error) {
	field := "answers." + q.ID
	if err := checkAnswerNotes(field, a); err != nil {
		return 0, err
	}
	if a.NA {
		if !q.AllowNA {
			return 0, inputf(field+".na", "this question does not allow N/A")
		}
		if a.Value != "" {
			return 0, inputf(field, "give a value or N/A, not both")
		}
		return 0, nil
	}
	if a.Value == "" {
		return 0, nil
	}
	frac, ok := valueFraction(q, a.Value)
	if !ok {
		return 0, inputf(field+".value", "%q: use %s", a.Value, q.answerHint())
	}
	return frac, nil
}

// valueFraction maps a value to the share it earns; ok is false if the
// question cannot take the value.
func valueFraction(q *FormQuestion, v string) (float64, bool) {
	switch q.Type {
	case AnswerYesNo:
		switch v {
		case "yes":
			return 1, true
		case "no":
			return 0, true
		}
	case AnswerScale:
		n, ok := parseScaleValue(v)
		if ok && n >= q.Min && n <= q.Max {
			return float64(n-q.Min) / float64(q.Max-q.Min), true
		}
	case AnswerChoice:
		best := 0.0
		for _, o := range q.Options {
			best = max(best, o.Points)
		}
		for _, o := range q.Options {
			if o.Value == v {
				return o.Points / best, true
			}
		}
	}
	return 0, false
}

func (q *FormQuestion) answerHint() string {
	switch q.Type {
	case AnswerYesNo:
		return `"yes" or "no"`
	case AnswerScale:
		return fmt.Sprintf("a whole number from %d to %d", q.Min, q.Max)
	}
	values := make([]string, len(q.Options))
	for i, o := range q.Options {
		values[i] = strconv.Quote(o.Value)
	}
	return "one of " + strings.Join(values, ", ")
}

func checkAnswerNotes(field string, a Answer) error {
	if err := checkFormText(field+".comment", a.Comment, maxFormText); err != nil {
		return err
	}
	if len(a.MarksMS) > 100 {
		return inputf(field+".marks_ms", "at most 100 marks per answer")
	}
	for i, m := range a.MarksMS {
		if m < 0 {
			return inputf(fmt.Sprintf("%s.marks_ms[%d]", field, i), "must not be negative")
		}
	}
	return nil
}

// parseScaleValue reads a whole number, refusing fractions and padding.
func parseScaleValue(v string) (int, bool) {
	n, err := strconv.Atoi(v)
	return n, err == nil
}

// checkDraftAnswers checks answers that may be incomplete: each must
// belong to the form and be valid, and marks must fall in the recording
// (durationMS, if positive).
func checkDraftAnswers(def *FormDefinition, answers map[string]Answer, durationMS int64) error {
	if err := checkAnswerIDs(def, answers); err != nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(answers)) {
		a := answers[id]
		if _, err := answerFraction(def.question(id), a); err != nil {
			return err
		}
		for i, m := range a.MarksMS {
			if durationMS > 0 && m > durationMS {
				return inputf(fmt.Sprintf("answers.%s.marks_ms[%d]", id, i),
					"%d ms is past the end of the recording (%d ms)", m, durationMS)
			}
		}
	}
	return nil
}
