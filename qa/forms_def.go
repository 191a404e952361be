package qa

import (
	"fmt"
	"regexp"
	"strings"
)

// AnswerType is how a question is answered.
type AnswerType string

// The answer types.
const (
	// AnswerYesNo is answered "yes" (full marks) or "no" (none). Word the
	// question so that yes is the wanted answer; otherwise use a choice.
	AnswerYesNo AnswerType = "yes_no"
	// AnswerScale is answered with a whole number from Min to Max; Min
	// earns nothing and Max full marks, linearly in between.
	AnswerScale AnswerType = "scale"
	// AnswerChoice is answered with the Value of one of the options; an
	// option earns its Points out of the largest Points of the question.
	AnswerChoice AnswerType = "choice"
)

// Critical says what a failed critical question fails. A critical question
// fails when its answer earns nothing: "no", the bottom of a scale, or a
// choice worth 0 points. N/A never fails.
type Critical string

// The critical settings.
const (
	// CriticalNone: the question counts like any other.
	CriticalNone Critical = ""
	// CriticalSection: failing the question scores its section 0.
	CriticalSection Critical = "section"
	// CriticalForm: failing the question scores the whole evaluation 0.
	CriticalForm Critical = "form"
)

// FormDefinition is an evaluation form (a scorecard), as authored. It is
// stored as JSON in each form version.
type FormDefinition struct {
	// Name names the form; unique among forms.
	Name        string        `json:"name"`
	Description string        `json:"description,omitempty"`
	Sections    []FormSection `json:"sections"`
}

// FormSection is a group of questions with a weight of its own.
type FormSection struct {
	// ID is unique among the sections of the form and stays the same
	// across versions.
	ID    string `json:"id"`
	Title string `json:"title"`
	// Weight is the section's share of the total, relative to the other
	// sections; zero means 1.
	Weight    float64        `json:"weight"`
	Questions []FormQuestion `json:"questions"`
}

// FormQuestion is one question of a form.
type FormQuestion struct {
	// ID is unique across the whole form and stays the same across
	// versions; answers, coaching items and reports refer to it.
	ID   string `json:"id"`
	Text string `json:"text"`
	// Guidance is the agreed definition of what earns each answer.
	Guidance string     `json:"guidance,omitempty"`
	Type     AnswerType `json:"type"`
	// Weight is the question's share of its section, relative to the
	// other questions of the section; zero means 1.
	Weight float64 `json:"weight"`
	// AllowNA lets the reviewer answer N/A, which leaves the question out
	// of the score.
	AllowNA  bool     `json:"allow_na,omitempty"`
	Critical Critical `json:"critical,omitempty"`
	// Min and Max bound a scale question; other types leave them zero.
	Min int `json:"min,omitempty"`
	Max int `json:"max,omitempty"`
	// Options are the choices of a choice question (required, with
	// points). A yes/no or scale question may list options too, to give
	// each answer ("yes", "no", or a scale value such as "3") a label and
	// guidance; their points must be zero.
	Options []AnswerOption `json:"options,omitempty"`
}

// AnswerOption is one answer a reviewer can pick.
type AnswerOption struct {
	// Value is what an Answer holds when this option is picked.
	Value string `json:"value"`
	Label string `json:"label,omitempty"`
	// Points is what the option earns; choice questions only.
	Points   float64 `json:"points,omitempty"`
	Guidance string  `json:"guidance,omitempty"`
}

// Limits on a form's size, so that one form cannot make every page slow.
const (
	maxFormSections  = 50
	maxFormQuestions = 300
	maxFormOptions   = 20
	maxScaleSteps    = 100
	maxFormText      = 10000
)

// formIDPattern is what section and question ids look like: short, and
// safe in URLs, CSV headers and JSON paths.
var formIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// normalize fills in defaults (zero weights mean 1) and trims the texts,
// so that the stored definition says everything explicitly.
func (d *FormDefinition) normalize() {
	d.Name = strings.TrimSpace(d.Name)
	for i := range d.Sections {
		sec := &d.Sections[i]
		sec.ID = strings.TrimSpace(sec.ID)
		sec.Title = strings.TrimSpace(sec.Title)
		if sec.Weight == 0 {
			sec.Weight = 1
		}
		for j := range sec.Questions {
			q := &sec.Questions[j]
			q.ID = strings.TrimSpace(q.ID)
			q.Text = strings.TrimSpace(q.Text)
			if q.Weight == 0 {
				q.Weight = 1
			}
		}
	}
}

// Validate reports the first problem of the definition as an *InputError
// whose Field is a path such as "sections[1].questions[0].weight". It
// expects a normalized definition: a zero weight is refused.
func (d *FormDefinition) Validate() error {
	if d.Name == "" {
		return inputf("name", "give the form a name")
	}
	if err := checkFormText("name", d.Name, 200); err != nil {
		return err
	}
	if err := checkFormText("description", d.Description, maxFormText); err != nil {
		return err
	}
	if len(d.Sections) == 0 {
		return inputf("sections", "a form needs at least one section")
	}
	if len(d.Sections) > maxFormSections {
		return inputf("sections", "at most %d sections", maxFormSections)
	}
	sectionIDs := map[string]bool{}
	questionIDs := map[string]string{} // id -> path of its first use
	total := 0
	for i, sec := range d.Sections {
		path := fmt.Sprintf("sections[%d]", i)
		if err := sec.validate(path, sectionIDs, questionIDs); err != nil {
			return err
		}
		total += len(sec.Questions)
	}
	if total > maxFormQuestions {
		return inputf("sections", "%d questions; at most %d per form", total, maxFormQuestions)
	}
	return nil
}

func (sec *FormSection) validate(
	path string,
	sectionIDs map[string]bool,
	questionIDs map[string]string,
) error {
	if err := checkFormID(path+".id", sec.ID); err != nil {
		return err
	}
	if sectionIDs[sec.ID] {
		return inputf(path+".id", "section id %q is used twice", sec.ID)
	}
	sectionIDs[sec.ID] = true
	if sec.Title == "" {
		return inputf(path+".title", "give the section a title")
	}
	if err := checkFormText(path+".title", sec.Title, 500); err != nil {
		return err
	}
	if err := checkWeight(path+".weight", sec.Weight); err != nil {
		return err
	}
	if len(sec.Questions) == 0 {
		return inputf(path+".questions", "a section needs at least one question")
	}
	for j, q := range sec.Questions {
		qpath := fmt.Sprintf("%s.questions[%d]", path, j)
		if err := q.validate(qpath); err != nil {
			return err
		}
		if first, ok := questionIDs[q.ID]; ok {
			return inputf(qpath+".id", "question id %q is already used at %s", q.ID, first)
		}
		questionIDs[q.ID] = qpath
	}
	return nil
}

func (q *FormQuestion) validate(path string) error {
	if err := checkFormID(path+".id", q.ID); err != nil {
		return err
	}
	if q.Text == "" {
		return inputf(path+".text", "give the question a text")
	}
	if err := checkFormText(path+".text", q.Text, 2000); err != nil {
		return err
	}
	if err := checkFormText(path+".guidance", q.Guidance, maxFormText); err != nil {
		return err
	}
	if err := checkWeight(path+".weight", q.Weight); err != nil {
		return err
	}
	switch q.Critical {
	case CriticalNone, CriticalSection, CriticalForm:
	default:
		return inputf(path+".critical", `%q: use "section", "form" or leave it empty`, q.Critical)
	}
	if len(q.Options) > maxFormOptions {
		return inputf(path+".options", "at most %d options", maxFormOptions)
	}
	switch q.Type {
	case AnswerYesNo:
		return q.validateYesNo(path)
	case AnswerScale:
		return q.validateScale(path)
	case AnswerChoice:
		return q.validateChoice(path)
	}
	return inputf(path+".type", "%q: use yes_no, scale or choice", q.Type)
}

func (q *FormQuestion) validateYesNo(path string) error {
	if err := q.noBounds(path); err != nil {
		return err
	}
	yesNo := func(v string) bool { return v == "yes" || v == "no" }
	return q.validateLabels(path, yesNo, `"yes" or "no"`)
}

func (q *FormQuestion) validateScale(path string) error {
	if q.Max <= q.Min {
		return inputf(path+".max", "must be greater than min (%d)", q.Min)
	}
	if q.Max-q.Min > maxScaleSteps {
		return inputf(path+".max", "a scale spans at most %d steps", maxScaleSteps)
	}
	inRange := func(v string) bool {
		n, ok := parseScaleValue(v)
		return ok && n >= q.Min && n <= q.Max
	}
	want := fmt.Sprintf("a whole number from %d to %d", q.Min, q.Max)
	return q.validateLabels(path, inRange, want)
}

func (q *FormQuestion) validateChoice(path string) error {
	if err := q.noBounds(path); err != nil {
		return err
	}
	if len(q.Options) < 2 {
		return inputf(path+".options", "a choice question needs at least two options")
	}
	seen := map[string]bool{}
	best := 0.0
	for k, o := range q.Options {
		opath := fmt.Sprintf("%s.options[%d]", path, k)
		if err := o.validate(opath, seen); err != nil {
			return err
		}
		if o.Points < 0 {
			return inputf(opath+".points", "must not be negative")
		}
		best = max(best, o.Points)
	}
	if best == 0 {
		return inputf(path+".options", "at least one option must earn more than 0 points")
	}
	return nil
}

// validateLabels checks the optional options of a yes/no or scale
// question, which only label answers and give their guidance.
func (q *FormQuestion) validateLabels(path string, valid func(string) bool, want string) error {
	seen := map[string]bool{}
	for k, o := range q.Options {
		opath := fmt.Sprintf("%s.options[%d]", path, k)
		if err := o.validate(opath, seen); err != nil {
			return err
		}
		if !valid(o.Value) {
			return inputf(opath+".value", "%q: use %s", o.Value, want)
		}
		if o.Points != 0 {
			return inputf(opath+".points",
				"only choice options have points; a %s answer earns what its type says", q.Type)
		}
	}
	return nil
}

func (o *AnswerOption) validate(path string, seen map[string]bool) error {
	if o.Value == "" {
		return inputf(path+".value", "give the option a value")
	}
	if err := checkFormText(path+".value", o.Value, 64); err != nil {
		return err
	}
	if seen[o.Value] {
		return inputf(path+".value", "%q is used twice", o.Value)
	}
	seen[o.Value] = true
	if err := checkFormText(path+".label", o.Label, 500); err != nil {
		return err
	}
	return checkFormText(path+".guidance", o.Guidance, maxFormText)
}

func (q *FormQuestion) noBounds(path string) error {
	if q.Min != 0 || q.Max != 0 {
		return inputf(path+".min", "only scale questions have min and max")
	}
	return nil
}

// inputf is an *InputError on field with a formatted message.
func inputf(field, format string, args ...any) error {
	return &InputError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

func checkFormID(field, id string) error {
	if id == "" {
		return inputf(field, "give an id; answers and reports refer to it")
	}
	if !formIDPattern.MatchString(id) {
		return inputf(field, "%q: use up to 64 letters, digits, '_', '-' or '.', "+
			"starting with a letter or digit", id)
	}
	return nil
}

func checkWeight(field string, w float64) error {
	if w <= 0 {
		return inputf(field, "must be greater than 0")
	}
	if w > 1000 {
		return inputf(field, "must be at most 1000")
	}
	return nil
}

func checkFormText(field, s string, limit int) error {
	if len(s) > limit {
		return inputf(field, "%d bytes; at most %d", len(s), limit)
	}
	return nil
}

// question returns the question with the given id, or nil.
func (d *FormDefinition) question(id string) *FormQuestion {
	for i := range d.Sections {
		for j := range d.Sections[i].Questions {
			if d.Sections[i].Questions[j].ID == id {
				return &d.Sections[i].Questions[j]
			}
		}
	}
	return nil
}
