package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"testing"
)

// testAdminPassword is the first admin's password in every binary the
// tests start (startEarshot sets it through EARSHOT_ADMIN_PASSWORD).
const testAdminPassword = "admin password for tests"

// testMetricsToken is the scraper's token of every binary the tests start.
const testMetricsToken = "metrics token for tests"

// adminToken signs in to a started binary as admin, as a browser does,
// and creates an API token with that session; later calls reuse it.
func (p *earshotProcess) adminToken(t *testing.T) string {
	t.Helper()
	if p.token != "" {
		return p.token
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{Jar: jar}
	var login struct {
		CSRFToken string `json:"csrf_token"`
	}
	postJSON(t, browser, p.base+"/api/v1/login", "",
		map[string]string{"username": "admin", "password": testAdminPassword}, &login)
	var created struct {
		Secret string `json:"secret"`
	}
	postJSON(t, browser, p.base+"/api/v1/tokens", login.CSRFToken,
		map[string]string{"name": "tests"}, &created)
	p.token = created.Secret
	return p.token
}

// postJSON posts body as JSON with client, with the CSRF token if not
// empty, and decodes the 2xx answer into into.
func postJSON(t *testing.T, client *http.Client, u, csrf string, body, into any) {
	t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, u, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST %s = %d", u, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		t.Fatalf("POST %s: decode: %v", u, err)
	}
}

// apiGet fetches path (from /api/v1/) from a started binary as its admin,
// with a bearer token, and with the other request headers given.
func (p *earshotProcess) apiGet(t *testing.T, path string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	h := http.Header{}
	for k, v := range header {
		h[k] = v
	}
	h.Set("Authorization", "Bearer "+p.adminToken(t))
	return get(t, p.base+path, h)
}

// TestAPINeedsSignIn: the binary wires the QA service, so its API refuses
// requests without credentials, and its first admin can sign in with the
// password from EARSHOT_ADMIN_PASSWORD.
func TestAPINeedsSignIn(t *testing.T) {
	p := startEarshot(t)
	resp, body := get(t, p.base+"/api/v1/calls", nil)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /api/v1/calls without credentials = %d %s, want 401", resp.StatusCode, body)
	}
	resp, body = p.apiGet(t, "/api/v1/me", nil)
	var me struct {
		User struct {
			Username string   `json:"username"`
			Roles    []string `json:"roles"`
		} `json:"user"`
	}
	decodeJSON(t, "GET /api/v1/me", body, &me)
	if resp.StatusCode != http.StatusOK || me.User.Username != "admin" {
		t.Errorf("GET /api/v1/me as admin = %d %s", resp.StatusCode, body)
	}
	resp, body = get(t, p.base+"/metrics", nil)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /metrics without credentials = %d %s, want 401", resp.StatusCode, body)
	}
	resp, body = p.apiGet(t, "/api/v1/audit?action=login", nil)
	if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(`"username":"admin"`)) {
		t.Errorf("GET /api/v1/audit = %d %s, want the admin's sign-in", resp.StatusCode, body)
	}
	stopEarshot(t, p)
	if bytes.Contains(p.stderr.Bytes(), []byte(testAdminPassword)) ||
		bytes.Contains(p.stderr.Bytes(), []byte(p.token)) ||
		bytes.Contains(p.stderr.Bytes(), []byte(testMetricsToken)) {
		t.Errorf("the log holds the admin password or a token:\n%s", p.stderr)
	}
}
