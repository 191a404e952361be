package ui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"earshot/qa"
	"earshot/storage"
)

// TestWebPeopleTeams: a manager creates and renames a team; a name taken
// comes back as typed with the reason.
func TestWebPeopleTeams(t *testing.T) {
	f := newDashFixture(t)
	maria := f.signIn(t, "maria")
	token := csrfOf(t, maria)
	resp, _ := maria.post(t, "/people/teams", url.Values{csrfField: {token}, "name": {"Day shift"}})
	if loc := resp.Header.Get("Location"); loc != "/people?done=team#teams" {
		t.Fatalf("create: %d to %q", resp.StatusCode, loc)
	}
	_, page := maria.get(t, resp.Header.Get("Location"))
	pageHas(t, "created", page, "Team created.", `<th scope="row">Day shift</th>`)
	if strings.Contains(page, `id="users"`) {
		t.Error("a manager sees the users")
	}

	resp, page = maria.post(t, "/people/teams",
		url.Values{csrfField: {token}, "name": {"Night shift"}})
	pageStatus(t, "taken", resp, page, http.StatusConflict)
	pageHas(t, "taken", page, `team &#34;Night shift&#34; already exists`,
		`id="nt-name" name="name" value="Night shift"`)

	teams, err := f.qa.ListTeams(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	day := teams[0] // by name: Day shift, then Night shift
	path := fmt.Sprintf("/people/teams/%d", day.ID)
	resp, page = maria.post(t, path, url.Values{csrfField: {token}, "name": {"  "}})
	pageStatus(t, "empty name", resp, page, http.StatusBadRequest)
	pageHas(t, "empty name", page,
		fmt.Sprintf(`<span class="field-error" id="team-%d-error">give a name</span>`, day.ID))
	resp, _ = maria.post(t, path, url.Values{csrfField: {token}, "name": {"Early shift"}})
	_, page = maria.get(t, resp.Header.Get("Location"))
	pageHas(t, "renamed", page, "Team renamed.", `<th scope="row">Early shift</th>`)
}

// TestWebPeopleAgent: a manager creates an agent in a team and links an
// identity, which links the agent's call at once; refused identities
// come back as typed; removing the identity unlinks the call.
func TestWebPeopleAgent(t *testing.T) {
	f := newDashFixture(t)
	call := f.partyCall(t, "sip:carl@pbx.example.com", true)
	maria := f.signIn(t, "maria")
	token := csrfOf(t, maria)
	teams, err := f.qa.ListTeams(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	resp, page := maria.post(t, "/people/agents", url.Values{csrfField: {token},
		"name": {xssName}, "team_id": {fmt.Sprint(teams[0].ID)}, "active": {"1"}})
	pageStatus(t, "create", resp, page, http.StatusSeeOther)
	agentPath, _, _ := strings.Cut(resp.Header.Get("Location"), "?")
	_, page = maria.get(t, resp.Header.Get("Location"))
	pageHas(t, "created", page, "Agent created.", `id="no-identity"`,
		fmt.Sprintf(`<option value="%d" selected>Night shift</option>`, teams[0].ID))
	if strings.Contains(page, xssName) {
		t.Error("the agent's name is printed as markup")
	}

	for _, tt := range []struct {
		name, kind, value string
		code              int
		want              string
	}{
		{"not digits", "extension", "12ab", 400, "is not an extension"},
		{"another's", "user", "anna", 409, "belongs to agent"},
		{"no kind", "", "carl", 400, "is not an identity kind"},
	} {
		resp, page := maria.post(t, agentPath+"/identities", url.Values{csrfField: {token},
			"kind": {tt.kind}, "value": {tt.value}})
		pageStatus(t, tt.name, resp, page, tt.code)
		pageHas(t, tt.name, page, tt.want, `id="i-value" name="value" value="`+tt.value+`"`)
	}

	resp, _ = maria.post(t, agentPath+"/identities", url.Values{csrfField: {token},
		"kind": {"user"}, "value": {"carl"}})
	_, page = maria.get(t, resp.Header.Get("Location"))
	pageHas(t, "identity", page, "Identity added", "<code>carl</code>")
	id := agentOfCall(t, f.webFixture, call)
	if want := "/people/agents/" + fmt.Sprint(id); agentPath != want {
		t.Errorf("the call is linked to agent %d; want the one created, %s", id, agentPath)
	}

	resp, _ = maria.post(t, agentPath+"/identities/remove", url.Values{csrfField: {token},
		"kind": {"user"}, "value": {"carl"}})
	_, page = maria.get(t, resp.Header.Get("Location"))
	pageHas(t, "removed", page, "Identity removed", `id="no-identity"`)
	if _, err := f.qa.AgentOfCall(t.Context(), call); !errors.Is(err, qa.ErrNotFound) {
		t.Errorf("after the removal the call's agent: %v, want none", err)
	}
}

// TestWebPeopleAgentEdit: the team and active state change; a reviewer
// sees the agent without the forms.
func TestWebPeopleAgentEdit(t *testing.T) {
	f := newDashFixture(t)
	maria := f.signIn(t, "maria")
	token := csrfOf(t, maria)
	path := fmt.Sprintf("/people/agents/%d", f.benAgent)
	resp, _ := maria.post(t, path, url.Values{csrfField: {token}, "name": {"Ben B. Agent"},
		"team_id": {""}})
	_, page := maria.get(t, resp.Header.Get("Location"))
	pageHas(t, "saved", page, "Saved.", "Agent Ben B. Agent", `<span class="badge">left</span>`)
	a, err := f.qa.GetAgent(t.Context(), f.benAgent)
	if err != nil {
		t.Fatal(err)
	}
	if a.TeamID != nil || a.Active {
		t.Errorf("after the save: team %v, active %v; want none and inactive", a.TeamID, a.Active)
	}
	resp, page = maria.post(t, path, url.Values{csrfField: {token}, "name": {""},
		"active": {"1"}})
	pageStatus(t, "no name", resp, page, http.StatusBadRequest)
	pageHas(t, "no name", page, `<span class="field-error" id="a-name-error">give a name</span>`)

	_, page = f.signIn(t, "rita").get(t, path)
	pageHas(t, "reviewer", page, "<code>ben</code>")
	if strings.Contains(page, `id="agent-form"`) || strings.Contains(page, `id="identity-form"`) {
		t.Error("a reviewer is shown the forms that change the agent")
	}
}

// TestWebPeopleRemap: the remap button links a call indexed without its
// agent, and says how many calls it mapped.
func TestWebPeopleRemap(t *testing.T) {
	f := newDashFixture(t)
	call := f.partyCall(t, "sip:ben@pbx.example.com", false)
	if _, err := f.qa.AgentOfCall(t.Context(), call); !errors.Is(err, qa.ErrNotFound) {
		t.Fatalf("before the remap the call's agent: %v, want none", err)
	}
	ada := f.signIn(t, "ada")
	resp, page := ada.post(t, "/people/remap", url.Values{csrfField: {csrfOf(t, ada)}})
	pageStatus(t, "remap", resp, page, http.StatusOK)
	pageHas(t, "remap", page, "Every call was mapped again: 2 looked at, 2 linked to an agent.")
	if id := agentOfCall(t, f.webFixture, call); id != f.benAgent {
		t.Errorf("the call is linked to agent %d, want Ben (%d)", id, f.benAgent)
	}
	recs, err := f.qa.ListAudit(t.Context(), qa.AuditFilter{ObjectType: "call_agents"})
	if err != nil || len(recs) != 1 || recs[0].Username != "ada" || recs[0].Action != qa.ActionChange {
		t.Errorf("the audit log of the remap: %+v %v, want one change by ada", recs, err)
	}
}

// partyCall indexes a call with the agent side at address; mapped says
// whether the catalog tells qa about it, as the recorder does.
func (f *dashFixture) partyCall(t *testing.T, address string, mapped bool) string {
	t.Helper()
	start := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	id := storage.NewRecordingID(start)
	sc := &storage.Sidecar{RecordingID: id, SIPCallID: "party-" + id + "@pbx.example.com",
		StartedAt: start, EndedAt: start.Add(time.Minute), DurationMS: 60000,
		Audio: storage.Audio{Encoding: "pcmu", SampleRate: 8000, Channels: 2},
		Participants: []storage.Participant{
			{Channel: 0, Name: "Agent", SIPAddress: address, Role: "callee"},
			{Channel: 1, Name: "Customer", SIPAddress: "sip:+15550123@carrier.example.net",
				Role: "caller"},
		},
	}
	if err := f.cat.Index(t.Context(), sc); err != nil {
		t.Fatal(err)
	}
	if mapped {
		if err := f.qa.OnCallIndexed(t.Context(), id); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

func agentOfCall(t *testing.T, f *webFixture, call string) int64 {
	t.Helper()
	ca, err := f.qa.AgentOfCall(t.Context(), call)
	if err != nil {
		t.Fatalf("agent of call %s: %v", call, err)
	}
	return ca.AgentID
}
