package qa

import "testing"

func TestKPITrendSplitsAnAgentsCallsByWeek(t *testing.T) {
	s := openTest(t)
	seedReports(t, s)
	// Agent 1 has two calls in each of W45 and W46; make one of W46 twice
	// as long, so that only that week's handle time moves.
	if _, err := s.db.ExecContext(t.Context(), `UPDATE calls SET duration_ms = 120000 WHERE id = (
		SELECT c.id FROM calls c JOIN call_agents ca ON ca.call_id = c.id WHERE ca.agent_id = 1
		ORDER BY c.started_at DESC LIMIT 1)`); err != nil {
		t.Fatal(err)
	}
	manager := &User{Username: "m", Roles: []Role{RoleManager}}
	weeks, err := s.KPITrend(t.Context(), manager, ReportFilter{AgentID: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(weeks) != 2 {
		t.Fatalf("%d weeks %+v, want W45 and W46", len(weeks), weeks)
	}
	w45, w46 := weeks[0], weeks[1]
	if w45.Week != "2026-W45" || w45.Calls != 2 || w45.HandleMS != 60000 {
		t.Errorf("first week %+v, want 2026-W45 with 2 calls of 60 s", w45)
	}
	if w46.Week != "2026-W46" || w46.Calls != 2 || w46.HandleMS != 90000 {
		t.Errorf("second week %+v, want 2026-W46 with 2 calls averaging 90 s", w46)
	}
	// Inbound: the agent talks on the right channel.
	if w45.AgentTalkMS != 30000 || w45.CustomerTalkMS != 20000 || w45.SilenceMS != 15000 {
		t.Errorf("W45 talk %+v, want agent 30 s, customer 20 s, silence 15 s", w45.AgentKPIs)
	}
	agent := &User{Username: "a", Roles: []Role{RoleAgent}}
	if _, err := s.KPITrend(t.Context(), agent, ReportFilter{AgentID: 1}); err == nil {
		t.Error("an agent with no agent record read another agent's figures")
	}
}
