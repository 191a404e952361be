package qa

import (
	"testing"
	"time"
)

// seedReports fills a catalog with two teams, three agents and their
// evaluations; one calibration evaluation and one draft must not count.
func seedReports(t *testing.T, s *Service) {
	t.Helper()
	day := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC) // Monday of 2026-W45
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := s.db.ExecContext(t.Context(), q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO teams (id, name) VALUES (1, 'Billing'), (2, 'Support')`)
	exec(`INSERT INTO agents (id, name, team_id) VALUES (1, 'Ana', 1), (2, 'Ben', 1), (3, 'Cy', 2)`)
	exec(`INSERT INTO users (id, username, password_hash, roles, created_at) VALUES (1, 'rev', 'x', 'reviewer', 0)`)
	exec(`INSERT INTO forms (id, name, created_at) VALUES (1, 'f', 0)`)
	exec(`INSERT INTO form_versions (id, form_id, version, definition, created_at, updated_at)
		VALUES (1, 1, 1, '{}', 0, 0)`)
	evals := []struct {
		agent       int
		score       float64
		week        int
		calibration int
		status      string
	}{
		{1, 70, 0, 0, "submitted"}, {1, 80, 0, 0, "submitted"}, {1, 90, 1, 0, "submitted"}, {1, 80, 1, 0, "submitted"},
		{2, 60, 0, 0, "submitted"}, {2, 40, 1, 1, "submitted"}, {2, 10, 1, 0, "draft"},
		{3, 95, 1, 0, "submitted"},
	}
	for i, e := range evals {
		callID := NewTestCallID(day, i)
		at := day.Add(time.Duration(e.week) * 7 * 24 * time.Hour).Add(time.Duration(i) * time.Minute)
		exec(`INSERT INTO calls (id, started_at, ended_at, duration_ms, wav_key, sidecar_key, sidecar_version,
			talk_ms_left, talk_ms_right, overtalk_ms, silence_ms, longest_silence_ms)
			VALUES (?, ?, ?, 60000, 'w', 's', 1, 20000, 30000, 5000, 15000, 4000)`, callID, at.UnixMilli(), at.UnixMilli()+60000)
		exec(`INSERT INTO call_agents (call_id, agent_id, direction) VALUES (?, ?, 'inbound')`, callID, e.agent)
		exec(`INSERT INTO evaluations (call_id, form_version_id, reviewer_id, agent_id, status, score, calibration,
			created_at, submitted_at) VALUES (?, 1, 1, ?, ?, ?, ?, ?, ?)`,
			callID, e.agent, e.status, e.score, e.calibration, at.UnixMilli(), at.UnixMilli())
	}
}

// NewTestCallID makes a recording id for test calls.
func NewTestCallID(day time.Time, i int) string {
	return day.Add(time.Duration(i)*time.Second).UTC().Format("20060102T150405") + "-test"
}

func TestAgentScoresCountOnlySubmittedNonCalibration(t *testing.T) {
	s := openTest(t)
	seedReports(t, s)
	manager := &User{Username: "m", Roles: []Role{RoleManager}}
	rows, err := s.AgentScores(t.Context(), manager, ReportFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		n    int
		mean float64
	}{"Ana": {4, 80}, "Ben": {1, 60}, "Cy": {1, 95}}
	if len(rows) != len(want) {
		t.Fatalf("rows %+v, want %d agents", rows, len(want))
	}
	for _, r := range rows {
		w := want[r.Agent]
		if r.Score.N != w.n || !near(r.Score.Mean, w.mean) {
			t.Errorf("%s: n %d mean %.2f, want n %d mean %.2f", r.Agent, r.Score.N, r.Score.Mean, w.n, w.mean)
		}
	}
	if ana := rows[0]; !near(val(ana.Score.Low), 67.01) || ana.Score.MoreNeeded != 9 {
		t.Errorf("Ana's interval %+v, want [67.01, 92.99] and 9 more evaluations", ana.Score)
	}
}

func TestReportsScopeAgentsToThemselves(t *testing.T) {
	s := openTest(t)
	seedReports(t, s)
	ben := int64(2)
	agent := &User{Username: "ben", Roles: []Role{RoleAgent}, AgentID: &ben}
	rows, err := s.AgentScores(t.Context(), agent, ReportFilter{AgentID: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Agent != "Ben" {
		t.Errorf("an agent asking for another's scores got %+v, want only their own", rows)
	}
	if _, err := s.TeamScores(t.Context(), agent, ReportFilter{}); err == nil {
		t.Errorf("an agent read the team report")
	}
}

func TestTeamScoresAndWeeklyTrend(t *testing.T) {
	s := openTest(t)
	seedReports(t, s)
	manager := &User{Username: "m", Roles: []Role{RoleManager}}
	teams, err := s.TeamScores(t.Context(), manager, ReportFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(teams) != 2 || teams[0].Team != "Billing" || teams[0].Score.N != 5 || teams[0].Agents != 2 {
		t.Errorf("teams %+v, want Billing with 5 evaluations of 2 agents first", teams)
	}
	trend, err := s.WeeklyTrend(t.Context(), manager, ReportFilter{AgentID: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(trend) != 2 || trend[0].Week != "2026-W45" || !near(trend[0].Score.Mean, 75) || !near(trend[1].Score.Mean, 85) {
		t.Errorf("trend %+v, want W45 at 75 and W46 at 85", trend)
	}
}

func TestCallKPIsPutInboundAgentsOnTheRight(t *testing.T) {
	s := openTest(t)
	seedReports(t, s)
	manager := &User{Username: "m", Roles: []Role{RoleManager}}
	rows, err := s.CallKPIs(t.Context(), manager, ReportFilter{AgentID: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Calls != 1 || rows[0].AgentTalkMS != 30000 || rows[0].CustomerTalkMS != 20000 ||
		rows[0].HandleMS != 60000 {
		t.Errorf("KPIs %+v, want one inbound call with the agent's talk from the right channel", rows)
	}
}

func TestQuestionFailuresRankWhereAgentsLosePoints(t *testing.T) {
	s := openTest(t)
	seedReports(t, s)
	results := []string{
		`{"sections":[{"id":"s","questions":[{"id":"greet","fraction":1},{"id":"verify","fraction":0,"failed":true}]}]}`,
		`{"sections":[{"id":"s","questions":[{"id":"greet","fraction":0,"failed":true},` +
			`{"id":"verify","fraction":0,"failed":true}]}]}`,
		`{"sections":[{"id":"s","questions":[{"id":"greet","na":true},{"id":"verify","fraction":0.5}]}]}`,
	}
	for i, r := range results {
		if _, err := s.db.ExecContext(t.Context(), `UPDATE evaluations SET result = ? WHERE id = ?`, r, i+1); err != nil {
			t.Fatal(err)
		}
	}
	manager := &User{Username: "m", Roles: []Role{RoleManager}}
	stats, err := s.QuestionFailures(t.Context(), manager, ReportFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := []QuestionStat{
		{FormID: 1, QuestionID: "verify", Answered: 3, Failed: 2, FailureRate: 2.0 / 3, MeanFraction: 0.5 / 3},
		{FormID: 1, QuestionID: "greet", Answered: 2, NA: 1, Failed: 1, FailureRate: 0.5, MeanFraction: 0.5},
	}
	if len(stats) != len(want) {
		t.Fatalf("stats %+v, want %+v", stats, want)
	}
	for i := range want {
		g, w := stats[i], want[i]
		if g.QuestionID != w.QuestionID || g.Answered != w.Answered || g.NA != w.NA || g.Failed != w.Failed ||
			!near(g.FailureRate, w.FailureRate) || !near(g.MeanFraction, w.MeanFraction) {
			t.Errorf("question %d: %+v, want %+v", i, g, w)
		}
	}
}
