package evidencepack

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
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
// given (never the one embedded in the pack). When the signature is this
// key's, the files are checked against the manifest it signed, and
// MANIFEST.sha256 against that too, so an edited manifest line names its
// file; otherwise the signature's problem is reported and the files are
// still checked against MANIFEST.sha256, for what that is worth. Every
// file is read through an os.Root on dir and must be a regular file, so a
// link cannot stand in for one. The result names every problem; Err is nil
// only for an intact pack signed by pub.
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

	loose, looseErr := readRegular(root, ManifestName)
	list, trusted := checkSignature(root, pub, &res, add)
	switch {
	case trusted && looseErr != nil:
		add(ManifestEdited, ManifestName, "deleted or replaced after signing (%v); the files are checked against the signed copy", looseErr)
	case trusted:
		diffManifests(list, loose, add)
	case errors.Is(looseErr, fs.ErrNotExist):
		add(ManifestMalformed, ManifestName, "missing: nothing to check the files against")
		return res, res.Err()
	case looseErr != nil:
		add(ManifestMalformed, ManifestName, "cannot be read: %v", looseErr)
		return res, res.Err()
	default:
		list = loose
	}

	listed := map[string]bool{ManifestName: true, SignatureName: true}
	for _, e := range parseManifest(list, add) {
		listed[e.name] = true
		res.Files++
		body, err := readRegular(root, e.name)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			add(FileMissing, e.name, "in the manifest but missing (deleted after signing)")
		case errors.Is(err, errNotRegular):
			add(NotAFile, e.name, "%v", err)
		case err != nil:
			add(FileMissing, e.name, "cannot be read: %v", err)
		default:
			got := sha256.Sum256(body)
			if hex.EncodeToString(got[:]) != e.sum {
				add(FileEdited, e.name, "SHA-256 does not match the manifest (edited after signing)")
			}
		}
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

// checkSignature returns the signed manifest when the signature is valid
// and pub's, and otherwise reports why not: no signature, an unreadable
// or invalid one, or one that is valid but by another key.
func checkSignature(root *os.Root, pub ed25519.PublicKey, res *Result, add func(Kind, string, string, ...any)) ([]byte, bool) {
	body, err := readRegular(root, SignatureName)
	if errors.Is(err, fs.ErrNotExist) {
		add(Unsigned, SignatureName, "missing: the pack is not signed (or its signature was deleted)")
		return nil, false
	}
	if err != nil {
		add(Unsigned, SignatureName, "cannot be read, so the pack is not signed: %v", err)
		return nil, false
	}
	sig, err := parseSignature(body)
	if err != nil {
		add(SignatureInvalid, SignatureName, "cannot be read: %v", err)
		return nil, false
	}
	valid := ed25519.Verify(sig.PublicKey, sig.message(), sig.Sig)
	switch {
	case valid && !sig.PublicKey.Equal(pub):
		add(OtherKey, SignatureName, "signed by key %s, not by the key you gave (%s): this pack was not signed by that deployment",
			KeyID(sig.PublicKey), KeyID(pub))
		return nil, false
	case !valid:
		add(SignatureInvalid, SignatureName, "the signature does not verify: the signature file was altered after signing")
		return nil, false
	}
	res.SignedAt = sig.SignedAt
	return sig.Manifest, true
}

// entry is one manifest line.
type entry struct{ sum, name string }

// parseManifest reads '<sha256>  <path>' lines, reporting (and skipping)
// the malformed, the repeated and those naming no file of the pack.
func parseManifest(manifest []byte, add func(Kind, string, string, ...any)) []entry {
	var out []entry
	seen := map[string]bool{}
	line := 0
	for text := range strings.Lines(string(manifest)) {
		line++
		text = strings.TrimSuffix(text, "\n")
		sum, name, ok := strings.Cut(text, "  ")
		switch {
		case !ok || len(sum) != sha256.Size*2:
			add(ManifestMalformed, ManifestName, "line %d is not '<sha256>  <path>': %.120q", line, text)
		case checkName(name) != nil:
			// A manifest edited to point outside the pack proves nothing
			// about the pack.
			add(ManifestMalformed, ManifestName, "line %d names %.120q, which is not a file of the pack", line, name)
		case seen[name]:
			add(ManifestMalformed, name, "listed twice in the manifest")
		default:
			seen[name] = true
			out = append(out, entry{sum: strings.ToLower(sum), name: name})
		}
	}
	return out
}

// diffManifests names each line of MANIFEST.sha256 that differs from the
// signed manifest.
func diffManifests(signed, loose []byte, add func(Kind, string, string, ...any)) {
	if bytes.Equal(signed, loose) {
		return
	}
	sums := func(m []byte) map[string]string {
		out := map[string]string{}
		for text := range strings.Lines(string(m)) {
			if sum, name, ok := strings.Cut(strings.TrimSuffix(text, "\n"), "  "); ok {
				out[name] = strings.ToLower(sum)
			}
		}
		return out
	}
	was, is := sums(signed), sums(loose)
	found := false
	for _, name := range slices.Sorted(maps.Keys(was)) {
		now, ok := is[name]
		switch {
		case !ok:
			add(ManifestEdited, ManifestName, "changed after it was signed: the line for %s was removed", name)
		case now != was[name]:
			add(ManifestEdited, ManifestName, "changed after it was signed: the line for %s was re-hashed", name)
		default:
			continue
		}
		found = true
	}
	for _, name := range slices.Sorted(maps.Keys(is)) {
		if _, ok := was[name]; !ok {
			add(ManifestEdited, ManifestName, "changed after it was signed: a line for %.120q was added", name)
			found = true
		}
	}
	if !found {
		add(ManifestEdited, ManifestName, "changed after it was signed (reordered or reformatted)")
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
