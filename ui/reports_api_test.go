package ui

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"earshot/qa"
)

// seedScores gives agents Ana (team Billing) and Ben two and one scored
// evaluations.
func seedScores(t *testing.T, f *authFixture, reviewer *qa.User) {
	t.Helper()
	db := f.cat.DB()
	at := time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC).UnixMilli()
	for _, q := range []string{
		`INSERT INTO teams (id, name) VALUES (1, 'Billing')`,
		`INSERT INTO agents (id, name, team_id) VALUES (1, 'Ana', 1), (2, 'Ben', 1)`,
		`INSERT INTO forms (id, name, created_at) VALUES (1, 'Standard', 0)`,
		`INSERT INTO form_versions (id, form_id, version, definition, created_at, updated_at) VALUES (1, 1, 1, '{}', 0, 0)`,
	} {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatal(err)
		}
	}
	for i, e := range []struct {
		agent int
		score float64
	}{{1, 70}, {1, 90}, {2, 60}} {
		_, err := db.ExecContext(t.Context(), `INSERT INTO evaluations (call_id, form_version_id, reviewer_id,
			agent_id, status, score, created_at, submitted_at) VALUES (?, 1, ?, ?, 'submitted', ?, ?, ?)`,
			"call-"+string(rune('a'+i)), reviewer.ID, e.agent, e.score, at, at)
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestAgentReportOverHTTP(t *testing.T) {
	f := newAuthFixture(t)
	manager := f.user(t, "mia", qa.RoleManager)
	seedScores(t, f, f.user(t, "rex", qa.RoleReviewer))
	resp, body := f.do(t, nil, authReq{method: http.MethodGet, path: "/api/v1/reports/agents",
		bearer: f.token(t, manager)})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var got struct {
		Rows []qa.AgentScore `json:"rows"`
	}
	decodeTestJSON(t, body, &got)
	if len(got.Rows) != 2 || got.Rows[0].Agent != "Ana" || got.Rows[0].Score.N != 2 || got.Rows[0].Score.Mean != 80 {
		t.Errorf("rows %+v, want Ana with 2 evaluations at 80 first", got.Rows)
	}
	if got.Rows[1].Score.Low != nil {
		t.Errorf("Ben's single evaluation has an interval %v; it needs two", *got.Rows[1].Score.Low)
	}
}

func TestAgentReportAsCSV(t *testing.T) {
	f := newAuthFixture(t)
	manager := f.user(t, "mia", qa.RoleManager)
	seedScores(t, f, f.user(t, "rex", qa.RoleReviewer))
	resp, body := f.do(t, nil, authReq{method: http.MethodGet, path: "/api/v1/reports/agents?format=csv",
		bearer: f.token(t, manager)})
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	records, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Ana: 70 and 90, mean 80, SD 14.14, t(1) 12.706: 80 ± 127.06. Two
	// evaluations say next to nothing, and the interval shows it.
	want := []string{"1", "Ana", "Billing", "2", "80.00", "-47.06", "207.06"}
	if len(records) != 3 || strings.Join(records[1][:7], ",") != strings.Join(want, ",") {
		t.Errorf("csv %q, want header, then %v...", records, want)
	}
}

func TestReportRefusesBadFilter(t *testing.T) {
	f := newAuthFixture(t)
	manager := f.user(t, "mia", qa.RoleManager)
	resp, body := f.do(t, nil, authReq{method: http.MethodGet, path: "/api/v1/reports/teams?from=last-week",
		bearer: f.token(t, manager)})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "from=") {
		t.Errorf("status %d %s, want 400 naming from", resp.StatusCode, body)
	}
}
