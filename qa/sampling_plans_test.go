package qa

import (
	"errors"
	"testing"
	"time"
)

// TestSamplingPlanValidation: each broken field of a plan is an *InputError that
// names it.
func TestSamplingPlanValidation(t *testing.T) {
	w := newDrawWorld(t)
	agentOnly := addSampUser(t, w.s, 5, "agent", 0)
	nope := int64(999)
	tooMuch := 1.5
	tests := []struct {
		name   string
		change func(in *PlanInput)
		field  string
	}{
		{name: "period", change: func(in *PlanInput) { in.Period = "year" }, field: "period"},
		{name: "quota", change: func(in *PlanInput) { in.Quota = 0 }, field: "quota"},
		{name: "time zone", change: func(in *PlanInput) { in.TimeZone = "Mars/Base" }, field: "time_zone"},
		{name: "spread", change: func(in *PlanInput) { in.Spread = "hours" }, field: "spread"},
		{name: "share", change: func(in *PlanInput) { in.SecondReviewShare = &tooMuch },
			field: "second_review_share"},
		{name: "no reviewers", change: func(in *PlanInput) { in.Reviewers = nil }, field: "reviewers"},
		{name: "reviewer twice", change: func(in *PlanInput) {
			in.Reviewers = []PoolReviewer{{UserID: w.rae.ID}, {UserID: w.rae.ID}}
		}, field: "reviewers"},
		{name: "unknown reviewer", change: func(in *PlanInput) {
			in.Reviewers = []PoolReviewer{{UserID: nope}}
		}, field: "reviewers"},
		{name: "reviewer who only takes calls", change: func(in *PlanInput) {
			in.Reviewers = []PoolReviewer{{UserID: agentOnly.ID}}
		}, field: "reviewers"},
		{name: "unknown team", change: func(in *PlanInput) { in.Filters.TeamIDs = []int64{nope} },
			field: "filters.team_ids"},
		{name: "unknown agent", change: func(in *PlanInput) { in.Filters.AgentIDs = []int64{nope} },
			field: "filters.agent_ids"},
		{name: "unknown form", change: func(in *PlanInput) { in.FormVersionID = &nope }, field: "form_version_id"},
		{name: "direction", change: func(in *PlanInput) { in.Filters.Direction = "sideways" },
			field: "filters.direction"},
		{name: "durations", change: func(in *PlanInput) {
			in.Filters.MinDurationMS, in.Filters.MaxDurationMS = 10, 5
		}, field: "filters.max_duration_ms"},
		{name: "talk metric", change: func(in *PlanInput) {
			in.Filters.Talk = []TalkFilter{{Metric: "c.id; DROP TABLE calls", Op: ">=", Value: 1}}
		}, field: "filters.talk"},
		{name: "talk op", change: func(in *PlanInput) {
			in.Filters.Talk = []TalkFilter{{Metric: "silence_ms", Op: "!=", Value: 1}}
		}, field: "filters.talk"},
		{name: "name", change: func(in *PlanInput) { in.Name = " " }, field: "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := PlanInput{Name: "p", PlanDefinition: PlanDefinition{Period: PeriodWeek, Quota: 3,
				Reviewers: []PoolReviewer{{UserID: w.rae.ID}}}}
			tt.change(&in)
			_, err := w.s.CreatePlan(t.Context(), w.manager, in)
			var ie *InputError
			if !errors.As(err, &ie) || ie.Field != tt.field {
				t.Errorf("CreatePlan: %v, want an *InputError on %s", err, tt.field)
			}
		})
	}
}

func TestSamplingPlanCRUD(t *testing.T) {
	w := newDrawWorld(t)
	ctx := t.Context()
	p := w.plan(t, nil)
	if p.TimeZone != "UTC" || p.Spread != SpreadDays || !p.Active || *p.CreatedBy != w.manager.ID {
		t.Errorf("stored plan %+v: want defaults filled in", p)
	}
	_, err := w.s.CreatePlan(ctx, w.manager, PlanInput{Name: p.Name, PlanDefinition: p.PlanDefinition})
	if !errors.Is(err, ErrConflict) {
		t.Errorf("a second plan named %q: %v, want ErrConflict", p.Name, err)
	}
	_, err = w.s.CreatePlan(ctx, w.rae, PlanInput{Name: "x", PlanDefinition: p.PlanDefinition})
	if !errors.Is(err, ErrForbidden) {
		t.Errorf("a reviewer creating a plan: %v, want ErrForbidden", err)
	}
	off := false
	def := p.PlanDefinition
	def.Quota = 8
	in := PlanInput{Name: "renamed", Active: &off, PlanDefinition: def}
	up, err := w.s.UpdatePlan(ctx, w.manager, p.ID, in)
	if err != nil || up.Name != "renamed" || up.Quota != 8 || up.Active {
		t.Errorf("UpdatePlan = %+v, %v", up, err)
	}
	_, err = w.s.UpdatePlan(ctx, w.manager, 999, PlanInput{Name: "x", PlanDefinition: def})
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("updating an unknown plan: %v, want ErrNotFound", err)
	}
	list, err := w.s.ListPlans(ctx, w.manager)
	if err != nil || len(list) != 1 || list[0].Quota != 8 {
		t.Errorf("ListPlans = %+v, %v", list, err)
	}
}

// filterWorld is one agent, Eve, with calls that differ in one way each
// from the first: seven calls, six of them in the week of sampMonday.
type filterWorld struct {
	s            *Service
	manager, rev *User
	eve          *Agent
}

func newFilterWorld(t *testing.T) *filterWorld {
	t.Helper()
	s := openTest(t)
	w := &filterWorld{s: s, manager: newManager(t, s), rev: addSampUser(t, s, 2, "reviewer", 0)}
	w.eve = newSampAgent(t, s, "Eve", nil, "1005")
	at := func(day int) time.Time { return sampMonday.AddDate(0, 0, day).Add(10 * time.Hour) }
	const me, them = "sip:1005@pbx.example", "sip:+331@carrier.example"
	calls := []sampCall{
		{n: 1, start: at(0), durationMS: 60_000, callee: me, caller: them, longestSilenceMS: 12_000},
		{n: 2, start: at(1), durationMS: 30_000, callee: them, caller: me, longestSilenceMS: 3_000},
		{n: 3, start: at(2), durationMS: 5_000, callee: me, caller: them},
		{n: 4, start: at(3), durationMS: 600_000, callee: me, caller: them},
		{n: 5, start: at(4), durationMS: 40_000, callee: me, caller: them, noAudio: true},
		{n: 6, start: at(7), durationMS: 60_000, callee: me, caller: them},
		{n: 7, start: at(5), durationMS: 60_000, callee: me, caller: them, longestSilenceMS: 2_000},
	}
	var evaluated string
	for _, c := range calls {
		evaluated = indexCall(t, s, c)
	}
	fv := addFormVersion(t, s)
	sampExec(t, s, `INSERT INTO evaluations (call_id, form_version_id, reviewer_id, agent_id, status,
		created_at) VALUES (?, ?, ?, ?, 'submitted', 0)`, evaluated, fv, w.rev.ID, w.eve.ID)
	return w
}

// TestDrawFilters: each filter of a plan narrows the calls eligible.
func TestDrawFilters(t *testing.T) {
	tue := sampMonday.AddDate(0, 0, 1)
	thu := sampMonday.AddDate(0, 0, 3)
	tests := []struct {
		name    string
		filters PlanFilters
		want    int
	}{
		{name: "none", want: 6},
		{name: "inbound", filters: PlanFilters{Direction: DirectionInbound}, want: 5},
		{name: "outbound", filters: PlanFilters{Direction: DirectionOutbound}, want: 1},
		{name: "at least 10 s", filters: PlanFilters{MinDurationMS: 10_000}, want: 5},
		{name: "at most 100 s", filters: PlanFilters{MaxDurationMS: 100_000}, want: 5},
		{name: "recording present", filters: PlanFilters{RecordingPresent: true}, want: 5},
		{name: "not evaluated", filters: PlanFilters{NotEvaluated: true}, want: 5},
		{name: "long silence", filters: PlanFilters{Talk: []TalkFilter{
			{Metric: "longest_silence_ms", Op: ">=", Value: 10_000}}}, want: 1},
		{name: "window", filters: PlanFilters{From: &tue, To: &thu}, want: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newFilterWorld(t)
			p, err := w.s.CreatePlan(t.Context(), w.manager, PlanInput{Name: tt.name,
				PlanDefinition: PlanDefinition{Filters: tt.filters, Period: PeriodWeek, Quota: 1,
					Reviewers: []PoolReviewer{{UserID: w.rev.ID}}}})
			if err != nil {
				t.Fatal(err)
			}
			seed := int64(1)
			d, err := w.s.Draw(t.Context(), w.manager, DrawRequest{PlanID: p.ID, Period: "2026-03-02", Seed: &seed})
			if err != nil {
				t.Fatal(err)
			}
			if got := reportOf(t, d, w.eve.ID).Eligible; got != tt.want {
				t.Errorf("%d calls eligible, want %d", got, tt.want)
			}
		})
	}
}
