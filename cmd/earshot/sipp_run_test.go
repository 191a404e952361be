package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// SIPp as a test peer: running one call of a scenario, following its
// progress through the scenario's <log> lines, and reading its message
// trace for when each SIP message went by.

// lookSIPp finds sipp; CI must have it, elsewhere the test is skipped.
func lookSIPp(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("sipp")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("sipp not found: CI must install sip-tester")
		}
		t.Skip("sipp not found: install sip-tester (apt-get install sip-tester)")
	}
	return path
}

// sippRun is SIPp playing testdata/sipp/siprec.xml against earshot.
type sippRun struct {
	dir    string // its logs
	cmd    *exec.Cmd
	exited chan error

	// From the scenario's "answered" log line.
	callID   string
	answered []int
}

// startSIPp runs one call of the scenario towards earshot on loopback;
// ports are where the test sends the streams labelled 1 and 2 from.
func startSIPp(t *testing.T, sipp string, sipPort int, ports []int) *sippRun {
	t.Helper()
	return startSIPpScenario(t, sipp, sipPort, "siprec.xml",
		"-set", "port1", strconv.Itoa(ports[0]), "-set", "port2", strconv.Itoa(ports[1]))
}

// startSIPpScenario runs one call of testdata/sipp/name towards earshot on
// loopback, with SIPp's logs in a folder of the test's; args are added to
// SIPp's command line.
func startSIPpScenario(t *testing.T, sipp string, sipPort int, name string, args ...string) *sippRun {
	t.Helper()
	scenario, err := filepath.Abs(filepath.Join("testdata", "sipp", name))
	if err != nil {
		t.Fatal(err)
	}
	r := &sippRun{dir: t.TempDir(), exited: make(chan error, 1)}
	r.cmd = exec.Command(sipp, append([]string{fmt.Sprintf("127.0.0.1:%d", sipPort), "-sf", scenario,
		"-m", "1", "-i", "127.0.0.1", "-mi", "127.0.0.1", "-nostdin",
		"-timeout", "60s", "-timeout_error",
		"-trace_msg", "-message_file", filepath.Join(r.dir, "messages.log"),
		"-trace_logs", "-log_file", filepath.Join(r.dir, "actions.log"),
		"-trace_err", "-error_file", filepath.Join(r.dir, "errors.log")}, args...)...)
	r.cmd.Dir = r.dir
	out, err := os.Create(filepath.Join(r.dir, "screen.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	r.cmd.Stdout, r.cmd.Stderr = out, out
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.exited <- r.cmd.Wait() }()
	t.Cleanup(func() {
		select {
		case err := <-r.exited:
			r.exited <- err
		default:
			_ = syscall.Kill(r.cmd.Process.Pid, syscall.SIGKILL)
			<-r.exited
		}
	})
	return r
}

// waitLog waits for the scenario's <log> line that starts with word, and
// returns its fields.
func (r *sippRun) waitLog(t *testing.T, word string, within time.Duration) []string {
	t.Helper()
	for deadline := time.Now().Add(within); time.Now().Before(deadline); {
		data, _ := os.ReadFile(filepath.Join(r.dir, "actions.log"))
		for _, line := range strings.Split(string(data), "\n") {
			if f := strings.Fields(line); len(f) > 0 && f[0] == word {
				return f
			}
		}
		select {
		case err := <-r.exited:
			r.exited <- err
			t.Fatalf("sipp ended (%v) before logging %q;\n%s", err, word, r.report())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("sipp did not log %q within %s;\n%s", word, within, r.report())
	return nil
}

// wait requires SIPp to finish its one call successfully (exit code 0).
func (r *sippRun) wait(t *testing.T, within time.Duration) {
	t.Helper()
	select {
	case err := <-r.exited:
		r.exited <- err
		if err != nil {
			t.Fatalf("sipp failed: %v;\n%s", err, r.report())
		}
	case <-time.After(within):
		t.Fatalf("sipp still running after %s;\n%s", within, r.report())
	}
}

// report is SIPp's own account of what went wrong, for failure messages.
func (r *sippRun) report() string {
	var b strings.Builder
	for _, name := range []string{"errors.log", "actions.log", "messages.log"} {
		data, _ := os.ReadFile(filepath.Join(r.dir, name))
		fmt.Fprintf(&b, "--- sipp %s:\n%s\n", name, data)
	}
	return b.String()
}

// sippWire is when each SIP message of the call was first seen on the
// wire, from SIPp's message trace: "sent 3 INVITE", "got 200 3 INVITE".
type sippWire map[string]time.Time

// readSIPpWire parses SIPp's message trace (-trace_msg).
func readSIPpWire(t *testing.T, path string) sippWire {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := sippWire{}
	var at time.Time
	var key string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "-----"): // ----- 2026-12-03 17:31:10.253567
			stamp := strings.Fields(line)
			at, err = time.ParseInLocation("2006-01-02 15:04:05.999999",
				stamp[1]+" "+stamp[2], time.Local)
			if err != nil {
				t.Fatalf("sipp message trace: %v", err)
			}
			key = ""
		case strings.HasPrefix(line, "UDP message sent"):
			key = "sent"
		case strings.HasPrefix(line, "UDP message received"):
			key = "got"
		case strings.HasPrefix(line, "SIP/2.0 ") && key == "got":
			key += " " + strings.Fields(line)[1]
		case strings.HasPrefix(strings.ToLower(line), "cseq:") && key != "":
			k := key + " " + strings.TrimSpace(line[len("cseq:"):])
			if _, dup := w[k]; !dup {
				w[k] = at
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read sipp message trace: %v", err)
	}
	return w
}

// span bounds how long the recorder saw between two requests of the
// call (CSeq values such as "3 INVITE"): it acts on each request somewhere
// between sending it and its 200, so the least is from the first 200 to
// the second request, the most from the first request to the second 200.
// The slack covers the rounding of the recorder's times to milliseconds
// and SIPp stamping a message as it logs it, just after sending it.
func (w sippWire) span(t *testing.T, from, to string) (least, most time.Duration) {
	t.Helper()
	keys := []string{"sent " + from, "got 200 " + from, "sent " + to, "got 200 " + to}
	for _, k := range keys {
		if w[k].IsZero() {
			t.Fatalf("sipp message trace lacks %q: %v", k, w)
		}
	}
	const slack = 25 * time.Millisecond
	return w[keys[2]].Sub(w[keys[1]]) - slack, w[keys[3]].Sub(w[keys[0]]) + slack
}
