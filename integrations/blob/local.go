package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
)

// Local stores files in a directory as DIR/ab/abcdef… (the first two hex
// digits fan the directory out), written to a temporary file, synced and
// renamed into place, so a reader never sees a half-written object.
type Local struct {
	Dir string
	// MaxSize bounds a file (0: DefaultMaxSize).
	MaxSize int64
}

// NewLocal opens (creating if need be) a local store in dir.
func NewLocal(dir string, maxSize int64) (*Local, error) {
	if dir == "" {
		return nil, errors.New("local evidence store: no directory")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("local evidence store %s: %w", dir, err)
	}
	return &Local{Dir: dir, MaxSize: maxSize}, nil
}

func (l *Local) path(sha string) string { return filepath.Join(l.Dir, sha[:2], sha) }

// Put stores r's bytes.
func (l *Local) Put(ctx context.Context, r io.Reader) (Object, error) {
	tmp, err := os.CreateTemp(l.Dir, ".upload-*")
	if err != nil {
		return Object{}, fmt.Errorf("local evidence store: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // after the rename it no longer exists
	hr := newHashingReader(r, l.MaxSize)
	if _, err := io.Copy(tmp, hr); err != nil {
		_ = tmp.Close()
		return Object{}, fmt.Errorf("store evidence file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return Object{}, fmt.Errorf("store evidence file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return Object{}, fmt.Errorf("store evidence file: %w", err)
	}
	obj, err := hr.object()
	if err != nil {
		return Object{}, fmt.Errorf("store evidence file: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return Object{}, err
	}
	dst := l.path(obj.SHA256)
	if _, err := os.Stat(dst); err == nil {
		return obj, nil // already held: content addressing makes it the same bytes
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return Object{}, fmt.Errorf("store evidence file: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o440); err != nil {
		return Object{}, fmt.Errorf("store evidence file: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return Object{}, fmt.Errorf("store evidence file: %w", err)
	}
	return obj, nil
}

// Open reads the object named sha.
func (l *Local) Open(_ context.Context, sha string) (io.ReadCloser, error) {
	if err := CheckName(sha); err != nil {
		return nil, err
	}
	f, err := os.Open(l.path(sha))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", sha, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("open evidence file %s: %w", sha, err)
	}
	return f, nil
}

// Stat describes the object named sha, sniffing its type again.
func (l *Local) Stat(ctx context.Context, sha string) (Object, error) {
	f, err := l.Open(ctx, sha)
	if err != nil {
		return Object{}, err
	}
	defer func() { _ = f.Close() }()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return Object{}, fmt.Errorf("stat evidence file %s: %w", sha, err)
	}
	fi, err := f.(*os.File).Stat()
	if err != nil {
		return Object{}, fmt.Errorf("stat evidence file %s: %w", sha, err)
	}
	return Object{SHA256: sha, Size: fi.Size(), ContentType: http.DetectContentType(head[:n])}, nil
}
