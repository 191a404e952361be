// Package storage keeps finished recordings: a WAV and a JSON sidecar per
// recording, in an object store that is either a local folder or an
// S3-compatible bucket, fed through a crash-safe upload queue.
//
// The object store is the source of truth. Everything the catalog knows about
// a recording is in its sidecar, so the catalog can be rebuilt from the store.
package storage
