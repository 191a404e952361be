package catalog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"earshot/storage"
)

// newTestStore returns an empty folder store for a test.
func newTestStore(t *testing.T) storage.Store {
	t.Helper()
	st, err := storage.NewFileStore(t.TempDir())
	if err != nil {
		t.Fatalf("NewFileStore: %v", err)
	}
	return st
}

// fillStore puts n recordings in st, spread over several days with starts
// below the millisecond, and returns their sidecars.
func fillStore(t *testing.T, st storage.Store, n int) []*storage.Sidecar {
	t.Helper()
	var sidecars []*storage.Sidecar
	for i := range n {
		start := testBase.Add(time.Duration(i)*197*time.Minute + time.Duration(i)*1234567)
		s := testSidecar(i, start, 30_000+int64(i)*7919)
		putRecording(t, st, s)
		sidecars = append(sidecars, s)
	}
	return sidecars
}

func TestReindexRoundTrip(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	sidecars := fillStore(t, st, 20)

	// Catalog A is built as the recorder would, call by call.
	a := openTest(t)
	for _, s := range sidecars {
		if err := a.Index(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	before := dump(t, a)

	// Catalog B is rebuilt from the store alone.
	b := openTest(t)
	var calls [][2]int
	res, err := b.Reindex(ctx, st, func(done, total int) {
		calls = append(calls, [2]int{done, total})
	})
	if err != nil {
		t.Fatalf("Reindex: %v", err)
	}
	if diff := cmp.Diff(ReindexResult{Indexed: 20}, res); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	if len(calls) != 20 || calls[19] != [2]int{20, 20} {
		t.Errorf("progress: %v, want 20 calls ending with [20 20]", calls)
	}
	if diff := cmp.Diff(before, dump(t, b)); diff != "" {
		t.Fatalf("rebuilt catalog differs (-indexed +rebuilt):\n%s", diff)
	}

	// Reindexing A in place changes nothing...
	if res, err = a.Reindex(ctx, st, nil); err != nil || res != (ReindexResult{Indexed: 20}) {
		t.Fatalf("Reindex in place: %+v, %v", res, err)
	}
	if diff := cmp.Diff(before, dump(t, a)); diff != "" {
		t.Fatalf("catalog changed by reindexing in place (-before +after):\n%s", diff)
	}

	// ...until a sidecar is removed from the store.
	gone := sidecars[7].RecordingID
	_, key, _ := storage.RecordingKeys(gone)
	if err := st.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if res, err = a.Reindex(ctx, st, nil); err != nil {
		t.Fatalf("Reindex after delete: %v", err)
	}
	if diff := cmp.Diff(ReindexResult{Indexed: 19, Removed: 1}, res); diff != "" {
		t.Errorf("result after delete (-want +got):\n%s", diff)
	}
	if _, err := a.Get(ctx, gone); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get of the removed call: got %v, want ErrNotFound", err)
	}
	if n := countRows(t, a, "participants", gone); n != 0 {
		t.Errorf("participants of the removed call: %d rows, want 0", n)
	}
}

func TestReindexSkipsBadSidecars(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	sidecars := fillStore(t, st, 3)
	var logs bytes.Buffer
	c := openAt(t, t.TempDir()+"/catalog.db", slog.New(slog.NewTextHandler(&logs, nil)))
	if _, err := c.Reindex(ctx, st, nil); err != nil {
		t.Fatal(err)
	}

	// A call indexed earlier whose sidecar is now corrupt is kept.
	_, corrupt, _ := storage.RecordingKeys(sidecars[1].RecordingID)
	put(t, st, corrupt, []byte(`{"format_version": 1, "recording_id": `))

	other := testSidecar(20, testBase.Add(72*time.Hour), 1000)
	_, otherKey, _ := storage.RecordingKeys(other.RecordingID)
	// A valid sidecar under the key of another recording.
	_, wrongID, _ := storage.RecordingKeys(testID(22, testBase))
	put(t, st, wrongID, marshal(t, other))
	// A valid sidecar in the wrong day's folder.
	misplaced := strings.Replace(otherKey, "/2026/03/05/", "/2026/03/06/", 1)
	put(t, st, misplaced, marshal(t, other))
	// A sidecar from a newer build.
	future := *other
	future.RecordingID = testID(21, testBase)
	_, futureKey, _ := storage.RecordingKeys(future.RecordingID)
	put(t, st, futureKey, bytes.Replace(marshal(t, &future),
		[]byte(`"format_version": 1`), []byte(`"format_version": 99`), 1))
	// Not sidecars: ignored, not skipped.
	put(t, st, storage.RecordingsPrefix+"notes.txt", []byte("hello"))
	put(t, st, storage.RecordingsPrefix+"2026/03/02/not-a-ulid.json", []byte("{}"))

	res, err := c.Reindex(ctx, st, nil)
	if err != nil {
		t.Fatalf("Reindex: %v", err)
	}
	want := ReindexResult{Indexed: 2, Skipped: 4}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	if _, err := c.Get(ctx, sidecars[1].RecordingID); err != nil {
		t.Errorf("call with a corrupt sidecar: %v, want it kept", err)
	}
	for _, key := range []string{corrupt, wrongID, misplaced, futureKey} {
		if !strings.Contains(logs.String(), "object_key="+key+" err=") {
			t.Errorf("no log line with object_key=%s and err in:\n%s", key, logs.String())
		}
	}
}

// listHookStore runs onList after listing, as if a recording was uploaded
// and indexed right after the listing was taken.
type listHookStore struct {
	storage.Store
	onList func()
}

func (s listHookStore) List(ctx context.Context, prefix string) ([]storage.ObjectInfo, error) {
	infos, err := s.Store.List(ctx, prefix)
	s.onList()
	return infos, err
}

func TestReindexKeepsCallsIndexedDuringRun(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	fillStore(t, st, 3)
	c := openTest(t)
	late := testSidecar(9, testBase.Add(24*time.Hour), 1000)
	hooked := listHookStore{Store: st, onList: func() {
		putRecording(t, st, late)
		if err := c.Index(ctx, late); err != nil {
			t.Error(err)
		}
	}}
	res, err := c.Reindex(ctx, hooked, nil)
	if err != nil || res != (ReindexResult{Indexed: 3}) {
		t.Fatalf("Reindex: %+v, %v; want 3 indexed", res, err)
	}
	if _, err := c.Get(ctx, late.RecordingID); err != nil {
		t.Errorf("call indexed during Reindex: %v, want it kept", err)
	}
}

func TestReindexStoppedMidway(t *testing.T) {
	st := newTestStore(t)
	sidecars := fillStore(t, st, 10)
	c := openTest(t)
	if _, err := c.Reindex(context.Background(), st, nil); err != nil {
		t.Fatal(err)
	}
	gone := sidecars[0].RecordingID
	_, key, _ := storage.RecordingKeys(gone)
	if err := st.Delete(context.Background(), key); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := c.Reindex(ctx, st, func(done, total int) {
		if done == 4 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Reindex: got %v, want context.Canceled", err)
	}
	// The catalog is still whole, only not refreshed.
	calls, err := c.List(context.Background(), ListFilter{})
	if err != nil || len(calls) != 10 {
		t.Fatalf("List after a stopped Reindex: %d calls, %v; want 10", len(calls), err)
	}
	res, err := c.Reindex(context.Background(), st, nil)
	if err != nil || res != (ReindexResult{Indexed: 9, Removed: 1}) {
		t.Errorf("Reindex again: %+v, %v; want 9 indexed, 1 removed", res, err)
	}
}

// failingStore fails to list.
type failingStore struct{ storage.Store }

func (failingStore) List(context.Context, string) ([]storage.ObjectInfo, error) {
	return nil, errors.New("connection refused")
}

func TestReindexStoreDown(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	fillStore(t, st, 2)
	c := openTest(t)
	if _, err := c.Reindex(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	before := dump(t, c)
	if _, err := c.Reindex(ctx, failingStore{st}, nil); err == nil {
		t.Fatal("Reindex with a store down: got nil error")
	}
	if diff := cmp.Diff(before, dump(t, c)); diff != "" {
		t.Errorf("catalog changed (-before +after):\n%s", diff)
	}
}

func put(t *testing.T, st storage.Store, key string, data []byte) {
	t.Helper()
	err := st.Put(context.Background(), key, bytes.NewReader(data), int64(len(data)),
		storage.PutOptions{})
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

func marshal(t *testing.T, s *storage.Sidecar) []byte {
	t.Helper()
	data, err := storage.MarshalSidecar(s)
	if err != nil {
		t.Fatal(fmt.Errorf("marshal sidecar: %w", err))
	}
	return data
}
