package ui_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"earshot/storage"
	"earshot/storage/catalog"
	"earshot/ui"
)

// newRegistry returns a registry of its own, so that tests do not see
// the process-wide metrics.
func newRegistry() *prometheus.Registry {
	return prometheus.NewRegistry()
}

// serve starts cfg's server over HTTP, logging to the test log.
func serve(t *testing.T, cfg ui.Config) string {
	t.Helper()
	cfg.Log = slog.New(slog.NewTextHandler(t.Output(), nil))
	hs := httptest.NewServer(ui.New(cfg).Handler())
	t.Cleanup(hs.Close)
	return hs.URL
}

func TestHealthz(t *testing.T) {
	failing := ui.Check{Name: "store", Ping: func(context.Context) error {
		return errors.New("store down")
	}}
	u := serve(t, ui.Config{Gatherer: newRegistry(), Checks: []ui.Check{failing}})

	resp, body := get(t, u+"/healthz")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200 even with a failing readiness check", resp.StatusCode)
	}
	var got map[string]string
	if err := json.Unmarshal(body, &got); err != nil || got["status"] != "ok" {
		t.Errorf("body = %s (%v), want status ok", body, err)
	}
}

// readiness is the /readyz answer.
type readiness struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
	Detail map[string]any    `json:"detail"`
}

func TestReadyz(t *testing.T) {
	tests := []struct {
		name string
		// breakIt, if set, makes the named dependency fail.
		breakIt    func(t *testing.T, cat *catalog.Catalog, storeDir string)
		wantStatus int
		wantReady  string
		// wantChecks maps each check to "ok" or a substring of its error.
		wantChecks map[string]string
	}{
		{name: "all pass", wantStatus: http.StatusOK, wantReady: "ready",
			wantChecks: map[string]string{"catalog": "ok", "store": "ok"}},
		{name: "catalog closed",
			breakIt: func(t *testing.T, cat *catalog.Catalog, _ string) {
				if err := cat.Close(); err != nil {
					t.Fatal(err)
				}
			},
			wantStatus: http.StatusServiceUnavailable, wantReady: "not ready",
			wantChecks: map[string]string{"catalog": "closed", "store": "ok"}},
		{name: "store folder gone",
			breakIt: func(t *testing.T, _ *catalog.Catalog, storeDir string) {
				if err := os.RemoveAll(storeDir); err != nil {
					t.Fatal(err)
				}
			},
			wantStatus: http.StatusServiceUnavailable, wantReady: "not ready",
			wantChecks: map[string]string{"catalog": "ok", "store": "ping"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cat, err := catalog.Open(context.Background(), filepath.Join(dir, "catalog.db"), nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cat.Close() })
			storeDir := filepath.Join(dir, "store")
			store, err := storage.NewFileStore(storeDir)
			if err != nil {
				t.Fatal(err)
			}
			u := serve(t, ui.Config{
				Gatherer: newRegistry(),
				Checks: []ui.Check{
					{Name: "catalog", Ping: cat.Ping},
					{Name: "store", Ping: store.Ping},
				},
				Detail: func() map[string]any { return map[string]any{"active_calls": 3} },
			})
			if tt.breakIt != nil {
				tt.breakIt(t, cat, storeDir)
			}

			resp, body := get(t, u+"/readyz")
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, tt.wantStatus, body)
			}
			var got readiness
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if got.Status != tt.wantReady {
				t.Errorf("status = %q, want %q", got.Status, tt.wantReady)
			}
			checkReadiness(t, got.Checks, tt.wantChecks)
			if diff := cmp.Diff(map[string]any{"active_calls": 3.0}, got.Detail); diff != "" {
				t.Errorf("detail (-want +got):\n%s", diff)
			}
		})
	}
}

// checkReadiness compares the checks of a /readyz answer with want, where
// a value other than "ok" is a substring of the expected error.
func checkReadiness(t *testing.T, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("checks = %v, want %d of them", got, len(want))
	}
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("check %q missing from %v", name, got)
		case w == "ok" && g != "ok":
			t.Errorf("check %q = %q, want ok", name, g)
		case w != "ok" && !strings.Contains(g, w):
			t.Errorf("check %q = %q, want an error containing %q", name, g, w)
		}
	}
}

// TestReadyzHungCheck checks that a dependency that does not answer makes
// the server not ready within the check timeout, instead of hanging the
// probe.
func TestReadyzHungCheck(t *testing.T) {
	hung := ui.Check{Name: "store", Ping: func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	}}
	u := serve(t, ui.Config{Gatherer: newRegistry(), CheckTimeout: 50 * time.Millisecond,
		Checks: []ui.Check{hung}})

	start := time.Now()
	resp, body := get(t, u+"/readyz")
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("/readyz took %v with a 50ms check timeout", took)
	}
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status = %d, want 503; body %s", resp.StatusCode, body)
	}
	var got readiness
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	checkReadiness(t, got.Checks, map[string]string{"store": "deadline exceeded"})
}

func TestMetrics(t *testing.T) {
	reg := newRegistry()
	stored := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "earshot_recordings_stored_total", Help: "Recordings stored."})
	reg.MustRegister(stored)
	stored.Add(3)
	u := serve(t, ui.Config{Gatherer: reg})

	resp, body := get(t, u+"/metrics")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200", resp.StatusCode)
	}
	if !strings.Contains(string(body), "\nearshot_recordings_stored_total 3\n") {
		t.Errorf("metrics lack the counter:\n%s", body)
	}
	// The registry given is served, not the process-wide default.
	if strings.Contains(string(body), "go_goroutines") {
		t.Errorf("metrics include the default registry's go_goroutines:\n%s", body)
	}
}

func TestCallAPIOffWithoutCalls(t *testing.T) {
	u := serve(t, ui.Config{Gatherer: newRegistry()})

	resp, body := get(t, u+"/api/v1/calls")
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("status = %d, want 404 with no catalog; body %s", resp.StatusCode, body)
	}
}
