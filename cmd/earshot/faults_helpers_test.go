package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"earshot/internal/rtpgen"
	"earshot/internal/siptest"
)

// The helpers below serve the fault tests (faults_*_test.go): streams that
// keep flowing while a test breaks something, and the readings a test takes
// of the running binary (metrics, CPU time, readiness).

// faultTones are the tones of a call's two legs: the left channel carries
// the first, the right the second.
var faultTones = [2]float64{440, 1000}

// storedInvite reads the RFC 7865 example INVITE that the tests adapt.
func storedInvite(t *testing.T) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "sip", "testdata", "invites",
		"rfc7865-example.sip"))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// liveCall sends a call's streams in the background, each packet at start
// plus its time, and counts the packets that went out, so that a test can
// break something while the call is live and know what was sent before.
type liveCall struct {
	start  time.Time
	sent   [2]atomic.Int64
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// sendLive starts sending pkts[i] from senders[i] to the loopback port
// dst[i]. The sends stop when they are done, or at stop.
func sendLive(
	t *testing.T,
	senders []*net.UDPConn,
	dst []int,
	start time.Time,
	pkts [2][]rtpgen.Packet,
) *liveCall {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	lc := &liveCall{start: start, cancel: cancel}
	for i := range senders {
		to := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(dst[i]))
		lc.wg.Go(func() {
			if err := lc.send(ctx, senders[i], to, pkts[i], &lc.sent[i]); err != nil {
				t.Errorf("send rtp to %s: %v", to, err)
			}
		})
	}
	t.Cleanup(lc.stop)
	return lc
}

func (lc *liveCall) send(
	ctx context.Context,
	conn *net.UDPConn,
	to netip.AddrPort,
	pkts []rtpgen.Packet,
	sent *atomic.Int64,
) error {
	for _, p := range pkts {
		if wait := time.Until(lc.start.Add(p.At)); wait > 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(wait):
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		if _, err := conn.WriteToUDPAddrPort(p.Data, to); err != nil {
			return err
		}
		sent.Add(1)
	}
	return nil
}

// stop ends the sends and waits for them; it may be called more than once.
func (lc *liveCall) stop() {
	lc.cancel()
	lc.wg.Wait()
}

// wait waits until every packet is sent.
func (lc *liveCall) wait() { lc.wg.Wait() }

// tonePackets renders both legs of call n for d: 440 Hz on the left,
// 1000 Hz on the right, with clicks at the given instants on both.
func tonePackets(n int, d time.Duration, clicks ...time.Duration) [2][]rtpgen.Packet {
	var pkts [2][]rtpgen.Packet
	for j, tone := range faultTones {
		leg := rtpgen.Leg{ToneHz: tone, Clicks: clicks, SSRC: uint32(0x7000 + 2*n + j),
			Seed: uint64(100*n + j + 1)}
		pkts[j] = leg.Packets(d)
	}
	return pkts
}

// scrape reads /metrics as a Prometheus scraper does, with the metrics
// token.
func scrape(t *testing.T, p *earshotProcess) []byte {
	t.Helper()
	resp, body := get(t, p.base+"/metrics", http.Header{"Authorization": {"Bearer " + testMetricsToken}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics with the metrics token = %d %s", resp.StatusCode, body)
	}
	return body
}

// metricValue returns the value of one sample of /metrics, named with its
// labels as the exposition writes them (earshot_x_total{reason="y"}); a
// sample not exposed yet reads 0.
func metricValue(t *testing.T, p *earshotProcess, sample string) float64 {
	t.Helper()
	body := scrape(t, p)
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if ok && name == sample {
			v, err := strconv.ParseFloat(value, 64)
			if err != nil {
				t.Fatalf("/metrics: %s has value %q", sample, value)
			}
			return v
		}
	}
	return 0
}

// cpuSeconds returns the user plus system CPU time a process has used,
// from /proc/PID/stat (fields 14 and 15, in clock ticks of 10 ms: the
// USER_HZ of every Linux this runs on).
func cpuSeconds(t *testing.T, pid int) float64 {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(data, ')')
	f := strings.Fields(string(data[i+1:]))
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatalf("/proc/%d/stat: %v", pid, err)
	}
	return float64(utime+stime) / 100
}

// cpuNanos returns the CPU time the threads of a process have run, from
// /proc/PID/task/*/schedstat, in nanoseconds: finer than cpuSeconds' ticks,
// for a short flood; it misses threads that have exited.
func cpuNanos(t *testing.T, pid int) int64 {
	t.Helper()
	stats, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err != nil || len(stats) == 0 {
		t.Fatalf("no schedstat for pid %d: %v", pid, err)
	}
	var sum int64
	for _, f := range stats {
		data, err := os.ReadFile(f)
		if err != nil {
			continue // the thread has exited since the listing
		}
		ns, err := strconv.ParseInt(strings.Fields(string(data))[0], 10, 64)
		if err != nil {
			t.Fatalf("%s: %q", f, data)
		}
		sum += ns
	}
	return sum
}

// readiness is what /readyz answers, in the parts the fault tests read.
type readiness struct {
	code   int
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
	Detail struct {
		ActiveCalls int `json:"active_calls"`
		UploadQueue struct {
			Backlog   int    `json:"backlog"`
			LastError string `json:"last_error"`
		} `json:"upload_queue"`
	} `json:"detail"`
}

// readyz asks /readyz, which answers 503 when a check fails.
func readyz(t *testing.T, p *earshotProcess) readiness {
	t.Helper()
	resp, body := get(t, p.base+"/readyz", nil)
	var r readiness
	decodeJSON(t, "GET /readyz", body, &r)
	r.code = resp.StatusCode
	return r
}

// sendInvite sends a new SIPREC INVITE under callID from a fresh UAC, with
// its streams coming from ports, and returns the final answer.
func sendInvite(
	t *testing.T,
	sipAddr string,
	raw []byte,
	callID string,
	ports []int,
) *siptest.Message {
	t.Helper()
	uac, err := siptest.Dial(sipAddr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { uac.Close() })
	invite := siptest.PrepareInvite(raw, siptest.Rewrite{
		Server: sipAddr, UAC: uac.Addr(), CallID: callID, MediaIP: "127.0.0.1", MediaPorts: ports,
	})
	if err := uac.Send(invite); err != nil {
		t.Fatal(err)
	}
	resp, err := uac.Final(10 * time.Second)
	if err != nil {
		t.Fatalf("INVITE %s: no final answer: %v", callID, err)
	}
	return resp
}

// sipOptions sends an OPTIONS, as an SBC's keepalive does, and returns the
// final answer's status, or an error when none came within timeout.
func sipOptions(t *testing.T, sipAddr string, timeout time.Duration) (int, error) {
	t.Helper()
	uac, err := siptest.Dial(sipAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer uac.Close()
	id := fmt.Sprintf("options-%d@test", time.Now().UnixNano())
	msg := "OPTIONS sip:recorder@" + sipAddr + " SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP " + uac.Addr() + ";branch=z9hG4bK" + id + ";rport\r\n" +
		"Max-Forwards: 70\r\n" +
		"From: <sip:probe@" + uac.Addr() + ">;tag=probe\r\n" +
		"To: <sip:recorder@" + sipAddr + ">\r\n" +
		"Call-ID: " + id + "\r\n" +
		"CSeq: 1 OPTIONS\r\n" +
		"Content-Length: 0\r\n\r\n"
	if err := uac.Send([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	resp, err := uac.Final(timeout)
	if err != nil {
		return 0, err
	}
	return resp.Code, nil
}

// window returns the samples of x from from to to in the sender's time,
// whose zero is at sample index zero of x.
func window(x []int16, zero int, from, to time.Duration) []int16 {
	a := max(0, zero+int(from.Seconds()*8000))
	b := min(len(x), zero+int(to.Seconds()*8000))
	if a >= b {
		return nil
	}
	return x[a:b]
}
