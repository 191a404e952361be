package ui

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"earshot/storage/catalog"
)

// TestOpenAPIListsEveryRoute: every /api/v1 route the server answers is in
// the document, with its method, and the document lists nothing else.
func TestOpenAPIListsEveryRoute(t *testing.T) {
	s := New(Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Calls: nilCalls{}})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	served := map[string]bool{}
	for _, r := range s.echo.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") || r.Path == "/api/v1/openapi.json" {
			continue
		}
		p := pathParam.ReplaceAllString(r.Path, "{$1}")
		key := strings.ToLower(r.Method) + " " + p
		served[key] = true
		if _, ok := doc.Paths[p][strings.ToLower(r.Method)]; !ok {
			t.Errorf("%s is served but missing from the OpenAPI document", key)
		}
	}
	for p, ops := range doc.Paths {
		for m := range ops {
			if !served[m+" "+p] {
				t.Errorf("%s %s is documented but not served", m, p)
			}
		}
	}
	if len(served) == 0 {
		t.Fatal("no API route served")
	}
}

// nilCalls is an empty catalog, enough to mount the call routes.
type nilCalls struct{}

func (nilCalls) List(context.Context, catalog.ListFilter) ([]catalog.Call, error) { return nil, nil }
func (nilCalls) Get(context.Context, string) (*catalog.Call, error)               { return nil, catalog.ErrNotFound }
