package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"earshot/qa"
	"earshot/recorder/audio"
	"earshot/storage"
	"earshot/storage/catalog"
)

// authFixture is a server over a real catalog, folder store and QA
// service, with cheap password hashes.
type authFixture struct {
	srv   *Server
	url   string
	qa    *qa.Service
	cat   *catalog.Catalog
	store *storage.FileStore
}

func newAuthFixture(t *testing.T, mutate ...func(*Config)) *authFixture {
	t.Helper()
	dir := t.TempDir()
	log := slog.New(slog.DiscardHandler)
	cat, err := catalog.Open(t.Context(), filepath.Join(dir, "earshot.db"), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	svc, err := qa.Open(t.Context(), cat, log)
	if err != nil {
		t.Fatal(err)
	}
	svc.SetAccess(qa.AccessConfig{Password: qa.PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1}})
	store, err := storage.NewFileStore(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Log: log, Gatherer: prometheus.NewRegistry(), Calls: cat, Store: store,
		Control: idleControl{}, QA: svc}
	for _, m := range mutate {
		m(&cfg)
	}
	f := &authFixture{srv: New(cfg), qa: svc, cat: cat, store: store}
	hs := httptest.NewServer(f.srv.Handler())
	t.Cleanup(hs.Close)
	f.url = hs.URL
	return f
}

// idleControl has no call in progress.
type idleControl struct{}

func (idleControl) Pause(string, string) error { return ErrNotRecording }
func (idleControl) Resume(string) error        { return ErrNotRecording }

// user creates a user whose password is their name and "-password".
func (f *authFixture) user(t *testing.T, name string, roles ...qa.Role) *qa.User {
	t.Helper()
	u, err := f.qa.CreateUser(t.Context(), qa.NewUser{Username: name, Password: name + "-password",
		Roles: roles})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// token returns a new API token of u.
func (f *authFixture) token(t *testing.T, u *qa.User) string {
	t.Helper()
	_, secret, err := f.qa.CreateToken(t.Context(), u, u.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// authReq is one request to the fixture.
type authReq struct {
	method string
	path   string
	body   any // sent as JSON unless nil
	bearer string
	csrf   string
}

// do sends r with client (nil for a client without cookies) and returns
// the status and body.
func (f *authFixture) do(t *testing.T, client *http.Client, r authReq) (*http.Response, []byte) {
	t.Helper()
	var body io.Reader
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), r.method, f.url+r.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+r.bearer)
	}
	if r.csrf != "" {
		req.Header.Set(csrfHeader, r.csrf)
	}
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, data
}

// browser returns a client that keeps cookies, signed in as username.
func (f *authFixture) browser(t *testing.T, username string) (*http.Client, sessionAnswerJSON) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar}
	resp, body := f.do(t, client, authReq{method: http.MethodPost, path: "/api/v1/login",
		body: map[string]string{"username": username, "password": username + "-password"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login %s = %d %s", username, resp.StatusCode, body)
	}
	var ans sessionAnswerJSON
	decodeTestJSON(t, body, &ans)
	return client, ans
}

type sessionAnswerJSON struct {
	User      qa.User `json:"user"`
	CSRFToken string  `json:"csrf_token"`
}

func decodeTestJSON(t *testing.T, body []byte, into any) {
	t.Helper()
	if err := json.Unmarshal(body, into); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
}

func TestLoginMeLogout(t *testing.T) {
	f := newAuthFixture(t)
	vic := f.user(t, "vic", qa.RoleReviewer)
	client, login := f.browser(t, "vic")
	if login.User.ID != vic.ID || len(login.CSRFToken) < 40 {
		t.Errorf("login answer = %+v, want vic and a CSRF token", login)
	}

	resp, body := f.do(t, client, authReq{method: http.MethodGet, path: "/api/v1/me"})
	var me sessionAnswerJSON
	decodeTestJSON(t, body, &me)
	if resp.StatusCode != http.StatusOK || me.User.Username != "vic" || me.CSRFToken != login.CSRFToken {
		t.Errorf("GET /me = %d %s, want vic and the session's CSRF token", resp.StatusCode, body)
	}
	resp, body = f.do(t, client, authReq{method: http.MethodPost, path: "/api/v1/logout"})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), csrfHeader) {
		t.Errorf("logout without CSRF token = %d %s, want 403 naming %s", resp.StatusCode, body, csrfHeader)
	}
	resp, _ = f.do(t, client, authReq{method: http.MethodPost, path: "/api/v1/logout", csrf: login.CSRFToken})
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("logout = %d, want 204", resp.StatusCode)
	}
	resp, _ = f.do(t, client, authReq{method: http.MethodGet, path: "/api/v1/me"})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /me after logout = %d, want 401", resp.StatusCode)
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	tests := []struct {
		name       string
		secureFlag bool
		forwarded  string
		wantSecure bool
	}{
		{name: "plain http"},
		{name: "behind a TLS proxy that says so", forwarded: "https", wantSecure: true},
		{name: "configured secure", secureFlag: true, wantSecure: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newAuthFixture(t, func(c *Config) { c.SecureCookies = tt.secureFlag })
			f.user(t, "wes", qa.RoleAgent)
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, f.url+"/api/v1/login",
				strings.NewReader(`{"username": "wes", "password": "wes-password"}`))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			if tt.forwarded != "" {
				req.Header.Set("X-Forwarded-Proto", tt.forwarded)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			cookies := resp.Cookies()
			if len(cookies) != 1 {
				t.Fatalf("cookies = %v, want the session cookie", cookies)
			}
			ck := cookies[0]
			if ck.Name != sessionCookie || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode ||
				ck.Path != "/" || ck.Secure != tt.wantSecure || ck.Expires.Before(time.Now()) {
				t.Errorf("cookie = %+v, want %s, HttpOnly, SameSite=Lax, Path=/, Secure %v",
					ck, sessionCookie, tt.wantSecure)
			}
		})
	}
}

func TestLoginRefused(t *testing.T) {
	f := newAuthFixture(t)
	f.user(t, "xia", qa.RoleReviewer)
	tests := []struct {
		name string
		body any
		want int
	}{
		{name: "wrong password", body: map[string]string{"username": "xia", "password": "nope nope nope"},
			want: http.StatusUnauthorized},
		{name: "unknown user", body: map[string]string{"username": "yul", "password": "nope nope nope"},
			want: http.StatusUnauthorized},
		{name: "no password", body: map[string]string{"username": "xia"}, want: http.StatusBadRequest},
		{name: "unknown field", body: map[string]string{"user": "xia"}, want: http.StatusBadRequest},
		{name: "no body", want: http.StatusBadRequest},
	}
	var refusals []string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := f.do(t, nil, authReq{method: http.MethodPost, path: "/api/v1/login", body: tt.body})
			if resp.StatusCode != tt.want || len(resp.Cookies()) != 0 {
				t.Errorf("login = %d %s (cookies %v), want %d and no cookie",
					resp.StatusCode, body, resp.Cookies(), tt.want)
			}
			if tt.want == http.StatusUnauthorized {
				refusals = append(refusals, string(body))
			}
		})
	}
	if len(refusals) != 2 || refusals[0] != refusals[1] {
		t.Errorf("refusals %q: want the same answer for a wrong password and an unknown user", refusals)
	}
}

// TestLoginFromAFormOfAnotherSite: a cross-site form can post text/plain
// that parses as JSON, with right credentials (the attacker's own); the
// browser must not be signed in with them.
func TestLoginFromAFormOfAnotherSite(t *testing.T) {
	f := newAuthFixture(t)
	_, err := f.qa.CreateUser(t.Context(), qa.NewUser{Username: "mal", Password: "mal-password=",
		Roles: []qa.Role{qa.RoleAgent}})
	if err != nil {
		t.Fatal(err)
	}
	// A form field named `{"username": "mal", "password": "mal-password`
	// with the value `"}` posts this body.
	body := `{"username": "mal", "password": "mal-password="}`
	resp, err := http.Post(f.url+"/api/v1/login", "text/plain", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || len(resp.Cookies()) != 0 {
		t.Errorf("text/plain login = %d (cookies %v), want 400 and no cookie",
			resp.StatusCode, resp.Cookies())
	}
}

func TestCSRFGuardsCookieSessions(t *testing.T) {
	f := newAuthFixture(t)
	f.user(t, "zed", qa.RoleReviewer)
	client, login := f.browser(t, "zed")
	tests := []struct {
		name   string
		method string
		csrf   string
		want   int
	}{
		{name: "read without token", method: http.MethodGet, want: http.StatusOK},
		{name: "change without token", method: http.MethodPost, want: http.StatusForbidden},
		{name: "change with a wrong token", method: http.MethodPost, csrf: "x" + login.CSRFToken[1:],
			want: http.StatusForbidden},
		{name: "change with the token", method: http.MethodPost, csrf: login.CSRFToken, want: http.StatusCreated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := authReq{method: tt.method, path: "/api/v1/tokens", csrf: tt.csrf}
			if tt.method == http.MethodPost {
				r.body = map[string]string{"name": "from the browser"}
			}
			resp, body := f.do(t, client, r)
			if resp.StatusCode != tt.want {
				t.Errorf("%s /api/v1/tokens = %d %s, want %d", tt.method, resp.StatusCode, body, tt.want)
			}
		})
	}
}

func TestBearerTokens(t *testing.T) {
	f := newAuthFixture(t)
	ada := f.user(t, "ada", qa.RoleReviewer)
	ben := f.user(t, "ben", qa.RoleReviewer)
	root := f.user(t, "root", qa.RoleAdmin)
	adaKey := f.token(t, ada)

	// A bearer request changes things without a CSRF token.
	resp, body := f.do(t, nil, authReq{method: http.MethodPost, path: "/api/v1/tokens", bearer: adaKey,
		body: map[string]string{"name": "second"}})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /tokens with a bearer token = %d %s, want 201", resp.StatusCode, body)
	}
	var created struct {
		Token  qa.Token `json:"token"`
		Secret string   `json:"secret"`
	}
	decodeTestJSON(t, body, &created)
	if !strings.HasPrefix(created.Secret, qa.TokenPrefix) {
		t.Fatalf("created = %s, want the secret once", body)
	}
	resp, body = f.do(t, nil, authReq{method: http.MethodGet, path: "/api/v1/tokens", bearer: created.Secret})
	if resp.StatusCode != http.StatusOK || strings.Contains(string(body), qa.TokenPrefix) {
		t.Errorf("GET /tokens = %d %s, want the list without secrets", resp.StatusCode, body)
	}

	tests := []struct {
		name   string
		bearer string
		id     int64
		want   int
	}{
		{name: "another user may not revoke it", bearer: f.token(t, ben), id: created.Token.ID,
			want: http.StatusForbidden},
		{name: "its owner revokes it", bearer: adaKey, id: created.Token.ID, want: http.StatusNoContent},
		{name: "the revoked token is refused", bearer: created.Secret, id: created.Token.ID,
			want: http.StatusUnauthorized},
		{name: "an admin revokes anyone's", bearer: f.token(t, root), id: 1, want: http.StatusNoContent},
		{name: "so the first is refused too", bearer: adaKey, id: 1, want: http.StatusUnauthorized},
		{name: "a made-up token is refused", bearer: qa.TokenPrefix + "made-up", id: 1,
			want: http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := f.do(t, nil, authReq{method: http.MethodDelete,
				path: "/api/v1/tokens/" + fmt.Sprint(tt.id), bearer: tt.bearer})
			if resp.StatusCode != tt.want {
				t.Errorf("DELETE token %d = %d %s, want %d", tt.id, resp.StatusCode, body, tt.want)
			}
		})
	}
}

// TestExpiringToken: a token asked for with expires_in_days carries its
// expiry and is refused once the service's clock passes it; days out of
// range get a 400 naming the field.
func TestExpiringToken(t *testing.T) {
	f := newAuthFixture(t)
	ada := f.user(t, "ada", qa.RoleReviewer)
	key := f.token(t, ada)
	start := time.Now()
	resp, body := f.do(t, nil, authReq{method: http.MethodPost, path: "/api/v1/tokens", bearer: key,
		body: map[string]any{"name": "audit", "expires_in_days": 7}})
	var created struct {
		Token  qa.Token `json:"token"`
		Secret string   `json:"secret"`
	}
	decodeTestJSON(t, body, &created)
	if resp.StatusCode != http.StatusCreated || created.Token.ExpiresAt == nil ||
		created.Token.ExpiresAt.Sub(start).Round(time.Hour) != 7*24*time.Hour {
		t.Fatalf("POST /tokens with expires_in_days 7 = %d %s", resp.StatusCode, body)
	}
	f.qa.SetClock(func() time.Time { return start.Add(7*24*time.Hour + time.Minute) })
	resp, body = f.do(t, nil, authReq{method: http.MethodGet, path: "/api/v1/me", bearer: created.Secret})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /me with an expired token = %d %s, want 401", resp.StatusCode, body)
	}
	resp, body = f.do(t, nil, authReq{method: http.MethodGet, path: "/api/v1/me", bearer: key})
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /me with a token without expiry, a week on = %d %s, want 200", resp.StatusCode, body)
	}
	for _, days := range []int64{-1, 1 << 40} {
		resp, body := f.do(t, nil, authReq{method: http.MethodPost, path: "/api/v1/tokens", bearer: key,
			body: map[string]any{"name": "bad", "expires_in_days": days}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "expires") {
			t.Errorf("expires_in_days %d = %d %s, want 400 naming it", days, resp.StatusCode, body)
		}
	}
}

func TestAuthorizationHeaderOtherThanBearer(t *testing.T) {
	f := newAuthFixture(t)
	f.user(t, "cyd", qa.RoleAdmin)
	client, _ := f.browser(t, "cyd")
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, f.url+"/api/v1/me", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("cyd", "cyd-password")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /me with Basic credentials and a cookie = %d, want 401", resp.StatusCode)
	}
}

func TestAdminManagesUsers(t *testing.T) {
	f := newAuthFixture(t)
	root := f.user(t, "root", qa.RoleAdmin)
	key := f.token(t, root)

	resp, body := f.do(t, nil, authReq{method: http.MethodPost, path: "/api/v1/users", bearer: key,
		body: map[string]any{"username": "dee", "display_name": "Dee", "roles": []string{"reviewer", "agent"}}})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /users = %d %s", resp.StatusCode, body)
	}
	var created struct {
		User     qa.User `json:"user"`
		Password string  `json:"password"`
	}
	decodeTestJSON(t, body, &created)
	if created.Password == "" {
		t.Fatalf("created = %s, want a generated password", body)
	}
	client, _ := f.browser(t, "root") // a browser session too, to see it survive others' changes
	if _, err := f.qa.Login(t.Context(), "dee", created.Password, ""); err != nil {
		t.Errorf("sign in with the generated password: %v", err)
	}
	id := fmt.Sprint(created.User.ID)
	steps := []struct {
		name   string
		method string
		path   string
		body   any
		want   int
	}{
		{name: "disable", method: http.MethodPatch, path: "/api/v1/users/" + id,
			body: map[string]any{"disabled": true}, want: http.StatusOK},
		{name: "unknown field", method: http.MethodPatch, path: "/api/v1/users/" + id,
			body: map[string]any{"password": "x"}, want: http.StatusBadRequest},
		{name: "set password", method: http.MethodPost, path: "/api/v1/users/" + id + "/password",
			body: map[string]any{"password": "dee's new password"}, want: http.StatusNoContent},
		{name: "short password", method: http.MethodPost, path: "/api/v1/users/" + id + "/password",
			body: map[string]any{"password": "short"}, want: http.StatusBadRequest},
		{name: "last admin", method: http.MethodPatch, path: "/api/v1/users/" + fmt.Sprint(root.ID),
			body: map[string]any{"roles": []string{"manager"}}, want: http.StatusConflict},
		{name: "taken username", method: http.MethodPost, path: "/api/v1/users",
			body: map[string]any{"username": "dee", "roles": []string{"agent"}}, want: http.StatusConflict},
		{name: "unknown user", method: http.MethodPatch, path: "/api/v1/users/nobody",
			body: map[string]any{}, want: http.StatusNotFound},
	}
	for _, st := range steps {
		resp, body := f.do(t, nil, authReq{method: st.method, path: st.path, body: st.body, bearer: key})
		if resp.StatusCode != st.want {
			t.Errorf("%s: %s %s = %d %s, want %d", st.name, st.method, st.path, resp.StatusCode, body, st.want)
		}
	}
	resp, _ = f.do(t, client, authReq{method: http.MethodGet, path: "/api/v1/users"})
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the admin's session after the changes: GET /users = %d", resp.StatusCode)
	}
	checkAuditActions(t, f, key, "user_id="+fmt.Sprint(root.ID),
		[]string{qa.ActionChange, qa.ActionChange, qa.ActionCreate})
}

// checkAuditActions reads the audit log with query and compares the
// actions, newest first, with want (login entries left out).
func checkAuditActions(t *testing.T, f *authFixture, key, query string, want []string) {
	t.Helper()
	resp, body := f.do(t, nil, authReq{method: http.MethodGet, path: "/api/v1/audit?" + query, bearer: key})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /audit = %d %s", resp.StatusCode, body)
	}
	var page struct {
		Entries []qa.AuditRecord `json:"entries"`
	}
	decodeTestJSON(t, body, &page)
	var got []string
	for _, e := range page.Entries {
		if e.Action != qa.ActionLogin {
			got = append(got, e.Action)
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("audit actions = %v, want %v", got, want)
	}
}

func TestChangeOwnPassword(t *testing.T) {
	f := newAuthFixture(t)
	f.user(t, "eli", qa.RoleAgent)
	client, login := f.browser(t, "eli")
	resp, body := f.do(t, client, authReq{method: http.MethodPost, path: "/api/v1/me/password",
		csrf: login.CSRFToken, body: map[string]string{"current_password": "wrong password",
			"new_password": "eli's new password"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "current_password") {
		t.Errorf("with a wrong current password = %d %s, want 400 naming current_password", resp.StatusCode, body)
	}
	resp, _ = f.do(t, client, authReq{method: http.MethodPost, path: "/api/v1/me/password",
		csrf: login.CSRFToken, body: map[string]string{"current_password": "eli-password",
			"new_password": "eli's new password"}})
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("change password = %d, want 204", resp.StatusCode)
	}
	resp, _ = f.do(t, client, authReq{method: http.MethodGet, path: "/api/v1/me"})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("session after the change = %d, want 401 (signed out)", resp.StatusCode)
	}
	if _, err := f.qa.Login(t.Context(), "eli", "eli's new password", ""); err != nil {
		t.Errorf("sign in with the new password: %v", err)
	}
}

// addSilentCall stores and indexes a one-second silent recording.
func addSilentCall(t *testing.T, f *authFixture) string {
	t.Helper()
	const id = "01JNDPB7Q8ZK2V0Y8X5W4T3S2R"
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var wav bytes.Buffer
	format := audio.Format{Encoding: audio.ULaw, SampleRate: 8000, Channels: 2}
	if err := audio.WriteHeader(&wav, format, 16000); err != nil {
		t.Fatal(err)
	}
	wav.Write(bytes.Repeat([]byte{0xff}, 16000))
	key, _, err := storage.RecordingKeys(id)
	if err != nil {
		t.Fatal(err)
	}
	err = f.store.Put(t.Context(), key, bytes.NewReader(wav.Bytes()), int64(wav.Len()), storage.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sc := &storage.Sidecar{FormatVersion: storage.SidecarFormatVersion, RecordingID: id,
		StartedAt: start, EndedAt: start.Add(time.Second), DurationMS: 1000,
		Audio: storage.Audio{Encoding: "pcmu", SampleRate: 8000, Channels: 2, Bytes: int64(wav.Len()),
			SHA256: strings.Repeat("0", 64)},
		Participants: []storage.Participant{{Channel: 0, SIPAddress: "sip:1001@pbx.example.com"},
			{Channel: 1, SIPAddress: "sip:+15550100@carrier.example.net"}}}
	if err := f.cat.Index(t.Context(), sc); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestPlaybackAndDownloadAreAudited(t *testing.T) {
	f := newAuthFixture(t)
	fox := f.user(t, "fox", qa.RoleReviewer)
	id := addSilentCall(t, f)
	key := f.token(t, fox)
	tests := []struct {
		name        string
		query       string
		wantAction  string
		attachement bool
	}{
		{name: "play", wantAction: qa.ActionPlay},
		{name: "download", query: "?download=1", wantAction: qa.ActionDownload, attachement: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := f.do(t, nil, authReq{method: http.MethodGet,
				path: "/api/v1/calls/" + id + "/audio" + tt.query, bearer: key})
			if resp.StatusCode != http.StatusOK || len(body) < 16000 {
				t.Fatalf("GET audio = %d (%d bytes)", resp.StatusCode, len(body))
			}
			cd := resp.Header.Get("Content-Disposition")
			if strings.HasPrefix(cd, "attachment") != tt.attachement {
				t.Errorf("Content-Disposition = %q, want attachment %v", cd, tt.attachement)
			}
			log, err := f.qa.ListAudit(t.Context(), qa.AuditFilter{Limit: 1})
			if err != nil || len(log) != 1 {
				t.Fatalf("audit log = %v, %v", log, err)
			}
			e := log[0]
			if e.Action != tt.wantAction || e.ObjectType != "call" || e.ObjectID != id ||
				e.UserID == nil || *e.UserID != fox.ID || e.RemoteAddr != "127.0.0.1" {
				t.Errorf("audit entry = %+v, want %s of call %s by fox from 127.0.0.1", e, tt.wantAction, id)
			}
		})
	}
}
