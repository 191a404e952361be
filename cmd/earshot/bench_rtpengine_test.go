package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"earshot/internal/ngclient"
)

// The rtpengine comparison of docs/benchmarks.md: the same load as
// TestBenchReceiveCPU taken by the bare Go loop, by earshot and by
// rtpengine (userspace forwarding, recording every call to pcap), each
// CPU figure given as a ratio to the bare loop's in the same run.
//
// rtpengine speaks no SIP, so the test stands in front of it as an SBC
// would: a small SIP front answers the loadgen's SIPREC INVITEs by
// offering their SDP to rtpengine over the ng protocol, answering for a
// sink, and returning rtpengine's answer. The loadgen then sends both
// streams of each call to rtpengine's ports, and rtpengine records them
// and forwards them to the sink, two sockets that are never read. Its
// figure is therefore a relay's: every packet is also sent on, which a
// recorder fed by SIPREC does not do.

// rtpenginePorts is the media port range rtpengine is given, below
// Linux's ephemeral ports and away from earshot's benchmark range. Each
// call takes eight (RTP and RTCP, both sides, two streams).
const rtpengineMinPort, rtpengineMaxPort = 12000, 19999

// TestBenchRTPEngine measures the CPU time per RTP packet of the bare
// loop, earshot and rtpengine under the same load, and checks that
// rtpengine recorded every call to a pcap file holding packets.
func TestBenchRTPEngine(t *testing.T) {
	bin := lookRTPEngine(t)
	sizes, dur := benchSize{full: []int{200, 500}, fullDur: 20 * time.Second,
		smoke: []int{5}, smokeDur: 5 * time.Second}.pick(t)
	rows := []string{
		"| calls | packets/s | bare loop µs/packet | earshot µs/packet | earshot ratio " +
			"| rtpengine µs/packet | rtpengine ratio | not received (bare / earshot / rtpengine) |",
		"|---|---|---|---|---|---|---|---|",
	}
	for _, n := range sizes {
		pid, bareAddr, stopBare := startBareProcess(t)
		bare := loadRun{target: bareAddr, pid: pid, calls: n, dur: dur}.measure(t)
		bareReceived := stopBare()

		p, sipAddr := benchEarshot(t)
		rec := loadRun{target: sipAddr, pid: p.cmd.Process.Pid, calls: n, dur: dur,
			api: p.base, token: p.adminToken(t)}.measure(t)
		benchStop(t, p)

		rtpe, recorded := benchRTPEngine(t, bin, n, dur)
		rows = append(rows, rtpengineRow(t, bare, rec, rtpe, bareReceived, recorded))
	}
	t.Logf("%s, calls of %s, two PCMU streams each:\n%s", rtpengineVersion(t, bin), dur,
		strings.Join(rows, "\n"))
}

// benchRTPEngine runs n calls through a fresh rtpengine and returns its
// figures and the packets its pcap files hold.
func benchRTPEngine(t *testing.T, bin string, n int, dur time.Duration) (loadFigures, int64) {
	t.Helper()
	e := startRTPEngine(t, bin)
	front := startSIPFront(t, e.ng)
	figures := loadRun{target: front.addr(), pid: e.pid, calls: n, dur: dur}.measure(t)
	callIDs, errs := front.close()
	for i, err := range errs {
		if i < 5 {
			t.Errorf("rtpengine: %v", err)
		}
	}
	recorded := checkRecordings(t, filepath.Join(e.recDir, "pcaps"), callIDs)
	t.Logf("rtpengine recorded %d packets of the %d sent, %d calls", recorded,
		figures.report.PacketsSent, len(callIDs))
	if len(callIDs) != n {
		t.Errorf("rtpengine set up %d calls of %d", len(callIDs), n)
	}
	e.stop(t)
	return figures, recorded
}

// rtpengineRow formats one size's figures. As in TestBenchReceiveCPU,
// failed calls are logged, not failed on.
func rtpengineRow(t *testing.T, bare, rec, rtpe loadFigures, bareReceived, recorded int64) string {
	t.Helper()
	names := []string{"bare loop", "earshot", "rtpengine"}
	for i, f := range []loadFigures{bare, rec, rtpe} {
		name := names[i]
		benchFailures(t, fmt.Sprintf("%s at %d calls", name, f.calls), f.report)
		t.Logf("%s at %d calls: %.0f packets/s over %s, generator %.2f µs/packet", name,
			f.calls, f.packetsPerSec, f.window.Round(time.Millisecond), f.senderUS)
	}
	var received, sent int64
	for _, c := range rec.report.Calls {
		if c.Check != nil {
			received, sent = received+c.Check.PacketsReceived, sent+c.Sent
		}
	}
	bareSent, rtpeSent := bare.report.PacketsSent, rtpe.report.PacketsSent
	return fmt.Sprintf("| %d | %.0f | %.2f | %.2f | %.2f | %.2f | %.2f | %s / %s / %s |",
		bare.calls, bare.packetsPerSec, bare.usPerPacket, rec.usPerPacket,
		rec.usPerPacket/bare.usPerPacket, rtpe.usPerPacket, rtpe.usPerPacket/bare.usPerPacket,
		lossPercent(bareSent-bareReceived, bareSent), lossPercent(sent-received, sent),
		lossPercent(rtpeSent-recorded, rtpeSent))
}

// lookRTPEngine finds the rtpengine daemon. Without it the test is
// skipped, except in CI, where it fails.
func lookRTPEngine(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("rtpengine")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("rtpengine not found: CI must install rtpengine-daemon")
		}
		t.Skip("rtpengine not found: install it with " +
			"apt-get install --no-install-recommends rtpengine-daemon")
	}
	return path
}

func rtpengineVersion(t *testing.T, bin string) string {
	t.Helper()
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		return "rtpengine (version unknown)"
	}
	v := strings.TrimSpace(string(out))
	return "rtpengine " + strings.TrimSpace(strings.TrimPrefix(v, "Version:"))
}

// rtpengineProcess is an rtpengine run by a test, in a process group of
// its own, with its control client.
type rtpengineProcess struct {
	cmd     *exec.Cmd
	pid     int
	ng      *ngclient.Client
	recDir  string
	logPath string
	exited  chan error
	once    sync.Once
}

// startRTPEngine starts rtpengine in the foreground on loopback, with
// no kernel forwarding (--table=-1), no configuration file, and pcap
// recording into a temporary folder; it returns once rtpengine answers
// an ng ping. A test cleanup stops it.
func startRTPEngine(t *testing.T, bin string) *rtpengineProcess {
	t.Helper()
	dir := t.TempDir()
	e := &rtpengineProcess{recDir: filepath.Join(dir, "recordings"),
		logPath: filepath.Join(dir, "rtpengine.log"), exited: make(chan error, 1)}
	if err := os.Mkdir(e.recDir, 0o755); err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(e.logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	ngAddr := fmt.Sprintf("127.0.0.1:%d", freeSIPPort(t))
	// --delete-delay=0 closes a call's pcap file when its delete is
	// answered, so the files are complete when the test reads them.
	e.cmd = exec.Command(bin, "--config-file=none", "--table=-1", "--foreground",
		"--log-stderr", "--interface=127.0.0.1", "--listen-ng="+ngAddr,
		"--port-min="+strconv.Itoa(rtpengineMinPort), "--port-max="+strconv.Itoa(rtpengineMaxPort),
		"--recording-dir="+e.recDir, "--recording-method=pcap", "--delete-delay=0")
	e.cmd.Stdout, e.cmd.Stderr = logFile, logFile
	e.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := e.cmd.Start(); err != nil {
		t.Fatalf("start rtpengine: %v", err)
	}
	e.pid = e.cmd.Process.Pid
	go func() { e.exited <- e.cmd.Wait() }()
	t.Cleanup(func() { e.stop(t) })

	if e.ng, err = ngclient.New(ngclient.Config{Addr: ngAddr}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := e.ng.Ping(ctx); err != nil {
		t.Fatalf("rtpengine does not answer on %s: %v; its log:\n%s", ngAddr, err, e.logTail())
	}
	return e
}

// stop ends the process group with SIGTERM, then SIGKILL if it has not
// exited within 10 s. It is safe to call twice.
func (e *rtpengineProcess) stop(t *testing.T) {
	e.once.Do(func() {
		if e.ng != nil {
			e.ng.Close()
		}
		_ = syscall.Kill(-e.pid, syscall.SIGTERM)
		select {
		case <-e.exited:
		case <-time.After(10 * time.Second):
			t.Logf("rtpengine still running 10 s after SIGTERM: killed")
			_ = syscall.Kill(-e.pid, syscall.SIGKILL)
			<-e.exited
		}
	})
}

func (e *rtpengineProcess) logTail() string {
	b, _ := os.ReadFile(e.logPath)
	return tail(string(b), 2000)
}

// checkRecordings checks that each call has a pcap file with packets in
// dir, and returns the packets all the files hold.
func checkRecordings(t *testing.T, dir string, callIDs []string) int64 {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.pcap"))
	if err != nil || len(files) == 0 {
		t.Fatalf("rtpengine wrote no pcap file in %s (%v)", dir, err)
	}
	var total int64
	perCall := map[string]int64{}
	for _, f := range files {
		n, err := pcapPackets(f)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
		}
		total += n
		// rtpengine names a file by the Call-ID, percent-encoded, a dash
		// and a random suffix.
		name, err := url.PathUnescape(filepath.Base(f))
		if err != nil {
			t.Errorf("%s: unexpected name: %v", filepath.Base(f), err)
		}
		for _, id := range callIDs {
			if strings.HasPrefix(name, id+"-") {
				perCall[id] += n
			}
		}
	}
	empty := 0
	for _, id := range callIDs {
		if perCall[id] == 0 {
			if empty++; empty <= 5 {
				t.Errorf("call %s: no pcap file with packets", id)
			}
		}
	}
	if empty > 0 {
		t.Errorf("%d of %d calls have no recorded packets; files: %s", empty, len(callIDs),
			strings.Join(files[:min(len(files), 3)], ", "))
	}
	return total
}

// pcapPackets counts the packet records of a pcap file: a 24-byte file
// header, then per packet a 16-byte record header whose third word is
// the length of the bytes that follow.
func pcapPackets(path string) (int64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	if len(data) < 24 {
		return 0, errors.New("shorter than a pcap header")
	}
	var order binary.ByteOrder
	switch magic := binary.LittleEndian.Uint32(data); magic {
	case 0xa1b2c3d4, 0xa1b23c4d:
		order = binary.LittleEndian
	case 0xd4c3b2a1, 0x4d3cb2a1:
		order = binary.BigEndian
	default:
		return 0, fmt.Errorf("not a pcap file (magic %#x)", magic)
	}
	var n int64
	for off := 24; off < len(data); n++ {
		if len(data)-off < 16 {
			return n, errors.New("truncated record header")
		}
		size := int(order.Uint32(data[off+8:]))
		if off += 16 + size; off > len(data) {
			return n, errors.New("truncated record")
		}
	}
	return n, nil
}

// sipFront answers the loadgen's SIPREC INVITEs for rtpengine: it offers
// their SDP to rtpengine with recording on, answers for the sink, and
// returns rtpengine's answer in the 200; a BYE deletes the call.
type sipFront struct {
	conn  *net.UDPConn
	ng    *ngclient.Client
	sinks []*net.UDPConn
	wg    sync.WaitGroup // the read loop and the ng commands in flight

	// mu guards calls, order and errs.
	mu    sync.Mutex
	calls map[string]*frontCall // by SIP Call-ID
	order []string
	errs  []error // ng commands that failed
}

type frontCall struct {
	sess    ngclient.Session
	answer  []byte // the final response, once rtpengine has answered
	failed  bool   // rtpengine refused it: nothing to delete or look for
	deleted bool
}

func startSIPFront(t *testing.T, ng *ngclient.Client) *sipFront {
	t.Helper()
	f := &sipFront{ng: ng, calls: map[string]*frontCall{}}
	var err error
	if f.conn, err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		sink, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		f.sinks = append(f.sinks, sink)
	}
	f.wg.Go(f.serve)
	t.Cleanup(func() { f.close() })
	return f
}

func (f *sipFront) addr() string { return f.conn.LocalAddr().String() }

// close stops the front, deletes the calls no BYE ended, and returns
// the Call-IDs of every call rtpengine set up and the ng commands that
// failed. It is safe to call twice.
func (f *sipFront) close() ([]string, []error) {
	if f.conn.Close() == nil {
		for _, s := range f.sinks {
			s.Close()
		}
	}
	f.wg.Wait()
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for _, id := range f.order {
		c := f.calls[id]
		if c.answer == nil || c.failed {
			continue
		}
		ids = append(ids, c.sess.CallID)
		if !c.deleted {
			c.deleted = true
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := f.ng.Delete(ctx, c.sess); err != nil {
				f.errs = append(f.errs, fmt.Errorf("delete %s: %w", c.sess.CallID, err))
			}
			cancel()
		}
	}
	return ids, f.errs
}

func (f *sipFront) serve() {
	buf := make([]byte, 65535)
	for {
		n, from, err := f.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		req, ok := parseSIPRequest(buf[:n])
		if !ok {
			continue
		}
		if reply := f.handle(req, from); reply != nil {
			_, _ = f.conn.WriteToUDP(reply, from)
		}
	}
}

// handle answers a request at once, or returns 100 Trying and answers an
// INVITE once rtpengine has; nil means no answer (ACK).
func (f *sipFront) handle(req *sipRequest, from *net.UDPAddr) []byte {
	id := req.get("call-id")
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.calls[id]
	switch req.method {
	case "ACK":
		return nil
	case "INVITE":
		if c != nil && c.answer != nil {
			return c.answer
		}
		if c == nil {
			c = &frontCall{sess: ngclient.Session{CallID: id, FromTag: sipTag(req.get("from")),
				ToTag: fmt.Sprintf("front%d", len(f.order))}}
			f.calls[id] = c
			f.order = append(f.order, id)
			f.wg.Go(func() { f.setUp(req, from, c) })
		}
		return sipResponse(req, 100, "Trying", "", "", "")
	case "BYE":
		if c == nil || c.answer == nil {
			return sipResponse(req, 481, "Call/Transaction Does Not Exist", "", "", "")
		}
		if !c.deleted && !c.failed {
			c.deleted = true
			f.wg.Go(func() { f.end(c.sess) })
		}
	}
	return sipResponse(req, 200, "OK", "", "", "")
}

// setUp offers the INVITE's SDP to rtpengine, answers for the sink and
// sends the 200 with rtpengine's answer, or a 500.
func (f *sipFront) setUp(req *sipRequest, from *net.UDPAddr, c *frontCall) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	offerSess := c.sess
	offerSess.ToTag = ""
	var answer string
	offer, err := sdpOf(req)
	if err == nil {
		_, err = f.ng.Offer(ctx, offerSess, offer, ngclient.Dict{"record call": "yes"})
	}
	if err == nil {
		answer, err = f.ng.Answer(ctx, c.sess, f.sinkSDP(strings.Count(offer, "m=audio ")), nil)
	}
	reply := sipResponse(req, 200, "OK", c.sess.ToTag, "application/sdp", answer)
	if err != nil {
		reply = sipResponse(req, 500, "Server Internal Error", c.sess.ToTag, "", "")
	}
	f.mu.Lock()
	c.answer, c.failed = reply, err != nil
	if err != nil {
		f.errs = append(f.errs, fmt.Errorf("set up %s: %w", c.sess.CallID, err))
	}
	f.mu.Unlock()
	_, _ = f.conn.WriteToUDP(reply, from)
}

func (f *sipFront) end(s ngclient.Session) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.ng.Delete(ctx, s); err != nil {
		f.mu.Lock()
		f.errs = append(f.errs, fmt.Errorf("delete %s: %w", s.CallID, err))
		f.mu.Unlock()
	}
}

// sinkSDP is the callee's answer: each stream received on one of the
// sinks, PCMU only, as the loadgen sends.
func (f *sipFront) sinkSDP(streams int) string {
	var b strings.Builder
	b.WriteString("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n")
	for i := range streams {
		port := f.sinks[i%len(f.sinks)].LocalAddr().(*net.UDPAddr).Port
		fmt.Fprintf(&b, "m=audio %d RTP/AVP 0\r\na=recvonly\r\n", port)
	}
	return b.String()
}

// sipRequest is the little of a SIP request (RFC 3261 section 7) the
// front reads: its method, Via headers, other headers by lower-case full
// name (the first of each), and body.
type sipRequest struct {
	method string
	vias   []string
	hdr    map[string]string
	body   []byte
}

// sipCompact maps the one-letter header names the front reads to their
// full names (RFC 3261 section 7.3.3).
var sipCompact = map[string]string{"v": "via", "f": "from", "t": "to", "i": "call-id",
	"c": "content-type", "l": "content-length"}

func parseSIPRequest(b []byte) (*sipRequest, bool) {
	head, body, _ := bytes.Cut(b, []byte("\r\n\r\n"))
	lines := strings.Split(string(head), "\r\n")
	method, _, ok := strings.Cut(lines[0], " ")
	if !ok || strings.HasPrefix(method, "SIP/") {
		return nil, false
	}
	req := &sipRequest{method: method, hdr: map[string]string{}, body: body}
	for _, line := range lines[1:] {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		name, value = strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(value)
		if full, ok := sipCompact[name]; ok {
			name = full
		}
		if name == "via" {
			req.vias = append(req.vias, value)
		} else if _, seen := req.hdr[name]; !seen {
			req.hdr[name] = value
		}
	}
	return req, req.hdr["call-id"] != ""
}

func (r *sipRequest) get(name string) string { return r.hdr[name] }

// sipTag is the tag parameter of a From or To value.
func sipTag(v string) string {
	for _, p := range strings.Split(v, ";")[1:] {
		if t, ok := strings.CutPrefix(strings.TrimSpace(p), "tag="); ok {
			return t
		}
	}
	return ""
}

// sipResponse builds a response to req (RFC 3261 section 8.2.6), the To
// given toTag when it has none.
func sipResponse(req *sipRequest, code int, reason, toTag, contentType, body string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "SIP/2.0 %d %s\r\n", code, reason)
	for _, v := range req.vias {
		fmt.Fprintf(&b, "Via: %s\r\n", v)
	}
	to := req.get("to")
	if toTag != "" && sipTag(to) == "" {
		to += ";tag=" + toTag
	}
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s\r\n",
		req.get("from"), to, req.get("call-id"), req.get("cseq"))
	if contentType != "" {
		fmt.Fprintf(&b, "Contact: <sip:rtpengine-front@127.0.0.1>\r\nContent-Type: %s\r\n",
			contentType)
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), body)
	return []byte(b.String())
}

// sdpOf returns the SDP of a request: its body, or the application/sdp
// part of a multipart body, as SIPREC INVITEs carry it (RFC 7866
// section 8.1).
func sdpOf(req *sipRequest) (string, error) {
	media, params, err := mime.ParseMediaType(req.get("content-type"))
	if err != nil {
		return "", fmt.Errorf("content type: %w", err)
	}
	if media == "application/sdp" {
		return string(req.body), nil
	}
	if !strings.HasPrefix(media, "multipart/") {
		return "", fmt.Errorf("content type %s holds no sdp", media)
	}
	parts := multipart.NewReader(bytes.NewReader(req.body), params["boundary"])
	for {
		p, err := parts.NextPart()
		if err != nil {
			return "", fmt.Errorf("find the sdp part: %w", err)
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "application/sdp") {
			b, err := io.ReadAll(p)
			return string(b), err
		}
	}
}
