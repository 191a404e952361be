package storage_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"earshot/storage"
)

func TestParseS3URL(t *testing.T) {
	aws := storage.DefaultS3Endpoint
	cases := []struct {
		name string
		url  string
		want storage.S3Config
		// wantErr is a word the error must hold: these messages are read
		// by whoever configures the server and must say what is wrong.
		wantErr string
	}{
		{name: "bucket only", url: "s3://rec",
			want: storage.S3Config{Bucket: "rec", Endpoint: aws}},
		{name: "bucket and prefix", url: "s3://rec/site/a/",
			want: storage.S3Config{Bucket: "rec", Prefix: "site/a", Endpoint: aws}},
		{name: "local server",
			url: "s3://rec/p?endpoint=127.0.0.1:9000&insecure=true&region=eu-west-1",
			want: storage.S3Config{Bucket: "rec", Prefix: "p", Endpoint: "127.0.0.1:9000",
				Region: "eu-west-1", Insecure: true}},
		{name: "insecure false", url: "s3://rec?insecure=false&endpoint=minio:9000",
			want: storage.S3Config{Bucket: "rec", Endpoint: "minio:9000"}},
		{name: "missing bucket", url: "s3:///prefix", wantErr: "needs a bucket"},
		{name: "no slashes", url: "s3:rec", wantErr: "needs a bucket"},
		{name: "bad insecure value", url: "s3://rec?insecure=maybe", wantErr: "true or false"},
		{name: "unknown parameter", url: "s3://rec?secret_key=x", wantErr: "accepted: endpoint"},
		{name: "credentials in the URL", url: "s3://ak:sk@rec", wantErr: "AWS_ACCESS_KEY_ID"},
		{name: "port on the bucket", url: "s3://rec:9000/p", wantErr: "endpoint=host:port"},
		{name: "endpoint with a scheme", url: "s3://rec?endpoint=http://h:9000",
			wantErr: "without a scheme"},
		{name: "prefix with dot-dot", url: "s3://rec/a/../b", wantErr: "segment"},
		{name: "bucket name too short", url: "s3://r", wantErr: "bucket"},
		{name: "other scheme", url: "file:///tmp/x", wantErr: "s3://"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := storage.ParseS3URL(tc.url)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one mentioning %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseS3URL: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

func TestS3CredentialsFromEnv(t *testing.T) {
	cases := []struct {
		name       string
		env        map[string]string
		wantAccess string
		wantSecret string
		wantErr    bool
	}{
		{name: "none", env: nil},
		{name: "AWS", env: map[string]string{
			"AWS_ACCESS_KEY_ID": "a1", "AWS_SECRET_ACCESS_KEY": "s1",
			"MINIO_ROOT_USER": "a2", "MINIO_ROOT_PASSWORD": "s2"},
			wantAccess: "a1", wantSecret: "s1"},
		{name: "MinIO root user", env: map[string]string{
			"MINIO_ROOT_USER": "a2", "MINIO_ROOT_PASSWORD": "s2",
			"MINIO_ACCESS_KEY": "a3", "MINIO_SECRET_KEY": "s3"},
			wantAccess: "a2", wantSecret: "s2"},
		{name: "MinIO access key", env: map[string]string{
			"MINIO_ACCESS_KEY": "a3", "MINIO_SECRET_KEY": "s3"},
			wantAccess: "a3", wantSecret: "s3"},
		{name: "AWS secret without key", env: map[string]string{
			"AWS_SECRET_ACCESS_KEY": "s1", "MINIO_ROOT_USER": "a2", "MINIO_ROOT_PASSWORD": "s2"},
			wantErr: true},
		{name: "MinIO user without password", env: map[string]string{"MINIO_ROOT_USER": "a2"},
			wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			access, secret, err := storage.S3CredentialsFromEnv(mapEnv(tc.env))
			if (err != nil) != tc.wantErr {
				t.Fatalf("error = %v, want an error: %v", err, tc.wantErr)
			}
			if access != tc.wantAccess || secret != tc.wantSecret {
				t.Errorf("got %q, %q; want %q, %q", access, secret, tc.wantAccess, tc.wantSecret)
			}
		})
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	cases := []struct {
		name       string
		url        string
		wantString string // String() of the store; empty when an error is wanted
		wantErr    string
	}{
		{name: "file URL", url: "file://" + dir + "/a", wantString: "file://" + dir + "/a"},
		{name: "relative file URL", url: "file://rel/b",
			wantString: "file://" + filepath.Join(dir, "rel/b")},
		{name: "file URL on localhost", url: "file://localhost" + dir + "/c",
			wantString: "file://" + dir + "/c"},
		{name: "plain path", url: dir + "/d", wantString: "file://" + dir + "/d"},
		{name: "relative plain path", url: "e", wantString: "file://" + filepath.Join(dir, "e")},
		{name: "S3", url: "s3://rec/p?endpoint=127.0.0.1:1&insecure=true",
			wantString: "s3://rec/p (endpoint 127.0.0.1:1)"},
		{name: "S3 on AWS", url: "s3://rec", wantString: "s3://rec (endpoint s3.amazonaws.com)"},
		{name: "empty", url: "", wantErr: "file:///"},
		{name: "unknown scheme", url: "ftp://host/x", wantErr: "s3://bucket"},
		{name: "http", url: "http://127.0.0.1:9000/rec", wantErr: "s3://bucket"},
		{name: "S3 without bucket", url: "s3://", wantErr: "needs a bucket"},
		{name: "file without folder", url: "file://", wantErr: "needs a folder"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, err := storage.Open(t.Context(), tc.url, mapEnv(nil))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one mentioning %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if got := st.String(); got != tc.wantString {
				t.Errorf("String() = %q, want %q", got, tc.wantString)
			}
		})
	}
}

// TestSecretsNeverShown checks every way a secret could reach a log: the
// store's String, RedactURL, and the errors of a bad URL.
func TestSecretsNeverShown(t *testing.T) {
	const secret = "SeCrEt"
	env := mapEnv(map[string]string{"AWS_ACCESS_KEY_ID": "ak", "AWS_SECRET_ACCESS_KEY": secret})
	st, err := storage.Open(t.Context(), "s3://rec/p?endpoint=127.0.0.1:1&insecure=true", env)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(st.String(), secret) {
		t.Errorf("String() = %q holds the secret", st.String())
	}

	urls := []string{
		"s3://ak:" + secret + "@rec/p",
		"s3://ak:ab/" + secret + "@rec/p",
		"s3://ak:ab?" + secret + "@rec/p",
		"s3://rec/p?endpoint=h:1&secret_key=" + secret,
		"s3://rec/p?X-Amz-Signature=" + secret,
		"s3://rec/p?token=%zz" + secret,
		"s3:ak:" + secret + "@rec",
		"s3://rec/%zz" + secret,
	}
	for _, u := range urls {
		if got := storage.RedactURL(u); strings.Contains(got, secret) {
			t.Errorf("RedactURL(%q) = %q holds the secret", u, got)
		}
		if _, err := storage.Open(t.Context(), u, env); err != nil &&
			strings.Contains(err.Error(), secret) {
			t.Errorf("Open(%q) error %q holds the secret", u, err)
		}
	}
}

// TestRedactURLKeepsTheRest checks that redacting leaves URLs without
// secrets readable.
func TestRedactURLKeepsTheRest(t *testing.T) {
	cases := []struct {
		name string
		url  string
		want string
	}{
		{name: "plain path", url: "/var/lib/earshot", want: "/var/lib/earshot"},
		{name: "file URL", url: "file:///var/lib/earshot", want: "file:///var/lib/earshot"},
		{name: "S3 URL", url: "s3://rec/p?endpoint=h:9000&insecure=true",
			want: "s3://rec/p?endpoint=h:9000&insecure=true"},
		{name: "user info", url: "s3://ak:sk@rec/p", want: "s3://REDACTED@rec/p"},
		{name: "secret parameter", url: "s3://rec?endpoint=h:1&secret_key=sk",
			want: "s3://rec?endpoint=h%3A1&secret_key=REDACTED"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := storage.RedactURL(tc.url); got != tc.want {
				t.Errorf("RedactURL(%q) = %q, want %q", tc.url, got, tc.want)
			}
		})
	}
}

// mapEnv looks variables up in env instead of the process environment.
func mapEnv(env map[string]string) func(string) string {
	return func(name string) string { return env[name] }
}
