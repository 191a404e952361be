package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// ErrNotFound is returned, possibly wrapped, when an object does not exist.
var ErrNotFound = errors.New("storage: object not found")

// Store is an object store for recordings. Keys are slash-separated paths
// such as "recordings/2026/12/03/01JE....wav". Implementations are safe for
// concurrent use.
type Store interface {
	// Put stores the object under key, reading r to EOF. size is the exact
	// length, or -1 when it is unknown (the object is then streamed). A reader
	// never sees a partly written object: it sees the old one, or the new
	// one, or none.
	Put(ctx context.Context, key string, r io.Reader, size int64, opts PutOptions) error

	// Get opens the object for reading. A nil rng reads it whole. The caller
	// closes the reader. A range past the end of the object is an error
	// wrapping ErrInvalidRange.
	Get(ctx context.Context, key string, rng *Range) (io.ReadCloser, ObjectInfo, error)

	// Stat describes the object without reading it.
	Stat(ctx context.Context, key string) (ObjectInfo, error)

	// List returns every object whose key starts with prefix, sorted by key.
	List(ctx context.Context, prefix string) ([]ObjectInfo, error)

	// Delete removes the object. Deleting a missing object is not an error.
	Delete(ctx context.Context, key string) error

	// Ping checks that the store can be reached, for readiness probes.
	Ping(ctx context.Context) error

	// String describes the store for logs and status pages, without secrets.
	String() string
}

// ErrInvalidRange is returned, possibly wrapped, when a requested range
// starts at or past the end of the object.
var ErrInvalidRange = errors.New("storage: invalid range")

// PutOptions are optional attributes of a stored object.
type PutOptions struct {
	// ContentType is the media type; empty means application/octet-stream.
	ContentType string
}

// Range is a byte range of an object: Length bytes from Offset. A Length of
// -1 reads to the end of the object.
type Range struct {
	Offset int64
	Length int64
}

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Key     string
	Size    int64
	ModTime time.Time
	// ContentType is empty where the store does not keep it.
	ContentType string
}

// validateRange checks rng against an object of the given size and returns
// the number of bytes it covers.
func validateRange(rng Range, size int64) (int64, error) {
	if rng.Offset < 0 || rng.Length < -1 || rng.Length == 0 {
		return 0, fmt.Errorf("offset %d length %d: %w", rng.Offset, rng.Length, ErrInvalidRange)
	}
	if rng.Offset >= size {
		return 0, fmt.Errorf("offset %d of %d bytes: %w", rng.Offset, size, ErrInvalidRange)
	}
	n := size - rng.Offset
	if rng.Length != -1 && rng.Length < n {
		n = rng.Length
	}
	return n, nil
}

// validateKey rejects keys that could escape a folder store or that S3
// would treat differently from a folder.
func validateKey(key string) error {
	if key == "" || key[0] == '/' || len(key) > 1024 {
		return fmt.Errorf("storage: invalid key %q", key)
	}
	for _, part := range strings.Split(key, "/") {
		if part == "" || part == "." || part == ".." {
			return fmt.Errorf("storage: invalid key %q", key)
		}
	}
	return nil
}
