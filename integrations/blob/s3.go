package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config locates an S3-compatible bucket.
type S3Config struct {
	Endpoint  string // host:port
	Bucket    string
	AccessKey string
	SecretKey string
	Region    string
	// Insecure uses plain HTTP (a loopback test server, a local MinIO).
	Insecure bool
	// Prefix is prepended to every object name ("evidence/" say).
	Prefix string
	// Retention, when set, writes every object under an object-lock
	// retention of that long (the bucket must have object lock enabled);
	// Compliance chooses COMPLIANCE mode over GOVERNANCE.
	Retention  time.Duration
	Compliance bool
	// MaxSize bounds a file (0: DefaultMaxSize).
	MaxSize int64
}

// S3 stores files as objects PREFIX + sha.
type S3 struct {
	client *minio.Client
	cfg    S3Config
	now    func() time.Time
}

// NewS3 connects to the bucket (it must exist).
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	if cfg.Endpoint == "" || cfg.Bucket == "" {
		return nil, errors.New("S3 evidence store: an endpoint and a bucket are needed")
	}
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""), Secure: !cfg.Insecure,
		Region: cfg.Region, BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		return nil, fmt.Errorf("S3 evidence store %s: %w", cfg.Endpoint, err)
	}
	ok, err := c.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("S3 evidence store %s/%s: %w", cfg.Endpoint, cfg.Bucket, err)
	}
	if !ok {
		return nil, fmt.Errorf("S3 evidence store: bucket %s does not exist at %s", cfg.Bucket, cfg.Endpoint)
	}
	return &S3{client: c, cfg: cfg, now: time.Now}, nil
}

func (s *S3) key(sha string) string { return s.cfg.Prefix + sha }

// Put spools r to a temporary file while hashing it (the object's name is
// its hash, known only at the end), then uploads it unless the bucket
// already holds it.
func (s *S3) Put(ctx context.Context, r io.Reader) (Object, error) {
	tmp, err := os.CreateTemp("", "steadfast-upload-*")
	if err != nil {
		return Object{}, fmt.Errorf("S3 evidence store: %w", err)
	}
	defer func() { _ = tmp.Close(); _ = os.Remove(tmp.Name()) }()
	hr := newHashingReader(r, s.cfg.MaxSize)
	if _, err := io.Copy(tmp, hr); err != nil {
		return Object{}, fmt.Errorf("store evidence file: %w", err)
	}
	obj, err := hr.object()
	if err != nil {
		return Object{}, fmt.Errorf("store evidence file: %w", err)
	}
	if _, err := s.Stat(ctx, obj.SHA256); err == nil {
		return obj, nil
	} else if !errors.Is(err, ErrNotFound) {
		return Object{}, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return Object{}, fmt.Errorf("store evidence file: %w", err)
	}
	opts := minio.PutObjectOptions{ContentType: obj.ContentType, UserMetadata: map[string]string{"sha256": obj.SHA256}}
	if s.cfg.Retention > 0 {
		opts.Mode = minio.Governance
		if s.cfg.Compliance {
			opts.Mode = minio.Compliance
		}
		opts.RetainUntilDate = s.now().Add(s.cfg.Retention)
	}
	if _, err := s.client.PutObject(ctx, s.cfg.Bucket, s.key(obj.SHA256), tmp, obj.Size, opts); err != nil {
		return Object{}, fmt.Errorf("upload evidence file %s to %s: %w", obj.SHA256[:12], s.cfg.Bucket, err)
	}
	return obj, nil
}

// Open reads the object named sha.
func (s *S3) Open(ctx context.Context, sha string) (io.ReadCloser, error) {
	if _, err := s.Stat(ctx, sha); err != nil {
		return nil, err
	}
	o, err := s.client.GetObject(ctx, s.cfg.Bucket, s.key(sha), minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("read evidence file %s: %w", sha, err)
	}
	return o, nil
}

// Stat describes the object named sha.
func (s *S3) Stat(ctx context.Context, sha string) (Object, error) {
	if err := CheckName(sha); err != nil {
		return Object{}, err
	}
	info, err := s.client.StatObject(ctx, s.cfg.Bucket, s.key(sha), minio.StatObjectOptions{})
	if err != nil {
		if minio.ToErrorResponse(err).StatusCode == 404 || minio.ToErrorResponse(err).Code == "NoSuchKey" {
			return Object{}, fmt.Errorf("%s: %w", sha, ErrNotFound)
		}
		return Object{}, fmt.Errorf("stat evidence file %s: %w", sha, err)
	}
	return Object{SHA256: sha, Size: info.Size, ContentType: info.ContentType}, nil
}
