package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"earshot/internal/rtpgen"
	"earshot/internal/siptest"
	"earshot/storage/catalog"
)

// The helpers below drive the QA part of the API as a program with API
// tokens does: JSON in and out, one bearer token per person.

// apiCall sends method path (from /api/v1/) to a started binary with body
// as JSON (none when nil) and token as bearer (none when empty); it
// returns the status, the Content-Type and the whole body.
func apiCall(
	t *testing.T,
	p *earshotProcess,
	token, method, path string,
	body any,
) (int, string, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, p.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), out
}

// apiMust is apiCall that requires the status want and decodes the answer
// into into, when not nil; it returns the body, for the log.
func apiMust(
	t *testing.T,
	p *earshotProcess,
	token, method, path string,
	body any,
	want int,
	into any,
) []byte {
	t.Helper()
	code, _, out := apiCall(t, p, token, method, path, body)
	if code != want {
		t.Fatalf("%s %s = %d %s, want %d", method, path, code, out, want)
	}
	if into != nil {
		decodeJSON(t, method+" "+path, out, into)
	}
	return out
}

// qaPerson is a user of the binary with their own API token.
type qaPerson struct {
	id       int64
	username string
	token    string
}

// addPerson creates a user with roles (linked to agentID when not zero)
// and an API token for them, both as the admin.
func addPerson(
	t *testing.T,
	p *earshotProcess,
	username string,
	roles []string,
	agentID int64,
) qaPerson {
	t.Helper()
	admin := p.adminToken(t)
	req := map[string]any{"username": username, "display_name": username,
		"password": "a long password for " + username, "roles": roles}
	if agentID != 0 {
		req["agent_id"] = agentID
	}
	var created struct {
		User struct {
			ID      int64    `json:"id"`
			Roles   []string `json:"roles"`
			AgentID *int64   `json:"agent_id"`
		} `json:"user"`
	}
	apiMust(t, p, admin, http.MethodPost, "/api/v1/users", req, http.StatusCreated, &created)
	if agentID != 0 && (created.User.AgentID == nil || *created.User.AgentID != agentID) {
		t.Fatalf("user %s: agent_id = %v, want %d", username, created.User.AgentID, agentID)
	}
	var tok struct {
		Secret string `json:"secret"`
	}
	apiMust(t, p, admin, http.MethodPost, "/api/v1/tokens",
		map[string]any{"name": "qa workflow", "user_id": created.User.ID}, http.StatusCreated, &tok)
	if tok.Secret == "" {
		t.Fatalf("token for %s: no secret returned", username)
	}
	return qaPerson{id: created.User.ID, username: username, token: tok.Secret}
}

// sipSession is one SIPREC session opened with the recorder.
type sipSession struct {
	callID   string
	uac      *siptest.UAC
	invite   []byte
	ok       *siptest.Message
	senders  []*net.UDPConn
	answered []int
}

// openSession sends the stored RFC 7865 INVITE under callID, with its two
// streams coming from fresh loopback sockets, and ACKs the 200.
func openSession(t *testing.T, sipAddr string, raw []byte, callID string) *sipSession {
	t.Helper()
	uac, err := siptest.Dial(sipAddr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { uac.Close() })
	s := &sipSession{callID: callID, uac: uac}
	var ports []int
	s.senders, ports = rtpSenders(t, 2)
	s.invite = siptest.PrepareInvite(raw, siptest.Rewrite{
		Server: sipAddr, UAC: uac.Addr(), CallID: callID, MediaIP: "127.0.0.1", MediaPorts: ports,
	})
	if err := uac.Send(s.invite); err != nil {
		t.Fatal(err)
	}
	s.ok, err = uac.Final(10 * time.Second)
	if err != nil || s.ok.Code != 200 {
		t.Fatalf("INVITE %s: got %+v (%v), want 200", callID, s.ok, err)
	}
	s.answered = siptest.AnswerPorts(s.ok.Body)
	if len(s.answered) != 2 || s.answered[0] == 0 || s.answered[1] == 0 {
		t.Fatalf("INVITE %s: answered ports %v, want both streams taken", callID, s.answered)
	}
	if err := uac.Send(siptest.InDialog("ACK", s.invite, s.ok, 0, "", nil)); err != nil {
		t.Fatal(err)
	}
	return s
}

// hangUp sends the BYE and requires its 200.
func (s *sipSession) hangUp(t *testing.T) {
	t.Helper()
	if err := s.uac.Send(siptest.InDialog("BYE", s.invite, s.ok, 102, "", nil)); err != nil {
		t.Fatal(err)
	}
	resp, err := s.uac.Final(10 * time.Second)
	if err != nil || resp.Code != 200 {
		t.Fatalf("BYE %s: got %+v (%v), want 200", s.callID, resp, err)
	}
}

// recordCalls places n SIPREC calls between Alice and Bob (the parties of
// the stored RFC 7865 INVITE), all at once: talk of 440 Hz from Alice and
// 1000 Hz from Bob, then a BYE. It waits until every call is listed and
// returns them as listed, in the order placed.
func recordCalls(
	t *testing.T,
	p *earshotProcess,
	sipAddr string,
	n int,
	talk time.Duration,
) []catalog.Call {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "sip", "testdata", "invites",
		"rfc7865-example.sip"))
	if err != nil {
		t.Fatal(err)
	}
	sessions := make([]*sipSession, n)
	for i := range sessions {
		id := fmt.Sprintf("qa-%d-%d@test", i, time.Now().UnixNano())
		sessions[i] = openSession(t, sipAddr, raw, id)
	}
	start := time.Now().Add(50 * time.Millisecond)
	var wg sync.WaitGroup
	for i, s := range sessions {
		pkts := make([][]rtpgen.Packet, 2)
		for j, tone := range []float64{440, 1000} {
			leg := rtpgen.Leg{ToneHz: tone, SSRC: uint32(100*i + j + 1), Seed: uint64(10*i + j)}
			pkts[j] = leg.Packets(talk)
		}
		wg.Go(func() { sendStreams(t, s.senders, s.answered, start, pkts) })
	}
	wg.Wait()
	calls := make([]catalog.Call, n)
	for i, s := range sessions {
		s.hangUp(t)
		calls[i] = waitForCall(t, p, s.callID, 30*time.Second)
	}
	return calls
}

// within reports whether got is want to 1e-9, for scores computed by hand.
func within(got *float64, want float64) bool {
	return got != nil && *got-want < 1e-9 && want-*got < 1e-9
}

// The types below are the parts of the API's answers that this test
// reads, spelt as a client of the JSON API spells them.

type qaAnswer struct {
	Value string `json:"value,omitempty"`
	NA    bool   `json:"na,omitempty"`
}

type qaEvaluation struct {
	ID             int64               `json:"id"`
	CallID         string              `json:"call_id"`
	FormVersionID  int64               `json:"form_version_id"`
	ReviewerID     int64               `json:"reviewer_id"`
	AgentID        *int64              `json:"agent_id"`
	Status         string              `json:"status"`
	Answers        map[string]qaAnswer `json:"answers"`
	Score          *float64            `json:"score"`
	CriticalFailed bool                `json:"critical_failed"`
	Sampled        bool                `json:"sampled"`
	DrawID         *int64              `json:"draw_id"`
	Calibration    bool                `json:"calibration"`
	Revision       int                 `json:"revision"`
	AcknowledgedAt *time.Time          `json:"acknowledged_at"`
}

type qaDrawItem struct {
	CallID       string `json:"call_id"`
	AgentID      int64  `json:"agent_id"`
	ReviewerID   *int64 `json:"reviewer_id"`
	SecondReview bool   `json:"second_review"`
	EvaluationID *int64 `json:"evaluation_id"`
}

type qaAgentDraw struct {
	AgentID   int64   `json:"agent_id"`
	Name      string  `json:"name"`
	Quota     int     `json:"quota"`
	Eligible  int     `json:"eligible"`
	Drawn     int     `json:"drawn"`
	Shortfall int     `json:"shortfall"`
	Reviewers []int64 `json:"reviewers"`
}

type qaDraw struct {
	ID     int64 `json:"id"`
	PlanID int64 `json:"plan_id"`
	Seed   int64 `json:"seed"`
	Params struct {
		Algorithm string `json:"algorithm"`
		Plan      struct {
			Quota         int    `json:"quota"`
			Period        string `json:"period"`
			FormVersionID *int64 `json:"form_version_id"`
		} `json:"plan"`
		Period struct {
			Kind string   `json:"kind"`
			Days []string `json:"days"`
		} `json:"period"`
	} `json:"params"`
	Report struct {
		Agents              []qaAgentDraw `json:"agents"`
		Drawn               int           `json:"drawn"`
		Shortfall           int           `json:"shortfall"`
		Unassigned          int           `json:"unassigned"`
		SecondReviewsWanted int           `json:"second_reviews_wanted"`
	} `json:"report"`
	Items []qaDrawItem `json:"items"`
}

// findAgentDraw returns an agent's entry in a draw's report.
func findAgentDraw(t *testing.T, d qaDraw, agent int64) qaAgentDraw {
	t.Helper()
	for _, a := range d.Report.Agents {
		if a.AgentID == agent {
			return a
		}
	}
	t.Fatalf("draw %d reports no agent %d: %+v", d.ID, agent, d.Report.Agents)
	return qaAgentDraw{}
}

// agentScoreRow is a row of GET /api/v1/reports/agents.
type agentScoreRow struct {
	AgentID int64  `json:"agent_id"`
	Agent   string `json:"agent"`
	Score   struct {
		N    int     `json:"n"`
		Mean float64 `json:"mean"`
	} `json:"score"`
}

// fmtScore renders a score that may be null, for a message.
func fmtScore(s *float64) string {
	if s == nil {
		return "null"
	}
	return fmt.Sprint(*s)
}

// logDraw logs a draw's seed, report and items, for the closing note.
func logDraw(t *testing.T, body []byte) {
	t.Helper()
	var d struct {
		ID     int64           `json:"id"`
		Seed   int64           `json:"seed"`
		Params json.RawMessage `json:"params"`
		Report json.RawMessage `json:"report"`
		Items  json.RawMessage `json:"items"`
	}
	decodeJSON(t, "draw", body, &d)
	t.Logf("draw %d, seed %d\nparams: %s\nreport: %s\nitems: %s",
		d.ID, d.Seed, indent(d.Params), indent(d.Report), indent(d.Items))
}

func indent(raw []byte) string {
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}

// pick is what a draw item decides: a call and its reviewer.
type pick struct {
	call     string
	reviewer int64
	second   bool
}

func picks(d qaDraw) []pick {
	var out []pick
	for _, it := range d.Items {
		p := pick{call: it.CallID, second: it.SecondReview}
		if it.ReviewerID != nil {
			p.reviewer = *it.ReviewerID
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b pick) int { return strings.Compare(a.call, b.call) })
	return out
}
