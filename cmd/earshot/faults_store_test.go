package main

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"earshot/internal/s3test"
	"earshot/storage"
	"earshot/storage/catalog"
)

// TestObjectStoreDownWhileCallsEnd stops the S3 server earshot stores to,
// ends five calls while it is down, keeps it down for 30 s, and starts it
// again: every recording must then arrive, with its audio, exactly once.
func TestObjectStoreDownWhileCallsEnd(t *testing.T) {
	const calls, talk = 5, 2 * time.Second
	const outage, drainLimit = 30 * time.Second, 30 * time.Second

	srv := s3test.Start(t, t.TempDir())
	bucket := s3test.NewBucket(t, srv)
	sipAddr := fmt.Sprintf("127.0.0.1:%d", freeSIPPort(t))
	q := url.Values{"endpoint": {bucket.Endpoint}, "insecure": {"true"}, "region": {bucket.Region}}
	// The retry backoff is capped at 2 s rather than the default 2 min:
	// with the default, how soon the backlog drains depends on where the
	// doubling waits fall against the outage (7 s after this one when
	// measured; up to the outage's length in general).
	p := startEarshot(t, "EARSHOT_DATA_DIR="+t.TempDir(), "EARSHOT_SIP_LISTEN="+sipAddr,
		"EARSHOT_RTP_PORTS=45200-45299", "EARSHOT_RTP_BIND=127.0.0.1",
		"EARSHOT_STORAGE=s3://"+bucket.Bucket+"?"+q.Encode(),
		"AWS_ACCESS_KEY_ID="+bucket.AccessKey, "AWS_SECRET_ACCESS_KEY="+bucket.SecretKey,
		"EARSHOT_UPLOAD_MAX_BACKOFF=2s")
	if r := readyz(t, p); r.code != 200 {
		t.Fatalf("/readyz = %d %+v before the outage, want 200", r.code, r)
	}

	raw := storedInvite(t)
	sessions := make([]*sipSession, calls)
	for i := range sessions {
		id := fmt.Sprintf("s3down-%d-%d@test", i, time.Now().UnixNano())
		sessions[i] = openSession(t, sipAddr, raw, id)
	}
	start := time.Now().Add(50 * time.Millisecond)
	live := make([]*liveCall, calls)
	for i, s := range sessions {
		live[i] = sendLive(t, s.senders, s.answered, start, tonePackets(i, talk))
	}
	for _, lc := range live {
		lc.wait()
	}
	// Let the last packets reach the spool before the calls end.
	time.Sleep(100 * time.Millisecond)

	srv.Stop()
	down := time.Now()
	for _, s := range sessions {
		s.hangUp(t)
	}
	watchOutage(t, p, calls, down.Add(outage))

	srv.Restart()
	back := time.Now()
	listed := make([]catalog.Call, calls)
	for i, s := range sessions {
		listed[i] = waitForCall(t, p, s.callID, drainLimit-time.Since(back))
	}
	t.Logf("all %d recordings listed %.2fs after the store came back (outage %.1fs)",
		calls, time.Since(back).Seconds(), back.Sub(down).Seconds())
	for i, call := range listed {
		checkStoredCall(t, p, sessions[i].callID, call, talk)
	}
	checkBucketHoldsEachOnce(t, bucket, listed)
	if r := readyz(t, p); r.code != 200 || r.Detail.UploadQueue.Backlog != 0 {
		t.Errorf("/readyz after the drain = %d, backlog %d; want 200 and 0",
			r.code, r.Detail.UploadQueue.Backlog)
	}
	stopEarshot(t, p)
}

// watchOutage polls /readyz until until, and requires it to report the
// store failing throughout, and, once the ended calls are queued, a backlog
// of exactly calls.
func watchOutage(t *testing.T, p *earshotProcess, calls int, until time.Time) {
	t.Helper()
	var polls, queued int
	var lastErr string
	var queuedAfter, slowest time.Duration
	began := time.Now()
	for time.Now().Before(until) {
		asked := time.Now()
		r := readyz(t, p)
		slowest = max(slowest, time.Since(asked))
		polls++
		if r.code != 503 || r.Checks["store"] == "ok" {
			t.Errorf("/readyz during the outage = %d, store check %q; "+
				"want 503 and the store failing", r.code, r.Checks["store"])
		}
		switch b := r.Detail.UploadQueue.Backlog; {
		case b == calls:
			if queued == 0 {
				queuedAfter = time.Since(began)
			}
			queued++
			lastErr = r.Detail.UploadQueue.LastError
		case queued > 0 || b > calls:
			t.Errorf("/readyz during the outage: upload backlog %d, want %d", b, calls)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if queued == 0 {
		t.Fatalf("/readyz never reported the %d ended calls waiting to upload", calls)
	}
	if lastErr == "" {
		t.Errorf("/readyz reports no upload error during the outage")
	}
	t.Logf("outage: %d polls of /readyz (slowest answer %.2fs), backlog %d from %.1fs after "+
		"the BYEs; last error: %s", polls, slowest.Seconds(), calls, queuedAfter.Seconds(), lastErr)
}

// checkStoredCall fetches a call's audio through the API and requires its
// length and both tones to match what was sent.
func checkStoredCall(
	t *testing.T,
	p *earshotProcess,
	sipCallID string,
	call catalog.Call,
	talk time.Duration,
) {
	t.Helper()
	if call.Interrupted {
		t.Errorf("call %s is flagged interrupted; it ended with a BYE", sipCallID)
	}
	ch, _ := fetchAudio(t, p, call.ID)
	length := float64(len(ch[0])) / 8000
	// The call runs from the INVITE to the BYE: the talk, plus the set-up
	// and the pause before the BYE.
	if length < talk.Seconds() || length > talk.Seconds()+1.5 {
		t.Errorf("call %s: %.2fs of audio, want %s to %s",
			sipCallID, length, talk, talk+1500*time.Millisecond)
	}
	if d := float64(call.DurationMS) / 1000; d-length > 0.1 || length-d > 0.1 {
		t.Errorf("call %s: listed as %.2fs long, its audio lasts %.2fs", sipCallID, d, length)
	}
	for i, tone := range faultTones {
		if got := toneSeconds(ch[i], tone, 1440-tone); got < talk.Seconds()-0.2 {
			t.Errorf("call %s channel %d holds %.2fs of %v Hz, want about %s",
				sipCallID, i, got, tone, talk)
		}
	}
}

// checkBucketHoldsEachOnce lists the bucket with a client of its own and
// requires exactly one WAV and one sidecar per call, at the keys listed.
func checkBucketHoldsEachOnce(t *testing.T, cfg storage.S3Config, calls []catalog.Call) {
	t.Helper()
	st, err := storage.NewS3Store(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := st.List(t.Context(), "")
	if err != nil {
		t.Fatalf("list the bucket: %v", err)
	}
	want := map[string]bool{}
	for _, c := range calls {
		want[c.WAVKey], want[c.SidecarKey] = true, true
	}
	var keys []string
	for _, o := range objs {
		keys = append(keys, o.Key)
		if !want[o.Key] {
			t.Errorf("bucket holds %s, which no listed call names", o.Key)
		}
		delete(want, o.Key)
	}
	for k := range want {
		t.Errorf("bucket lacks %s", k)
	}
	if len(objs) != 2*len(calls) {
		t.Errorf("bucket holds %d objects, want %d (a WAV and a sidecar per call):\n%s",
			len(objs), 2*len(calls), strings.Join(keys, "\n"))
	}
}
