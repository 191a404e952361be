package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test start this very binary as the earshot process, so
// that signals, exit codes and output are those a user gets.
func TestMain(m *testing.M) {
	if os.Getenv("EARSHOT_TEST_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func noEnv(string) string { return "" }

func envOf(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestBadSettingStopsWithOneLine(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		mention string
	}{
		{name: "reversed port range", args: []string{"--rtp-ports", "30000-20000"}, mention: "rtp-ports"},
		{name: "port range from env", env: map[string]string{"EARSHOT_RTP_PORTS": "abc"}, mention: "EARSHOT_RTP_PORTS"},
		{name: "log format", args: []string{"--log-format", "xml"}, mention: "log-format"},
		{name: "log level", args: []string{"--log-level", "loud"}, mention: "log-level"},
		{name: "http listen", args: []string{"--http-listen", "8080"}, mention: "--http-listen"},
		{name: "sip listen port", args: []string{"--sip-listen", ":99999"}, mention: "--sip-listen"},
		{name: "storage scheme", args: []string{"--storage", "ftp://x/y"}, mention: "--storage"},
		{name: "s3 without bucket", args: []string{"--storage", "s3://"}, mention: "--storage"},
		{name: "tls key without cert", args: []string{"--sip-tls-key", "/nonexistent.pem"}, mention: "--sip-tls-cert"},
		{name: "tls files missing", args: []string{"--sip-tls-key", "/nonexistent.pem", "--sip-tls-cert", "/nonexistent.crt"},
			mention: "--sip-tls-cert"},
		{name: "allow list", args: []string{"--sip-allow", "10.0.0.0/8,bogus"}, mention: "--sip-allow"},
		{name: "codec", args: []string{"--codecs", "PCMU,OPUS"}, mention: "OPUS"},
		{name: "upload workers", args: []string{"--upload-workers", "0"}, mention: "--upload-workers"},
		{name: "short metrics token", env: map[string]string{metricsTokenEnv: "secret"}, mention: metricsTokenEnv},
		{name: "unknown flag", args: []string{"--colour", "red"}, mention: "colour"},
		{name: "stray argument", args: []string{"serve", "now"}, mention: "now"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := tt.args
			if len(args) == 0 || args[0] != "serve" {
				args = append([]string{"serve", "--data-dir", t.TempDir()}, args...)
			}
			code := run(t.Context(), args, envOf(tt.env), &stdout, &stderr)
			if code != 2 {
				t.Fatalf("exit code = %d, want 2; stderr: %s", code, stderr.String())
			}
			msg := stderr.String()
			if strings.Count(msg, "\n") != 1 || !strings.Contains(msg, tt.mention) {
				t.Errorf("stderr = %q, want one line naming %q", msg, tt.mention)
			}
		})
	}
}

func TestServeHelpListsEverySetting(t *testing.T) {
	var stdout bytes.Buffer
	if code := run(t.Context(), []string{"serve", "--help"}, noEnv, &stdout, io.Discard); code != 0 {
		t.Fatalf("exit code = %d, want 0", code)
	}
	for _, want := range []string{
		"--data-dir", "EARSHOT_DATA_DIR", "./earshot-data",
		"--storage", "EARSHOT_STORAGE",
		"--http-listen", "EARSHOT_HTTP_LISTEN", ":8080",
		"--sip-listen", "EARSHOT_SIP_LISTEN", ":5060",
		"--rtp-ports", "EARSHOT_RTP_PORTS", "20000-29999",
		"--log-format", "EARSHOT_LOG_FORMAT",
		"--log-level", "EARSHOT_LOG_LEVEL",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("serve --help does not mention %q", want)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	var stderr bytes.Buffer
	if code := run(t.Context(), []string{"frobnicate"}, noEnv, io.Discard, &stderr); code != 2 {
		t.Fatalf("exit code = %d, want 2", code)
	}
	if !strings.Contains(stderr.String(), "earshot help") {
		t.Errorf("stderr = %q, want a pointer to the help", stderr.String())
	}
}

// earshotProcess is the binary under test running as a child process.
type earshotProcess struct {
	cmd    *exec.Cmd
	base   string // http://127.0.0.1:PORT
	stderr *bytes.Buffer
	exited chan error
	// token is the admin's API token, once adminToken has made it.
	token string
}

// startEarshot runs "earshot" with no arguments in a fresh folder, as a
// newcomer would, with only the web port moved so tests do not collide, and
// the first admin's password set (see adminToken).
func startEarshot(t *testing.T, extraEnv ...string) *earshotProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "EARSHOT_TEST_RUN_MAIN=1", "EARSHOT_HTTP_LISTEN=127.0.0.1:0",
		"EARSHOT_SIP_LISTEN=127.0.0.1:0", adminPasswordEnv+"="+testAdminPassword,
		metricsTokenEnv+"="+testMetricsToken)
	cmd.Env = append(cmd.Env, extraEnv...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &earshotProcess{cmd: cmd, stderr: &bytes.Buffer{}, exited: make(chan error, 1)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(cmd.Process.Pid, syscall.SIGKILL)
		<-p.exited
	})
	p.base = readBaseURL(t, stdout)
	go func() {
		_, _ = io.Copy(io.Discard, stdout)
		p.exited <- cmd.Wait()
	}()
	return p
}

var baseURLRe = regexp.MustCompile(`http://[^/\s]+`)

func readBaseURL(t *testing.T, r io.Reader) string {
	t.Helper()
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if m := baseURLRe.FindString(sc.Text()); m != "" {
				lines <- m
				return
			}
		}
		close(lines)
	}()
	select {
	case u, ok := <-lines:
		if !ok {
			t.Fatal("earshot exited before printing its address")
		}
		return strings.Replace(u, "localhost", "127.0.0.1", 1)
	case <-time.After(30 * time.Second):
		t.Fatal("earshot printed no address within 30s")
	}
	return ""
}

func getJSON(t *testing.T, url string, into any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	if into != nil {
		if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
			t.Fatalf("GET %s: decode: %v", url, err)
		}
	}
	return resp.StatusCode
}

func TestServeOnDefaultsAnswersAndDrainsOnSIGTERM(t *testing.T) {
	p := startEarshot(t)

	if code := getJSON(t, p.base+"/healthz", nil); code != http.StatusOK {
		t.Errorf("/healthz = %d, want 200", code)
	}
	var ready struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
		Detail map[string]any    `json:"detail"`
	}
	if code := getJSON(t, p.base+"/readyz", &ready); code != http.StatusOK {
		t.Errorf("/readyz = %d (%+v), want 200", code, ready)
	}
	if ready.Checks["catalog"] != "ok" || ready.Checks["store"] != "ok" {
		t.Errorf("/readyz checks = %v, want catalog and store ok", ready.Checks)
	}
	if _, ok := ready.Detail["upload_queue"]; !ok {
		t.Errorf("/readyz detail = %v, want the upload queue backlog", ready.Detail)
	}
	if body := scrape(t, p); !bytes.Contains(body, []byte("earshot_upload_backlog 0")) {
		t.Errorf("/metrics with the metrics token lacks earshot_upload_backlog 0:\n%s", body)
	}
	for _, f := range []string{"earshot-data/earshot.db", "earshot-data/recordings"} {
		if _, err := os.Stat(p.cmd.Dir + "/" + f); err != nil {
			t.Errorf("embedded default %s not created: %v", f, err)
		}
	}

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.exited:
		p.exited <- err // for the cleanup
		if err != nil {
			t.Fatalf("earshot exited with %v after SIGTERM, want 0; stderr:\n%s", err, p.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("earshot did not stop within 30s of SIGTERM")
	}
	if !strings.Contains(p.stderr.String(), "earshot stopped") {
		t.Errorf("log lacks the clean stop; stderr:\n%s", p.stderr)
	}
}

func TestReadyzFailsWhenStoreIsGone(t *testing.T) {
	dir := t.TempDir()
	p := startEarshot(t, "EARSHOT_STORAGE=file://"+dir+"/rec")
	if err := os.RemoveAll(dir + "/rec"); err != nil {
		t.Fatal(err)
	}
	var ready struct {
		Checks map[string]string `json:"checks"`
	}
	if code := getJSON(t, p.base+"/readyz", &ready); code != http.StatusServiceUnavailable {
		t.Fatalf("/readyz = %d, want 503 with the store gone", code)
	}
	if ready.Checks["store"] == "ok" || ready.Checks["catalog"] != "ok" {
		t.Errorf("/readyz checks = %v, want only the store failing", ready.Checks)
	}

}
