package qa

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"
)

// biasFixture is the evaluation fixture with six calls, three of Anna's
// and three of Ben's, each scored by the reviewer, reviewer2 and the lead
// (sampling's double-scored share): the call's quality plus the
// reviewer's bias (+6, -2, -4) plus a point of noise either way.
type biasFixture struct {
	*evalFixture
	calls  []string
	scores map[int64][]float64 // the clean scores, by reviewer
}

var biasQuality = []float64{50, 60, 70, 80, 90, 70}

// biasNoise[call][reviewer], the reviewers in the order of biasTruth.
var biasNoise = [][]float64{{1, -1, 0}, {0, 1, -1}, {-1, 0, 1}, {1, 0, -1}, {0, -1, 1}, {-1, 1, 0}}

var biasTruth = []float64{6, -2, -4}

func openBiasTest(t *testing.T) *biasFixture {
	t.Helper()
	f := &biasFixture{evalFixture: openEvalTest(t), scores: map[int64][]float64{}}
	// Half the calls are scored on version 2, which weighs "greet" more:
	// versions of a form pool by percent.
	def := exampleForm()
	def.Sections[0].Questions[0].Weight = 3
	v2, err := f.s.UpdateForm(t.Context(), f.manager, f.form.ID, def)
	if err != nil || v2.Version != 2 {
		t.Fatalf("version 2: %+v, %v", v2, err)
	}
	reviewers := []*User{f.reviewer, f.reviewer2, f.lead}
	for i, q := range biasQuality {
		call := "01JBIASCALL" + string(rune('A'+i)) + "000000000000000"
		f.calls = append(f.calls, call)
		at := evalStart.Add(-time.Duration(i+10) * time.Hour).UnixMilli()
		f.exec(t, `INSERT INTO calls (id, started_at, ended_at, duration_ms, wav_key, sidecar_key,
			sidecar_version) VALUES (?, ?, ?, 60000, 'w', 's', 1)`, call, at, at+60000)
		f.exec(t, `INSERT INTO call_agents (call_id, agent_id, direction) VALUES (?, ?, 'inbound')`,
			call, 1+i/3)
		version := f.form.Latest.ID
		if i >= 3 {
			version = v2.ID
		}
		for j, r := range reviewers {
			score := q + biasTruth[j] + biasNoise[i][j]
			f.scored(t, call, r.ID, version, score, false, f.clock)
			f.scores[r.ID] = append(f.scores[r.ID], score)
		}
	}
	return f
}

// scored inserts a submitted evaluation and returns its id.
func (f *biasFixture) scored(t *testing.T, call string, reviewer, version int64, score float64,
	calibration bool, at time.Time,
) int64 {
	t.Helper()
	res, err := f.s.db.ExecContext(t.Context(), `INSERT INTO evaluations (call_id,
		form_version_id, reviewer_id, agent_id, status, score, calibration, sampled, created_at,
		submitted_at, updated_at)
		VALUES (?, ?, ?, (SELECT agent_id FROM call_agents WHERE call_id = ?), 'submitted', ?, ?,
		?, ?, ?, ?)`,
		call, version, reviewer, call, score, calibration, !calibration, at.UnixMilli(),
		at.UnixMilli(), at.UnixMilli())
	if err != nil {
		t.Fatal(err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// wantBias is each reviewer's bias in a complete design (every reviewer
// scored every call): their mean less the mean of all scores.
func (f *biasFixture) wantBias() map[int64]float64 {
	var all []float64
	for _, s := range f.scores {
		all = append(all, s...)
	}
	out := map[int64]float64{}
	for id, s := range f.scores {
		out[id] = mean(s) - mean(all)
	}
	return out
}

// addDistractors adds scores the estimate must not use: a call scored on
// another form, an earlier score superseded by a later one, and a
// calibration evaluation submitted after its session's reveal.
func (f *biasFixture) addDistractors(t *testing.T) {
	t.Helper()
	other := exampleForm()
	other.Name = "Outbound sales"
	form, err := f.s.CreateForm(t.Context(), f.manager, other)
	if err != nil {
		t.Fatal(err)
	}
	f.scored(t, f.calls[0], f.reviewer.ID, form.Latest.ID, 0, false, f.clock.Add(time.Hour))
	f.scored(t, f.calls[1], f.reviewer2.ID, f.form.Latest.ID, 0, true, f.clock.Add(-time.Hour))

	revealed := f.clock.Add(time.Hour)
	f.exec(t, `INSERT INTO calibration_sessions (id, title, form_version_id, tolerance, created_at,
		revealed_at) VALUES (1, 'late', ?, 5, 0, ?)`, f.form.Latest.ID, revealed.UnixMilli())
	late := f.scored(t, f.calls[2], f.lead.ID, f.form.Latest.ID, 0, true, revealed.Add(time.Minute))
	f.exec(t, `INSERT INTO calibration_evaluations (session_id, call_id, user_id, evaluation_id)
		VALUES (1, ?, ?, ?)`, f.calls[2], f.lead.ID, late)
	// A session still blind: its scores must not show through the bias
	// report before the reveal.
	f.exec(t, `INSERT INTO calibration_sessions (id, title, form_version_id, tolerance, created_at)
		VALUES (2, 'blind', ?, 5, 0)`, f.form.Latest.ID)
	blind := f.scored(t, f.calls[3], f.lead.ID, f.form.Latest.ID, 0, true, f.clock)
	f.exec(t, `INSERT INTO calibration_evaluations (session_id, call_id, user_id, evaluation_id)
		VALUES (2, ?, ?, ?)`, f.calls[3], f.lead.ID, blind)
}

func TestBiasReportRecoversBias(t *testing.T) {
	f := openBiasTest(t)
	f.addDistractors(t)
	r, err := f.s.ReviewerBias(t.Context(), f.manager, ReportFilter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.SharedCalls != 6 || r.Scores != 18 || len(r.Reviewers) != 3 || r.Warning != "" ||
		r.Tolerance != DefaultBiasTolerance || len(r.Unlinked) != 0 {
		t.Fatalf("report %+v, want 3 reviewers on 6 shared calls", r)
	}
	want := f.wantBias()
	for i, b := range r.Reviewers {
		w := want[b.ReviewerID]
		if math.Abs(b.Bias-w) > 1e-9 || b.Low > biasTruth[i] || b.High < biasTruth[i] ||
			b.SharedCalls != 6 || b.Flagged != (math.Abs(w) > 5) || b.Username == "" ||
			!b.Significant {
			// A point of noise either way: every bias, the -2 one too, is
			// told from 0.
			t.Errorf("reviewer %+v, want bias %.4f with %v in its interval, told from 0", b, w,
				biasTruth[i])
		}
	}
	_, err = f.s.ReviewerBias(t.Context(), f.reviewer, ReportFilter{}, 0)
	checkEvalErr(t, err, ErrForbidden, "")
}

func TestBiasAgentsAdjusted(t *testing.T) {
	f := openBiasTest(t)
	f.addDistractors(t)
	r, err := f.s.AgentsAdjusted(t.Context(), f.manager, ReportFilter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := f.s.AgentScores(t.Context(), f.manager, ReportFilter{})
	if err != nil {
		t.Fatal(err)
	}
	bias := f.wantBias()
	for i, a := range r.Agents {
		// Anna's other-form score of 0 by the reviewer counts, as it does
		// in the agents report; the calibration ones do not.
		scores := map[int64][]float64{}
		for id, all := range f.scores {
			scores[id] = slices.Clone(all[3*i : 3*i+3])
		}
		if a.AgentID == 1 {
			scores[f.reviewer.ID] = append(scores[f.reviewer.ID], 0)
		}
		var adjusted []float64
		for id, s := range scores {
			for _, x := range s {
				adjusted = append(adjusted, x-bias[id])
			}
		}
		if a.Raw.N != raw[i].Score.N || math.Abs(a.Raw.Mean-raw[i].Score.Mean) > 1e-9 ||
			a.Adjusted.N != len(adjusted) || math.Abs(a.Adjusted.Mean-mean(adjusted)) > 1e-9 ||
			a.Adjusted.Low == nil || *a.Adjusted.High-*a.Adjusted.Low <= 0 {
			t.Errorf("agent %+v, want raw %+v and adjusted mean %.4f of %d",
				a, raw[i].Score, mean(adjusted), len(adjusted))
		}
	}
	if len(r.Agents) != 2 || r.Agents[0].Agent != "Anna" || r.Agents[0].Raw.N != 10 {
		t.Errorf("agents %+v, want Anna with 10 scores, then Ben", r.Agents)
	}
}

func TestBiasReportTooFewShared(t *testing.T) {
	f := openEvalTest(t)
	f.submitted(t, f.reviewer, callAnna)
	r, err := f.s.AgentsAdjusted(t.Context(), f.manager, ReportFilter{}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if r.Bias.Warning != warnTooFewShared || len(r.Bias.Reviewers) != 0 || r.Bias.Tolerance != 3 {
		t.Errorf("bias %+v, want the too-few warning", r.Bias)
	}
	if len(r.Agents) != 1 || r.Agents[0].Raw.Mean != 62.5 || r.Agents[0].Adjusted.Mean != 62.5 {
		t.Errorf("agents %+v, want adjusted = raw = 62.5", r.Agents)
	}
	_, err = f.s.AgentsAdjusted(t.Context(), f.reviewer, ReportFilter{}, 0)
	if !errors.Is(err, ErrForbidden) {
		t.Errorf("reviewer: %v, want ErrForbidden", err)
	}
}
