package storage_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"earshot/internal/s3test"
	"earshot/storage"
)

// testPartSize is S3's smallest part, so that a test object of 11 MiB
// spans three parts.
const testPartSize = 5 << 20

// TestFileStoreContract runs the Store contract against a folder.
func TestFileStoreContract(t *testing.T) {
	runStoreContract(t, func(t *testing.T) storage.Store {
		return newFileStore(t)
	})
}

// TestS3StoreContract runs the Store contract against a real S3 server,
// a fresh bucket per case, with keys under a prefix.
func TestS3StoreContract(t *testing.T) {
	srv := s3test.Start(t, t.TempDir())
	runStoreContract(t, func(t *testing.T) storage.Store {
		cfg := s3test.NewBucket(t, srv)
		cfg.Prefix = "earshot/contract"
		return newS3Store(t, cfg)
	})
}

func newFileStore(t *testing.T) *storage.FileStore {
	t.Helper()
	st, err := storage.NewFileStore(filepath.Join(t.TempDir(), "store"))
	if err != nil {
		t.Fatalf("NewFileStore: %v", err)
	}
	return st
}

func newS3Store(t *testing.T, cfg storage.S3Config) *storage.S3Store {
	t.Helper()
	cfg.PartSize = testPartSize
	st, err := storage.NewS3Store(t.Context(), cfg)
	if err != nil {
		t.Fatalf("NewS3Store: %v", err)
	}
	return st
}

// runStoreContract checks the behaviour every Store promises. newStore
// returns an empty store for one case.
func runStoreContract(t *testing.T, newStore func(t *testing.T) storage.Store) {
	cases := []struct {
		name string
		run  func(t *testing.T, st storage.Store)
	}{
		{name: "put and get", run: testPutGet},
		{name: "overwrite", run: testOverwrite},
		{name: "ranges", run: testRanges},
		{name: "stat", run: testStat},
		{name: "missing objects", run: testMissing},
		{name: "list", run: testList},
		{name: "delete", run: testDelete},
		{name: "invalid keys", run: testInvalidKeys},
		{name: "failed put leaves nothing", run: testFailedPut},
		{name: "concurrent puts", run: testConcurrentPuts},
		{name: "cancelled put", run: testCancelledPut},
		{name: "ping and string", run: testPingString},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t, newStore(t))
		})
	}
}

func testPutGet(t *testing.T, st storage.Store) {
	cases := []struct {
		name     string
		size     int
		streamed bool // the size is not given to Put
	}{
		{name: "small, known size", size: 1000},
		{name: "small, streamed", size: 1000, streamed: true},
		{name: "empty, known size", size: 0},
		{name: "empty, streamed", size: 0, streamed: true},
		{name: "three parts, known size", size: 11<<20 + 123},
		{name: "three parts, streamed", size: 11<<20 + 123, streamed: true},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key := fmt.Sprintf("roundtrip/%d.bin", i)
			data := payload(tc.size, uint64(i))
			if err := putData(t.Context(), st, key, data, tc.streamed); err != nil {
				t.Fatalf("Put: %v", err)
			}
			got, info := mustGet(t, st, key, nil)
			sameBytes(t, got, data)
			checkInfo(t, info, storage.ObjectInfo{Key: key, Size: int64(tc.size)})
		})
	}
}

func testOverwrite(t *testing.T, st storage.Store) {
	first, second := payload(2000, 1), payload(10, 2)
	mustPut(t, st, "over/write", first)
	if err := putData(t.Context(), st, "over/write", second, true); err != nil {
		t.Fatalf("second Put: %v", err)
	}

	got, _ := mustGet(t, st, "over/write", nil)
	sameBytes(t, got, second)
	info, err := st.Stat(t.Context(), "over/write")
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	checkInfo(t, info, storage.ObjectInfo{Key: "over/write", Size: 10})
	checkKeys(t, st, "", []string{"over/write"})
}

func testRanges(t *testing.T, st storage.Store) {
	data := payload(100, 3)
	mustPut(t, st, "ranged", data)
	cases := []struct {
		name    string
		rng     storage.Range
		want    []byte
		wantErr error
	}{
		{name: "start", rng: storage.Range{Offset: 0, Length: 10}, want: data[:10]},
		{name: "middle", rng: storage.Range{Offset: 40, Length: 20}, want: data[40:60]},
		{name: "to the end", rng: storage.Range{Offset: 90, Length: -1}, want: data[90:]},
		{name: "whole, length -1", rng: storage.Range{Offset: 0, Length: -1}, want: data},
		{name: "last byte", rng: storage.Range{Offset: 99, Length: 1}, want: data[99:]},
		{name: "length past the end is cut", rng: storage.Range{Offset: 95, Length: 20},
			want: data[95:]},
		{name: "offset at the end", rng: storage.Range{Offset: 100, Length: 1},
			wantErr: storage.ErrInvalidRange},
		{name: "offset past the end", rng: storage.Range{Offset: 1000, Length: -1},
			wantErr: storage.ErrInvalidRange},
		{name: "negative offset", rng: storage.Range{Offset: -1, Length: 10},
			wantErr: storage.ErrInvalidRange},
		{name: "zero length", rng: storage.Range{Offset: 5, Length: 0},
			wantErr: storage.ErrInvalidRange},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc, info, err := st.Get(t.Context(), "ranged", &tc.rng)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Get error = %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			got := readClose(t, rc)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("bytes (-want +got):\n%s", diff)
			}
			// Size describes the whole object, not the range.
			checkInfo(t, info, storage.ObjectInfo{Key: "ranged", Size: 100})
		})
	}
	t.Run("any range of an empty object", func(t *testing.T) {
		mustPut(t, st, "empty", nil)
		_, _, err := st.Get(t.Context(), "empty", &storage.Range{Offset: 0, Length: -1})
		if !errors.Is(err, storage.ErrInvalidRange) {
			t.Errorf("Get error = %v, want ErrInvalidRange", err)
		}
	})
}

func testStat(t *testing.T, st storage.Store) {
	before := time.Now()
	mustPut(t, st, "stat/me.wav", payload(1234, 4))

	info, err := st.Stat(t.Context(), "stat/me.wav")
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	checkInfo(t, info, storage.ObjectInfo{Key: "stat/me.wav", Size: 1234})
	// S3 keeps whole seconds; a minute either way catches a zero or a
	// wrongly converted time.
	if d := info.ModTime.Sub(before); d < -time.Minute || d > time.Minute {
		t.Errorf("ModTime %v is not close to the time of the Put, %v", info.ModTime, before)
	}
}

func testMissing(t *testing.T, st storage.Store) {
	mustPut(t, st, "dir/file", []byte("x"))
	get := func(key string, rng *storage.Range) func(context.Context) error {
		return func(ctx context.Context) error {
			rc, _, err := st.Get(ctx, key, rng)
			if err == nil {
				_ = rc.Close()
			}
			return err
		}
	}
	stat := func(key string) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := st.Stat(ctx, key)
			return err
		}
	}
	cases := []struct {
		name string
		op   func(context.Context) error
	}{
		{name: "stat", op: stat("no/such/key")},
		{name: "get", op: get("no/such/key", nil)},
		{name: "get a range", op: get("no/such/key", &storage.Range{Offset: 0, Length: 1})},
		{name: "stat a folder of other keys", op: stat("dir")},
		{name: "get a folder of other keys", op: get("dir", nil)},
		{name: "stat below an object", op: stat("dir/file/below")},
		{name: "get below an object", op: get("dir/file/below", nil)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.op(t.Context()); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("error = %v, want ErrNotFound", err)
			}
		})
	}
}

func testList(t *testing.T, st storage.Store) {
	// '-' sorts before '/', and 'X' after it: the folder store must not
	// return keys in the order it walks folders.
	keys := []string{
		"recordings/2026/01/01/a.wav",
		"recordings/2026/01/01/a.json",
		"recordings/2026/01/02/b.wav",
		"recordings-old/c.wav",
		"recordingsX/d.wav",
		"other/e.wav",
		"top.txt",
	}
	for _, k := range keys {
		mustPut(t, st, k, []byte(k))
	}
	cases := []struct {
		name   string
		prefix string
		want   []string
	}{
		{name: "everything", prefix: "", want: []string{
			"other/e.wav", "recordings-old/c.wav", "recordings/2026/01/01/a.json",
			"recordings/2026/01/01/a.wav", "recordings/2026/01/02/b.wav",
			"recordingsX/d.wav", "top.txt"}},
		{name: "folder", prefix: "recordings/", want: []string{
			"recordings/2026/01/01/a.json", "recordings/2026/01/01/a.wav",
			"recordings/2026/01/02/b.wav"}},
		{name: "partial name", prefix: "recordings", want: []string{
			"recordings-old/c.wav", "recordings/2026/01/01/a.json",
			"recordings/2026/01/01/a.wav", "recordings/2026/01/02/b.wav", "recordingsX/d.wav"}},
		{name: "partial folder name", prefix: "recordings/2026/01/0", want: []string{
			"recordings/2026/01/01/a.json", "recordings/2026/01/01/a.wav",
			"recordings/2026/01/02/b.wav"}},
		{name: "file name prefix", prefix: "recordings/2026/01/01/a.", want: []string{
			"recordings/2026/01/01/a.json", "recordings/2026/01/01/a.wav"}},
		{name: "exact key", prefix: "top.txt", want: []string{"top.txt"}},
		{name: "no match", prefix: "nothing/", want: nil},
		{name: "below an object", prefix: "top.txt/", want: nil},
		{name: "escaping the root", prefix: "../", want: nil},
		{name: "absolute", prefix: "/recordings/", want: nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			infos := checkKeys(t, st, tc.prefix, tc.want)
			for _, info := range infos {
				if info.Size != int64(len(info.Key)) {
					t.Errorf("%s: size %d, want %d", info.Key, info.Size, len(info.Key))
				}
			}
		})
	}
}

func testDelete(t *testing.T, st storage.Store) {
	ctx := t.Context()
	mustPut(t, st, "del/a/one", []byte("1"))
	mustPut(t, st, "del/a/two", []byte("2"))

	if err := st.Delete(ctx, "del/a/one"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := st.Stat(ctx, "del/a/one"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Stat after Delete: error = %v, want ErrNotFound", err)
	}
	checkKeys(t, st, "", []string{"del/a/two"})

	for _, key := range []string{"del/a/one", "never/stored", "del"} {
		if err := st.Delete(ctx, key); err != nil {
			t.Errorf("Delete(%q) of a missing object: %v", key, err)
		}
	}
	checkKeys(t, st, "", []string{"del/a/two"})

	// The last object of a folder goes, then the folder is used again.
	if err := st.Delete(ctx, "del/a/two"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	checkKeys(t, st, "", nil)
	mustPut(t, st, "del/a/one", []byte("again"))
	got, _ := mustGet(t, st, "del/a/one", nil)
	sameBytes(t, got, []byte("again"))
}

func testInvalidKeys(t *testing.T, st storage.Store) {
	ctx := t.Context()
	keys := []string{"", "/abs", "../x", "a/../../x", "a//b", "./a", "a/", ".", "a/.."}
	for _, key := range keys {
		t.Run(fmt.Sprintf("%q", key), func(t *testing.T) {
			errs := map[string]error{
				"put":    st.Put(ctx, key, bytes.NewReader([]byte("x")), 1, storage.PutOptions{}),
				"stat":   statErr(ctx, st, key),
				"get":    getErr(ctx, st, key),
				"delete": st.Delete(ctx, key),
			}
			for op, err := range errs {
				if err == nil || errors.Is(err, storage.ErrNotFound) {
					t.Errorf("%s: error = %v, want an invalid key error", op, err)
				}
			}
		})
	}
	checkKeys(t, st, "", nil)
}

func testFailedPut(t *testing.T, st storage.Store) {
	cases := []struct {
		name      string
		size      int64 // given to Put; -1 streams
		failAfter int   // bytes read before the reader fails
		short     bool  // the reader ends early instead of failing
	}{
		{name: "streamed, fails in the first part", size: -1, failAfter: 1000},
		{name: "streamed, fails after a part", size: -1, failAfter: 6 << 20},
		{name: "known size, fails midway", size: 2000, failAfter: 1000},
		{name: "known size, fails after a part", size: 11 << 20, failAfter: 6 << 20},
		{name: "known size, reader too short", size: 2000, failAfter: 1000, short: true},
	}
	var kept []string
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fresh, old := fmt.Sprintf("partial/new-%d", i), fmt.Sprintf("partial/old-%d", i)
			oldData := payload(300, uint64(i))
			mustPut(t, st, old, oldData)
			kept = append(kept, old)

			for _, key := range []string{fresh, old} {
				r := &failingReader{data: payload(tc.failAfter, 9), short: tc.short}
				err := st.Put(t.Context(), key, r, tc.size, storage.PutOptions{})
				if err == nil {
					t.Fatalf("Put(%s) with a failing reader succeeded", key)
				}
				if !tc.short && !errors.Is(err, errReader) {
					t.Errorf("Put(%s) error = %v, want the reader's error", key, err)
				}
			}
			if _, err := st.Stat(t.Context(), fresh); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("Stat of the failed new object: error = %v, want ErrNotFound", err)
			}
			got, _ := mustGet(t, st, old, nil)
			sameBytes(t, got, oldData)
		})
	}
	// Nothing else is visible: no temporary file, no part.
	checkKeys(t, st, "", kept)
}

func testConcurrentPuts(t *testing.T, st storage.Store) {
	const n = 8
	data := make([][]byte, n)
	for i := range data {
		data[i] = payload(64<<10+i*1000, uint64(100+i))
	}

	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			key := fmt.Sprintf("concurrent/%d/obj", i)
			if err := putData(t.Context(), st, key, data[i], i%2 == 0); err != nil {
				t.Errorf("Put(%s): %v", key, err)
			}
		})
	}
	wg.Wait()

	for i := range n {
		got, _ := mustGet(t, st, fmt.Sprintf("concurrent/%d/obj", i), nil)
		sameBytes(t, got, data[i])
	}
}

func testCancelledPut(t *testing.T, st storage.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := putData(ctx, st, "cancelled", payload(1000, 5), true)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Put with a cancelled context: error = %v, want context.Canceled", err)
	}
	if _, err := st.Stat(t.Context(), "cancelled"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Stat after a cancelled Put: error = %v, want ErrNotFound", err)
	}
}

func testPingString(t *testing.T, st storage.Store) {
	if err := st.Ping(t.Context()); err != nil {
		t.Errorf("Ping: %v", err)
	}
	if st.String() == "" {
		t.Error("String is empty")
	}
}

// errReader is what failingReader fails with.
var errReader = errors.New("reader failed on purpose")

// failingReader yields data, then fails with errReader, or ends early if
// short. It hides its length so that the store cannot tell.
type failingReader struct {
	data  []byte
	short bool
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		if r.short {
			return 0, io.EOF
		}
		return 0, errReader
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// payload returns n reproducible pseudo-random bytes.
func payload(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// putData stores data; streamed hides the size from the store.
func putData(ctx context.Context, st storage.Store, key string, data []byte, streamed bool) error {
	if streamed {
		return st.Put(ctx, key, struct{ io.Reader }{bytes.NewReader(data)}, -1,
			storage.PutOptions{})
	}
	return st.Put(ctx, key, bytes.NewReader(data), int64(len(data)), storage.PutOptions{})
}

func mustPut(t *testing.T, st storage.Store, key string, data []byte) {
	t.Helper()
	if err := putData(t.Context(), st, key, data, false); err != nil {
		t.Fatalf("Put(%s): %v", key, err)
	}
}

func mustGet(
	t *testing.T,
	st storage.Store,
	key string,
	rng *storage.Range,
) ([]byte, storage.ObjectInfo) {
	t.Helper()
	rc, info, err := st.Get(t.Context(), key, rng)
	if err != nil {
		t.Fatalf("Get(%s): %v", key, err)
	}
	return readClose(t, rc), info
}

func readClose(t *testing.T, rc io.ReadCloser) []byte {
	t.Helper()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if err := rc.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	return b
}

func statErr(ctx context.Context, st storage.Store, key string) error {
	_, err := st.Stat(ctx, key)
	return err
}

func getErr(ctx context.Context, st storage.Store, key string) error {
	rc, _, err := st.Get(ctx, key, nil)
	if err == nil {
		_ = rc.Close()
	}
	return err
}

// sameBytes compares objects too big for a readable diff.
func sameBytes(t *testing.T, got, want []byte) {
	t.Helper()
	if bytes.Equal(got, want) {
		return
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	t.Errorf("got %d bytes, want %d; first difference at byte %d", len(got), len(want), i)
}

// checkInfo compares what every store reports: key and size.
func checkInfo(t *testing.T, got, want storage.ObjectInfo) {
	t.Helper()
	opt := cmpopts.IgnoreFields(storage.ObjectInfo{}, "ModTime", "ContentType")
	if diff := cmp.Diff(want, got, opt); diff != "" {
		t.Errorf("ObjectInfo (-want +got):\n%s", diff)
	}
}

// checkKeys lists prefix and compares the keys, in order, with want.
func checkKeys(t *testing.T, st storage.Store, prefix string, want []string) []storage.ObjectInfo {
	t.Helper()
	infos, err := st.List(t.Context(), prefix)
	if err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	var got []string
	for _, info := range infos {
		got = append(got, info.Key)
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("List(%q) keys (-want +got):\n%s", prefix, diff)
	}
	return infos
}
