package blob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/integrations/blob"
)

// fakeS3 runs an S3 implementation in-process on loopback with one bucket.
func fakeS3(t testing.TB, maxSize int64, retention time.Duration) *blob.S3 {
	t.Helper()
	backend := s3mem.New()
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	require.NoError(t, backend.CreateBucket("evidence"))
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	s, err := blob.NewS3(context.Background(), blob.S3Config{Endpoint: u.Host, Bucket: "evidence", AccessKey: "k", SecretKey: "s",
		Region: "us-east-1", Insecure: true, Prefix: "sha256/", MaxSize: maxSize, Retention: retention})
	require.NoError(t, err)
	return s
}

func stores(t *testing.T, maxSize int64) map[string]blob.Store {
	local, err := blob.NewLocal(t.TempDir(), maxSize)
	require.NoError(t, err)
	return map[string]blob.Store{"local": local, "s3": fakeS3(t, maxSize, 24*time.Hour)}
}

var pdf = append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("access review of March: 42 accounts\n"), 400)...)

func TestStoresAreContentAddressed(t *testing.T) {
	ctx := context.Background()
	sum := sha256.Sum256(pdf)
	want := hex.EncodeToString(sum[:])
	for name, s := range stores(t, 1<<20) {
		t.Run(name, func(t *testing.T) {
			obj, err := s.Put(ctx, bytes.NewReader(pdf))
			require.NoError(t, err)
			assert.Equal(t, blob.Object{SHA256: want, Size: int64(len(pdf)), ContentType: "application/pdf"}, obj)

			again, err := s.Put(ctx, bytes.NewReader(pdf))
			require.NoError(t, err)
			assert.Equal(t, obj, again, "the same bytes are the same object")

			r, err := s.Open(ctx, want)
			require.NoError(t, err)
			got, err := io.ReadAll(r)
			require.NoError(t, r.Close())
			require.NoError(t, err)
			assert.Equal(t, pdf, got)

			st, err := s.Stat(ctx, want)
			require.NoError(t, err)
			assert.Equal(t, obj.Size, st.Size)
			assert.Equal(t, "application/pdf", st.ContentType)

			png, err := s.Put(ctx, bytes.NewReader([]byte("\x89PNG\r\n\x1a\n....")))
			require.NoError(t, err)
			assert.Equal(t, "image/png", png.ContentType, "the type is sniffed from the bytes")
		})
	}
}

func TestStoresRefuseWithClearErrors(t *testing.T) {
	ctx := context.Background()
	for name, s := range stores(t, 1000) {
		t.Run(name, func(t *testing.T) {
			_, err := s.Put(ctx, strings.NewReader(strings.Repeat("x", 1001)))
			require.ErrorIs(t, err, blob.ErrTooLarge)
			assert.Contains(t, err.Error(), "more than 1000 bytes")
			_, err = s.Put(ctx, strings.NewReader(strings.Repeat("x", 1000)))
			require.NoError(t, err, "exactly the limit is accepted")

			_, err = s.Put(ctx, strings.NewReader(""))
			require.ErrorIs(t, err, blob.ErrEmpty)

			_, err = s.Open(ctx, strings.Repeat("ab", 32))
			require.ErrorIs(t, err, blob.ErrNotFound)
			_, err = s.Open(ctx, "../../etc/passwd")
			require.ErrorIs(t, err, blob.ErrBadName)
			_, err = s.Stat(ctx, strings.Repeat("AB", 32))
			require.ErrorIs(t, err, blob.ErrBadName)
		})
	}
}

func TestS3NeedsAnExistingBucket(t *testing.T) {
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	defer srv.Close()
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	_, err = blob.NewS3(context.Background(), blob.S3Config{Endpoint: u.Host, Bucket: "missing", AccessKey: "k", SecretKey: "s", Insecure: true})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bucket missing does not exist")
}

// With a retention configured every object is written under object lock
// (the mode and retain-until headers S3 and MinIO honour); without, none.
func TestS3WritesObjectLockRetention(t *testing.T) {
	for _, c := range []struct {
		name      string
		retention time.Duration
		comply    bool
		mode      string
	}{{"governance", 30 * 24 * time.Hour, false, "GOVERNANCE"}, {"compliance", 30 * 24 * time.Hour, true, "COMPLIANCE"}, {"none", 0, false, ""}} {
		t.Run(c.name, func(t *testing.T) {
			backend := s3mem.New()
			require.NoError(t, backend.CreateBucket("evidence"))
			fake := gofakes3.New(backend).Server()
			var mode, until string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPut {
					mode, until = r.Header.Get("X-Amz-Object-Lock-Mode"), r.Header.Get("X-Amz-Object-Lock-Retain-Until-Date")
				}
				fake.ServeHTTP(w, r)
			}))
			defer srv.Close()
			u, err := url.Parse(srv.URL)
			require.NoError(t, err)
			s, err := blob.NewS3(context.Background(), blob.S3Config{Endpoint: u.Host, Bucket: "evidence", AccessKey: "k", SecretKey: "s",
				Insecure: true, Retention: c.retention, Compliance: c.comply})
			require.NoError(t, err)
			_, err = s.Put(context.Background(), bytes.NewReader(pdf))
			require.NoError(t, err)
			assert.Equal(t, c.mode, mode)
			if c.mode == "" {
				assert.Empty(t, until)
				return
			}
			at, err := time.Parse(time.RFC3339, until)
			require.NoError(t, err)
			assert.WithinDuration(t, time.Now().Add(c.retention), at, time.Minute)
		})
	}
}
