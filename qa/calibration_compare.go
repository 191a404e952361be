package qa

import (
	"context"
	"fmt"
	"math"
	"slices"
)

// Where the reference answers of a call come from.
const (
	// ReferenceBenchmark: the benchmark participant's evaluation.
	ReferenceBenchmark = "benchmark"
	// ReferenceConsensus: the group's consensus, question by question
	// (see CalibrationComparison).
	ReferenceConsensus = "consensus"
)

// CalibrationComparison sets each participant's answers of a session
// beside the reference and measures how far the group agrees.
//
// The reference of a call is the benchmark's evaluation; in a session
// without a benchmark, or for a call the benchmark did not submit, it is
// the group's consensus: per question the answer given most often, a tie
// settled by an answer over N/A, then by the answer nearest the group's
// mean share of the marks, then by the answer earning less, then by the
// option listed first; the reference score is what those answers score.
//
// Only evaluations submitted before the reveal count: one submitted after
// it was made with the others' answers in view. A benchmark is the
// reference, not compared, so it has no row in Reviewers; its answers do
// count in the agreement figures, which measure the whole group.
type CalibrationComparison struct {
	SessionID   int64   `json:"session_id"`
	Tolerance   float64 `json:"tolerance"`
	BenchmarkID *int64  `json:"benchmark_id,omitempty"`
	// Calls holds the reference of each call, in the session's order.
	Calls     []CallReference      `json:"calls"`
	Reviewers []ReviewerComparison `json:"reviewers"`
	Questions []QuestionComparison `json:"questions"`
	Agreement SessionAgreement     `json:"agreement"`
	// Warnings say what the figures leave out, for the manager.
	Warnings []string `json:"warnings"`
}

// CallReference is what a call's answers are compared with.
type CallReference struct {
	CallID string `json:"call_id"`
	// Source is ReferenceBenchmark or ReferenceConsensus.
	Source  string            `json:"source"`
	Answers map[string]Answer `json:"answers"`
	// Score is the reference's percent; nil when every answer is N/A or
	// nobody submitted the call.
	Score *float64 `json:"score"`
	// Tied lists the questions whose consensus settled a tie.
	Tied []string `json:"tied,omitempty"`
	// Ratings is the number of evaluations of the call compared.
	Ratings int `json:"ratings"`
	// AgreedScore is the calibrated score recorded after discussion, if
	// any.
	AgreedScore *float64 `json:"agreed_score,omitempty"`
}

// ReviewerComparison is one reviewer against the reference.
type ReviewerComparison struct {
	ReviewerID int64          `json:"reviewer_id"`
	Username   string         `json:"username"`
	Calls      []ReviewerCall `json:"calls"`
	// MeanDeviation is the mean of the reviewer's score less the
	// reference's, over the calls where both have one: above 0 lenient,
	// below 0 severe. MeanAbsDeviation is the mean distance. Both nil
	// when no call has both.
	MeanDeviation    *float64 `json:"mean_deviation"`
	MeanAbsDeviation *float64 `json:"mean_abs_deviation"`
	// Within and Outside count the calls whose deviation is within the
	// tolerance and beyond it.
	Within  int `json:"within"`
	Outside int `json:"outside"`
	// QuestionsMatched of QuestionsCompared answers were the reference's;
	// MatchedShare is their ratio, nil when nothing was compared.
	QuestionsCompared int      `json:"questions_compared"`
	QuestionsMatched  int      `json:"questions_matched"`
	MatchedShare      *float64 `json:"matched_share"`
}

// ReviewerCall is a reviewer's evaluation of one call against the
// reference.
type ReviewerCall struct {
	CallID    string   `json:"call_id"`
	Score     *float64 `json:"score"`
	Reference *float64 `json:"reference"`
	// Deviation is Score less Reference; nil when either is missing.
	Deviation *float64 `json:"deviation"`
	Within    *bool    `json:"within"`
	// Matched of Compared answers were the reference's.
	Compared int `json:"compared"`
	Matched  int `json:"matched"`
}

// CompareCalibration returns the comparison of a session. Managers and
// admins may read it once the session is revealed (ErrConflict before);
// participants too, or, with RevealOnSubmit, once they submitted all
// their own (ErrForbidden before). Other reviewers get ErrForbidden.
func (s *Service) CompareCalibration(
	ctx context.Context,
	caller *User,
	id int64,
) (*CalibrationComparison, error) {
	cs, err := s.loadCalibration(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := cs.mayView(caller); err != nil {
		return nil, err
	}
	switch {
	case cs.othersVisibleTo(caller):
	case caller.HasAny(RoleAdmin, RoleManager):
		return nil, fmt.Errorf("calibration session %d is not revealed yet: %w", id, ErrConflict)
	default:
		return nil, fmt.Errorf("calibration session %d: the comparison opens when the "+
			"session is revealed: %w", id, ErrForbidden)
	}
	out, err := compareCalibration(cs)
	if err != nil {
		return nil, fmt.Errorf("compare calibration session %d: %w", id, err)
	}
	return out, nil
}

// compareCalibration computes the comparison of a loaded session.
func compareCalibration(cs *CalibrationSession) (*CalibrationComparison, error) {
	g := newRatingGrid(cs)
	out := &CalibrationComparison{SessionID: cs.ID, Tolerance: cs.Tolerance,
		BenchmarkID: cs.BenchmarkID, Warnings: []string{}}
	if g.left > 0 {
		out.Warnings = append(out.Warnings, fmt.Sprintf("%d evaluations were not submitted "+
			"before the reveal and are left out", g.left))
	}
	for _, call := range g.calls {
		ref, err := g.reference(cs, call)
		if err != nil {
			return nil, err
		}
		if cs.BenchmarkID != nil && ref.Source == ReferenceConsensus {
			out.Warnings = append(out.Warnings, fmt.Sprintf("the benchmark did not submit "+
				"call %s in time: the consensus of the others is its reference", call))
		}
		out.Calls = append(out.Calls, ref)
	}
	out.Reviewers = g.reviewers(cs, out.Calls)
	var err error
	if out.Questions, err = g.questions(cs, out.Calls); err != nil {
		return nil, err
	}
	if out.Agreement, err = g.sessionAgreement(cs); err != nil {
		return nil, err
	}
	return out, nil
}

// ratingGrid holds the evaluations a comparison counts: submitted, and
// not after the reveal.
type ratingGrid struct {
	calls  []string
	raters []int64 // participants, the benchmark first
	cells  map[string]map[int64]*CalibrationEntry
	left   int // evaluations left out: drafts and late ones
}

func newRatingGrid(cs *CalibrationSession) ratingGrid {
	g := ratingGrid{cells: map[string]map[int64]*CalibrationEntry{}}
	for _, c := range cs.Calls {
		g.calls = append(g.calls, c.CallID)
		g.cells[c.CallID] = map[int64]*CalibrationEntry{}
	}
	for _, p := range cs.Participants {
		g.raters = append(g.raters, p.UserID)
	}
	for i := range cs.Evaluations {
		e := &cs.Evaluations[i]
		if e.Status != StatusSubmitted || e.Late {
			g.left++
			continue
		}
		g.cells[e.CallID][e.ReviewerID] = e
	}
	return g
}

// at returns rater's counted evaluation of call, or nil.
func (g ratingGrid) at(call string, rater int64) *CalibrationEntry {
	return g.cells[call][rater]
}

// ratedBy returns the counted evaluations of call, in rater order.
func (g ratingGrid) ratedBy(call string) []*CalibrationEntry {
	var out []*CalibrationEntry
	for _, r := range g.raters {
		if e := g.at(call, r); e != nil {
			out = append(out, e)
		}
	}
	return out
}

// reference returns the reference of call: the benchmark's evaluation if
// counted, else the consensus.
func (g ratingGrid) reference(cs *CalibrationSession, call string) (CallReference, error) {
	ref := CallReference{CallID: call, Ratings: len(g.ratedBy(call))}
	if c := cs.call(call); c != nil {
		ref.AgreedScore = c.AgreedScore
	}
	if cs.BenchmarkID != nil {
		if e := g.at(call, *cs.BenchmarkID); e != nil {
			ref.Source, ref.Answers, ref.Score = ReferenceBenchmark, e.Answers, e.Score
			return ref, nil
		}
	}
	ref.Source, ref.Answers = ReferenceConsensus, map[string]Answer{}
	questions := questionsOf(&cs.def)
	for _, q := range questions {
		var answers []Answer
		for _, e := range g.ratedBy(call) {
			answers = append(answers, e.Answers[q.ID])
		}
		key, tied := consensusAnswer(q, answers)
		if key == "" {
			continue
		}
		ref.Answers[q.ID] = keyAnswer(key)
		if tied {
			ref.Tied = append(ref.Tied, q.ID)
		}
	}
	if len(ref.Answers) < len(questions) {
		return ref, nil // nobody submitted the call
	}
	res, err := Score(cs.def, ref.Answers)
	if err != nil {
		return ref, fmt.Errorf("score the consensus of call %s: %w", call, err)
	}
	ref.Score = resultScore(res)
	return ref, nil
}

// call returns the session's call with the id, or nil.
func (cs *CalibrationSession) call(id string) *CalibrationCall {
	for i := range cs.Calls {
		if cs.Calls[i].CallID == id {
			return &cs.Calls[i]
		}
	}
	return nil
}

// reviewers compares every participant but the benchmark with refs.
func (g ratingGrid) reviewers(cs *CalibrationSession, refs []CallReference) []ReviewerComparison {
	out := []ReviewerComparison{}
	for _, p := range cs.Participants {
		if p.Benchmark {
			continue
		}
		rc := ReviewerComparison{ReviewerID: p.UserID, Username: p.Username,
			Calls: []ReviewerCall{}}
		for i, call := range g.calls {
			if e := g.at(call, p.UserID); e != nil {
				rc.Calls = append(rc.Calls, compareCall(&cs.def, cs.Tolerance, e, refs[i]))
			}
		}
		rc.summarize()
		out = append(out, rc)
	}
	return out
}

// compareCall compares one evaluation with its call's reference.
func compareCall(def *FormDefinition, tolerance float64, e *CalibrationEntry,
	ref CallReference,
) ReviewerCall {
	rc := ReviewerCall{CallID: e.CallID, Score: e.Score, Reference: ref.Score}
	if e.Score != nil && ref.Score != nil {
		d := *e.Score - *ref.Score
		// The small allowance keeps 5.000000001 points, a rounding of 5,
		// within a tolerance of 5.
		within := math.Abs(d) <= tolerance+1e-9
		rc.Deviation, rc.Within = &d, &within
	}
	for _, q := range questionsOf(def) {
		want := answerKey(ref.Answers[q.ID])
		if want == "" {
			continue
		}
		rc.Compared++
		if answerKey(e.Answers[q.ID]) == want {
			rc.Matched++
		}
	}
	return rc
}

// summarize fills in the totals from rc.Calls.
func (rc *ReviewerComparison) summarize() {
	var devs, abs []float64
	for _, c := range rc.Calls {
		rc.QuestionsCompared += c.Compared
		rc.QuestionsMatched += c.Matched
		if c.Deviation == nil {
			continue
		}
		devs = append(devs, *c.Deviation)
		abs = append(abs, math.Abs(*c.Deviation))
		if *c.Within {
			rc.Within++
		} else {
			rc.Outside++
		}
	}
	if len(devs) > 0 {
		m, a := mean(devs), mean(abs)
		rc.MeanDeviation, rc.MeanAbsDeviation = &m, &a
	}
	if rc.QuestionsCompared > 0 {
		share := float64(rc.QuestionsMatched) / float64(rc.QuestionsCompared)
		rc.MatchedShare = &share
	}
}

// questionsOf lists a form's questions in order.
func questionsOf(def *FormDefinition) []*FormQuestion {
	var out []*FormQuestion
	for i := range def.Sections {
		for j := range def.Sections[i].Questions {
			out = append(out, &def.Sections[i].Questions[j])
		}
	}
	return out
}

// tiedOn reports whether ref settled a tie on question id.
func (ref CallReference) tiedOn(id string) bool { return slices.Contains(ref.Tied, id) }
