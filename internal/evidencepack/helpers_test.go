package evidencepack

import (
	"crypto/ed25519"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var signedAt = time.Date(2027, 6, 15, 12, 0, 0, 0, time.UTC)

func testFiles() map[string][]byte {
	return map[string][]byte{
		"OPS-01/control.json": []byte(`{"id":"OPS-01"}` + "\n"),
		"VUL-02/control.json": []byte(`{"id":"VUL-02"}` + "\n"),
		"index.csv":           []byte("control_id\nOPS-01\n"),
		"index.json":          []byte("[]\n"),
	}
}

func testKey(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	key, err := GenerateKey()
	require.NoError(t, err)
	return key
}

// writeTestPack writes testFiles signed with a new key and returns the
// pack's folder and the key.
func writeTestPack(t *testing.T) (string, ed25519.PrivateKey) {
	t.Helper()
	key := testKey(t)
	dir := filepath.Join(t.TempDir(), "pack")
	_, err := Write(dir, testFiles(), key, signedAt)
	require.NoError(t, err)
	return dir, key
}

func pub(key ed25519.PrivateKey) ed25519.PublicKey { return key.Public().(ed25519.PublicKey) }
