// Package s3test runs a real S3 server, versitygw, as a child process for
// tests, so that storage code is tested against the protocol as a server
// speaks it rather than against a fake.
//
// The versitygw binary is found through the EARSHOT_VERSITYGW variable, then
// PATH, then $HOME/.cache/earshot-bin/versitygw. Without it, tests skip,
// except on CI (CI=true), where they fail.
package s3test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"earshot/storage"
)

// readyTimeout bounds the wait for a started server to answer.
const readyTimeout = 15 * time.Second

// installHint says how to get the binary.
const installHint = "install it with: GOBIN=$HOME/.cache/earshot-bin " +
	"go install github.com/versity/versitygw/cmd/versitygw@v1.8.0 " +
	"(or set EARSHOT_VERSITYGW to its path)"

// Server is a running versitygw serving a folder on a loopback port.
type Server struct {
	// AccessKey and SecretKey are the credentials the server accepts.
	AccessKey string
	SecretKey string

	t    testing.TB
	bin  string
	dir  string
	addr string // 127.0.0.1:port, kept across restarts
	logs *syncBuffer

	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

// Start runs versitygw on a free loopback port, serving the folder dir
// (created if needed). The server is stopped when the test ends.
func Start(t testing.TB, dir string) *Server {
	t.Helper()
	bin := findBinary(t)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatalf("s3test: create server folder: %v", err)
	}
	s := &Server{
		AccessKey: "earshot-test",
		SecretKey: randomHex(20),
		t:         t,
		bin:       bin,
		dir:       dir,
		addr:      freeAddr(t),
		logs:      &syncBuffer{},
	}
	t.Cleanup(s.Stop)
	s.start()
	return s
}

// Endpoint returns the server's host:port.
func (s *Server) Endpoint() string {
	return s.addr
}

// Stop kills the server and waits for it to exit. It may be called more
// than once.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	// Killing, not a polite signal: tests use Stop to play a server that
	// goes away, and a killed server keeps nothing in memory we rely on.
	_ = s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

// Restart stops the server and starts it again on the same port and
// folder, returning once it answers. A failure fails the test given to
// Start, so call Restart from that test's goroutine.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.start()
}

// start runs the binary and waits until it is ready.
func (s *Server) start() {
	s.t.Helper()
	// Global flags go before the backend name "posix".
	cmd := exec.Command(s.bin,
		"--port", s.addr,
		"--access", s.AccessKey,
		"--secret", s.SecretKey,
		"-q", "posix", s.dir)
	cmd.Stdout = s.logs
	cmd.Stderr = s.logs
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("s3test: start %s: %v", s.bin, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	s.cmd, s.done = cmd, done

	if err := s.waitReady(); err != nil {
		s.Stop()
		s.t.Fatalf("s3test: versitygw on %s: %v\nits output:\n%s", s.addr, err, s.logs.String())
	}
}

// waitReady polls until GET / answers 403 (no credentials sent), which
// versitygw does once it serves requests.
func (s *Server) waitReady() error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(readyTimeout)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return errors.New("exited before it was ready")
		default:
		}
		resp, err := client.Get("http://" + s.addr + "/")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusForbidden {
				return nil
			}
			err = errors.New("GET / answered " + resp.Status + ", want 403")
		}
		last = err
		time.Sleep(20 * time.Millisecond)
	}
	return errors.New("not ready after " + readyTimeout.String() + ": " + errString(last))
}

// NewBucket creates a bucket with a unique name on srv and returns a config
// for it, with no prefix and the default part size.
func NewBucket(t testing.TB, srv *Server) storage.S3Config {
	t.Helper()
	cfg := storage.S3Config{
		Bucket:    "earshot-" + randomHex(8),
		Endpoint:  srv.Endpoint(),
		Region:    "us-east-1",
		Insecure:  true,
		AccessKey: srv.AccessKey,
		SecretKey: srv.SecretKey,
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Region: cfg.Region,
	})
	if err != nil {
		t.Fatalf("s3test: client: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = client.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region})
	if err != nil {
		t.Fatalf("s3test: make bucket %s: %v\nserver output:\n%s",
			cfg.Bucket, err, srv.logs.String())
	}
	return cfg
}

// findBinary returns the path of versitygw, or ends the test: skipped, or
// failed on CI where the binary is expected.
func findBinary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("EARSHOT_VERSITYGW"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("s3test: EARSHOT_VERSITYGW=%s: %v", p, err)
		}
		return p
	}
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, ".cache", "earshot-bin", "versitygw")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("s3test: versitygw not found; " + installHint)
	}
	t.Skip("s3test: versitygw not found; " + installHint)
	return ""
}

// freeAddr returns a loopback address with a port nobody listens on. The
// port is free when we look; another process could take it before the
// server binds it, which then fails the readiness wait clearly.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("s3test: find a free port: %v", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// randomHex returns n random bytes, hex encoded. crypto/rand.Read does not
// fail.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// errString describes the last failed readiness probe.
func errString(err error) string {
	if err == nil {
		return "no answer"
	}
	return err.Error()
}

// syncBuffer collects the server's output. exec copies it from another
// goroutine while a test may read it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer // guarded by mu
}

// Write appends p.
func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
