package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDemoGivesAReviewerAQueue runs "earshot demo" as a newcomer would and
// signs in as the reviewer it prints: the calls went through the real SIP
// path, and the reviewer has sampled calls waiting.
func TestDemoGivesAReviewerAQueue(t *testing.T) {
	sip := fmt.Sprintf("127.0.0.1:%d", freeSIPPort(t))
	// The demo prints the address it was given, so it needs a real port.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	web := l.Addr().String()
	l.Close()
	cmd := exec.Command(os.Args[0], "demo", "--http-listen", web, "--sip-listen", sip,
		"--rtp-ports", "47000-47999", "--rtp-bind", "127.0.0.1")
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "EARSHOT_TEST_RUN_MAIN=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	t.Cleanup(func() {
		_ = syscall.Kill(cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	})
	text := readUntil(t, out, "Press Ctrl-C", 90*time.Second, &stderr)
	go func() { _, _ = io.Copy(io.Discard, out); exited <- cmd.Wait() }()

	base := regexp.MustCompile(`Open (http://\S+)/`).FindStringSubmatch(text)
	cred := regexp.MustCompile(`(?m)^\s+rae\s+(\S+)`).FindStringSubmatch(text)
	admin := regexp.MustCompile(`(?m)^\s+admin\s+(\S+)`).FindStringSubmatch(text)
	if base == nil || cred == nil || admin == nil || !strings.Contains(text, "24 calls recorded") {
		t.Fatalf("demo printed:\n%s\nwant the address, rae's and admin's passwords and 24 calls", text)
	}
	var queue struct {
		Evaluations []json.RawMessage `json:"evaluations"`
	}
	demoGet(t, base[1], "rae", cred[1], "/api/v1/queue", &queue)
	if len(queue.Evaluations) == 0 {
		t.Errorf("rae's queue is empty; the demo's draw gave her nothing to review")
	}
	var agents struct {
		Agents []struct {
			TeamID *int64 `json:"team_id"`
		} `json:"agents"`
	}
	demoGet(t, base[1], "admin", admin[1], "/api/v1/agents", &agents)
	teams := map[int64]int{}
	for _, a := range agents.Agents {
		if a.TeamID != nil {
			teams[*a.TeamID]++
		}
	}
	if len(teams) != len(demoTeams) {
		t.Errorf("the demo's agents are in %d teams (%v), want %d", len(teams), teams, len(demoTeams))
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		exited <- err
		if err != nil {
			t.Errorf("demo exited with %v after SIGTERM; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Error("demo did not stop within 30s of SIGTERM")
	}
}

// readUntil reads lines until one holds marker, within limit.
func readUntil(t *testing.T, r io.Reader, marker string, limit time.Duration, stderr *bytes.Buffer) string {
	t.Helper()
	got := make(chan string, 1)
	go func() {
		var b strings.Builder
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			b.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), marker) {
				break
			}
		}
		got <- b.String()
	}()
	select {
	case s := <-got:
		return s
	case <-time.After(limit):
		t.Fatalf("no %q within %s; stderr:\n%s", marker, limit, stderr.String())
	}
	return ""
}

// demoGet signs in as user and decodes the JSON answer to GET path.
func demoGet(t *testing.T, base, user, password, path string, v any) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": user, "password": password})
	resp, err := http.Post(base+"/api/v1/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sign in as %s: %s", user, resp.Status)
	}
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	for _, c := range resp.Cookies() {
		req.AddCookie(c)
	}
	got, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Body.Close()
	if got.StatusCode != http.StatusOK {
		t.Fatalf("GET %s as %s: %s", path, user, got.Status)
	}
	if err := json.NewDecoder(got.Body).Decode(v); err != nil {
		t.Fatalf("decode GET %s: %v", path, err)
	}
}
