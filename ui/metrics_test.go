package ui

import (
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"earshot/qa"
)

// TestMetricsAccess: /metrics answers the scraper's token and admins, and
// no one else.
func TestMetricsAccess(t *testing.T) {
	const scraper = "scraper token of twenty-odd characters"
	reg := prometheus.NewRegistry()
	stored := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "earshot_recordings_stored_total", Help: "Recordings stored."})
	reg.MustRegister(stored)
	stored.Add(7)
	f := newAuthFixture(t, func(c *Config) { c.Gatherer = reg; c.MetricsToken = scraper })
	root := f.user(t, "root", qa.RoleAdmin)
	boss := f.user(t, "boss", qa.RoleManager)

	tests := []struct {
		name   string
		bearer string
		want   int
	}{
		{name: "no credentials", want: http.StatusUnauthorized},
		{name: "the scraper's token", bearer: scraper, want: http.StatusOK},
		{name: "a wrong scraper token", bearer: scraper + "x", want: http.StatusUnauthorized},
		{name: "an admin's API token", bearer: f.token(t, root), want: http.StatusOK},
		{name: "a manager's API token", bearer: f.token(t, boss), want: http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := f.do(t, nil, authReq{method: http.MethodGet, path: "/metrics", bearer: tt.bearer})
			if resp.StatusCode != tt.want {
				t.Fatalf("GET /metrics = %d %s, want %d", resp.StatusCode, body, tt.want)
			}
			shown := strings.Contains(string(body), "\nearshot_recordings_stored_total 7\n")
			if shown != (tt.want == http.StatusOK) {
				t.Errorf("GET /metrics = %d, counter shown %v:\n%s", resp.StatusCode, shown, body)
			}
			challenged := resp.Header.Get("WWW-Authenticate") != ""
			if challenged != (tt.bearer == "") {
				t.Errorf("WWW-Authenticate = %q with bearer %q", resp.Header.Get("WWW-Authenticate"), tt.bearer)
			}
		})
	}
}

// TestMetricsWithoutScraperToken: with no token configured, an empty or
// made-up bearer token does not match the unset one.
func TestMetricsWithoutScraperToken(t *testing.T) {
	f := newAuthFixture(t)
	for _, bearer := range []string{"", " ", "x"} {
		resp, body := f.do(t, nil, authReq{method: http.MethodGet, path: "/metrics", bearer: bearer})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET /metrics with bearer %q = %d %s, want 401", bearer, resp.StatusCode, body)
		}
	}
}
