package evidencepack

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// plantDuringWrite runs plant once, just before the file named at is
// created, as an attacker with write access to the pack's parent would.
func plantDuringWrite(t *testing.T, at string, plant func()) {
	t.Helper()
	testHookBeforeFile = func(name string) {
		if name == at {
			plant()
		}
	}
	t.Cleanup(func() { testHookBeforeFile = nil })
}

func TestWriteCreatesTheFolderAndSigns(t *testing.T) {
	dir, key := writeTestPack(t)
	for name, body := range testFiles() {
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		require.NoError(t, err)
		assert.Equal(t, body, got)
	}
	res, err := Verify(dir, pub(key))
	require.NoError(t, err)
	assert.Equal(t, 4, res.Files)
	assert.Equal(t, signedAt, res.SignedAt)

	// A second pack into the same folder is refused.
	_, err = Write(dir, testFiles(), key, signedAt)
	assert.ErrorContains(t, err, "is not empty")

	// An existing empty folder is taken.
	empty := filepath.Join(t.TempDir(), "empty")
	require.NoError(t, os.Mkdir(empty, 0o755))
	_, err = Write(empty, testFiles(), key, signedAt)
	require.NoError(t, err)

	// Missing parents are made, as --out a/b/c always allowed.
	_, err = Write(filepath.Join(t.TempDir(), "a", "b", "pack"), testFiles(), key, signedAt)
	require.NoError(t, err)

	// No key, no pack.
	_, err = Write(filepath.Join(t.TempDir(), "nokey"), testFiles(), nil, signedAt)
	assert.ErrorIs(t, err, ErrNoKey)

	// Names that would leave the pack are refused before anything is made.
	for _, bad := range []string{"../x", "/etc/x", "a/../../x", `a\b`, ManifestName, SignatureName, "./a", "a//b"} {
		out := filepath.Join(t.TempDir(), "bad")
		_, err := Write(out, map[string][]byte{bad: []byte("x")}, key, signedAt)
		assert.Error(t, err, bad)
		assert.NoDirExists(t, out, bad)
	}
}

// A symbolic link planted in the pack while it is written must not send a
// file outside the pack: not over an existing file (index.csv → a victim
// file), not into a planted folder link (VUL-02 → a victim folder).
func TestWriteDoesNotFollowLinksPlantedDuringTheWrite(t *testing.T) {
	key := testKey(t)

	t.Run("a file link", func(t *testing.T) {
		outside := t.TempDir()
		victim := filepath.Join(outside, "victim.txt")
		require.NoError(t, os.WriteFile(victim, []byte("precious"), 0o644))
		dir := filepath.Join(t.TempDir(), "pack")
		plantDuringWrite(t, "index.csv", func() {
			require.NoError(t, os.Symlink(victim, filepath.Join(dir, "index.csv")))
		})
		_, err := Write(dir, testFiles(), key, signedAt)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "index.csv")
		assert.Contains(t, err.Error(), "incomplete and unsigned")
		got, _ := os.ReadFile(victim)
		assert.Equal(t, "precious", string(got), "the file outside the pack is untouched")
		// What was written is not a pack that verifies.
		_, err = Verify(dir, pub(key))
		assert.Error(t, err)
	})

	t.Run("a link to a folder", func(t *testing.T) {
		outside := t.TempDir()
		dir := filepath.Join(t.TempDir(), "pack")
		plantDuringWrite(t, "OPS-01/control.json", func() {
			require.NoError(t, os.Symlink(outside, filepath.Join(dir, "VUL-02")))
		})
		_, err := Write(dir, testFiles(), key, signedAt)
		require.Error(t, err)
		entries, err := os.ReadDir(outside)
		require.NoError(t, err)
		assert.Empty(t, entries, "nothing was written into the linked folder")
	})

	t.Run("a relative link inside the pack", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "pack")
		plantDuringWrite(t, "index.json", func() {
			require.NoError(t, os.Symlink("OPS-01/control.json", filepath.Join(dir, "index.json")))
		})
		_, err := Write(dir, testFiles(), key, signedAt)
		require.Error(t, err)
		got, err := os.ReadFile(filepath.Join(dir, "OPS-01", "control.json"))
		require.NoError(t, err)
		assert.Equal(t, testFiles()["OPS-01/control.json"], got, "no pack file was written over")
	})

	t.Run("the pack folder itself is a link", func(t *testing.T) {
		outside := t.TempDir()
		dir := filepath.Join(t.TempDir(), "pack")
		require.NoError(t, os.Symlink(outside, dir))
		_, err := Write(dir, testFiles(), key, signedAt)
		require.Error(t, err)
		entries, err := os.ReadDir(outside)
		require.NoError(t, err)
		assert.Empty(t, entries)
	})
}
