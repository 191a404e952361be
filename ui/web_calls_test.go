package ui

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"earshot/storage"
)

// marksUnreadable is what the call page says when it has no marks to show.
const marksUnreadable = "marks could not be read for this call"

// TestWebCallMarks: the call page takes its DTMF, pause and hold marks
// from the catalog, so they show with the sidecar gone from the store; only
// a call whose holds the catalog lacks needs the sidecar.
func TestWebCallMarks(t *testing.T) {
	f := newWebFixture(t)
	rita := f.signIn(t, "rita")
	page := func(t *testing.T) string {
		t.Helper()
		resp, body := rita.get(t, "/calls/"+f.callID)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("call page: %d", resp.StatusCode)
		}
		return body
	}
	allMarks := []string{"DTMF 5", "Paused (api)", "Customer on hold"}
	showsAll := func(t *testing.T, step, body string) {
		t.Helper()
		for _, want := range allMarks {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the call page lacks the mark %q", step, want)
			}
		}
		if strings.Contains(body, marksUnreadable) {
			t.Errorf("%s: the call page says its marks could not be read", step)
		}
	}

	_, sidecarKey, err := storage.RecordingKeys(f.callID)
	if err != nil {
		t.Fatal(err)
	}
	rc, _, err := f.store.Get(t.Context(), sidecarKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	sidecar, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.Delete(t.Context(), sidecarKey); err != nil {
		t.Fatal(err)
	}
	showsAll(t, "sidecar deleted", page(t))

	// As a catalog upgraded from a build that did not keep holds has it:
	// the holds must come from the sidecar, which is gone.
	for _, q := range []string{`DELETE FROM holds WHERE call_id = ?`,
		`INSERT INTO holds_unindexed (call_id) VALUES (?)`} {
		if _, err := f.cat.DB().Exec(q, f.callID); err != nil {
			t.Fatal(err)
		}
	}
	body := page(t)
	if !strings.Contains(body, marksUnreadable) || strings.Contains(body, "Customer on hold") {
		t.Error("holds unknown and no sidecar: the page does not say the marks could not be read")
	}

	f.put(t, sidecarKey, sidecar)
	showsAll(t, "holds from the sidecar", page(t))
}
