package evidencepack

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchFiles is a pack the size of a 160-control engagement's: one
// control.json of about 6 KB per control and the indexes.
func benchFiles() map[string][]byte {
	files := map[string][]byte{}
	for i := range 160 {
		files[fmt.Sprintf("CTL-%03d/control.json", i)] = bytes.Repeat([]byte(`{"occurrence":"2027-03","evidence":"x"}`+"\n"), 150)
	}
	files[IndexCSV] = bytes.Repeat([]byte("CTL-001,title,owner,monthly,12,3\n"), 800)
	files[IndexJSON] = bytes.Repeat([]byte(`{"control_id":"CTL-001"}`+"\n"), 800)
	return files
}

// writePlain is how packs were written before this package: os.WriteFile
// through the path (following links), an unsigned manifest. Kept only as
// the benchmark's baseline.
func writePlain(dir string, files map[string][]byte, names []string) error {
	var manifest strings.Builder
	for _, name := range names {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return err
		}
		sum := sha256.Sum256(files[name])
		fmt.Fprintf(&manifest, "%s  %s\n", hex.EncodeToString(sum[:]), name)
	}
	return os.WriteFile(filepath.Join(dir, ManifestName), []byte(manifest.String()), 0o644)
}

// BenchmarkPack measures what the safe, signed write costs over the old
// plain one, and a verification. Compare ns/op of the sub-benchmarks of one
// run:
//
//	go test -run '^$' -bench Pack -benchtime 50x ./internal/evidencepack/
func BenchmarkPack(b *testing.B) {
	files := benchFiles()
	key, err := GenerateKey()
	if err != nil {
		b.Fatal(err)
	}
	root := b.TempDir()
	n := 0
	next := func() string { n++; return filepath.Join(root, fmt.Sprint(n)) }

	b.Run("plain-unsigned", func(b *testing.B) {
		names, err := Write(next(), files, key, signedAt) // for the sorted names
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			dir := next()
			if err := os.Mkdir(dir, 0o755); err != nil {
				b.Fatal(err)
			}
			if err := writePlain(dir, files, names); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("root-signed", func(b *testing.B) {
		for b.Loop() {
			if _, err := Write(next(), files, key, signedAt); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("verify", func(b *testing.B) {
		dir := next()
		if _, err := Write(dir, files, key, signedAt); err != nil {
			b.Fatal(err)
		}
		pk := pub(key)
		for b.Loop() {
			if _, err := Verify(dir, pk); err != nil {
				b.Fatal(err)
			}
		}
	})
}
