package storage

import (
	"crypto/rand"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"
)

// RecordingsPrefix is the key prefix under which every recording is stored.
const RecordingsPrefix = "recordings/"

// NewRecordingID returns a new recording id: a ULID, so that ids sort by the
// time the recording started.
func NewRecordingID(start time.Time) string {
	return ulid.MustNew(ulid.Timestamp(start), rand.Reader).String()
}

// RecordingKeys returns the object keys of a recording's audio and sidecar:
// recordings/YYYY/MM/DD/<id>.wav and .json, dated by the time in the id (UTC)
// so that the keys follow from the id alone.
func RecordingKeys(id string) (wav, sidecar string, err error) {
	u, err := ulid.ParseStrict(id)
	if err != nil {
		return "", "", fmt.Errorf("storage: recording id %q: %w", id, err)
	}
	dir := ulid.Time(u.Time()).UTC().Format("2006/01/02")
	base := RecordingsPrefix + dir + "/" + u.String()
	return base + ".wav", base + ".json", nil
}

// IDFromSidecarKey returns the recording id of a sidecar key, and false if
// the key is not a recording sidecar.
func IDFromSidecarKey(key string) (string, bool) {
	if !strings.HasPrefix(key, RecordingsPrefix) || path.Ext(key) != ".json" {
		return "", false
	}
	id := strings.TrimSuffix(path.Base(key), ".json")
	if _, err := ulid.ParseStrict(id); err != nil {
		return "", false
	}
	return id, true
}

// AttachmentKey returns the object key of a recording's attachment.
func AttachmentKey(id, name string) (string, error) {
	wav, _, err := RecordingKeys(id)
	if err != nil {
		return "", err
	}
	if !validAttachmentName(name) {
		return "", fmt.Errorf("storage: attachment name %q is not allowed", name)
	}
	return strings.TrimSuffix(wav, ".wav") + "." + name, nil
}
