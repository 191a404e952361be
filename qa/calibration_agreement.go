package qa

import (
	"errors"
	"fmt"
	"slices"
)

// Agreement of a calibration session: how far its participants agree,
// question by question and over the session.

// QuestionComparison is one question of a session: what was answered on
// each call, and how far the participants agree on it.
type QuestionComparison struct {
	QuestionID string     `json:"question_id"`
	Text       string     `json:"text"`
	Type       AnswerType `json:"type"`
	// Metric is how alpha weighs disagreement: "nominal" for yes/no and
	// choice questions, "interval" for scales (on the scale's values).
	Metric string         `json:"metric"`
	Calls  []QuestionCall `json:"calls"`
	// Agreement is over the calls, each a unit; N/A counts as no answer.
	// Kappa reads a scale's values as categories.
	Agreement AgreementSet `json:"agreement"`
}

// QuestionCall is how a question was answered on one call.
type QuestionCall struct {
	CallID string `json:"call_id"`
	// Counts is how many participants gave each answer, "n/a" for N/A.
	Counts map[string]int `json:"counts"`
	// Reference is the reference answer, "n/a" for N/A, empty for none.
	Reference string `json:"reference"`
	// Tied is true when Reference is a consensus that settled a tie.
	Tied bool `json:"tied,omitempty"`
}

// AgreementSet is the agreement over one set of ratings.
type AgreementSet struct {
	// Alpha is Krippendorff's alpha.
	Alpha Agreement `json:"alpha"`
	// Kappa is Fleiss' kappa; nil when it cannot be computed, and
	// KappaOmitted says why (kappa needs the same number of ratings for
	// every unit, and categories).
	Kappa        *Agreement `json:"kappa,omitempty"`
	KappaOmitted string     `json:"kappa_omitted,omitempty"`
	// Raw is the share of pairs of ratings that agree, shown beside alpha
	// and kappa because those collapse when nearly every rating is the
	// same.
	Raw Agreement `json:"raw"`
}

// SessionAgreement is the agreement over a whole session.
type SessionAgreement struct {
	// Answers is over the answers to yes/no and choice questions, a unit
	// being one question of one call, nominal: answers agree when equal.
	// Answers are categories by their value across questions ("yes" is
	// the same category in every yes/no question).
	Answers AgreementSet `json:"answers"`
	// Scales is over the answers to scale questions, interval, as the share
	// of the question's marks they earn, so that scales of different
	// lengths pool; raw agreement counts equal answers.
	Scales AgreementSet `json:"scales"`
	// Scores is over the total scores, a unit being a call, interval; raw
	// agreement counts pairs within the session's tolerance.
	Scores AgreementSet `json:"scores"`
}

// Why kappa is left out of a set.
const (
	kappaUnequal = "the units have different numbers of ratings (an N/A, or an evaluation " +
		"not submitted in time): Fleiss' kappa needs the same number for every one; read alpha"
	kappaNoUnits   = "nothing was rated"
	kappaScales    = "scale answers are compared by alpha on the interval metric"
	kappaScores    = "total scores are not categories: read alpha on the interval metric"
	metricNominal  = "nominal"
	metricInterval = "interval"
)

// questions compares the session question by question.
func (g ratingGrid) questions(cs *CalibrationSession, refs []CallReference) (
	[]QuestionComparison, error,
) {
	cb := codebook{}
	out := []QuestionComparison{}
	for _, q := range questionsOf(&cs.def) {
		qc := QuestionComparison{QuestionID: q.ID, Text: q.Text, Type: q.Type,
			Metric: metricNominal}
		for i, call := range g.calls {
			counts := map[string]int{}
			for _, e := range g.ratedBy(call) {
				if k := answerKey(e.Answers[q.ID]); k != "" {
					counts[k]++
				}
			}
			qc.Calls = append(qc.Calls, QuestionCall{CallID: call, Counts: counts,
				Reference: answerKey(refs[i].Answers[q.ID]), Tied: refs[i].tiedOn(q.ID)})
		}
		metric, value := MetricNominal, cb.nominal
		if q.Type == AnswerScale {
			qc.Metric, metric, value = metricInterval, MetricInterval, scaleValue
		}
		var err error
		qc.Agreement, err = agreementSet(g.rows(q, value), metric, 0, "")
		if err != nil {
			return nil, fmt.Errorf("question %s: %w", q.ID, err)
		}
		out = append(out, qc)
	}
	return out, nil
}

// sessionAgreement computes the agreement over the whole session.
func (g ratingGrid) sessionAgreement(cs *CalibrationSession) (SessionAgreement, error) {
	cb := codebook{}
	var nominal, scales [][]*float64
	for _, q := range questionsOf(&cs.def) {
		if q.Type == AnswerScale {
			scales = append(scales, g.rows(q, scaleShare(q))...)
		} else {
			nominal = append(nominal, g.rows(q, cb.nominal)...)
		}
	}
	var out SessionAgreement
	var err error
	if out.Answers, err = agreementSet(nominal, MetricNominal, 0, ""); err != nil {
		return out, fmt.Errorf("answers: %w", err)
	}
	if out.Scales, err = agreementSet(scales, MetricInterval, 0, kappaScales); err != nil {
		return out, fmt.Errorf("scales: %w", err)
	}
	out.Scores, err = agreementSet(g.scoreRows(), MetricInterval, cs.Tolerance, kappaScores)
	if err != nil {
		return out, fmt.Errorf("scores: %w", err)
	}
	return out, nil
}

// rows lays out the answers to q for KrippendorffAlpha: one row per call,
// one column per rater, nil where there is no value. value turns an
// answer into the figure compared; false means none (N/A).
func (g ratingGrid) rows(q *FormQuestion, value func(Answer) (float64, bool)) [][]*float64 {
	out := make([][]*float64, 0, len(g.calls))
	for _, call := range g.calls {
		row := make([]*float64, len(g.raters))
		for j, r := range g.raters {
			e := g.at(call, r)
			if e == nil {
				continue
			}
			if v, ok := value(e.Answers[q.ID]); ok {
				row[j] = &v
			}
		}
		out = append(out, row)
	}
	return out
}

// scoreRows lays out the total scores: one row per call.
func (g ratingGrid) scoreRows() [][]*float64 {
	out := make([][]*float64, 0, len(g.calls))
	for _, call := range g.calls {
		row := make([]*float64, len(g.raters))
		for j, r := range g.raters {
			if e := g.at(call, r); e != nil {
				row[j] = e.Score
			}
		}
		out = append(out, row)
	}
	return out
}

// codebook numbers answer values, so that nominal answers can be laid out
// as figures: the numbers only tell categories apart.
type codebook map[string]float64

func (cb codebook) nominal(a Answer) (float64, bool) {
	if a.NA || a.Value == "" {
		return 0, false
	}
	code, ok := cb[a.Value]
	if !ok {
		code = float64(len(cb))
		cb[a.Value] = code
	}
	return code, true
}

// scaleValue is a scale answer's number.
func scaleValue(a Answer) (float64, bool) {
	if a.NA {
		return 0, false
	}
	n, ok := parseScaleValue(a.Value)
	return float64(n), ok
}

// scaleShare returns the share of q's marks a scale answer earns.
func scaleShare(q *FormQuestion) func(Answer) (float64, bool) {
	return func(a Answer) (float64, bool) {
		if a.NA || a.Value == "" {
			return 0, false
		}
		return valueFraction(q, a.Value)
	}
}

// agreementSet computes alpha, raw agreement within tolerance and, unless
// omitKappa gives the reason to leave it out, Fleiss' kappa with each
// distinct value a category.
func agreementSet(rows [][]*float64, metric Metric, tolerance float64, omitKappa string) (
	AgreementSet, error,
) {
	var set AgreementSet
	var err error
	if set.Alpha, err = KrippendorffAlpha(rows, metric); err != nil {
		return set, err
	}
	if set.Raw, err = RawAgreement(rows, tolerance); err != nil {
		return set, err
	}
	if omitKappa != "" {
		set.KappaOmitted = omitKappa
		return set, nil
	}
	counts := kappaCounts(rows)
	if len(counts) == 0 {
		set.KappaOmitted = kappaNoUnits
		return set, nil
	}
	k, err := FleissKappa(counts)
	switch {
	case errors.Is(err, ErrUnequalRatings):
		set.KappaOmitted = kappaUnequal
	case err != nil:
		return set, err
	default:
		set.Kappa = &k
	}
	return set, nil
}

// kappaCounts turns rows of ratings into FleissKappa's counts, one
// category per distinct value. Rows with no rating are left out: nobody
// rated that unit, so it is no subject.
func kappaCounts(rows [][]*float64) [][]int {
	var values []float64
	for _, row := range rows {
		for _, v := range row {
			if v != nil {
				values = append(values, *v)
			}
		}
	}
	slices.Sort(values)
	values = slices.Compact(values)
	var counts [][]int
	for _, row := range rows {
		c := make([]int, len(values))
		n := 0
		for _, v := range row {
			if v != nil {
				i, _ := slices.BinarySearch(values, *v)
				c[i]++
				n++
			}
		}
		if n > 0 {
			counts = append(counts, c)
		}
	}
	return counts
}
