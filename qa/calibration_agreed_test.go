package qa

import (
	"errors"
	"testing"
	"time"
)

func TestCalibrationAgreed(t *testing.T) {
	f := openEvalTest(t)
	cs := f.openCalibration(t, NewCalibration{CallIDs: []string{callAnna},
		ReviewerIDs: []int64{f.reviewer.ID, f.reviewer2.ID}})
	agreed := AgreedInput{Calls: []AgreedCall{{CallID: callAnna, Answers: exampleAnswers(),
		Notes: "partial: the refund was promised, not made"}}}
	_, err := f.s.RecordAgreed(t.Context(), f.manager, cs.ID, agreed)
	if !errors.Is(err, ErrConflict) {
		t.Errorf("before the reveal: %v, want ErrConflict", err)
	}
	f.calReveal(t, cs)

	incomplete := calAnswers(nil)
	delete(incomplete, "greet")
	notes := "greeting rule clarified"
	tests := []struct {
		name      string
		caller    *User
		in        AgreedInput
		wantErr   error
		wantField string
	}{
		{name: "reviewer", caller: f.reviewer, in: agreed, wantErr: ErrForbidden},
		{name: "nothing", caller: f.manager, in: AgreedInput{}, wantField: "calls"},
		{name: "call not in the session", caller: f.manager,
			in: AgreedInput{Calls: []AgreedCall{
				{CallID: callBen, Answers: exampleAnswers()}}},
			wantField: "calls[0].call_id"},
		{name: "incomplete answers", caller: f.manager,
			in:        AgreedInput{Calls: []AgreedCall{{CallID: callAnna, Answers: incomplete}}},
			wantField: "calls[0].answers.greet"},
		{name: "agreed", caller: f.manager,
			in: AgreedInput{Calls: agreed.Calls, Notes: &notes}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.s.RecordAgreed(t.Context(), tt.caller, cs.ID, tt.in)
			if tt.wantErr != nil || tt.wantField != "" {
				checkEvalErr(t, err, tt.wantErr, tt.wantField)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c := got.Calls[0]
			if !calNear(c.AgreedScore, 62.5) || c.Notes != agreed.Calls[0].Notes ||
				got.Notes != notes || c.AgreedAnswers["resolved"].Value != "partial" {
				t.Errorf("recorded %+v, call %+v", got, c)
			}
		})
	}
}

func TestCalibrationGuidance(t *testing.T) {
	f := openEvalTest(t)
	cs := f.openCalibration(t, NewCalibration{CallIDs: []string{callAnna},
		ReviewerIDs: []int64{f.reviewer.ID, f.reviewer2.ID}})
	in := GuidanceInput{QuestionID: "resolved", Guidance: "Full only when nothing is left to do"}
	_, err := f.s.UpdateCalibrationGuidance(t.Context(), f.manager, cs.ID, in)
	checkEvalErr(t, err, ErrConflict, "")
	f.calReveal(t, cs)
	_, err = f.s.UpdateCalibrationGuidance(t.Context(), f.reviewer, cs.ID, in)
	checkEvalErr(t, err, ErrForbidden, "")
	_, err = f.s.UpdateCalibrationGuidance(t.Context(), f.manager, cs.ID,
		GuidanceInput{QuestionID: "nope", Guidance: "x"})
	checkEvalErr(t, err, nil, "question_id")

	up, err := f.s.UpdateCalibrationGuidance(t.Context(), f.manager, cs.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.s.UpdateCalibrationGuidance(t.Context(), f.manager, cs.ID, in)
	checkEvalErr(t, err, nil, "guidance")

	versions, err := f.s.ListFormVersions(t.Context(), f.form.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) != 2 || up.Version != 2 || up.FormVersionID != versions[1].ID {
		t.Fatalf("versions %+v after update %+v, want a version 2", versions, up)
	}
	if g := versions[0].Definition.question("resolved").Guidance; g != "" {
		t.Errorf("version 1 guidance changed to %q", g)
	}
	if g := versions[1].Definition.question("resolved").Guidance; g != in.Guidance {
		t.Errorf("version 2 guidance %q", g)
	}
	before, after := scoringShape(versions[0].Definition), scoringShape(versions[1].Definition)
	if string(before) != string(after) {
		t.Error("the new version scores differently")
	}
	view, err := f.s.GetCalibration(t.Context(), f.manager, cs.ID)
	if err != nil || len(view.Guidance) != 1 || view.Guidance[0].After != in.Guidance ||
		view.FormVersionID != f.form.Latest.ID {
		t.Errorf("session after the update: %+v, %v", view, err)
	}
}

// TestCalibrationDeviationOverTime: the reviewer is 12.5 points lenient in
// the first session revealed and exact in the second, which was opened
// first; the benchmark's own sessions are not listed for them.
func TestCalibrationDeviationOverTime(t *testing.T) {
	f := openEvalTest(t)
	open := func() *CalibrationSession {
		return f.openCalibration(t, NewCalibration{CallIDs: []string{callNobody},
			ReviewerIDs: []int64{f.reviewer.ID}, BenchmarkID: &f.reviewer2.ID})
	}
	second, first := open(), open()
	lenient := calAnswers(map[string]Answer{"empathy": {Value: "2"}}) // 50%
	f.calScore(t, first, f.reviewer2, callNobody, lenient)
	f.calScore(t, first, f.reviewer, callNobody, exampleAnswers())
	f.calReveal(t, first)
	f.clock = f.clock.Add(24 * time.Hour)
	f.calScore(t, second, f.reviewer2, callNobody, exampleAnswers())
	f.calScore(t, second, f.reviewer, callNobody, exampleAnswers())
	f.calReveal(t, second)

	d, err := f.s.ReviewerDeviation(t.Context(), f.reviewer, f.reviewer.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Sessions) != 2 || d.Sessions[0].SessionID != first.ID ||
		!calNear(d.Sessions[0].MeanDeviation, 12.5) || d.Sessions[0].Outside != 1 ||
		!calNear(d.Sessions[1].MeanDeviation, 0) || d.Sessions[1].Within != 1 ||
		d.Sessions[1].Reference != ReferenceBenchmark {
		t.Errorf("deviation over time: %+v", d)
	}
	bench, err := f.s.ReviewerDeviation(t.Context(), f.manager, f.reviewer2.ID)
	if err != nil || len(bench.Sessions) != 0 {
		t.Errorf("the benchmark's deviation: %+v, %v; want no session", bench, err)
	}
	_, err = f.s.ReviewerDeviation(t.Context(), f.reviewer2, f.reviewer.ID)
	checkEvalErr(t, err, ErrForbidden, "")
	_, err = f.s.ReviewerDeviation(t.Context(), f.manager, 99)
	checkEvalErr(t, err, ErrNotFound, "")
}
