package qa

import (
	"math"
	"testing"
	"time"
)

func TestAdjustedTrendTakesBiasOutOfEachWeek(t *testing.T) {
	f := openBiasTest(t)
	// Two of Anna's calls a week later, scored by the lenient reviewer
	// alone: they do not move the estimate, which needs shared calls.
	later := f.clock.Add(7 * 24 * time.Hour)
	for i, score := range []float64{80, 70} {
		call := "01JBIASLATER" + string(rune('A'+i)) + "00000000000000"
		at := later.UnixMilli()
		f.exec(t, `INSERT INTO calls (id, started_at, ended_at, duration_ms, wav_key, sidecar_key,
			sidecar_version) VALUES (?, ?, ?, 60000, 'w', 's', 1)`, call, at, at+60000)
		f.exec(t, `INSERT INTO call_agents (call_id, agent_id, direction) VALUES (?, 1, 'inbound')`,
			call)
		f.scored(t, call, f.reviewer.ID, f.form.Latest.ID, score, false, later)
	}
	r, err := f.s.AdjustedTrend(t.Context(), f.manager, ReportFilter{AgentID: 1}, 0)
	if err != nil {
		t.Fatal(err)
	}
	bias := f.wantBias()
	// Anna's calls in the first week: every reviewer's scores, as given
	// and less the reviewer's bias.
	var raw, adjusted []float64
	for id, all := range f.scores {
		for _, x := range all[:3] {
			raw, adjusted = append(raw, x), append(adjusted, x-bias[id])
		}
	}
	want := []struct {
		week          string
		n             int
		raw, adjusted float64
	}{
		{isoWeek(f.clock), 9, mean(raw), mean(adjusted)},
		{isoWeek(later), 2, 75, 75 - bias[f.reviewer.ID]},
	}
	if len(r.Weeks) != len(want) || r.Bias.Warning != "" {
		t.Fatalf("weeks %+v (bias warning %q), want %d weeks", r.Weeks, r.Bias.Warning, len(want))
	}
	for i, w := range want {
		got := r.Weeks[i]
		if got.Week != w.week || got.AgentID != 1 || got.Raw.N != w.n || got.Adjusted.N != w.n ||
			math.Abs(got.Raw.Mean-w.raw) > 1e-9 || math.Abs(got.Adjusted.Mean-w.adjusted) > 1e-9 ||
			got.Adjusted.Low == nil {
			t.Errorf("week %d: %+v, want %s with %d scores, raw %.4f adjusted to %.4f", i, got,
				w.week, w.n, w.raw, w.adjusted)
		}
	}
	_, err = f.s.AdjustedTrend(t.Context(), f.reviewer, ReportFilter{AgentID: 1}, 0)
	checkEvalErr(t, err, ErrForbidden, "")
}

func TestAdjustedTrendWithoutEstimateIsRaw(t *testing.T) {
	f := openEvalTest(t)
	f.submitted(t, f.reviewer, callAnna)
	r, err := f.s.AdjustedTrend(t.Context(), f.manager, ReportFilter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Bias.Warning != warnTooFewShared || len(r.Weeks) != 1 ||
		r.Weeks[0].Raw.Mean != 62.5 || r.Weeks[0].Adjusted.Mean != 62.5 {
		t.Errorf("report %+v, want one week adjusted = raw = 62.5 with the too-few warning", r)
	}
}
