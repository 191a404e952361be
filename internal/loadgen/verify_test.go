package loadgen

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeAPI lists a call only from its third poll on, and refuses any token
// but "good". A fake is enough here: the real API is exercised by the
// end-to-end test of the command.
func fakeAPI(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var polls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer good" {
			http.Error(w, `{"error":"sign in"}`, http.StatusUnauthorized)
			return
		}
		calls := []apiCall{}
		if id := r.URL.Query().Get("sip_call_id"); id != "" && polls.Add(1) >= 3 {
			calls = append(calls, apiCall{ID: "r-" + id, DurationMS: 1000,
				Streams: []apiStream{{50, 0}, {50, 0}}})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"calls": calls})
	}))
	t.Cleanup(srv.Close)
	return srv, &polls
}

func TestVerifierPollsUntilListed(t *testing.T) {
	srv, polls := fakeAPI(t)
	cfg := &Config{Calls: 1, API: srv.URL + "/", Token: "good", VerifyWait: 5 * time.Second,
		DurationSlack: 250 * time.Millisecond}
	v := newVerifier(cfg)
	if err := v.preflight(t.Context()); err != nil {
		t.Fatalf("preflight: %v", err)
	}
	now := time.Now()
	res := &CallResult{SIPCallID: "a@b", InviteSent: now.Add(-1010 * time.Millisecond),
		Answered: now.Add(-1000 * time.Millisecond), ByeSent: now, ByeAnswered: now}
	v.start(t.Context())
	v.enqueue(res)
	v.wait()
	c := res.Check
	if c == nil || !c.Listed || c.Problem != "" || c.RecordingID != "r-a@b" || c.PacketsReceived != 100 {
		t.Fatalf("check %+v, want listed without a problem", c)
	}
	if polls.Load() != 3 || c.ListedAfter < 40*time.Millisecond {
		t.Errorf("%d polls, listed after %s; want 3 polls 20 ms apart", polls.Load(), c.ListedAfter)
	}
}

func TestVerifierRefusedToken(t *testing.T) {
	srv, _ := fakeAPI(t)
	v := newVerifier(&Config{Calls: 1, API: srv.URL, Token: "bad"})
	err := v.preflight(t.Context())
	if err == nil || !strings.Contains(err.Error(), "refused the token (401") {
		t.Errorf("preflight = %v, want the token refused", err)
	}
}

func TestVerifierGivesUp(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"calls":[]}`))
	}))
	t.Cleanup(srv.Close)
	v := newVerifier(&Config{Calls: 1, API: srv.URL, Token: "t", VerifyWait: 100 * time.Millisecond})
	c := v.check(t.Context(), &CallResult{SIPCallID: "x", ByeSent: time.Now()})
	if c.Listed || c.Problem != "not listed within 100ms of the BYE" {
		t.Errorf("check %+v, want not listed within the wait", c)
	}
}
