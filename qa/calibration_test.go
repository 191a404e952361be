package qa

import (
	"errors"
	"math"
	"testing"
	"time"
)

// openCalibration opens a session of the example form as the manager.
func (f *evalFixture) openCalibration(t *testing.T, n NewCalibration) *CalibrationSession {
	t.Helper()
	n.FormID = f.form.ID
	if n.Title == "" {
		n.Title = "Monday calibration"
	}
	cs, err := f.s.OpenCalibration(t.Context(), f.manager, n)
	if err != nil {
		t.Fatalf("OpenCalibration: %v", err)
	}
	return cs
}

// calScore has u submit answers for call in session cs, a minute after the
// last step.
func (f *evalFixture) calScore(t *testing.T, cs *CalibrationSession, u *User, call string,
	answers map[string]Answer,
) {
	t.Helper()
	f.clock = f.clock.Add(time.Minute)
	id := calEntry(t, cs, u.ID, call).EvaluationID
	if _, err := f.s.SaveDraft(t.Context(), u, id, Draft{Answers: answers}); err != nil {
		t.Fatalf("SaveDraft: %v", err)
	}
	if _, err := f.s.Submit(t.Context(), u, id); err != nil {
		t.Fatalf("Submit: %v", err)
	}
}

// calReveal reveals cs as the manager, a minute after the last step.
func (f *evalFixture) calReveal(t *testing.T, cs *CalibrationSession) {
	t.Helper()
	f.clock = f.clock.Add(time.Minute)
	if _, err := f.s.RevealCalibration(t.Context(), f.manager, cs.ID); err != nil {
		t.Fatalf("RevealCalibration: %v", err)
	}
}

func calEntry(t *testing.T, cs *CalibrationSession, reviewer int64, call string) CalibrationEntry {
	t.Helper()
	for _, e := range cs.Evaluations {
		if e.ReviewerID == reviewer && e.CallID == call {
			return e
		}
	}
	t.Fatalf("session %d has no evaluation of %s by %d", cs.ID, call, reviewer)
	return CalibrationEntry{}
}

func TestOpenCalibrationErrors(t *testing.T) {
	f := openEvalTest(t)
	good := func(change func(*NewCalibration)) NewCalibration {
		n := NewCalibration{Title: "Week 10", CallIDs: []string{callAnna}, FormID: f.form.ID,
			ReviewerIDs: []int64{f.reviewer.ID, f.reviewer2.ID}}
		change(&n)
		return n
	}
	tests := []struct {
		name      string
		caller    *User
		n         NewCalibration
		wantErr   error
		wantField string
	}{
		{name: "reviewer opens", caller: f.reviewer, n: good(func(*NewCalibration) {}),
			wantErr: ErrForbidden},
		{name: "no title", caller: f.manager,
			n: good(func(n *NewCalibration) { n.Title = " " }), wantField: "title"},
		{name: "no calls", caller: f.manager,
			n: good(func(n *NewCalibration) { n.CallIDs = nil }), wantField: "call_ids"},
		{name: "call twice", caller: f.manager,
			n:         good(func(n *NewCalibration) { n.CallIDs = []string{callAnna, callAnna} }),
			wantField: "call_ids"},
		{name: "unknown call", caller: f.manager,
			n:         good(func(n *NewCalibration) { n.CallIDs = []string{"nope"} }),
			wantField: "call_ids"},
		{name: "one participant", caller: f.manager,
			n:         good(func(n *NewCalibration) { n.ReviewerIDs = []int64{f.reviewer.ID} }),
			wantField: "reviewer_ids"},
		{name: "benchmark also compared", caller: f.manager,
			n:         good(func(n *NewCalibration) { n.BenchmarkID = &f.reviewer.ID }),
			wantField: "benchmark_id"},
		{name: "an agent", caller: f.manager,
			n: good(func(n *NewCalibration) {
				n.ReviewerIDs = append(n.ReviewerIDs, f.anna.ID)
			}),
			wantField: "reviewer_ids"},
		{name: "unknown user", caller: f.manager,
			n:         good(func(n *NewCalibration) { n.ReviewerIDs = append(n.ReviewerIDs, 99) }),
			wantField: "reviewer_ids"},
		{name: "a participant's own call", caller: f.manager,
			n: good(func(n *NewCalibration) {
				n.CallIDs, n.ReviewerIDs = []string{callBen}, append(n.ReviewerIDs, f.ben.ID)
			}),
			wantField: "reviewer_ids"},
		{name: "negative tolerance", caller: f.manager,
			n: good(func(n *NewCalibration) { n.Tolerance = -1 }), wantField: "tolerance"},
		{name: "unknown form", caller: f.manager,
			n: good(func(n *NewCalibration) { n.FormID = 99 }), wantField: "form_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.s.OpenCalibration(t.Context(), tt.caller, tt.n)
			checkEvalErr(t, err, tt.wantErr, tt.wantField)
		})
	}
}

// TestCalibrationBlind runs a session with a benchmark: nobody sees
// another's answers before the reveal, evaluations submitted after it are
// left out, and calibration evaluations stay out of agents' scores.
func TestCalibrationBlind(t *testing.T) {
	f := openEvalTest(t)
	// The lead is a manager and the benchmark: held to the blind rule too.
	cs := f.openCalibration(t, NewCalibration{CallIDs: []string{callAnna, callNobody},
		ReviewerIDs: []int64{f.reviewer.ID, f.reviewer2.ID, f.ben.ID}, BenchmarkID: &f.lead.ID})
	if len(cs.Evaluations) != 8 || cs.Tolerance != DefaultCalibrationTolerance {
		t.Fatalf("opened %+v, want 8 drafts and the default tolerance", cs)
	}
	ev, err := f.s.GetEvaluation(t.Context(), f.reviewer, calEntry(t, cs, 3, callAnna).EvaluationID)
	if err != nil || !ev.Calibration || ev.Status != StatusDraft || ev.AssignedBy == nil {
		t.Fatalf("the reviewer's draft: %+v, %v", ev, err)
	}
	for _, u := range []*User{f.lead, f.reviewer, f.reviewer2} {
		f.calScore(t, cs, u, callAnna, exampleAnswers())
		f.calScore(t, cs, u, callNobody, exampleAnswers())
	}
	checkBlind(t, f, cs.ID)

	f.calReveal(t, cs)
	_, err = f.s.RevealCalibration(t.Context(), f.manager, cs.ID)
	checkEvalErr(t, err, ErrConflict, "")
	f.calScore(t, cs, f.ben, callAnna, exampleAnswers())
	seen, err := f.s.GetCalibration(t.Context(), f.reviewer2, cs.ID)
	if err != nil || !seen.AnswersVisible || calEntry(t, seen, 3, callAnna).Score == nil {
		t.Errorf("after the reveal reviewer2 sees %+v, %v", seen, err)
	}
	if e := calEntry(t, seen, f.ben.ID, callAnna); !e.Late {
		t.Errorf("ben's evaluation after the reveal: %+v, want late", e)
	}
	cmp, err := f.s.CompareCalibration(t.Context(), f.reviewer, cs.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cmp.Reviewers) != 3 || cmp.Calls[0].Source != ReferenceBenchmark ||
		cmp.Calls[0].Ratings != 3 || len(cmp.Warnings) != 1 {
		t.Errorf("comparison %+v, want 3 reviewers, the benchmark, 3 ratings, 1 warning", cmp)
	}

	scores, err := f.s.AgentScores(t.Context(), f.manager, ReportFilter{})
	if err != nil || len(scores) != 0 {
		t.Errorf("agents' scores after calibration: %+v, %v; want none", scores, err)
	}
	mine, err := f.s.ListEvaluations(t.Context(), f.anna, EvaluationFilter{})
	if err != nil || len(mine) != 0 {
		t.Errorf("Anna's evaluations: %+v, %v; want no calibration ones", mine, err)
	}
}

// checkBlind checks session id before its reveal, with every participant
// but ben submitted.
func checkBlind(t *testing.T, f *evalFixture, id int64) {
	t.Helper()
	for _, u := range []*User{f.reviewer, f.lead, f.admin} {
		view, err := f.s.GetCalibration(t.Context(), u, id)
		if err != nil {
			t.Fatalf("%s: %v", u.Username, err)
		}
		for _, e := range view.Evaluations {
			own := e.ReviewerID == u.ID
			if own == e.Hidden || (!own && (e.Answers != nil || e.Score != nil)) {
				t.Errorf("%s sees %+v", u.Username, e)
			}
		}
	}
	if _, err := f.s.GetCalibration(t.Context(), f.anna, id); !errors.Is(err, ErrForbidden) {
		t.Errorf("Anna reads the session: %v, want ErrForbidden", err)
	}
	_, err := f.s.CompareCalibration(t.Context(), f.reviewer, id)
	checkEvalErr(t, err, ErrForbidden, "")
	if _, err := f.s.CompareCalibration(t.Context(), f.manager, id); !errors.Is(err, ErrConflict) {
		t.Errorf("manager compares before the reveal: %v, want ErrConflict", err)
	}
	if _, err := f.s.RevealCalibration(t.Context(), f.reviewer, id); !errors.Is(err, ErrForbidden) {
		t.Errorf("reviewer reveals: %v, want ErrForbidden", err)
	}
}

func TestCalibrationRevealOnSubmit(t *testing.T) {
	f := openEvalTest(t)
	cs := f.openCalibration(t, NewCalibration{CallIDs: []string{callAnna}, RevealOnSubmit: true,
		ReviewerIDs: []int64{f.reviewer.ID, f.reviewer2.ID}})
	f.calScore(t, cs, f.reviewer, callAnna, exampleAnswers())

	early, err := f.s.GetCalibration(t.Context(), f.reviewer, cs.ID)
	if err != nil || !early.AnswersVisible {
		t.Errorf("after submitting, the reviewer sees %+v, %v", early, err)
	}
	late, err := f.s.GetCalibration(t.Context(), f.reviewer2, cs.ID)
	if err != nil || late.AnswersVisible || !calEntry(t, late, 3, callAnna).Hidden {
		t.Errorf("before submitting, reviewer2 sees %+v, %v", late, err)
	}
	if _, err := f.s.CompareCalibration(t.Context(), f.reviewer, cs.ID); err != nil {
		t.Errorf("the reviewer compares after submitting: %v", err)
	}
	_, err = f.s.CompareCalibration(t.Context(), f.reviewer2, cs.ID)
	if !errors.Is(err, ErrForbidden) {
		t.Errorf("reviewer2 compares before submitting: %v, want ErrForbidden", err)
	}
	// The evaluation reads follow the same rule: reviewer2 may open the
	// first reviewer's evaluation once they submitted their own.
	first := calEntry(t, early, f.reviewer.ID, callAnna).EvaluationID
	if _, err := f.s.GetEvaluation(t.Context(), f.reviewer2, first); !errors.Is(err, ErrForbidden) {
		t.Errorf("reviewer2 reads the first evaluation before submitting: %v, want ErrForbidden", err)
	}
	f.calScore(t, cs, f.reviewer2, callAnna, exampleAnswers())
	if ev, err := f.s.GetEvaluation(t.Context(), f.reviewer2, first); err != nil || ev.Score == nil {
		t.Errorf("reviewer2 reads the first evaluation after submitting: %+v, %v", ev, err)
	}
	if _, err := f.s.GetEvaluation(t.Context(), f.manager, first); !errors.Is(err, ErrForbidden) {
		t.Errorf("a manager outside the session reads it before the reveal: %v, want ErrForbidden", err)
	}
}

// calAnswers are the example answers with some replaced.
func calAnswers(changes map[string]Answer) map[string]Answer {
	return withAnswers(exampleAnswers(), changes)
}

// TestCalibrationConsensusComparison: without a benchmark the consensus
// is the reference. On Anna's call the three reviewers' majority is the
// example answers (62.5%); reviewer2 also answers name yes and resolved
// full (81.25%), ben greet no, empathy 2 and hold yes (54.1667%). On the
// other call only two submit, splitting empathy 4 against 2: a tie,
// settled at the lower 2, which scores 50%.
func TestCalibrationConsensusComparison(t *testing.T) {
	f := openEvalTest(t)
	cs := f.openCalibration(t, NewCalibration{CallIDs: []string{callAnna, callNobody},
		ReviewerIDs: []int64{f.reviewer.ID, f.reviewer2.ID, f.ben.ID}, Tolerance: 10})
	f.calScore(t, cs, f.reviewer, callAnna, exampleAnswers())
	f.calScore(t, cs, f.reviewer2, callAnna, calAnswers(map[string]Answer{
		"name": {Value: "yes"}, "resolved": {Value: "full"}}))
	f.calScore(t, cs, f.ben, callAnna, calAnswers(map[string]Answer{
		"greet": {Value: "no"}, "empathy": {Value: "2"}, "hold": {Value: "yes"}}))
	f.calScore(t, cs, f.reviewer, callNobody, exampleAnswers())
	f.calScore(t, cs, f.reviewer2, callNobody,
		calAnswers(map[string]Answer{"empathy": {Value: "2"}}))
	f.calReveal(t, cs)

	cmp, err := f.s.CompareCalibration(t.Context(), f.manager, cs.ID)
	if err != nil {
		t.Fatal(err)
	}
	nobody := cmp.Calls[1]
	if nobody.Source != ReferenceConsensus || nobody.Answers["empathy"].Value != "2" ||
		len(nobody.Tied) != 1 || nobody.Tied[0] != "empathy" || !calNear(nobody.Score, 50) {
		t.Errorf("reference of the tied call: %+v", nobody)
	}
	checkConsensusReviewers(t, cmp.Reviewers)
	// N/A answers leave units with fewer ratings than others.
	if a := cmp.Agreement.Answers; a.Kappa != nil || a.KappaOmitted != kappaUnequal {
		t.Errorf("session kappa: %+v, want it omitted for unequal ratings", a)
	}
	empathy := cmp.Questions[3]
	if empathy.QuestionID != "empathy" || empathy.Metric != metricInterval ||
		empathy.Calls[0].Counts["4"] != 2 || empathy.Calls[0].Counts["2"] != 1 ||
		!empathy.Calls[1].Tied {
		t.Errorf("empathy: %+v", empathy)
	}
}

// checkConsensusReviewers checks the reviewers' rows of
// TestCalibrationConsensusComparison, with its tolerance of 10 points.
func checkConsensusReviewers(t *testing.T, got []ReviewerComparison) {
	t.Helper()
	want := []struct {
		id                 int64
		deviations         []float64
		within, matched    int
		meanDev, matchedSh float64
	}{
		{id: 3, deviations: []float64{0, 12.5}, within: 1, matched: 11, meanDev: 6.25,
			matchedSh: 11.0 / 12},
		{id: 4, deviations: []float64{18.75, 0}, within: 1, matched: 10, meanDev: 9.375,
			matchedSh: 10.0 / 12},
		{id: 6, deviations: []float64{-25.0 / 3}, within: 1, matched: 3, meanDev: -25.0 / 3,
			matchedSh: 3.0 / 6},
	}
	for i, w := range want {
		r := got[i]
		if r.ReviewerID != w.id || len(r.Calls) != len(w.deviations) || r.Within != w.within ||
			r.QuestionsMatched != w.matched || !calNear(r.MeanDeviation, w.meanDev) ||
			!calNear(r.MatchedShare, w.matchedSh) {
			t.Errorf("reviewer %d: %+v, want %+v", w.id, r, w)
			continue
		}
		for j, d := range w.deviations {
			if !calNear(r.Calls[j].Deviation, d) {
				t.Errorf("reviewer %d, call %d: deviation %v, want %v", w.id, j,
					*r.Calls[j].Deviation, d)
			}
		}
	}
}

// calNear reports whether *got is want, to 1e-9.
func calNear(got *float64, want float64) bool {
	return got != nil && math.Abs(*got-want) < 1e-9
}

// TestCalibrationEvaluationsSealedBeforeReveal: before the reveal a
// manager cannot read a participant's calibration evaluation through the
// evaluation reads either; after it they can.
func TestCalibrationEvaluationsSealedBeforeReveal(t *testing.T) {
	f := openEvalTest(t)
	cs := f.openCalibration(t, NewCalibration{CallIDs: []string{callAnna},
		ReviewerIDs: []int64{f.reviewer.ID, f.reviewer2.ID}})
	f.calScore(t, cs, f.reviewer, callAnna, exampleAnswers())
	id := calEntry(t, cs, f.reviewer.ID, callAnna).EvaluationID
	if _, err := f.s.GetEvaluation(t.Context(), f.manager, id); !errors.Is(err, ErrForbidden) {
		t.Errorf("manager reading a sealed calibration evaluation: %v, want ErrForbidden", err)
	}
	listed, err := f.s.ListEvaluations(t.Context(), f.manager, EvaluationFilter{CallID: callAnna})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range listed {
		if ev.ID == id {
			t.Errorf("manager's list shows sealed calibration evaluation %d", id)
		}
	}
	if _, err := f.s.GetEvaluation(t.Context(), f.reviewer, id); err != nil {
		t.Errorf("its own reviewer reading it: %v", err)
	}
	if _, err := f.s.GetEvaluation(t.Context(), f.reviewer2, id); !errors.Is(err, ErrForbidden) {
		t.Errorf("the other participant reading it before the reveal: %v, want ErrForbidden", err)
	}
	f.calReveal(t, cs)
	if _, err := f.s.GetEvaluation(t.Context(), f.manager, id); err != nil {
		t.Errorf("manager reading it after the reveal: %v", err)
	}
	// Revealed, the other participant may open it too.
	if _, err := f.s.GetEvaluation(t.Context(), f.reviewer2, id); err != nil {
		t.Errorf("the other participant reading it after the reveal: %v", err)
	}
}
