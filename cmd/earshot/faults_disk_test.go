package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"earshot/internal/rtpgen"
)

// TestSpoolDiskFullRefusesNewCalls puts earshot's data folder on a small
// disk of its own and fills it while a call is being recorded: below the
// --spool-min-free threshold, and again once the disk is completely full,
// a new INVITE must get 503 with Retry-After; the call in progress must
// keep what it received, and, once the filler is deleted, record again;
// new calls must be taken again.
func TestSpoolDiskFullRefusesNewCalls(t *testing.T) {
	// Sender times: clicks before any fill and after the space returns.
	const talk = 4 * time.Second
	clicks := []time.Duration{500 * time.Millisecond, talk - 500*time.Millisecond}

	disk := mountSmallDisk(t, 64)
	sipAddr := fmt.Sprintf("127.0.0.1:%d", freeSIPPort(t))
	p := startEarshot(t, "EARSHOT_DATA_DIR="+filepath.Join(disk, "data"),
		"EARSHOT_SIP_LISTEN="+sipAddr, "EARSHOT_RTP_PORTS=45300-45399",
		"EARSHOT_RTP_BIND=127.0.0.1", fmt.Sprintf("EARSHOT_SPOOL_MIN_FREE=%d", spoolMinFreeMiB))
	raw := storedInvite(t)

	a := openSession(t, sipAddr, raw, fmt.Sprintf("diskfull-a-%d@test", time.Now().UnixNano()))
	start := time.Now().Add(50 * time.Millisecond)
	lc := sendLive(t, a.senders, a.answered, start, tonePackets(0, talk, clicks...))
	tl := fillWhileRecording(t, p, disk, sipAddr, raw, start)

	lc.wait()
	time.Sleep(100 * time.Millisecond)
	a.hangUp(t)
	call := waitForCall(t, p, a.callID, 30*time.Second)
	ch, _ := fetchAudio(t, p, call.ID)
	checkAroundFullDisk(t, ch, clicks, tl, talk)

	// Space is back: a new call is taken and recorded.
	again := recordCalls(t, p, sipAddr, 1, time.Second)[0]
	ch, _ = fetchAudio(t, p, again.ID)
	for i, tone := range faultTones {
		if got := toneSeconds(ch[i], tone, 1440-tone); got < 0.8 {
			t.Errorf("call after the disk was freed: channel %d holds %.2fs of %v Hz, want 1s",
				i, got, tone)
		}
	}
	for _, id := range tl.refusedIDs {
		if _, body := p.apiGet(t, "/api/v1/calls?sip_call_id="+id, nil); !listsNoCalls(body) {
			t.Errorf("the refused call %s is listed: %s", id, body)
		}
	}
	stopEarshot(t, p)
}

// spoolMinFreeMiB is the --spool-min-free of the test, on a 64 MiB disk.
const spoolMinFreeMiB = 16

// diskTimeline says when, in sender time, the disk went below the
// threshold, became full, and was freed; and which calls were refused.
type diskTimeline struct {
	low, full, freed time.Duration
	refusedIDs       []string
}

// fillWhileRecording fills the disk below the threshold at 1 s into the
// call, fills it completely at 1.8 s, and deletes the filler at 2.5 s;
// a new INVITE must be refused below the threshold and while full.
func fillWhileRecording(
	t *testing.T,
	p *earshotProcess,
	disk, sipAddr string,
	raw []byte,
	start time.Time,
) diskTimeline {
	t.Helper()
	var tl diskTimeline
	filler := filepath.Join(disk, "filler")
	time.Sleep(time.Until(start.Add(time.Second)))
	free := fillDisk(t, disk, filler, 8<<20)
	tl.low = time.Since(start)
	t.Logf("disk filled to %.1f MiB free at %.2fs; threshold %d MiB", float64(free)/(1<<20),
		tl.low.Seconds(), spoolMinFreeMiB)
	tl.refusedIDs = append(tl.refusedIDs, refuseOnDisk(t, p, sipAddr, raw,
		fmt.Sprintf("with %.1f MiB free", float64(free)/(1<<20)), 1))

	time.Sleep(time.Until(start.Add(1800 * time.Millisecond)))
	fillDisk(t, disk, filler, 0)
	tl.full = time.Since(start)
	tl.refusedIDs = append(tl.refusedIDs, refuseOnDisk(t, p, sipAddr, raw,
		"on a full disk", 2))
	time.Sleep(time.Until(start.Add(2500 * time.Millisecond)))
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	tl.freed = time.Since(start)
	t.Logf("disk full from %.2fs to %.2fs; earshot_spool_errors_total = %v", tl.full.Seconds(),
		tl.freed.Seconds(), metricValue(t, p, "earshot_spool_errors_total"))
	// Freed later, the recording after it is too short to check.
	if tl.freed > 3*time.Second {
		t.Errorf("the disk was freed at %.2fs, planned at 2.5s: the refusals took too long",
			tl.freed.Seconds())
	}
	return tl
}

// refuseOnDisk sends a new INVITE while the spool disk is short of space,
// in the condition named, and requires a 503 with Retry-After, the
// refusals counted so far to be refused, and the call in progress kept.
// It returns the refused call's Call-ID.
func refuseOnDisk(
	t *testing.T,
	p *earshotProcess,
	sipAddr string,
	raw []byte,
	condition string,
	refused int,
) string {
	t.Helper()
	id := fmt.Sprintf("diskfull-%d-%d@test", refused, time.Now().UnixNano())
	_, ports := rtpSenders(t, 2)
	resp := sendInvite(t, sipAddr, raw, id, ports)
	if resp.Code != 503 || resp.Header("Retry-After") == "" {
		t.Errorf("INVITE %s: %s (Retry-After %q), want 503 with Retry-After",
			condition, resp.StartLine, resp.Header("Retry-After"))
	}
	const counter = `earshot_calls_total{outcome="refused_disk"}`
	if got := metricValue(t, p, counter); got != float64(refused) {
		t.Errorf("%s = %v %s, want %d", counter, got, condition, refused)
	}
	if n := activeCalls(t, p.base); n != 1 {
		t.Errorf("/readyz says %d calls in progress after the INVITE %s, want the live one",
			n, condition)
	}
	return id
}

// checkAroundFullDisk checks the call recorded while its disk filled, in
// windows of sender time placed by the first click: everything before the
// disk was completely full (less one spool flush, 250 ms, that may have
// been waiting in memory), and everything from shortly after it was freed.
func checkAroundFullDisk(
	t *testing.T,
	ch [2][]int16,
	clicks []time.Duration,
	tl diskTimeline,
	talk time.Duration,
) {
	t.Helper()
	const slack = 300 * time.Millisecond
	first := rtpgen.Clicks(ch[0], 8000)
	if len(first) == 0 {
		t.Fatalf("no click in the left channel: the audio from before the fill is missing")
	}
	zero := first[0] - int(clicks[0].Seconds()*8000)
	spans := []struct {
		what     string
		from, to time.Duration
	}{
		{"before the fill", 0, tl.low},
		{"below the threshold, before the disk was full", tl.low, tl.full - slack},
		{"after the space returned", tl.freed + slack, talk},
	}
	for _, s := range spans {
		want := (s.to - s.from).Seconds() - 0.1
		for i, tone := range faultTones {
			got := toneSeconds(window(ch[i], zero, s.from, s.to), tone, 1440-tone)
			t.Logf("channel %d, %.2fs to %.2fs (%s): %.2fs of %v Hz", i, s.from.Seconds(),
				s.to.Seconds(), s.what, got, tone)
			if got < want {
				t.Errorf("channel %d holds %.2fs of %v Hz from %.2fs to %.2fs (%s), want %.2fs",
					i, got, tone, s.from.Seconds(), s.to.Seconds(), s.what, want)
			}
		}
	}
	left, right := rtpgen.Clicks(ch[0], 8000), rtpgen.Clicks(ch[1], 8000)
	if len(left) != len(clicks) || len(right) != len(clicks) {
		t.Errorf("clicks at samples %v (left) and %v (right), want %d in each",
			left, right, len(clicks))
	}
}

// mountSmallDisk mounts a tmpfs of mib MiB on a fresh folder, to play a
// spool disk that fills up, and unmounts it when the test ends (after the
// binary, started later, has been stopped). It needs root.
func mountSmallDisk(t *testing.T, mib int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("mounting a small disk needs root, and CI runs the tests as root")
		}
		t.Skip("mounting a small disk needs root")
	}
	dir := t.TempDir()
	size := fmt.Sprintf("size=%dm", mib)
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", size, "tmpfs", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("mount a %d MiB tmpfs on %s: %v: %s", mib, dir, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// fillDisk appends to the filler file until the disk holding dir has at
// most leave bytes free; with leave 0, until a write fails for lack of
// space. It returns the bytes left free.
func fillDisk(t *testing.T, dir, filler string, leave uint64) uint64 {
	t.Helper()
	f, err := os.OpenFile(filler, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 1<<20)
	for {
		free := diskFree(t, dir)
		if free <= leave && leave > 0 {
			return free
		}
		n := uint64(len(chunk))
		if leave > 0 {
			n = min(n, free-leave)
		}
		if _, err := f.Write(chunk[:max(n, 4096)]); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return diskFree(t, dir)
			}
			t.Fatalf("fill %s: %v", filler, err)
		}
	}
}

func diskFree(t *testing.T, dir string) uint64 {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return st.Bavail * uint64(st.Bsize)
}

// listsNoCalls reports whether a call list answer lists nothing.
func listsNoCalls(body []byte) bool {
	var list struct {
		Calls []struct{} `json:"calls"`
	}
	return json.Unmarshal(body, &list) == nil && len(list.Calls) == 0
}
