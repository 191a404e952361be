package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"earshot/qa"
	"earshot/storage/catalog"
)

// demo sets up the demo contact center through the JSON API, as an admin
// would, so that it exercises what users use.
type demo struct {
	base           string
	token          string
	stdout, stderr io.Writer
	client         *http.Client
}

func newDemo(base string, stdout, stderr io.Writer) *demo {
	return &demo{base: base, stdout: stdout, stderr: stderr, client: &http.Client{Timeout: 30 * time.Second}}
}

// call sends one API request with the demo's token and decodes the answer.
func (d *demo) call(ctx context.Context, method, path string, body, into any) error {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, d.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if d.token != "" {
		req.Header.Set("Authorization", "Bearer "+d.token)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(data))
	}
	if into == nil {
		return nil
	}
	return json.Unmarshal(data, into)
}

// signIn gets an API token for the admin.
func (d *demo) signIn(ctx context.Context, password string) error {
	var login struct {
		CSRFToken string `json:"csrf_token"`
	}
	body, _ := json.Marshal(map[string]string{"username": qa.AdminUsername, "password": password})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, d.base+"/api/v1/login", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := d.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("sign in as %s: %s", qa.AdminUsername, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&login); err != nil {
		return err
	}
	tokReq, _ := http.NewRequestWithContext(ctx, http.MethodPost, d.base+"/api/v1/tokens",
		bytes.NewReader([]byte(`{"name":"demo"}`)))
	tokReq.Header.Set("Content-Type", "application/json")
	tokReq.Header.Set("X-CSRF-Token", login.CSRFToken)
	for _, c := range resp.Cookies() {
		tokReq.AddCookie(c)
	}
	var created struct {
		Secret string `json:"secret"`
	}
	tokResp, err := d.client.Do(tokReq)
	if err != nil {
		return err
	}
	defer tokResp.Body.Close()
	if tokResp.StatusCode != http.StatusCreated && tokResp.StatusCode != http.StatusOK {
		return fmt.Errorf("create the demo's API token: %s", tokResp.Status)
	}
	if err := json.NewDecoder(tokResp.Body).Decode(&created); err != nil {
		return err
	}
	d.token = created.Secret
	return nil
}

// populate signs in, places the calls, and sets up the QA side.
func (d *demo) populate(ctx context.Context, password, sipAddr string) error {
	if err := d.signIn(ctx, password); err != nil {
		return err
	}
	if err := d.placeCalls(ctx, sipAddr); err != nil {
		return err
	}
	teamIDs, agents, err := d.agents(ctx)
	if err != nil {
		return err
	}
	reviewers, err := d.reviewers(ctx)
	if err != nil {
		return err
	}
	drawn, err := d.sample(ctx, teamIDs, reviewers)
	if err != nil {
		return err
	}
	d.welcome(password, agents, drawn, reviewers)
	return nil
}

// demoTeams are the teams the demo's agents are dealt into, so that the
// library, the dashboards and the sampling plan have teams to tell apart.
var demoTeams = []string{"Support", "Billing", "Sales"}

// agents makes the demo's teams and one agent per called party of the
// recorded calls, each owning that party's address, dealt into the teams
// in turn, and links the calls to them. It returns the teams' ids.
func (d *demo) agents(ctx context.Context) ([]int64, int, error) {
	teamIDs := make([]int64, len(demoTeams))
	for i, name := range demoTeams {
		var team struct {
			ID int64 `json:"id"`
		}
		if err := d.call(ctx, http.MethodPost, "/api/v1/teams", map[string]any{"name": name}, &team); err != nil {
			return nil, 0, err
		}
		teamIDs[i] = team.ID
	}
	var list struct {
		Calls []catalog.Call `json:"calls"`
	}
	if err := d.call(ctx, http.MethodGet, "/api/v1/calls?limit=1000", nil, &list); err != nil {
		return nil, 0, err
	}
	seen := map[string]bool{}
	for _, c := range list.Calls {
		for _, p := range c.Participants {
			if p.Channel != 1 || p.SIPAddress == "" || seen[p.SIPAddress] {
				continue
			}
			team := teamIDs[len(seen)%len(teamIDs)]
			seen[p.SIPAddress] = true
			if err := d.addAgent(ctx, team, p.Name, p.SIPAddress); err != nil {
				return nil, 0, err
			}
		}
	}
	return teamIDs, len(seen), d.call(ctx, http.MethodPost, "/api/v1/agents/remap", nil, nil)
}

func (d *demo) addAgent(ctx context.Context, teamID int64, name, address string) error {
	if name == "" {
		name = address
	}
	var a struct {
		ID int64 `json:"id"`
	}
	if err := d.call(ctx, http.MethodPost, "/api/v1/agents",
		map[string]any{"name": name, "team_id": teamID}, &a); err != nil {
		return err
	}
	return d.call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/agents/%d/identities", a.ID),
		map[string]any{"kind": "address", "value": address}, nil)
}

// demoReviewer is a reviewer account the demo creates and prints.
type demoReviewer struct {
	id                 int64
	username, password string
}

func (d *demo) reviewers(ctx context.Context) ([]demoReviewer, error) {
	var out []demoReviewer
	for _, name := range []string{"rae", "sol"} {
		r := demoReviewer{username: name, password: qa.GeneratePassword()}
		var created struct {
			User struct {
				ID int64 `json:"id"`
			} `json:"user"`
		}
		err := d.call(ctx, http.MethodPost, "/api/v1/users", map[string]any{"username": name,
			"display_name": name, "password": r.password, "roles": []string{"reviewer"}}, &created)
		if err != nil {
			return nil, err
		}
		r.id = created.User.ID
		out = append(out, r)
	}
	return out, nil
}
