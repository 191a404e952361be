package storage_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"earshot/internal/s3test"
	"earshot/storage"
)

// TestQueueRidesOutS3Outage stops a real S3 server, queues recordings while
// it is down, starts it again, and requires every recording to arrive
// byte-identical and exactly once.
func TestQueueRidesOutS3Outage(t *testing.T) {
	srv := s3test.Start(t, t.TempDir())
	cfg := s3test.NewBucket(t, srv)
	st, err := storage.NewS3Store(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	spool := t.TempDir()
	var mu sync.Mutex
	storedTimes := map[string]int{}
	q, err := storage.NewQueue(storage.QueueConfig{
		Dir:            filepath.Join(spool, "outbox"),
		MinBackoff:     50 * time.Millisecond,
		MaxBackoff:     500 * time.Millisecond,
		AttemptTimeout: 5 * time.Second,
		OnStored: func(_ context.Context, s *storage.Sidecar) error {
			mu.Lock()
			storedTimes[s.RecordingID]++
			mu.Unlock()
			return nil
		},
	}, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { q.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	srv.Stop()
	const n = 12
	want := map[string][]byte{}
	for i := range n {
		id, audio := enqueueFake(t, q, spool, i)
		want[id] = audio
	}
	waitFor(t, 20*time.Second, "uploads to fail while the store is down", func() bool {
		s := q.Status()
		return s.Backlog == n && s.LastError != ""
	})

	srv.Restart()
	waitFor(t, 60*time.Second, "the backlog to drain", func() bool {
		return q.Status().Backlog == 0
	})

	objs, err := st.List(t.Context(), storage.RecordingsPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 2*n {
		t.Errorf("store holds %d objects, want %d (a WAV and a sidecar per recording)", len(objs), 2*n)
	}
	mu.Lock()
	defer mu.Unlock()
	for id, audio := range want {
		wavKey, _, _ := storage.RecordingKeys(id)
		if got := readObject(t, st, wavKey); !bytes.Equal(got, audio) {
			t.Errorf("recording %s: stored %d bytes differ from the %d queued", id, len(got), len(audio))
		}
		if storedTimes[id] != 1 {
			t.Errorf("recording %s was reported stored %d times, want once", id, storedTimes[id])
		}
	}
}

func enqueueFake(t *testing.T, q *storage.Queue, spool string, i int) (string, []byte) {
	t.Helper()
	start := time.Now().Add(time.Duration(i) * time.Second)
	id := storage.NewRecordingID(start)
	audio := bytes.Repeat([]byte(fmt.Sprintf("RIFF-%02d-", i)), 4096+i)
	p := filepath.Join(spool, id+".wav")
	if err := os.WriteFile(p, audio, 0o640); err != nil {
		t.Fatal(err)
	}
	sc := &storage.Sidecar{
		RecordingID: id,
		StartedAt:   start,
		EndedAt:     start.Add(30 * time.Second),
		DurationMS:  30000,
		Audio:       storage.Audio{Encoding: "pcmu", SampleRate: 8000, Channels: 2, Bytes: int64(len(audio))},
	}
	if err := q.Enqueue(p, sc); err != nil {
		t.Fatal(err)
	}
	return id, audio
}

func readObject(t *testing.T, st storage.Store, key string) []byte {
	t.Helper()
	rc, _, err := st.Get(t.Context(), key, nil)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return data
}

// waitFor polls cond until it holds or the deadline passes. The deadline is
// a bound on a hang, not a performance goal.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s waiting for %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
