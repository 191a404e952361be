package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// DefaultS3Endpoint is the endpoint used when S3Config.Endpoint is empty.
const DefaultS3Endpoint = "s3.amazonaws.com"

// DefaultS3PartSize is the part size used when S3Config.PartSize is 0.
const DefaultS3PartSize = 16 << 20

// minS3PartSize is the smallest part S3 accepts, except for the last one.
const minS3PartSize = 5 << 20

// S3Config says where an S3Store keeps its objects.
type S3Config struct {
	// Bucket is the bucket name. Required.
	Bucket string
	// Prefix is prepended to every key, joined with '/'. Empty means keys
	// are stored as they are. Leading and trailing slashes are ignored.
	Prefix string
	// Endpoint is the server as host:port, without a scheme. Empty means
	// DefaultS3Endpoint (AWS).
	Endpoint string
	// Region is the bucket's region. Empty lets the client ask the server.
	Region string
	// Insecure talks plain HTTP instead of HTTPS.
	Insecure bool
	// AccessKey and SecretKey sign requests. Both empty sends anonymous,
	// unsigned requests.
	AccessKey string
	SecretKey string
	// PartSize is the size of each part of a multipart upload, and so the
	// memory one upload of unknown size holds. 0 means DefaultS3PartSize;
	// S3 needs at least 5 MiB. An object of known size larger than 10,000
	// parts cannot be stored.
	PartSize uint64
	// CreateBucket creates the bucket in NewS3Store if it does not exist.
	CreateBucket bool
}

// S3Store keeps objects in a bucket of an S3-compatible server.
// It is safe for concurrent use.
type S3Store struct {
	client    *minio.Client
	bucket    string
	prefix    string // "" or ending in '/'
	endpoint  string
	partSize  uint64
	describes string // String's answer, computed once
}

var _ Store = (*S3Store)(nil)

// NewS3Store returns a store for the bucket in cfg. It does no I/O unless
// cfg.CreateBucket is set; use Ping to check that the bucket can be reached.
func NewS3Store(ctx context.Context, cfg S3Config) (*S3Store, error) {
	cfg, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: !cfg.Insecure,
		Region: cfg.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("storage: s3 client for %s: %w", cfg.Endpoint, err)
	}

	s := &S3Store{
		client:   client,
		bucket:   cfg.Bucket,
		endpoint: cfg.Endpoint,
		partSize: cfg.PartSize,
	}
	s.describes = "s3://" + cfg.Bucket
	if cfg.Prefix != "" {
		s.prefix = cfg.Prefix + "/"
		s.describes += "/" + cfg.Prefix
	}
	s.describes += " (endpoint " + cfg.Endpoint + ")"

	if cfg.CreateBucket {
		if err := s.createBucket(ctx, cfg.Region); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// normalize fills in defaults and checks cfg, naming what is wrong.
func (cfg S3Config) normalize() (S3Config, error) {
	if cfg.Bucket == "" {
		return cfg, errors.New("storage: s3 storage needs a bucket: s3://BUCKET/prefix")
	}
	if err := s3utils.CheckValidBucketName(cfg.Bucket); err != nil {
		return cfg, fmt.Errorf("storage: s3 bucket %q: %w", cfg.Bucket, err)
	}
	cfg.Prefix = strings.Trim(cfg.Prefix, "/")
	if cfg.Prefix != "" && validateKey(cfg.Prefix) != nil {
		return cfg, fmt.Errorf("storage: s3 prefix %q has an empty, \".\" or \"..\" segment",
			cfg.Prefix)
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = DefaultS3Endpoint
	}
	if strings.Contains(cfg.Endpoint, "://") || strings.Contains(cfg.Endpoint, "/") {
		return cfg, fmt.Errorf("storage: s3 endpoint %q must be host:port without a scheme "+
			"or path (use insecure=true for plain http)", cfg.Endpoint)
	}
	if (cfg.AccessKey == "") != (cfg.SecretKey == "") {
		return cfg, errors.New("storage: s3 needs both an access key and a secret key, or neither")
	}
	if cfg.PartSize == 0 {
		cfg.PartSize = DefaultS3PartSize
	}
	if cfg.PartSize < minS3PartSize {
		return cfg, fmt.Errorf("storage: s3 part size %d is below the 5 MiB that S3 accepts",
			cfg.PartSize)
	}
	return cfg, nil
}

// createBucket makes the bucket unless it exists already.
func (s *S3Store) createBucket(ctx context.Context, region string) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("storage: check bucket %s: %w", s.bucket, err)
	}
	if ok {
		return nil
	}
	err = s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: region})
	var resp minio.ErrorResponse
	// Another process may have created it between our two calls.
	if errors.As(err, &resp) && resp.Code == "BucketAlreadyOwnedByYou" {
		return nil
	}
	if err != nil {
		return fmt.Errorf("storage: create bucket %s: %w", s.bucket, err)
	}
	return nil
}

// String describes the bucket, prefix and endpoint; it never holds
// credentials.
func (s *S3Store) String() string {
	return s.describes
}

// object returns the object name of a key, after validating it.
func (s *S3Store) object(key string) (string, error) {
	if err := validateKey(key); err != nil {
		return "", err
	}
	return s.prefix + key, nil
}

// Put uploads the object. An object of unknown size is uploaded in parts of
// the configured part size; if the upload fails, it is aborted and no
// object is created, and an earlier object under the key is kept.
func (s *S3Store) Put(
	ctx context.Context,
	key string,
	r io.Reader,
	size int64,
	opts PutOptions,
) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	ct := opts.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	_, err = s.client.PutObject(ctx, s.bucket, name, r, size, minio.PutObjectOptions{
		ContentType: ct,
		// Without a part size, an upload of unknown size makes minio-go
		// allocate a buffer of about 537 MiB.
		PartSize: s.partSize,
	})
	if err != nil {
		return fmt.Errorf("storage: put %s: %w", key, s3Error(err))
	}
	return nil
}

// Get downloads the object, or the range of it.
//
// The GET request is sent before Get returns (minio's Core API, unlike its
// lazy Client.GetObject), so a missing object or a range past the end
// fails here rather than at the first Read, in one round trip. ObjectInfo's
// Size is the size of the whole object, taken from Content-Range.
func (s *S3Store) Get(
	ctx context.Context,
	key string,
	rng *Range,
) (io.ReadCloser, ObjectInfo, error) {
	name, err := s.object(key)
	if err != nil {
		return nil, ObjectInfo{}, err
	}
	var opts minio.GetObjectOptions
	if rng != nil {
		if err := setRange(&opts, *rng); err != nil {
			return nil, ObjectInfo{}, fmt.Errorf("storage: get %s: %w", key, err)
		}
	}
	body, oi, hdr, err := minio.Core{Client: s.client}.GetObject(ctx, s.bucket, name, opts)
	if err != nil {
		return nil, ObjectInfo{}, fmt.Errorf("storage: get %s: %w", key, s3Error(err))
	}

	info := s.info(oi)
	if rng != nil {
		info.Size, err = checkRangeAnswer(*rng, hdr.Get("Content-Range"))
		if err != nil {
			_ = body.Close()
			return nil, ObjectInfo{}, fmt.Errorf("storage: get %s: %w", key, err)
		}
	}
	return body, info, nil
}

// setRange asks for rng. Whether it fits the object is only known from the
// answer; here only its shape is checked.
func setRange(opts *minio.GetObjectOptions, rng Range) error {
	if _, err := validateRange(rng, math.MaxInt64); err != nil {
		return err
	}
	if rng.Length == -1 {
		// SetRange cannot say "bytes=0-": it turns (0, 0) into "bytes=0-0".
		opts.Set("Range", fmt.Sprintf("bytes=%d-", rng.Offset))
		return nil
	}
	return opts.SetRange(rng.Offset, rng.Offset+rng.Length-1)
}

// checkRangeAnswer returns the object's whole size from a Content-Range
// header. A server that ignores the Range header answers the whole object
// without one; passing that on would hand out the wrong bytes.
func checkRangeAnswer(rng Range, contentRange string) (int64, error) {
	_, total, ok := strings.Cut(contentRange, "/")
	size, err := strconv.ParseInt(total, 10, 64)
	if !ok || !strings.HasPrefix(contentRange, "bytes ") || err != nil {
		return 0, fmt.Errorf("server answered a range request with Content-Range %q",
			contentRange)
	}
	// Some servers serve a range that starts past the end as empty rather
	// than answering 416; report it the same way.
	if _, err := validateRange(rng, size); err != nil {
		return 0, err
	}
	return size, nil
}

// Stat asks the server about the object.
func (s *S3Store) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	name, err := s.object(key)
	if err != nil {
		return ObjectInfo{}, err
	}
	oi, err := s.client.StatObject(ctx, s.bucket, name, minio.StatObjectOptions{})
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("storage: stat %s: %w", key, s3Error(err))
	}
	return s.info(oi), nil
}

// List lists every object under the store's prefix followed by prefix.
// Folder markers (keys ending in '/') that other tools create are skipped.
func (s *S3Store) List(ctx context.Context, prefix string) ([]ObjectInfo, error) {
	// Cancelling stops minio's listing goroutine when we return early.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var out []ObjectInfo
	objects := s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{
		Prefix:    s.prefix + prefix,
		Recursive: true,
	})
	for oi := range objects {
		if oi.Err != nil {
			return nil, fmt.Errorf("storage: list %q: %w", prefix, s3Error(oi.Err))
		}
		if strings.HasSuffix(oi.Key, "/") {
			continue
		}
		out = append(out, s.info(oi))
	}
	// S3 lists in byte order already; sorting keeps the contract for
	// servers that do not.
	slices.SortFunc(out, func(a, b ObjectInfo) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

// Delete removes the object; a missing one is not an error.
func (s *S3Store) Delete(ctx context.Context, key string) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	err = s.client.RemoveObject(ctx, s.bucket, name, minio.RemoveObjectOptions{})
	if err = s3Error(err); err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("storage: delete %s: %w", key, err)
	}
	return nil
}

// Ping checks that the bucket exists and that the credentials are accepted.
func (s *S3Store) Ping(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("storage: ping %s: %w", s.describes, err)
	}
	if !ok {
		return fmt.Errorf("storage: ping: bucket %q does not exist at %s: create the bucket "+
			"first", s.bucket, s.endpoint)
	}
	return nil
}

// info converts minio's description of an object, removing the prefix from
// its name.
func (s *S3Store) info(oi minio.ObjectInfo) ObjectInfo {
	return ObjectInfo{
		Key:         strings.TrimPrefix(oi.Key, s.prefix),
		Size:        oi.Size,
		ModTime:     oi.LastModified,
		ContentType: oi.ContentType,
	}
}

// s3Error makes a missing object wrap ErrNotFound and an unsatisfiable range
// wrap ErrInvalidRange, keeping the server's error in the chain. A missing
// bucket is not ErrNotFound: it is a configuration error, not a lost object.
func s3Error(err error) error {
	var resp minio.ErrorResponse
	if err == nil || !errors.As(err, &resp) {
		return err
	}
	switch {
	case resp.Code == minio.NoSuchBucket:
		return fmt.Errorf("bucket %q does not exist (create it first): %w", resp.BucketName, err)
	case resp.Code == minio.NoSuchKey || resp.StatusCode == http.StatusNotFound:
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	case resp.Code == minio.InvalidRange ||
		resp.StatusCode == http.StatusRequestedRangeNotSatisfiable:
		return fmt.Errorf("%w: %w", ErrInvalidRange, err)
	}
	return err
}

// s3URLParams are the query parameters ParseS3URL accepts.
var s3URLParams = []string{"endpoint", "region", "insecure"}

// ParseS3URL reads a storage URL of the form
//
//	s3://BUCKET/optional/prefix?endpoint=host:port&region=REGION&insecure=true
//
// Without endpoint, the bucket is on AWS (DefaultS3Endpoint) over HTTPS.
// The URL carries no credentials: a URL with user info is rejected, so that
// secrets stay out of config files and process lists. Take them from the
// environment with S3CredentialsFromEnv.
func ParseS3URL(raw string) (S3Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's error quotes the URL, which may hold a secret.
		return S3Config{}, errors.New("storage: s3 storage URL cannot be parsed: " +
			"percent-encode special characters, as in s3://BUCKET/prefix?endpoint=host:port")
	}
	if u.Scheme != "s3" {
		return S3Config{}, fmt.Errorf("storage: s3 storage URL must start with s3://, not %s:",
			u.Scheme)
	}
	if u.User != nil {
		return S3Config{}, errors.New("storage: s3 storage URL must not hold credentials: " +
			"set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead")
	}
	if u.Host == "" {
		return S3Config{}, errors.New("storage: s3 storage URL needs a bucket: s3://BUCKET/prefix")
	}
	if u.Port() != "" {
		return S3Config{}, fmt.Errorf("storage: s3 storage URL has a port after the bucket %q: "+
			"put the server in ?endpoint=host:port", u.Hostname())
	}

	cfg := S3Config{Bucket: u.Host, Prefix: strings.Trim(u.Path, "/"), Endpoint: DefaultS3Endpoint}
	if err := cfg.setParams(u.Query()); err != nil {
		return S3Config{}, err
	}
	// Check the rest now, so that a bad URL is reported when it is read.
	if _, err := cfg.normalize(); err != nil {
		return S3Config{}, err
	}
	return cfg, nil
}

// setParams applies the URL's query parameters.
func (cfg *S3Config) setParams(q url.Values) error {
	for name := range q {
		if !slices.Contains(s3URLParams, name) {
			// Only the name is quoted: the value could be a secret.
			return fmt.Errorf("storage: s3 storage URL has unknown parameter %q (accepted: %s)",
				name, strings.Join(s3URLParams, ", "))
		}
	}
	if ep := q.Get("endpoint"); ep != "" {
		cfg.Endpoint = ep
	}
	cfg.Region = q.Get("region")
	if v := q.Get("insecure"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("storage: s3 storage URL has insecure=%q: use true or false", v)
		}
		cfg.Insecure = b
	}
	return nil
}

// s3CredentialVars are the environment variables S3CredentialsFromEnv
// reads, as access key and secret key pairs, in order of preference.
var s3CredentialVars = [][2]string{
	{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"},
	{"MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"},
	{"MINIO_ACCESS_KEY", "MINIO_SECRET_KEY"},
}

// S3CredentialsFromEnv returns the S3 access key and secret key from the
// first pair of variables that is set: AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY, then MINIO_ROOT_USER and MINIO_ROOT_PASSWORD, then
// MINIO_ACCESS_KEY and MINIO_SECRET_KEY. getenv is usually os.Getenv. With
// none set it returns empty strings (anonymous access); with half a pair
// set it returns an error naming the missing variable.
func S3CredentialsFromEnv(getenv func(string) string) (accessKey, secretKey string, err error) {
	for _, pair := range s3CredentialVars {
		access, secret := getenv(pair[0]), getenv(pair[1])
		switch {
		case access == "" && secret == "":
			continue
		case access == "":
			return "", "", fmt.Errorf("storage: %s is set but %s is not", pair[1], pair[0])
		case secret == "":
			return "", "", fmt.Errorf("storage: %s is set but %s is not", pair[0], pair[1])
		}
		return access, secret, nil
	}
	return "", "", nil
}
