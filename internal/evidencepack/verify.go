package evidencepack

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Kind names what a verification found wrong.
type Kind string

// What Verify reports. The first four are about a file of the pack, the
// rest about the manifest and its signature.
const (
	FileEdited        Kind = "file edited"           // its SHA-256 is not the manifest's
	FileMissing       Kind = "file deleted"          // listed, not there
	FileAdded         Kind = "file added"            // there, not listed
	NotAFile          Kind = "not a file"            // a link or device where a file should be
	ManifestEdited    Kind = "manifest edited"       // the manifest is not the one signed
	ManifestMalformed Kind = "manifest malformed"    // a line that is not '<sha256>  <path>'
	SignatureInvalid  Kind = "signature invalid"     // the signature does not verify
	OtherKey          Kind = "signed by another key" // valid, but not by the key given
	Unsigned          Kind = "not signed"            // no signature file, or one that cannot be read
)

// Problem is one thing wrong with a pack.
type Problem struct {
	Kind   Kind
	Path   string // the file it is about
	Detail string
}

func (p Problem) Error() string {
	return fmt.Sprintf("%s: %s", p.Path, p.Detail)
}

// Result is what Verify found.
type Result struct {
	Files    int       // files the manifest lists
	KeyID    string    // the expected key's fingerprint
	SignedAt time.Time // the signer's clock, not a proven time
	Problems []Problem
}

// Err joins the problems, nil when there are none.
func (r Result) Err() error {
	errs := make([]error, len(r.Problems))
	for i, p := range r.Problems {
		errs[i] = p
	}
	return errors.Join(errs...)
}

// Has reports whether the result holds a problem of kind k.
func (r Result) Has(k Kind) bool {
	for _, p := range r.Problems {
		if p.Kind == k {
			return true
		}
	}
	return false
}

// Verify checks the pack in dir against the public key the auditor was
// given (never the one embedded in the pack): the signature covers the
// manifest, and every file matches the manifest, none missing and none
// added. Every file is read through an os.Root on dir and must be a
// regular file, so a link cannot stand in for one. The result names every
// problem; Err is nil only for an intact pack signed by pub.
func Verify(dir string, pub ed25519.PublicKey) (Result, error) {
	res := Result{}
	if len(pub) != ed25519.PublicKeySize {
		return res, errors.New("verify: no public key to check the signature against")
	}
	res.KeyID = KeyID(pub)
	root, err := os.OpenRoot(dir)
	if err != nil {
		return res, fmt.Errorf("verify %s: %w", dir, err)
	}
	defer root.Close()
	add := func(k Kind, path, format string, args ...any) {
		res.Problems = append(res.Problems, Problem{Kind: k, Path: path, Detail: fmt.Sprintf(format, args...)})
	}

	manifest, err := readRegular(root, ManifestName)
	if err != nil {
		add(Unsigned, ManifestName, "cannot be read: %v", err)
		return res, res.Err()
	}
	checkSignature(root, manifest, pub, &res, add)

	listed := map[string]bool{ManifestName: true, SignatureName: true}
	sc := bufio.NewScanner(bytes.NewReader(manifest))
	for line := 1; sc.Scan(); line++ {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		switch {
		case !ok || len(sum) != sha256.Size*2:
			add(ManifestMalformed, ManifestName, "line %d is not '<sha256>  <path>': %.120q", line, sc.Text())
			continue
		case checkName(name) != nil:
			// A manifest edited to point outside the pack proves nothing
			// about the pack.
			add(ManifestMalformed, ManifestName, "line %d names %.120q, which is not a file of the pack", line, name)
			continue
		case listed[name]:
			add(ManifestMalformed, name, "listed twice in the manifest")
			continue
		}
		listed[name] = true
		res.Files++
		body, err := readRegular(root, name)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			add(FileMissing, name, "in the manifest but missing (deleted after signing)")
		case errors.Is(err, errNotRegular):
			add(NotAFile, name, "%v", err)
		case err != nil:
			add(FileMissing, name, "cannot be read: %v", err)
		default:
			got := sha256.Sum256(body)
			if hex.EncodeToString(got[:]) != strings.ToLower(sum) {
				add(FileEdited, name, "SHA-256 does not match the manifest (edited after signing)")
			}
		}
	}
	if err := sc.Err(); err != nil {
		add(ManifestMalformed, ManifestName, "cannot be read: %v", err)
	}

	err = fs.WalkDir(root.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
		case listed[name]:
		case d.Type()&fs.ModeSymlink != 0:
			add(FileAdded, name, "not in the manifest (a symbolic link)")
		default:
			add(FileAdded, name, "not in the manifest")
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("verify %s: list the pack: %w", dir, err)
	}
	return res, res.Err()
}

// checkSignature names what is wrong with the signature, if anything. The
// order of the checks is what lets it say which part changed: a manifest
// that no longer hashes to the signed manifest-sha256 was edited; a
// signature that verifies under the embedded key but not the given one
// was made by another key; anything else is an invalid signature.
func checkSignature(root *os.Root, manifest []byte, pub ed25519.PublicKey, res *Result, add func(Kind, string, string, ...any)) {
	body, err := readRegular(root, SignatureName)
	if err != nil {
		add(Unsigned, SignatureName, "the pack is not signed: %v", err)
		return
	}
	sig, err := parseSignature(body)
	if err != nil {
		add(SignatureInvalid, SignatureName, "cannot be read: %v", err)
		return
	}
	valid := ed25519.Verify(sig.PublicKey, sig.message(), sig.Sig)
	switch {
	case valid && !sig.PublicKey.Equal(pub):
		add(OtherKey, SignatureName, "signed by key %s, not by the key you gave (%s): this pack was not signed by that deployment",
			KeyID(sig.PublicKey), KeyID(pub))
	case !valid:
		add(SignatureInvalid, SignatureName, "the signature does not verify: the signature file (or it and the manifest together) was altered after signing")
	case manifestSum(manifest) != sig.ManifestSHA256:
		add(ManifestEdited, ManifestName, "changed after it was signed (its SHA-256 is not the signed one), so it vouches for nothing")
	default:
		res.SignedAt = sig.SignedAt
	}
}

var errNotRegular = errors.New("not a regular file")

// readRegular reads name through root if it is a regular file (not a
// link, a folder or a device).
func readRegular(root *os.Root, name string) ([]byte, error) {
	info, err := root.Lstat(filepath.FromSlash(name))
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%w (%s)", errNotRegular, info.Mode().Type())
	}
	return root.ReadFile(filepath.FromSlash(name))
}
