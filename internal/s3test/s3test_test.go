package s3test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// TestRestartKeepsObjects starts a server, stores an object, restarts the
// server and reads the object back through the same endpoint.
func TestRestartKeepsObjects(t *testing.T) {
	srv := Start(t, t.TempDir())
	cfg := NewBucket(t, srv)
	client, err := minio.New(srv.Endpoint(), &minio.Options{
		Creds: credentials.NewStaticV4(srv.AccessKey, srv.SecretKey, ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()

	want := []byte("survives a restart")
	_, err = client.PutObject(ctx, cfg.Bucket, "a/b", bytes.NewReader(want), int64(len(want)),
		minio.PutObjectOptions{})
	if err != nil {
		t.Fatalf("put: %v", err)
	}
	srv.Restart()
	obj, err := client.GetObject(ctx, cfg.Bucket, "a/b", minio.GetObjectOptions{})
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	defer obj.Close()
	got, err := io.ReadAll(obj)
	if err != nil {
		t.Fatalf("read after restart: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("after restart read %q, want %q", got, want)
	}
}

// TestStopTwice checks that Stop may be repeated and that a stopped server
// no longer answers.
func TestStopTwice(t *testing.T) {
	srv := Start(t, t.TempDir())
	srv.Stop()
	srv.Stop()
	client := &http.Client{Timeout: time.Second}
	if resp, err := client.Get("http://" + srv.Endpoint() + "/"); err == nil {
		_ = resp.Body.Close()
		t.Errorf("server still answers after Stop: %s", resp.Status)
	}
}
