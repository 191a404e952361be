package qa

import (
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// exampleForm is the form of the worked example in docs/scoring.md.
func exampleForm() FormDefinition {
	yesNo := func(id string, w float64) FormQuestion {
		return FormQuestion{ID: id, Text: id, Type: AnswerYesNo, Weight: w}
	}
	verify := yesNo("verify", 2)
	verify.Critical = CriticalForm
	name := yesNo("name", 1)
	name.AllowNA = true
	hold := yesNo("hold", 1)
	hold.AllowNA = true
	return FormDefinition{Name: "Inbound support", Sections: []FormSection{
		{ID: "opening", Title: "Opening", Weight: 1,
			Questions: []FormQuestion{yesNo("greet", 1), verify, name}},
		{ID: "resolution", Title: "Resolution", Weight: 3, Questions: []FormQuestion{
			{ID: "empathy", Text: "empathy", Type: AnswerScale, Weight: 2, Min: 1, Max: 5},
			{ID: "resolved", Text: "resolved", Type: AnswerChoice, Weight: 3,
				Options: []AnswerOption{
					{Value: "full", Points: 10}, {Value: "partial", Points: 5}, {Value: "none",
						Points: 0},
				}},
			hold,
		}},
	}}
}

// exampleAnswers are the reviewer's answers of the worked example.
func exampleAnswers() map[string]Answer {
	return map[string]Answer{
		"greet": {Value: "yes"}, "verify": {Value: "yes"}, "name": {NA: true},
		"empathy": {Value: "4"}, "resolved": {Value: "partial"}, "hold": {Value: "no"},
	}
}

// withAnswers returns answers with some replaced.
func withAnswers(answers map[string]Answer, changes map[string]Answer) map[string]Answer {
	out := map[string]Answer{}
	for k, v := range answers {
		out[k] = v
	}
	for k, v := range changes {
		out[k] = v
	}
	return out
}

var scoreApprox = cmpopts.EquateApprox(0, 1e-9)

func TestScoreWorkedExample(t *testing.T) {
	got, err := Score(exampleForm(), exampleAnswers())
	if err != nil {
		t.Fatal(err)
	}
	want := Result{
		Percent: 62.5, Points: 2.5, MaxPoints: 4,
		Sections: []SectionResult{
			{ID: "opening", Weight: 1, Points: 3, MaxPoints: 3, Percent: 100,
				Questions: []QuestionResult{
					{ID: "greet", Fraction: 1}, {ID: "verify", Fraction: 1}, {ID: "name", NA: true},
				}},
			{ID: "resolution", Weight: 3, Points: 3, MaxPoints: 6, Percent: 50,
				Questions: []QuestionResult{
					{ID: "empathy", Fraction: 0.75}, {ID: "resolved", Fraction: 0.5},
					{ID: "hold", Fraction: 0, Failed: true},
				}},
		},
	}
	if diff := cmp.Diff(want, got, scoreApprox); diff != "" {
		t.Errorf("Score (-want +got):\n%s", diff)
	}
}

func TestScoreCases(t *testing.T) {
	sectionCritical := exampleForm()
	sectionCritical.Sections[1].Questions[2].Critical = CriticalSection
	allNA := FormDefinition{Name: "n", Sections: []FormSection{{ID: "s", Title: "s", Weight: 1,
		Questions: []FormQuestion{
			{ID: "a", Text: "a", Type: AnswerYesNo, Weight: 1, AllowNA: true},
			{ID: "b", Text: "b", Type: AnswerScale, Weight: 1, Min: 0, Max: 10, AllowNA: true},
		}}}}
	tests := []struct {
		name           string
		def            FormDefinition
		answers        map[string]Answer
		percent        float64
		criticalFailed bool
		allNA          bool
	}{
		{name: "worked example", def: exampleForm(), answers: exampleAnswers(), percent: 62.5},
		{name: "form critical fail scores 0", def: exampleForm(), percent: 0, criticalFailed: true,
			answers: withAnswers(exampleAnswers(), map[string]Answer{"verify": {Value: "no"}})},
		{name: "section critical fail zeroes its section", def: sectionCritical,
			answers: exampleAnswers(),
			percent: 25, criticalFailed: true},
		{name: "section critical passing counts normally", def: sectionCritical, percent: 100,
			answers: withAnswers(exampleAnswers(), map[string]Answer{
				"hold": {Value: "yes"}, "empathy": {Value: "5"}, "resolved": {Value: "full"}})},
		{name: "critical N/A does not fail", def: sectionCritical,
			answers: withAnswers(exampleAnswers(), map[string]Answer{"hold": {NA: true}}),
			// Resolution: (2·0.75 + 3·0.5) / 5 = 0.6; total (1 + 3·0.6) / 4 = 0.7.
			percent: 70},
		{name: "scale bottom earns nothing", def: exampleForm(),
			answers: withAnswers(exampleAnswers(), map[string]Answer{"empathy": {Value: "1"}}),
			// Resolution: (0 + 1.5 + 0) / 6 = 0.25; total (1 + 0.75) / 4.
			percent: 43.75},
		{name: "choice points relative to the best option", def: exampleForm(),
			answers: withAnswers(exampleAnswers(), map[string]Answer{"resolved": {Value: "full"}}),
			// Resolution: (1.5 + 3 + 0) / 6 = 0.75; total (1 + 2.25) / 4.
			percent: 81.25},
		{name: "section weights outweigh question counts", def: exampleForm(),
			answers: withAnswers(exampleAnswers(), map[string]Answer{"greet": {Value: "no"}}),
			// Opening: 2 / 3; total (2/3 + 1.5) / 4.
			percent: 100 * (2.0/3 + 1.5) / 4},
		{name: "all N/A has no score", def: allNA, allNA: true,
			answers: map[string]Answer{"a": {NA: true}, "b": {NA: true}}},
		{name: "N/A left out of the denominator", def: allNA, percent: 70,
			answers: map[string]Answer{"a": {NA: true}, "b": {Value: "7"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Score(tt.def, tt.answers)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got.Percent-tt.percent) > 1e-9 ||
				got.CriticalFailed != tt.criticalFailed || got.AllNA != tt.allNA {
				t.Errorf("Score = %.4f%% critical %v all N/A %v, want %.4f%% %v %v",
					got.Percent, got.CriticalFailed, got.AllNA, tt.percent, tt.criticalFailed, tt.allNA)
			}
		})
	}
}

func TestScoreSectionAllNALeftOut(t *testing.T) {
	def := exampleForm()
	def.Sections[0].Questions[0].AllowNA = true
	def.Sections[0].Questions[1].AllowNA = true
	answers := withAnswers(exampleAnswers(), map[string]Answer{"greet": {NA: true}, "verify": {NA: true}})
	got, err := Score(def, answers)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Sections[0].NA || got.Percent != 50 || got.MaxPoints != 3 {
		t.Errorf("Score = %+v, want the opening N/A and the total 50%% out of 3", got)
	}
}

func TestScoreRejects(t *testing.T) {
	tests := []struct {
		name    string
		answers map[string]Answer
		field   string
	}{
		{name: "missing answer", answers: withoutAnswer(exampleAnswers(), "hold"),
			field: "answers.hold"},
		{name: "empty answer",
			answers: withAnswers(exampleAnswers(), map[string]Answer{"hold": {Comment: "?"}}),
			field:   "answers.hold"},
		{name: "unknown question",
			answers: withAnswers(exampleAnswers(), map[string]Answer{"zzz": {Value: "yes"}}),
			field:   "answers.zzz"},
		{name: "N/A not allowed",
			answers: withAnswers(exampleAnswers(), map[string]Answer{"greet": {NA: true}}),
			field:   "answers.greet.na"},
		{name: "N/A and a value",
			answers: withAnswers(exampleAnswers(), map[string]Answer{"name": {NA: true, Value: "yes"}}),
			field:   "answers.name"},
		{name: "yes/no",
			answers: withAnswers(exampleAnswers(), map[string]Answer{"greet": {Value: "true"}}),
			field:   "answers.greet.value"},
		{name: "scale above max",
			answers: withAnswers(exampleAnswers(), map[string]Answer{"empathy": {Value: "6"}}),
			field:   "answers.empathy.value"},
		{name: "scale fraction",
			answers: withAnswers(exampleAnswers(), map[string]Answer{"empathy": {Value: "3.5"}}),
			field:   "answers.empathy.value"},
		{name: "unknown option",
			answers: withAnswers(exampleAnswers(), map[string]Answer{"resolved": {Value: "most"}}),
			field:   "answers.resolved.value"},
		{name: "negative mark",
			answers: withAnswers(exampleAnswers(),
				map[string]Answer{"greet": {Value: "yes", MarksMS: []int64{-1}}}),
			field: "answers.greet.marks_ms[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Score(exampleForm(), tt.answers)
			var in *InputError
			if !errors.As(err, &in) || in.Field != tt.field {
				t.Errorf("Score error = %v, want an input error on %s", err, tt.field)
			}
		})
	}
}

func TestScoreRejectsInvalidForm(t *testing.T) {
	def := exampleForm()
	def.Sections[1].Weight = 0
	_, err := Score(def, exampleAnswers())
	var in *InputError
	if !errors.As(err, &in) || in.Field != "sections[1].weight" {
		t.Errorf("Score error = %v, want an input error on sections[1].weight", err)
	}
}

func withoutAnswer(m map[string]Answer, k string) map[string]Answer {
	delete(m, k)
	return m
}

func TestScoreAnswerValueNumberOrString(t *testing.T) {
	tests := []struct {
		name string
		json string
		want Answer
	}{
		{name: "string", json: `{"value":"4"}`, want: Answer{Value: "4"}},
		{name: "number", json: `{"value":4,"comment":"ok","marks_ms":[1500]}`,
			want: Answer{Value: "4", Comment: "ok", MarksMS: []int64{1500}}},
		{name: "N/A", json: `{"na":true,"value":null}`, want: Answer{NA: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Answer
			if err := json.Unmarshal([]byte(tt.json), &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decoded (-want +got):\n%s", diff)
			}
		})
	}
	var a Answer
	if err := json.Unmarshal([]byte(`{"value":true}`), &a); err == nil {
		t.Errorf("a boolean value decoded as %+v, want an error", a)
	}
}
