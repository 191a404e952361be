package qa

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestTeamCRUD(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	billing, err := s.CreateTeam(ctx, " Billing ")
	if err != nil || billing.Name != "Billing" {
		t.Fatalf("CreateTeam = %+v, %v", billing, err)
	}
	if _, err := s.CreateTeam(ctx, "Billing"); !errors.Is(err, ErrConflict) {
		t.Errorf("second Billing: %v, want ErrConflict", err)
	}
	var in *InputError
	if _, err := s.CreateTeam(ctx, ""); !errors.As(err, &in) {
		t.Errorf("empty name: %v, want an *InputError", err)
	}
	if _, err := s.CreateAgent(ctx, AgentInput{Name: "Ana", TeamID: &billing.ID}); err != nil {
		t.Fatal(err)
	}
	got, err := s.RenameTeam(ctx, billing.ID, "Accounts")
	if err != nil || got.Name != "Accounts" || got.Agents != 1 {
		t.Errorf("RenameTeam = %+v, %v; want Accounts with 1 agent", got, err)
	}
	if _, err := s.RenameTeam(ctx, 999, "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("rename unknown team: %v, want ErrNotFound", err)
	}
	if err := s.DeleteTeam(ctx, billing.ID); err != nil {
		t.Fatal(err)
	}
	teams, err := s.ListTeams(ctx)
	if err != nil || len(teams) != 0 {
		t.Errorf("ListTeams = %+v, %v; want none", teams, err)
	}
	agents, err := s.ListAgents(ctx, AgentFilter{})
	if err != nil || len(agents) != 1 || agents[0].TeamID != nil {
		t.Errorf("agents after the team went: %+v, %v; want Ana without a team", agents, err)
	}
}

func TestAgentCRUD(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	team, err := s.CreateTeam(ctx, "Support")
	if err != nil {
		t.Fatal(err)
	}
	noTeam := int64(42)
	var in *InputError
	_, err = s.CreateAgent(ctx, AgentInput{Name: "Ana", TeamID: &noTeam})
	if !errors.As(err, &in) || in.Field != "team_id" {
		t.Errorf("unknown team: %v, want an *InputError on team_id", err)
	}
	ana := newSampAgent(t, s, "Ana", &team.ID, "1001")
	ben := newSampAgent(t, s, "Ben", nil, "1002")
	off := false
	got, err := s.UpdateAgent(ctx, ben.ID, AgentInput{Name: "Ben Stone", TeamID: &team.ID, Active: &off})
	if err != nil || got.Active || got.Name != "Ben Stone" || len(got.Identities) != 1 {
		t.Fatalf("UpdateAgent = %+v, %v", got, err)
	}
	tests := []struct {
		name   string
		filter AgentFilter
		want   []int64
	}{
		{name: "active", filter: AgentFilter{}, want: []int64{ana.ID}},
		{name: "with inactive", filter: AgentFilter{Inactive: true}, want: []int64{ana.ID, ben.ID}},
		{name: "team", filter: AgentFilter{TeamID: &team.ID, Inactive: true}, want: []int64{ana.ID, ben.ID}},
		{name: "other team", filter: AgentFilter{TeamID: &noTeam}, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, err := s.ListAgents(ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, a := range list {
				ids = append(ids, a.ID)
			}
			if !slices.Equal(ids, tt.want) {
				t.Errorf("ListAgents = %v, want %v", ids, tt.want)
			}
		})
	}
	if _, err := s.GetAgent(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetAgent(999): %v, want ErrNotFound", err)
	}
}

// TestDeleteAgent: an agent with history cannot be deleted; one without
// can, and their calls go to whoever else matches.
func TestDeleteAgent(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	ana := newSampAgent(t, s, "Ana", nil, "1001")
	ben := newSampAgent(t, s, "Ben", nil, "1002")
	id := indexCall(t, s, sampCall{n: 1, start: sampMonday.Add(9 * time.Hour),
		callee: "sip:1001@pbx", caller: "sip:1002@pbx"})
	if err := s.DeleteAgent(ctx, ana.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.AgentOfCall(ctx, id)
	if err != nil || got.AgentID != ben.ID || got.Direction != DirectionOutbound {
		t.Errorf("after deleting the callee: %+v, %v; want Ben, outbound", got, err)
	}
	rev := addSampUser(t, s, 2, "reviewer", 0)
	fv := addFormVersion(t, s)
	sampExec(t, s, `INSERT INTO evaluations (call_id, form_version_id, reviewer_id, agent_id, status,
		created_at) VALUES (?, ?, ?, ?, 'draft', 0)`, id, fv, rev.ID, ben.ID)
	if err := s.DeleteAgent(ctx, ben.ID); !errors.Is(err, ErrConflict) {
		t.Errorf("deleting an evaluated agent: %v, want ErrConflict", err)
	}
	if err := s.DeleteAgent(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting an unknown agent: %v, want ErrNotFound", err)
	}
}
