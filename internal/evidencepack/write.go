package evidencepack

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// testHookBeforeFile, when set by a test, runs before each file is
// created: it is where a test plants a symbolic link "during the write".
var testHookBeforeFile func(name string)

// CheckOut accepts a directory that does not exist or is empty. The
// command calls it before the (slow) review for an early error; Write
// checks again through its directory handle, which is what counts.
func CheckOut(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("--out %s: %w", dir, err)
	case len(entries) > 0:
		return notEmpty(dir)
	}
	return nil
}

func notEmpty(dir string) error {
	return fmt.Errorf("--out %s is not empty; refusing to write an evidence pack over other files", dir)
}

// Write writes files into dir, then the manifest (the SHA-256 of every
// file, sorted by path, in sha256sum's format) and its signature with key.
// It returns the files written, sorted, not counting the manifest and the
// signature.
//
// dir must not exist (Write creates it) or be an empty directory that is
// not a symbolic link. Every file is created through an os.Root opened on
// dir, with O_EXCL: nothing is written outside dir, and nothing planted in
// dir while Write runs (a file, a link, a folder) is written through or
// over; Write stops with an error instead. A pack left by a failed Write
// has no signature and fails verification.
func Write(dir string, files map[string][]byte, key ed25519.PrivateKey, now time.Time) ([]string, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, ErrNoKey
	}
	names := make([]string, 0, len(files))
	for name := range files {
		if err := checkName(name); err != nil {
			return nil, fmt.Errorf("evidence pack: %w", err)
		}
		names = append(names, name)
	}
	slices.Sort(names)

	root, err := createRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	incomplete := func(err error) error {
		return fmt.Errorf("evidence pack in %s is incomplete and unsigned (delete it): %w", dir, err)
	}
	made := map[string]bool{".": true}
	var manifest strings.Builder
	for _, name := range names {
		if err := mkdirs(root, path.Dir(name), made); err != nil {
			return nil, incomplete(err)
		}
		if err := createFile(root, name, files[name]); err != nil {
			return nil, incomplete(err)
		}
		sum := sha256.Sum256(files[name])
		fmt.Fprintf(&manifest, "%s  %s\n", hex.EncodeToString(sum[:]), name)
	}
	body := []byte(manifest.String())
	if err := createFile(root, ManifestName, body); err != nil {
		return nil, incomplete(err)
	}
	if err := createFile(root, SignatureName, sign(key, body, now).encode()); err != nil {
		return nil, incomplete(err)
	}
	return names, nil
}

// checkName accepts a slash-separated path inside the pack that is not the
// manifest or its signature.
func checkName(name string) error {
	switch {
	case name == ManifestName || name == SignatureName:
		return fmt.Errorf("%s is reserved for the manifest", name)
	case strings.Contains(name, `\`) || path.Clean(name) != name || !filepath.IsLocal(filepath.FromSlash(name)):
		return fmt.Errorf("%q is not a plain path inside the pack", name)
	}
	return nil
}

// createRoot makes dir (or takes it when it is an empty directory, not a
// link) and opens it as a root. The root is opened through dir's parent,
// and the directory behind the handle is checked to be the one named dir
// (os.SameFile on Lstat), so a directory swapped for a link between the
// two steps is refused rather than followed.
func createRoot(dir string) (*os.Root, error) {
	dir = filepath.Clean(dir)
	// The parents are the operator's path, made as asked; the pack's own
	// folder is made (or taken) below and checked through the handle.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, fmt.Errorf("--out %s: %w", dir, err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("--out %s: %w", dir, err)
	}
	parent, err := os.OpenRoot(filepath.Dir(dir))
	if err != nil {
		return nil, fmt.Errorf("--out %s: %w", dir, err)
	}
	defer parent.Close()
	base := filepath.Base(dir)
	root, err := parent.OpenRoot(base)
	if err != nil {
		return nil, fmt.Errorf("--out %s: %w", dir, err)
	}
	named, err := parent.Lstat(base)
	if err == nil && !named.IsDir() {
		err = errors.New("is not a directory (a symbolic link?); refusing to write through it")
	}
	if err == nil {
		var held fs.FileInfo
		if held, err = root.Stat("."); err == nil && !os.SameFile(named, held) {
			err = errors.New("changed while it was being opened; refusing to write")
		}
	}
	if err == nil {
		err = emptyRoot(root)
	}
	if err != nil {
		root.Close()
		if errors.Is(err, errNotEmpty) {
			return nil, notEmpty(dir)
		}
		return nil, fmt.Errorf("--out %s: %w", dir, err)
	}
	return root, nil
}

var errNotEmpty = errors.New("not empty")

func emptyRoot(root *os.Root) error {
	f, err := root.Open(".")
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // a directory opened to list it
	if _, err := f.Readdirnames(1); err == nil {
		return errNotEmpty
	} else if !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// mkdirs makes dir and its parents inside root, each of which must not
// exist yet: the pack's folders are Write's own.
func mkdirs(root *os.Root, dir string, made map[string]bool) error {
	if made[dir] {
		return nil
	}
	if err := mkdirs(root, path.Dir(dir), made); err != nil {
		return err
	}
	if err := root.Mkdir(dir, 0o755); err != nil {
		return fmt.Errorf("create folder %s: %w", dir, err)
	}
	made[dir] = true
	return nil
}

// createFile creates name inside root, failing if anything (a file, a
// link to anywhere) is already there.
func createFile(root *os.Root, name string, body []byte) error {
	if testHookBeforeFile != nil {
		testHookBeforeFile(name)
	}
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	if _, err := f.Write(body); err != nil {
		_ = f.Close() // the write's error is the one to report
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}
