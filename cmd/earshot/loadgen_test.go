package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"earshot/internal/loadgen"
)

// TestLoadgenRecordsEveryCall runs "earshot loadgen" in-process against
// the binary, as a user testing a deployment would: 20 calls, 10 at a
// time, 2 s each, and the loadgen's own check of every recording through
// the API with a token from the environment.
func TestLoadgenRecordsEveryCall(t *testing.T) {
	sipAddr := fmt.Sprintf("127.0.0.1:%d", freeSIPPort(t))
	p := startEarshot(t, "EARSHOT_SIP_LISTEN="+sipAddr, "EARSHOT_RTP_PORTS=43000-43999",
		"EARSHOT_RTP_BIND=127.0.0.1")
	env := envOf(map[string]string{"EARSHOT_TOKEN": p.adminToken(t)})
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"loadgen", "--target", sipAddr, "--calls", "20",
		"--concurrency", "10", "--duration", "2s", "--rate", "0", "--dialect", "mix",
		"--api", p.base, "--verify-wait", "30s"}, env, &stdout, &stderr)
	t.Logf("loadgen summary:\n%s", stdout.String())
	if code != 0 {
		t.Fatalf("loadgen exit code %d, want 0; stderr:\n%s", code, stderr.String())
	}
	for _, want := range []string{
		"calls:       20 succeeded, 0 failed",
		"failures:    none",
		"rtp:         4000 packets sent, 0 left unsent",
		"recordings:  20 checked at " + p.base + ", 0 with problems",
		"listed:      p50 ",
		"received:    4000 of 4000 packets sent",
		"result:      PASS",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	if strings.Contains(stdout.String()+stderr.String(), p.adminToken(t)) {
		t.Error("loadgen printed the token")
	}
	// The loadgen checked each call by its Call-ID; check one ourselves.
	resp, body := p.apiGet(t, "/api/v1/calls?limit=100", nil)
	if resp.StatusCode != http.StatusOK || strings.Count(string(body), `"sip_call_id":"loadgen-`) != 20 {
		t.Errorf("GET /api/v1/calls = %d, want the 20 loadgen calls: %s", resp.StatusCode, body)
	}
	stopEarshot(t, p)
}

// TestLoadgenFailsWhenCallsFail points the loadgen at a recorder that
// refuses calls beyond one at a time, and checks the exit code and that
// the summary counts the refusals by SIP status. The calls start 50 ms
// apart: INVITEs arriving together can all pass the recorder's limit.
func TestLoadgenFailsWhenCallsFail(t *testing.T) {
	sipAddr := fmt.Sprintf("127.0.0.1:%d", freeSIPPort(t))
	p := startEarshot(t, "EARSHOT_SIP_LISTEN="+sipAddr, "EARSHOT_RTP_PORTS=44000-44999",
		"EARSHOT_RTP_BIND=127.0.0.1", "EARSHOT_MAX_CALLS=1")
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"loadgen", "--target", sipAddr, "--calls", "3",
		"--concurrency", "3", "--duration", "1s", "--rate", "20"}, noEnv, &stdout, &stderr)
	t.Logf("loadgen summary:\n%s", stdout.String())
	if code != 1 {
		t.Fatalf("loadgen exit code %d, want 1; stderr:\n%s", code, stderr.String())
	}
	for _, want := range []string{
		"1 succeeded, 2 failed", "503 Service Unavailable: 2", "result:      FAIL",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	if !strings.Contains(stderr.String(), "2 of 3 calls failed") {
		t.Errorf("stderr %q, want the one-line reason", stderr.String())
	}
	stopEarshot(t, p)
}

func TestLoadgenBadSettings(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		mention string
	}{
		{name: "codec", args: []string{"--codec", "opus"}, mention: "codec"},
		{name: "dialect", args: []string{"--dialect", "acme"}, mention: "rfc7865-example"},
		{name: "transport", args: []string{"--transport", "tls"}, mention: "transport"},
		{name: "calls", args: []string{"--calls", "0"}, mention: "--calls"},
		{name: "negative calls", args: []string{"--calls", "-3"}, mention: "calls"},
		{name: "loss", args: []string{"--loss", "0.9"}, mention: "loss"},
		{name: "max loss", args: []string{"--max-loss", "101"}, mention: "--max-loss"},
		{name: "negative max loss", args: []string{"--max-loss", "-1"}, mention: "--max-loss"},
		{name: "target", args: []string{"--target", "localhost"}, mention: "target"},
		{name: "rtp ip", args: []string{"--rtp-ip", "::1"}, mention: "rtp"},
		{name: "api without token", args: []string{"--api", "http://127.0.0.1:1"}, mention: "token"},
		{name: "from env", env: map[string]string{"EARSHOT_CONCURRENCY": "x"},
			mention: "EARSHOT_CONCURRENCY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := run(t.Context(), append([]string{"loadgen"}, tt.args...), envOf(tt.env),
				&bytes.Buffer{}, &stderr)
			if code != 2 || strings.Count(stderr.String(), "\n") != 1 ||
				!strings.Contains(stderr.String(), tt.mention) {
				t.Errorf("exit %d, stderr %q; want 2 and one line naming %q",
					code, stderr.String(), tt.mention)
			}
		})
	}
}

// TestLoadgenFlagZeros: a 0 given for --verify-wait, --max-unreceived or
// --duration-slack, on the command line or in the environment, is kept
// through validation; without them the defaults hold. --max-loss is a
// percent, and its default allows no loss.
func TestLoadgenFlagZeros(t *testing.T) {
	type checks struct {
		wait, slack      time.Duration
		unreceived, loss float64
	}
	defaults := checks{wait: loadgen.DefaultVerifyWait, slack: loadgen.DefaultDurationSlack,
		unreceived: loadgen.DefaultMaxUnreceived}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want checks
	}{
		{name: "defaults", want: defaults},
		{name: "zeros given",
			args: []string{"--verify-wait", "0", "--max-unreceived", "0", "--duration-slack", "0"}},
		{name: "zeros from the environment", env: map[string]string{"EARSHOT_VERIFY_WAIT": "0s",
			"EARSHOT_MAX_UNRECEIVED": "0", "EARSHOT_DURATION_SLACK": "0s"}},
		{name: "one zero", args: []string{"--duration-slack", "0"},
			want: checks{wait: defaults.wait, unreceived: defaults.unreceived}},
		{name: "max loss in percent", args: []string{"--max-loss", "2.5"},
			want: checks{wait: defaults.wait, slack: defaults.slack,
				unreceived: defaults.unreceived, loss: 0.025}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f loadgenFlags
			fs := newFlagSet("loadgen", loadgenSummary, io.Discard)
			f.register(fs)
			if err := parseFlags(fs, tt.args, envOf(tt.env)); err != nil {
				t.Fatalf("parse %q: %v", tt.args, err)
			}
			c, err := f.config()
			if err == nil {
				err = c.Validate()
			}
			if err != nil {
				t.Fatalf("settings of %q: %v", tt.args, err)
			}
			got := checks{wait: c.VerifyWait, slack: c.DurationSlack,
				unreceived: c.MaxUnreceived, loss: c.MaxLoss}
			if got != tt.want {
				t.Errorf("checks %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestLoadgenHelpListsDialects checks that --help names every dialect.
func TestLoadgenHelpListsDialects(t *testing.T) {
	var stdout bytes.Buffer
	code := run(t.Context(), []string{"loadgen", "--help"}, noEnv, &stdout, &bytes.Buffer{})
	if code != 0 {
		t.Fatalf("exit code %d", code)
	}
	for _, d := range append(loadgen.Dialects(), "EARSHOT_TOKEN", "--concurrency") {
		if !strings.Contains(stdout.String(), d) {
			t.Errorf("loadgen --help does not mention %q", d)
		}
	}
}

// TestLoadgenOverTCP places a few calls over SIP on TCP, PCMA this time,
// and has the loadgen check them.
func TestLoadgenOverTCP(t *testing.T) {
	sipAddr := fmt.Sprintf("127.0.0.1:%d", freeSIPPort(t))
	p := startEarshot(t, "EARSHOT_SIP_LISTEN="+sipAddr, "EARSHOT_RTP_PORTS=45500-45599",
		"EARSHOT_RTP_BIND=127.0.0.1")
	env := envOf(map[string]string{"EARSHOT_TOKEN": p.adminToken(t)})
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"loadgen", "--target", sipAddr, "--transport", "tcp",
		"--codec", "pcma", "--calls", "4", "--concurrency", "4", "--duration", "1s",
		"--rate", "0", "--dialect", "cisco-cube", "--api", p.base}, env, &stdout, &stderr)
	t.Logf("loadgen summary:\n%s", stdout.String())
	if code != 0 || !strings.Contains(stdout.String(), "4 succeeded, 0 failed") {
		t.Fatalf("loadgen exit code %d, want 0 with 4 calls; stderr:\n%s", code, stderr.String())
	}
	_, body := p.apiGet(t, "/api/v1/calls?limit=10", nil)
	if n := strings.Count(string(body), `"codec":"PCMA"`); n != 8 {
		t.Errorf("the calls list %d PCMA streams, want 8: %s", n, body)
	}
	stopEarshot(t, p)
}
