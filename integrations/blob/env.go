package blob

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Environment variables that choose the evidence store.
const (
	EnvDir       = "STEADFAST_EVIDENCE_DIR"       // local directory (the default store)
	EnvMaxSize   = "STEADFAST_EVIDENCE_MAX_BYTES" // largest file accepted
	EnvS3        = "STEADFAST_EVIDENCE_S3_ENDPOINT"
	EnvS3Bucket  = "STEADFAST_EVIDENCE_S3_BUCKET"
	EnvS3Prefix  = "STEADFAST_EVIDENCE_S3_PREFIX"
	EnvS3Region  = "STEADFAST_EVIDENCE_S3_REGION"
	EnvS3Access  = "STEADFAST_EVIDENCE_S3_ACCESS_KEY"
	EnvS3Secret  = "STEADFAST_EVIDENCE_S3_SECRET_KEY"
	EnvS3HTTP    = "STEADFAST_EVIDENCE_S3_INSECURE"          // "true": plain HTTP
	EnvRetention = "STEADFAST_EVIDENCE_RETENTION_DAYS"       // object-lock retention
	EnvLockMode  = "STEADFAST_EVIDENCE_RETENTION_COMPLIANCE" // "true": COMPLIANCE mode
)

// DefaultDir is where the local store keeps files when nothing is set.
func DefaultDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "steadfast", "evidence")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "steadfast", "evidence")
	}
	return filepath.Join(os.TempDir(), "steadfast-evidence")
}

// FromEnv opens the store the environment names: S3 when an endpoint is
// set, else a local directory (EnvDir or DefaultDir).
func FromEnv(ctx context.Context) (Store, error) {
	maxSize := int64(0)
	if v := os.Getenv(EnvMaxSize); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%s=%q is not a positive number of bytes", EnvMaxSize, v)
		}
		maxSize = n
	}
	if ep := os.Getenv(EnvS3); ep != "" {
		cfg := S3Config{Endpoint: ep, Bucket: os.Getenv(EnvS3Bucket), Prefix: os.Getenv(EnvS3Prefix), Region: os.Getenv(EnvS3Region),
			AccessKey: os.Getenv(EnvS3Access), SecretKey: os.Getenv(EnvS3Secret), Insecure: os.Getenv(EnvS3HTTP) == "true",
			Compliance: os.Getenv(EnvLockMode) == "true", MaxSize: maxSize}
		if v := os.Getenv(EnvRetention); v != "" {
			days, err := strconv.Atoi(v)
			if err != nil || days <= 0 {
				return nil, fmt.Errorf("%s=%q is not a positive number of days", EnvRetention, v)
			}
			cfg.Retention = time.Duration(days) * 24 * time.Hour
		}
		return NewS3(ctx, cfg)
	}
	dir := os.Getenv(EnvDir)
	if dir == "" {
		dir = DefaultDir()
	}
	return NewLocal(dir, maxSize)
}
