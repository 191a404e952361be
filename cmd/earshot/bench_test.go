package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"earshot/internal/loadgen"
)

// The benchmarks of docs/benchmarks.md. Without EARSHOT_BENCH=1 each runs
// at a smoke size (a few calls for a few seconds) and only logs its
// figures: CI runs them so that the harness keeps working, and no timing
// is ever asserted. With EARSHOT_BENCH=1 they run at full size; run them
// with -v to see the figures, one at a time, on an otherwise idle machine.
//
// CPU is read from /proc/PID/stat (user plus system time, in clock ticks
// of 10 ms) and memory from VmRSS in /proc/PID/status, before and after a
// window in which every call of the run is up and sending: call setup,
// teardown and finalizing stay out of the per-packet figure.

// benchFull reports whether the full-size benchmarks were asked for.
func benchFull() bool { return os.Getenv("EARSHOT_BENCH") == "1" }

// benchSize is the calls and call duration of a benchmark at full and at
// smoke size. EARSHOT_BENCH_CALLS (comma-separated) and
// EARSHOT_BENCH_DURATION override either.
type benchSize struct {
	full, smoke       []int
	fullDur, smokeDur time.Duration
}

func (b benchSize) pick(t *testing.T) ([]int, time.Duration) {
	t.Helper()
	sizes, dur := b.smoke, b.smokeDur
	if benchFull() {
		sizes, dur = b.full, b.fullDur
	}
	if v := os.Getenv("EARSHOT_BENCH_CALLS"); v != "" {
		sizes = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				t.Fatalf("EARSHOT_BENCH_CALLS=%q: want numbers of calls, comma-separated", v)
			}
			sizes = append(sizes, n)
		}
	}
	if v := os.Getenv("EARSHOT_BENCH_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("EARSHOT_BENCH_DURATION=%q: %v", v, err)
		}
		dur = d
	}
	return sizes, dur
}

// procSample is a process's CPU time so far and its resident memory.
type procSample struct {
	cpu time.Duration
	rss int64 // bytes
}

// clockTick is USER_HZ, the unit of /proc/PID/stat times: 100 on Linux.
const clockTick = 10 * time.Millisecond

func sampleProc(t *testing.T, pid int) procSample {
	t.Helper()
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatalf("read stat of pid %d: %v", pid, err)
	}
	// Fields after the command name, which is in parentheses and may hold
	// spaces: state is field 3, utime 14 and stime 15 (proc(5)).
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	s := procSample{cpu: time.Duration(utime+stime) * clockTick}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatalf("read status of pid %d: %v", pid, err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			s.rss = kb << 10
		}
	}
	return s
}

// loadFigures is what one load run measured.
type loadFigures struct {
	calls         int
	window        time.Duration
	packetsPerSec float64
	usPerPacket   float64 // receiver CPU per packet, in microseconds
	senderUS      float64 // this process's (the generator's) CPU per packet
	rssPerCall    int64   // bytes
	report        *loadgen.Report
}

// loadRun is one measured run of the loadgen against a receiver.
type loadRun struct {
	target string // the receiver's SIP address
	pid    int    // the receiver's process
	calls  int
	dur    time.Duration
	// api and token, when set, have the loadgen check every recording.
	api, token string
}

// windowSample is what the window's ends read.
type windowSample struct {
	recv, self procSample
	packets    int64
	at         time.Time
}

func (r loadRun) sample(t *testing.T, gen *loadgen.Runner) windowSample {
	return windowSample{recv: sampleProc(t, r.pid), self: sampleProc(t, os.Getpid()),
		packets: gen.Progress().PacketsSent, at: time.Now()}
}

// measure places all the calls, ramping up at 200 a second so that setup
// is no burst, and measures the receiver over the window in which every
// call is sending: from a second after the last is answered to a second
// before the first ends.
func (r loadRun) measure(t *testing.T) loadFigures {
	t.Helper()
	gen, err := loadgen.New(loadgen.Config{Target: r.target, Calls: r.calls,
		Concurrency: r.calls, Duration: r.dur, Rate: 200, API: r.api, Token: r.token,
		VerifyWait: 2 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	idle, start := sampleProc(t, r.pid), time.Now()
	done := make(chan *loadgen.Report, 1)
	go func() {
		rep, err := gen.Run(context.Background())
		if err != nil {
			t.Errorf("loadgen: %v", err)
		}
		done <- rep
	}()
	for gen.Progress().Active < int64(r.calls) && gen.Progress().Done == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(time.Second)
	a := r.sample(t, gen)
	time.Sleep(time.Until(start.Add(r.dur - time.Second)))
	b := r.sample(t, gen)
	rep := <-done
	packets, window := float64(b.packets-a.packets), b.at.Sub(a.at)
	if rep == nil || packets <= 0 || window < time.Second {
		t.Fatalf("no measuring window: %d calls of %s took %s to set up",
			r.calls, r.dur, a.at.Sub(start))
	}
	return loadFigures{
		calls: r.calls, window: window, packetsPerSec: packets / window.Seconds(),
		usPerPacket: float64((b.recv.cpu - a.recv.cpu).Microseconds()) / packets,
		senderUS:    float64((b.self.cpu - a.self.cpu).Microseconds()) / packets,
		rssPerCall:  (a.recv.rss - idle.rss) / int64(r.calls),
		report:      rep,
	}
}

// startBareProcess runs the baseline receiver (loadgen.Bare) as a child
// process: this test binary again, running only TestBenchBareHelper.
func startBareProcess(t *testing.T) (int, string, func() int64) {
	t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", freeSIPPort(t))
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchBareHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), "EARSHOT_BENCH_BARE_SIP="+addr)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = syscall.Kill(cmd.Process.Pid, syscall.SIGKILL)
			_ = cmd.Wait()
		}
	})
	if !lines.Scan() || lines.Text() != "ready" {
		t.Fatalf("baseline receiver did not start: %q", lines.Text())
	}
	// stop ends it by its pid and returns the packets it received.
	stop := func() int64 {
		stopped = true
		_ = syscall.Kill(cmd.Process.Pid, syscall.SIGTERM)
		var n int64
		for lines.Scan() {
			if v, ok := strings.CutPrefix(lines.Text(), "received "); ok {
				n, _ = strconv.ParseInt(v, 10, 64)
			}
		}
		_ = cmd.Wait()
		return n
	}
	return cmd.Process.Pid, addr, stop
}

// TestBenchBareHelper is the baseline receiver's process; it runs only
// when startBareProcess starts it.
func TestBenchBareHelper(t *testing.T) {
	addr := os.Getenv("EARSHOT_BENCH_BARE_SIP")
	if addr == "" {
		t.Skip("the baseline receiver of the benchmarks; runs only as their child process")
	}
	conn, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.MustParseAddrPort(addr)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	b := loadgen.NewBare(conn, netip.MustParseAddr("127.0.0.1"))
	fmt.Println("ready")
	if err := b.Serve(ctx); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("received %d\n", b.Packets())
}

// benchEarshot starts earshot for a benchmark on its own SIP port, with
// RTP on loopback, and returns it with its SIP address.
func benchEarshot(t *testing.T) (*earshotProcess, string) {
	t.Helper()
	sipAddr := fmt.Sprintf("127.0.0.1:%d", freeSIPPort(t))
	p := startEarshot(t, "EARSHOT_SIP_LISTEN="+sipAddr, "EARSHOT_RTP_PORTS=20000-29999",
		"EARSHOT_RTP_BIND=127.0.0.1")
	return p, sipAddr
}

// TestBenchReceiveCPU measures the CPU time per RTP packet of earshot's
// receive path and of the baseline receiver under the same load, and the
// memory per call in progress of both (docs/benchmarks.md, a and b).
func TestBenchReceiveCPU(t *testing.T) {
	sizes, dur := benchSize{full: []int{100, 250, 1000}, fullDur: 30 * time.Second,
		smoke: []int{10}, smokeDur: 5 * time.Second}.pick(t)
	rows := []string{
		"| calls | packets/s | earshot µs/packet | bare loop µs/packet | ratio | earshot KiB/call " +
			"| bare KiB/call | generator µs/packet | not received (earshot / bare) " +
			"| BYE to listed p50 / p99 |",
		"|---|---|---|---|---|---|---|---|---|---|",
	}
	for _, n := range sizes {
		p, sipAddr := benchEarshot(t)
		rec := loadRun{target: sipAddr, pid: p.cmd.Process.Pid, calls: n, dur: dur,
			api: p.base, token: p.adminToken(t)}.measure(t)
		benchStop(t, p)
		pid, bareAddr, stopBare := startBareProcess(t)
		bare := loadRun{target: bareAddr, pid: pid, calls: n, dur: dur}.measure(t)
		bareReceived := stopBare()
		rows = append(rows, receiveRow(t, rec, bare, bareReceived))
	}
	t.Logf("receive path, calls of %s, two PCMU streams each:\n%s", dur, strings.Join(rows, "\n"))
}

// receiveRow formats both runs' figures. Calls or checks that failed are
// logged, not failed on: at load they are part of the measurement.
func receiveRow(t *testing.T, rec, bare loadFigures, bareReceived int64) string {
	t.Helper()
	for name, f := range map[string]loadFigures{"earshot": rec, "bare loop": bare} {
		benchFailures(t, fmt.Sprintf("%s at %d calls", name, f.calls), f.report)
	}
	var received, sent int64
	for _, c := range rec.report.Calls {
		if c.Check != nil {
			received, sent = received+c.Check.PacketsReceived, sent+c.Sent
		}
	}
	recLost, listing := lossPercent(sent-received, sent), rec.report.Listing()
	bareSent := bare.report.PacketsSent
	return fmt.Sprintf("| %d | %.0f | %.2f | %.2f | %.2f | %.1f | %.1f | %.2f | %s / %s | %s / %s |",
		rec.calls, rec.packetsPerSec, rec.usPerPacket, bare.usPerPacket,
		rec.usPerPacket/bare.usPerPacket, float64(rec.rssPerCall)/1024,
		float64(bare.rssPerCall)/1024, rec.senderUS, recLost,
		lossPercent(bareSent-bareReceived, bareSent), msText(listing.P50), msText(listing.P99))
}

func lossPercent(lost, sent int64) string {
	if sent == 0 {
		return "-"
	}
	return fmt.Sprintf("%.4f%%", 100*float64(lost)/float64(sent))
}

func msText(d time.Duration) string { return fmt.Sprintf("%.0f ms", d.Seconds()*1000) }

// TestBenchSetupRate measures how fast earshot answers SIPREC INVITEs
// (docs/benchmarks.md, c): from the loadgen at rising rates, calls of 1 s
// with their RTP; from SIPp at the same rates when it is installed,
// signalling only; and from the loadgen with every call at once. Each run
// has an earshot of its own, so that one run's finalizing does not weigh
// on the next.
func TestBenchSetupRate(t *testing.T) {
	rates, seconds, burst := []float64{100}, 0.6, 50
	if benchFull() {
		rates, seconds, burst = []float64{100, 200, 300, 400}, 10, 1000
	}
	_, noSIPp := exec.LookPath("sipp")
	if noSIPp != nil {
		t.Log("sipp not installed: no SIPp figures")
	}
	for _, rate := range rates {
		calls := int(rate * seconds)
		benchLoadgenSetup(t, loadgen.Config{Calls: calls, Concurrency: calls,
			Duration: time.Second, Rate: rate})
		if noSIPp == nil {
			p, sipAddr := benchEarshot(t)
			benchSIPp(t, sipAddr, calls, rate)
			benchStop(t, p)
		}
	}
	benchLoadgenSetup(t, loadgen.Config{Calls: burst, Concurrency: burst, Duration: time.Second})
}

// benchLoadgenSetup runs the loadgen on a fresh earshot and logs the
// setup rate and latency it saw.
func benchLoadgenSetup(t *testing.T, cfg loadgen.Config) {
	t.Helper()
	p, sipAddr := benchEarshot(t)
	cfg.Target = sipAddr
	gen, err := loadgen.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := gen.Run(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	benchFailures(t, fmt.Sprintf("%d calls at rate %v", cfg.Calls, cfg.Rate), rep)
	t.Logf("loadgen, %d calls, rate limit %v/s: %.0f calls/s answered; setup %s",
		cfg.Calls, cfg.Rate, rep.SetupRate(), rep.Setup())
	benchStop(t, p)
}

// TestBenchListing measures the time from a call's BYE to its recording
// being stored and listed by the API (docs/benchmarks.md, d).
func TestBenchListing(t *testing.T) {
	sizes, dur := benchSize{full: []int{100}, fullDur: 5 * time.Minute,
		smoke: []int{5}, smokeDur: 2 * time.Second}.pick(t)
	for _, n := range sizes {
		p, sipAddr := benchEarshot(t)
		// Calls start two a second, so they end two a second, as a
		// contact center's do.
		gen, err := loadgen.New(loadgen.Config{Target: sipAddr, Calls: n, Concurrency: n,
			Duration: dur, Rate: 2, API: p.base, Token: p.adminToken(t)})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := gen.Run(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		benchFailures(t, fmt.Sprintf("%d calls", n), rep)
		l := rep.Listing()
		t.Logf("%d calls of %s: BYE to listed p50 %s, p90 %s, p99 %s, max %s", n, dur,
			msText(l.P50), msText(l.P90), msText(l.P99), msText(l.Max))
		benchStop(t, p)
	}
}

// benchFailures reports the calls and recording checks of a run that
// failed. At load they are part of the measurement and only logged; at
// the smoke size CI runs, a few calls on an idle recorder, any failure is
// a fault of the harness or of earshot, and fails the test.
func benchFailures(t *testing.T, what string, rep *loadgen.Report) {
	t.Helper()
	err := rep.Err()
	if err == nil {
		return
	}
	t.Logf("%s: %v; failures %v", what, err, rep.Failures())
	logProblems(t, rep)
	if !benchFull() && os.Getenv("EARSHOT_BENCH_CALLS") == "" {
		t.Errorf("%s at the smoke size: %v", what, err)
	}
}

// logProblems logs the first few recordings that failed their check.
func logProblems(t *testing.T, rep *loadgen.Report) {
	t.Helper()
	n := 0
	for _, c := range rep.Calls {
		if c.Check != nil && c.Check.Problem != "" && n < 5 {
			t.Logf("  %s: %s", c.SIPCallID, c.Check.Problem)
			n++
		}
	}
}

// benchSIPp has SIPp place calls of the benchmark's SIPREC scenario on
// earshot at the rate given and logs what its statistics say.
func benchSIPp(t *testing.T, sipAddr string, calls int, rate float64) {
	t.Helper()
	dir := t.TempDir()
	scenario, err := filepath.Abs(filepath.Join("..", "..", "internal", "loadgen", "testdata",
		"sipp", "siprec-short.xml"))
	if err != nil {
		t.Fatal(err)
	}
	stats := filepath.Join(dir, "stats.csv")
	cmd := exec.Command("sipp", sipAddr, "-sf", scenario, "-set", "hold", "1000",
		"-m", strconv.Itoa(calls), "-r", strconv.FormatFloat(rate, 'f', -1, 64), "-l", "5000",
		"-i", "127.0.0.1", "-mi", "127.0.0.1", "-nostdin", "-timeout", "120s", "-timeout_error",
		"-trace_stat", "-stf", stats, "-fd", "1")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Logf("sipp at %v calls/s: %v (exit 1 means some calls failed)", rate, err)
	}
	row, err := lastSIPpStats(stats)
	if err != nil {
		t.Logf("sipp statistics: %v; output:\n%s", err, out)
		return
	}
	t.Logf("sipp, %d calls at %v/s: %s calls/s placed, %s succeeded, %s failed, "+
		"%s retransmissions, INVITE to 200 mean %s (under 10 ms: %s, 10-20: %s, 20-50: %s, "+
		"50-100: %s, 100-200: %s, 200-500: %s, 500 and more: %s)",
		calls, rate, row["CallRate(C)"], row["SuccessfulCall(C)"], row["FailedCall(C)"],
		row["Retransmissions(C)"], row["ResponseTime1(C)"], row["ResponseTimeRepartition1_<10"],
		row["ResponseTimeRepartition1_<20"], row["ResponseTimeRepartition1_<50"],
		row["ResponseTimeRepartition1_<100"], row["ResponseTimeRepartition1_<200"],
		row["ResponseTimeRepartition1_<500"], row["ResponseTimeRepartition1_>=500"])
}

// lastSIPpStats reads the last row of SIPp's statistics file (-trace_stat),
// by column name.
func lastSIPpStats(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) < 2 {
		return nil, fmt.Errorf("%s holds no statistics", path)
	}
	names, values := strings.Split(lines[0], ";"), strings.Split(lines[len(lines)-1], ";")
	row := map[string]string{}
	for i, name := range names {
		if i < len(values) {
			row[name] = values[i]
		}
	}
	return row, nil
}

// benchStop stops earshot with SIGTERM and gives it drainWait to drain,
// which after a load run means finalizing every recording; one still
// draining then is killed by its pid, its spool left in the test's
// temporary folder.
func benchStop(t *testing.T, p *earshotProcess) {
	t.Helper()
	const drainWait = 20 * time.Second
	start := time.Now()
	if err := syscall.Kill(p.cmd.Process.Pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.exited:
		p.exited <- err // for the cleanup
		t.Logf("earshot drained and stopped in %s", time.Since(start).Round(time.Millisecond))
		if err != nil {
			t.Logf("earshot exited with %v after SIGTERM; the end of its log:\n%s", err,
				tail(p.stderr.String(), 1000))
		}
	case <-time.After(drainWait):
		t.Logf("earshot still draining %s after SIGTERM: killed", drainWait)
		killNow(t, p)
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
