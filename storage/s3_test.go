package storage_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"earshot/internal/s3test"
	"earshot/storage"
)

// TestS3StoreBehaviour covers what the S3 store adds to the contract, each
// case against a fresh bucket on one server.
func TestS3StoreBehaviour(t *testing.T) {
	srv := s3test.Start(t, t.TempDir())
	cases := []struct {
		name string
		run  func(t *testing.T, srv *s3test.Server, cfg storage.S3Config)
	}{
		{name: "prefixes keep stores apart", run: testS3Prefixes},
		{name: "content type is kept", run: testS3ContentType},
		{name: "streamed upload uses small parts", run: testS3StreamedParts},
		{name: "failed upload is aborted", run: testS3FailedUploadAborted},
		{name: "ping a missing bucket", run: testS3PingMissingBucket},
		{name: "store works across a server restart", run: testS3ServerRestart},
		{name: "errors keep the S3 code", run: testS3ErrorKeepsCode},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t, srv, s3test.NewBucket(t, srv))
		})
	}
}

func testS3Prefixes(t *testing.T, _ *s3test.Server, cfg storage.S3Config) {
	stores := map[string]*storage.S3Store{}
	for _, prefix := range []string{"", "a", "ab", "/c/d/"} {
		c := cfg
		c.Prefix = prefix
		stores[prefix] = newS3Store(t, c)
		mustPut(t, stores[prefix], "k", []byte(prefix))
	}

	checkKeys(t, stores["a"], "", []string{"k"})
	checkKeys(t, stores["ab"], "", []string{"k"})
	checkKeys(t, stores["/c/d/"], "", []string{"k"})
	checkKeys(t, stores[""], "", []string{"a/k", "ab/k", "c/d/k", "k"})
	got, info := mustGet(t, stores["a"], "k", nil)
	sameBytes(t, got, []byte("a"))
	checkInfo(t, info, storage.ObjectInfo{Key: "k", Size: 1})
	if s := stores["/c/d/"].String(); !strings.Contains(s, "s3://"+cfg.Bucket+"/c/d ") {
		t.Errorf("String() = %q, want the bucket and the prefix c/d", s)
	}
}

func testS3ContentType(t *testing.T, _ *s3test.Server, cfg storage.S3Config) {
	st := newS3Store(t, cfg)
	err := st.Put(t.Context(), "typed.wav", bytes.NewReader([]byte("RIFF")), 4,
		storage.PutOptions{ContentType: "audio/wav"})
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	info, err := st.Stat(t.Context(), "typed.wav")
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	_, got := mustGet(t, st, "typed.wav", nil)
	for name, ct := range map[string]string{"Stat": info.ContentType, "Get": got.ContentType} {
		if ct != "audio/wav" {
			t.Errorf("%s ContentType = %q, want audio/wav", name, ct)
		}
	}
}

// testS3StreamedParts checks, through the ETag's part count, that an
// upload of unknown size is cut into parts of the configured size rather
// than minio-go's default buffer of about 537 MiB.
func testS3StreamedParts(t *testing.T, _ *s3test.Server, cfg storage.S3Config) {
	st := newS3Store(t, cfg)
	data := payload(11<<20, 7)
	if err := putData(t.Context(), st, "parts", data, true); err != nil {
		t.Fatalf("Put: %v", err)
	}
	oi, err := rawClient(t, cfg).StatObject(t.Context(), cfg.Bucket, "parts",
		minio.StatObjectOptions{})
	if err != nil {
		t.Fatalf("StatObject: %v", err)
	}
	if !strings.HasSuffix(oi.ETag, "-3") {
		t.Errorf("ETag %q, want one of three parts (ending in -3)", oi.ETag)
	}
}

func testS3FailedUploadAborted(t *testing.T, _ *s3test.Server, cfg storage.S3Config) {
	st := newS3Store(t, cfg)
	r := &failingReader{data: payload(6<<20, 8)}
	if err := st.Put(t.Context(), "aborted", r, -1, storage.PutOptions{}); err == nil {
		t.Fatal("Put with a failing reader succeeded")
	}
	var uploads []string
	for u := range rawClient(t, cfg).ListIncompleteUploads(t.Context(), cfg.Bucket, "", true) {
		if u.Err != nil {
			t.Fatalf("ListIncompleteUploads: %v", u.Err)
		}
		uploads = append(uploads, u.Key)
	}
	if len(uploads) != 0 {
		t.Errorf("incomplete uploads left behind: %v", uploads)
	}
}

func testS3PingMissingBucket(t *testing.T, _ *s3test.Server, cfg storage.S3Config) {
	cfg.Bucket += "-missing"
	st := newS3Store(t, cfg)
	err := st.Ping(t.Context())
	if err == nil || !strings.Contains(err.Error(), "create the bucket") {
		t.Errorf("Ping of a missing bucket: error = %v, want one saying to create it", err)
	}
	if _, err := st.Stat(t.Context(), "k"); err == nil {
		t.Error("Stat in a missing bucket succeeded")
	}

	cfg.CreateBucket = true
	st = newS3Store(t, cfg)
	if err := st.Ping(t.Context()); err != nil {
		t.Errorf("Ping after CreateBucket: %v", err)
	}
	// Creating a bucket that exists is fine.
	newS3Store(t, cfg)
}

func testS3ServerRestart(t *testing.T, srv *s3test.Server, cfg storage.S3Config) {
	st := newS3Store(t, cfg)
	mustPut(t, st, "before", []byte("1"))
	srv.Restart()
	mustPut(t, st, "after", []byte("2"))
	checkKeys(t, st, "", []string{"after", "before"})
}

// testS3ErrorKeepsCode checks that the mapped error still carries the
// server's error for callers that want its S3 code.
func testS3ErrorKeepsCode(t *testing.T, _ *s3test.Server, cfg storage.S3Config) {
	_, err := newS3Store(t, cfg).Stat(t.Context(), "missing")
	var resp minio.ErrorResponse
	if !errors.As(err, &resp) || !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Stat error = %v, want ErrNotFound wrapping the server's error", err)
	}
	if diff := cmp.Diff("NoSuchKey", resp.Code); diff != "" {
		t.Errorf("S3 code (-want +got):\n%s", diff)
	}
}

// rawClient talks to the test server directly, to look behind the store.
func rawClient(t *testing.T, cfg storage.S3Config) *minio.Client {
	t.Helper()
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Region: cfg.Region,
	})
	if err != nil {
		t.Fatalf("minio client: %v", err)
	}
	return c
}
