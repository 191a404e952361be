package storage

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// CheckURL reports what is wrong with a storage URL without touching the
// file system or the network, so that a bad setting stops a start before
// anything has been created. A nil getenv means os.Getenv.
func CheckURL(rawURL string, getenv func(string) string) error {
	if getenv == nil {
		getenv = os.Getenv
	}
	if rawURL == "" {
		return errors.New("empty: use file:///path/to/folder or s3://bucket/prefix")
	}
	scheme, rest, ok := splitScheme(rawURL)
	switch {
	case !ok:
		return nil
	case scheme == "file":
		if strings.TrimPrefix(rest, "//") == "" {
			return errors.New("file storage URL needs a folder: file:///path/to/folder")
		}
		return nil
	case scheme == "s3":
		if _, err := ParseS3URL(rawURL); err != nil {
			return err
		}
		_, _, err := S3CredentialsFromEnv(getenv)
		return err
	}
	return fmt.Errorf("scheme %q is not supported: use file:///path, a plain folder path, "+
		"or s3://bucket/prefix", scheme)
}
