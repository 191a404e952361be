package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// flakyStore is an in-memory Store for the queue's logic tests; it fails
// the first failPuts puts. The contract suite covers the real stores.
type flakyStore struct {
	mu       sync.Mutex
	objects  map[string][]byte
	failPuts int
	puts     []time.Time // time of every Put call, failed or not
}

func newFlakyStore(failPuts int) *flakyStore {
	return &flakyStore{objects: map[string][]byte{}, failPuts: failPuts}
}

func (s *flakyStore) Put(_ context.Context, key string, r io.Reader, _ int64, _ PutOptions) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.puts = append(s.puts, time.Now())
	if s.failPuts > 0 {
		s.failPuts--
		return errors.New("store unreachable")
	}
	s.objects[key] = data
	return nil
}

func (s *flakyStore) Get(_ context.Context, key string, _ *Range) (io.ReadCloser, ObjectInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	data, ok := s.objects[key]
	if !ok {
		return nil, ObjectInfo{}, ErrNotFound
	}
	return io.NopCloser(bytes.NewReader(data)), ObjectInfo{Key: key, Size: int64(len(data))}, nil
}

func (s *flakyStore) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	_, info, err := s.Get(ctx, key, nil)
	return info, err
}

func (s *flakyStore) List(_ context.Context, prefix string) ([]ObjectInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ObjectInfo
	for k, v := range s.objects {
		if strings.HasPrefix(k, prefix) {
			out = append(out, ObjectInfo{Key: k, Size: int64(len(v))})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

func (s *flakyStore) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.objects, key)
	return nil
}

func (s *flakyStore) Ping(context.Context) error { return nil }
func (s *flakyStore) String() string             { return "flaky" }

func (s *flakyStore) object(key string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.objects[key]
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// queueRecording writes a fake WAV into dir and returns its path with a
// sidecar describing it.
func queueRecording(t *testing.T, dir string, start time.Time, n int) (string, *Sidecar) {
	t.Helper()
	id := NewRecordingID(start)
	audio := bytes.Repeat([]byte(fmt.Sprintf("audio-%d-", n)), 1000)
	p := filepath.Join(dir, id+".wav")
	if err := os.WriteFile(p, audio, 0o640); err != nil {
		t.Fatal(err)
	}
	return p, &Sidecar{
		RecordingID: id,
		StartedAt:   start,
		EndedAt:     start.Add(time.Minute),
		DurationMS:  60000,
		Audio:       Audio{Encoding: "pcmu", SampleRate: 8000, Channels: 2, Bytes: int64(len(audio))},
	}
}

func TestQueueRetriesWithBackoffUntilStored(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := newFlakyStore(3)
		spool := t.TempDir()
		var stored []string
		q, err := NewQueue(QueueConfig{
			Dir:        filepath.Join(spool, "outbox"),
			Workers:    1,
			MinBackoff: time.Second,
			MaxBackoff: 10 * time.Second,
			OnStored: func(_ context.Context, s *Sidecar) error {
				stored = append(stored, s.RecordingID)
				return nil
			},
		}, st, testLogger(t))
		if err != nil {
			t.Fatal(err)
		}
		wavPath, sc := queueRecording(t, spool, time.Now(), 1)
		want, _ := os.ReadFile(wavPath)
		if err := q.Enqueue(wavPath, sc); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { q.Run(ctx); close(done) }()

		time.Sleep(time.Minute)
		synctest.Wait()
		cancel()
		<-done

		wavKey, _, _ := RecordingKeys(sc.RecordingID)
		if got := st.object(wavKey); !bytes.Equal(got, want) {
			t.Fatalf("stored audio differs: got %d bytes, want %d", len(got), len(want))
		}
		if len(stored) != 1 {
			t.Fatalf("OnStored called %d times, want once", len(stored))
		}
		// Three failed puts, then the audio and the sidecar.
		if len(st.puts) != 5 {
			t.Fatalf("store saw %d puts, want 5", len(st.puts))
		}
		// Waits double from 1s: 1s, 2s, 4s, each with up to 20% jitter.
		for i, base := range []time.Duration{1, 2, 4} {
			gap := st.puts[i+1].Sub(st.puts[i])
			if lo, hi := base*time.Second, base*time.Second*12/10; gap < lo || gap > hi {
				t.Errorf("wait before attempt %d = %v, want %v to %v", i+2, gap, lo, hi)
			}
		}
		if s := q.Status(); s.Backlog != 0 || s.LastError != "" {
			t.Errorf("status after success = %+v, want empty backlog and no error", s)
		}
		assertEmptyDir(t, filepath.Join(spool, "outbox"))
	})
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("%s still holds %d files, want none", dir, len(entries))
	}
}

func TestQueueSurvivesRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		spool := t.TempDir()
		dir := filepath.Join(spool, "outbox")
		cfg := QueueConfig{Dir: dir, Workers: 2, MinBackoff: time.Second}
		down := newFlakyStore(1 << 30)
		q1, err := NewQueue(cfg, down, testLogger(t))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][]byte{}
		for i := range 5 {
			p, sc := queueRecording(t, spool, time.Now().Add(time.Duration(i)*time.Second), i)
			want[sc.RecordingID], _ = os.ReadFile(p)
			if err := q1.Enqueue(p, sc); err != nil {
				t.Fatal(err)
			}
		}
		ctx, cancel := context.WithCancel(t.Context())
		go q1.Run(ctx)
		time.Sleep(10 * time.Second)
		cancel()
		synctest.Wait()

		// A new process: the queue is rebuilt from the folder alone.
		up := newFlakyStore(0)
		q2, err := NewQueue(cfg, up, testLogger(t))
		if err != nil {
			t.Fatal(err)
		}
		if got := q2.Status().Backlog; got != 5 {
			t.Fatalf("backlog after restart = %d, want 5", got)
		}
		ctx, cancel = context.WithCancel(t.Context())
		defer cancel()
		go q2.Run(ctx)
		time.Sleep(time.Second)
		synctest.Wait()
		for id, audio := range want {
			wavKey, jsonKey, _ := RecordingKeys(id)
			if !bytes.Equal(up.object(wavKey), audio) {
				t.Errorf("recording %s: stored audio differs from what was queued", id)
			}
			if _, err := UnmarshalSidecar(up.object(jsonKey)); err != nil {
				t.Errorf("recording %s: sidecar: %v", id, err)
			}
		}
		if objs, _ := up.List(ctx, RecordingsPrefix); len(objs) != 10 {
			t.Errorf("store holds %d objects, want 10 (a WAV and a sidecar each)", len(objs))
		}
		assertEmptyDir(t, dir)
	})
}

// A crash after the audio was removed from the queue but before the sidecar
// was leaves the sidecar alone; the next attempt must finish, not stall.
func TestQueueFinishesAfterCrashBetweenRemovals(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		spool := t.TempDir()
		dir := filepath.Join(spool, "outbox")
		st := newFlakyStore(0)
		q, err := NewQueue(QueueConfig{Dir: dir}, st, testLogger(t))
		if err != nil {
			t.Fatal(err)
		}
		p, sc := queueRecording(t, spool, time.Now(), 1)
		audio, _ := os.ReadFile(p)
		wavKey, _, _ := RecordingKeys(sc.RecordingID)
		if err := st.Put(t.Context(), wavKey, bytes.NewReader(audio), -1, PutOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := q.Enqueue(p, sc); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(filepath.Join(dir, sc.RecordingID+".wav")); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go q.Run(ctx)
		time.Sleep(time.Second)
		synctest.Wait()
		if got := q.Status(); got.Backlog != 0 {
			t.Fatalf("status = %+v, want the recording finished", got)
		}
		assertEmptyDir(t, dir)
	})
}

func TestQueueKeepsRecordingWhoseAudioIsLost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		spool := t.TempDir()
		dir := filepath.Join(spool, "outbox")
		q, err := NewQueue(QueueConfig{Dir: dir}, newFlakyStore(0), testLogger(t))
		if err != nil {
			t.Fatal(err)
		}
		p, sc := queueRecording(t, spool, time.Now(), 1)
		if err := q.Enqueue(p, sc); err != nil {
			t.Fatal(err)
		}
		os.Remove(filepath.Join(dir, sc.RecordingID+".wav"))
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go q.Run(ctx)
		time.Sleep(time.Second)
		synctest.Wait()
		st := q.Status()
		if st.Backlog != 1 || !strings.Contains(st.LastError, "missing") {
			t.Fatalf("status = %+v, want the sidecar kept and the error named", st)
		}
	})
}

func TestQueueUploadsAttachmentsBesideTheWAV(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		spool := t.TempDir()
		st := newFlakyStore(0)
		q, err := NewQueue(QueueConfig{Dir: filepath.Join(spool, "outbox")}, st, testLogger(t))
		if err != nil {
			t.Fatal(err)
		}
		p, sc := queueRecording(t, spool, time.Now(), 1)
		capture := []byte("pcap bytes")
		if err := os.WriteFile(filepath.Join(spool, sc.RecordingID+".s1.pcap"), capture, 0o640); err != nil {
			t.Fatal(err)
		}
		sc.Attachments = []Attachment{{Name: "s1.pcap", Bytes: int64(len(capture))}}
		if err := q.Enqueue(p, sc); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go q.Run(ctx)
		time.Sleep(time.Second)
		synctest.Wait()
		key, _ := AttachmentKey(sc.RecordingID, "s1.pcap")
		if !bytes.Equal(st.object(key), capture) {
			t.Errorf("attachment not stored at %s", key)
		}
		assertEmptyDir(t, filepath.Join(spool, "outbox"))
	})
}

func TestAttachmentNamesCannotEscape(t *testing.T) {
	id := NewRecordingID(time.Now())
	for _, name := range []string{"../x", "a/b", "", ".hidden", "wav", "json", strings.Repeat("x", 65)} {
		if _, err := AttachmentKey(id, name); err == nil {
			t.Errorf("AttachmentKey accepted %q", name)
		}
	}
}
