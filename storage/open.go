package storage

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
)

// Open returns the store a storage URL names:
//
//   - file:///abs/path, file://relative/path, or a plain folder path: a
//     FileStore in that folder, created if needed. The path after file://
//     is taken as written, without percent-decoding; file://localhost/abs
//     is /abs.
//   - s3://BUCKET/prefix?endpoint=host:port&region=R&insecure=true: an
//     S3Store (see ParseS3URL), with credentials from S3CredentialsFromEnv.
//
// getenv looks up environment variables; nil means os.Getenv. Open does no
// network I/O: call Ping on the store to check it can be reached.
func Open(ctx context.Context, rawURL string, getenv func(string) string) (Store, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if rawURL == "" {
		return nil, errors.New("storage: storage URL is empty: use file:///path/to/folder " +
			"or s3://bucket/prefix")
	}
	scheme, rest, ok := splitScheme(rawURL)
	switch {
	case !ok:
		return NewFileStore(rawURL)
	case scheme == "file":
		return openFile(rest)
	case scheme == "s3":
		return openS3(ctx, rawURL, getenv)
	}
	return nil, fmt.Errorf("storage: storage URL scheme %q is not supported: use file:///path, "+
		"a plain folder path, or s3://bucket/prefix", scheme)
}

// splitScheme returns the lower-cased scheme of raw and what follows its
// colon, or false when raw does not start with one. A single letter is a
// Windows drive, not a scheme.
func splitScheme(raw string) (scheme, rest string, ok bool) {
	i := strings.IndexByte(raw, ':')
	if i < 2 {
		return "", "", false
	}
	for j, c := range raw[:i] {
		letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		other := '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'
		if !letter && (j == 0 || !other) {
			return "", "", false
		}
	}
	return strings.ToLower(raw[:i]), raw[i+1:], true
}

// openFile opens the folder store of what follows "file:".
func openFile(rest string) (Store, error) {
	p := strings.TrimPrefix(rest, "//")
	if abs, ok := strings.CutPrefix(p, "localhost/"); ok {
		p = "/" + abs
	}
	if p == "" {
		return nil, errors.New("storage: file storage URL needs a folder: file:///path/to/folder")
	}
	return NewFileStore(p)
}

// openS3 opens the S3 store of an s3:// URL.
func openS3(ctx context.Context, rawURL string, getenv func(string) string) (Store, error) {
	cfg, err := ParseS3URL(rawURL)
	if err != nil {
		return nil, err
	}
	cfg.AccessKey, cfg.SecretKey, err = S3CredentialsFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	return NewS3Store(ctx, cfg)
}

// redacted replaces secrets in RedactURL's answer.
const redacted = "REDACTED"

// secretParamWords mark a query parameter whose value RedactURL hides.
var secretParamWords = []string{
	"secret", "password", "passwd", "token", "key", "signature", "credential", "auth",
}

// RedactURL returns raw with anything that may be a secret replaced, for
// logs: everything between the scheme and the last '@' (user info), and the
// values of query parameters whose names look like secrets (secret,
// password, token, key, signature...). A plain folder path is returned as
// it is. A URL that cannot be parsed is replaced but for its scheme, since
// where its secret sits is not known.
func RedactURL(raw string) string {
	scheme, rest, ok := splitScheme(raw)
	if !ok {
		return raw
	}
	// Cut textually rather than trusting url.Parse: a secret holding '/',
	// '?' or '#' ends the authority early, and the parser would then show
	// the rest of the secret as the path. Over-redacting a path or query
	// value that holds '@' is the price.
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		lead := ""
		if strings.HasPrefix(rest, "//") {
			lead = "//"
		}
		rest = lead + redacted + rest[i:]
	}
	u, err := url.Parse(scheme + ":" + rest)
	if err != nil {
		return scheme + ":" + redacted + " (unparseable URL)"
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		// The parser skips the pairs it cannot read; hide them all.
		u.RawQuery = redacted
		return u.String()
	}
	changed := false
	for name, values := range q {
		if isSecretParam(name) {
			for i := range values {
				values[i] = redacted
			}
			changed = true
		}
	}
	if !changed {
		return scheme + ":" + rest
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// isSecretParam reports whether a query parameter's name looks like it
// holds a secret.
func isSecretParam(name string) bool {
	name = strings.ToLower(name)
	for _, w := range secretParamWords {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}
