// Package blob stores evidence files content-addressed by the SHA-256 of
// their bytes, behind one interface with two implementations: a local
// directory (the default; the demo needs nothing else) and S3-compatible
// object storage (minio-go), optionally writing each object under an
// object-lock retention. A file is stored once however often it is given,
// its name proves its content, and a store never overwrites what it holds.
// It is an adapter: what may be stored is decided by its callers.
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strings"
)

// DefaultMaxSize is the largest file a store accepts unless configured
// otherwise: large enough for an exported access review or a screen
// recording, small enough that one upload cannot fill a disk.
const DefaultMaxSize = 50 << 20

// Object is one stored file.
type Object struct {
	// SHA256 is the lowercase hex SHA-256 of the bytes: the object's name.
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	// ContentType is sniffed from the first bytes (net/http's
	// DetectContentType), never taken from the uploader.
	ContentType string `json:"content_type"`
}

// Store holds evidence files.
type Store interface {
	// Put reads r to its end and stores the bytes; storing bytes already
	// held is a no-op returning the same Object.
	Put(ctx context.Context, r io.Reader) (Object, error)
	// Open reads the object named sha.
	Open(ctx context.Context, sha string) (io.ReadCloser, error)
	// Stat describes the object named sha without reading it.
	Stat(ctx context.Context, sha string) (Object, error)
}

// Errors a store returns, wrapped with context.
var (
	ErrNotFound = errors.New("no such evidence file in the store")
	ErrTooLarge = errors.New("evidence file is larger than the store accepts")
	ErrEmpty    = errors.New("evidence file is empty")
	ErrBadName  = errors.New("not a SHA-256 name")
)

// CheckName refuses a name that is not a lowercase hex SHA-256, so no
// name can climb out of a directory or a bucket prefix.
func CheckName(sha string) error {
	if len(sha) != sha256.Size*2 || strings.Trim(sha, "0123456789abcdef") != "" {
		return fmt.Errorf("%q: %w", sha, ErrBadName)
	}
	return nil
}

// hashingReader hashes, counts and keeps the first 512 bytes for sniffing
// of everything read through it, and refuses to read past max.
type hashingReader struct {
	r     io.Reader
	h     hash.Hash
	n     int64
	max   int64
	sniff []byte
}

func newHashingReader(r io.Reader, max int64) *hashingReader {
	if max <= 0 {
		max = DefaultMaxSize
	}
	// One byte past max is read, so "exactly max" and "more" differ.
	return &hashingReader{r: io.LimitReader(r, max+1), h: sha256.New(), max: max}
}

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if n > 0 {
		h.h.Write(p[:n])
		if len(h.sniff) < 512 {
			h.sniff = append(h.sniff, p[:min(n, 512-len(h.sniff))]...)
		}
		h.n += int64(n)
		if h.n > h.max {
			return n, fmt.Errorf("more than %d bytes: %w", h.max, ErrTooLarge)
		}
	}
	return n, err
}

// object is what was read, once read to the end.
func (h *hashingReader) object() (Object, error) {
	if h.n == 0 {
		return Object{}, ErrEmpty
	}
	return Object{SHA256: hex.EncodeToString(h.h.Sum(nil)), Size: h.n, ContentType: http.DetectContentType(h.sniff)}, nil
}
