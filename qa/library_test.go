package qa

import (
	"slices"
	"testing"
	"time"

	"earshot/storage/catalog"
)

// TestLibraryFilters checks each QA filter of the library against the
// draw world's calls: who took them, their team, direction and whether
// they were evaluated.
func TestLibraryFilters(t *testing.T) {
	w := newDrawWorld(t)
	out := indexCall(t, w.s, sampCall{n: 500, start: sampMonday.Add(30 * time.Hour),
		caller: "sip:1004@pbx.example", callee: "sip:+33140000001@carrier.example"})
	evaluated := w.calls[w.ben.ID][3]
	sampExec(t, w.s, `INSERT INTO evaluations (call_id, form_version_id, reviewer_id, agent_id, status,
        score, created_at, submitted_at) VALUES (?, ?, 2, ?, 'submitted', 80, 0, 0)`,
		evaluated, w.formVersion, w.ben.ID)
	// A calibration evaluation and a draft make nobody's call "evaluated".
	sampExec(t, w.s, `INSERT INTO evaluations (call_id, form_version_id, reviewer_id, status, calibration,
        created_at, submitted_at) VALUES (?, ?, 2, 'submitted', 1, 0, 0), (?, ?, 3, 'draft', 0, 0, NULL)`,
		w.calls[w.ana.ID][0], w.formVersion, w.calls[w.ana.ID][1], w.formVersion)
	yes, no := true, false
	tests := []struct {
		name string
		f    LibraryFilter
		want []string
	}{
		{"agent", LibraryFilter{AgentID: w.cy.ID}, w.calls[w.cy.ID]},
		{"team", LibraryFilter{TeamID: w.support.ID}, append(slices.Clone(w.calls[w.di.ID]), out)},
		{"outbound", LibraryFilter{Direction: DirectionOutbound}, []string{out}},
		{"inbound agent", LibraryFilter{AgentID: w.di.ID, Direction: DirectionInbound}, w.calls[w.di.ID]},
		{"evaluated", LibraryFilter{Evaluated: &yes}, []string{evaluated}},
		{"not evaluated, one agent", LibraryFilter{AgentID: w.ben.ID, Evaluated: &no},
			slices.DeleteFunc(slices.Clone(w.calls[w.ben.ID]), func(id string) bool { return id == evaluated })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.f.Limit = catalog.MaxListLimit
			got, err := w.s.Library(t.Context(), w.manager, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range got {
				ids = append(ids, c.ID)
			}
			slices.Sort(ids)
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(ids, want) {
				t.Errorf("got %d calls %v\nwant %d %v", len(ids), ids, len(want), want)
			}
		})
	}
	checkAnnotations(t, w, evaluated)
	if _, err := w.s.Library(t.Context(), w.manager, LibraryFilter{Direction: "sideways"}); err == nil {
		t.Error("an unknown direction was accepted")
	}
}

func checkAnnotations(t *testing.T, w *drawWorld, evaluated string) {
	t.Helper()
	got, err := w.s.Library(t.Context(), w.manager, LibraryFilter{AgentID: w.ben.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range got {
		if c.Agent == nil || c.Agent.Name != "Ben" || c.Agent.Team != "Billing" ||
			c.Agent.Direction != DirectionInbound {
			t.Errorf("call %s: agent %+v, want Ben of Billing, inbound", c.ID, c.Agent)
		}
		if want := map[bool]int{true: 1}[c.ID == evaluated]; c.Evaluations != want {
			t.Errorf("call %s: %d evaluations, want %d", c.ID, c.Evaluations, want)
		}
	}
}

// TestLibraryAgentPages checks that an agent sees only their own calls,
// and that paging in an order other than the default joins up.
func TestLibraryAgentPages(t *testing.T) {
	w := newDrawWorld(t)
	ana := addSampUser(t, w.s, 9, "agent", w.ana.ID)
	var paged []string
	f := LibraryFilter{ListFilter: catalog.ListFilter{Order: catalog.OrderOldest, Limit: 4}}
	for range 10 {
		page, err := w.s.Library(t.Context(), ana, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, c := range page {
			paged = append(paged, c.ID)
		}
		f.After = page[len(page)-1].ID
	}
	if !slices.Equal(paged, w.calls[w.ana.ID]) {
		t.Errorf("agent's pages %v\nwant her calls oldest first %v", paged, w.calls[w.ana.ID])
	}
	// Asking for someone else's calls gives nothing, not their calls.
	got, err := w.s.Library(t.Context(), ana, LibraryFilter{AgentID: w.ben.ID})
	if err != nil || len(got) != 0 {
		t.Errorf("agent asking for Ben's calls: %d calls, %v", len(got), err)
	}
}
