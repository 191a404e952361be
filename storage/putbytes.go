package storage

import (
	"bytes"
	"context"
)

// putBytes stores a small object held in memory.
func putBytes(ctx context.Context, st Store, key string, data []byte, contentType string) error {
	return st.Put(ctx, key, bytes.NewReader(data), int64(len(data)), PutOptions{ContentType: contentType})
}
