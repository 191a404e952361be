package ui

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"earshot/qa"
)

// TestCallsAPIFilters: the API takes the library's filters and order, and
// names each call's agent.
func TestCallsAPIFilters(t *testing.T) {
	f := newWebFixture(t)
	rita := f.signIn(t, "rita")
	resp, body := rita.get(t, fmt.Sprintf("/api/v1/calls?agent_id=%d&order=longest&evaluated=false", f.agentID))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var list struct{ Calls []qa.LibraryCall }
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Calls) != 1 || list.Calls[0].ID != f.callID || list.Calls[0].Agent == nil ||
		list.Calls[0].Agent.Name != "Anna Agent" {
		t.Errorf("calls %+v, want Anna's one call with her name", list.Calls)
	}
	for q, want := range map[string]string{
		"evaluated=maybe": "evaluated", "order=loudest": "order", "direction=up": "direction",
		"agent_id=-1": "agent_id",
	} {
		resp, body := rita.get(t, "/api/v1/calls?"+q)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, want) {
			t.Errorf("%s: %d %s, want 400 naming %s", q, resp.StatusCode, body, want)
		}
	}
}
