package evidencepack

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rehash rewrites name's manifest line for its current contents, or drops
// the line when the file is gone: what someone who can edit the pack but
// does not hold the key would do to make the manifest agree.
func rehash(t *testing.T, dir, name string) {
	t.Helper()
	path := filepath.Join(dir, ManifestName)
	manifest, err := os.ReadFile(path)
	require.NoError(t, err)
	var out []string
	for _, line := range strings.Split(strings.TrimSuffix(string(manifest), "\n"), "\n") {
		if strings.HasSuffix(line, "  "+name) {
			body, err := os.ReadFile(filepath.Join(dir, name))
			if os.IsNotExist(err) {
				continue
			}
			require.NoError(t, err)
			sum := sha256.Sum256(body)
			line = hex.EncodeToString(sum[:]) + "  " + name
		}
		out = append(out, line)
	}
	require.NoError(t, os.WriteFile(path, []byte(strings.Join(out, "\n")+"\n"), 0o644))
}

func kinds(res Result) []Kind {
	var ks []Kind
	for _, p := range res.Problems {
		ks = append(ks, p.Kind)
	}
	return ks
}

func TestVerifyNamesWhatChanged(t *testing.T) {
	for name, tc := range map[string]struct {
		tamper func(t *testing.T, dir string)
		want   []Kind
		says   string
	}{
		"intact": {tamper: func(*testing.T, string) {}},
		"a file edited": {
			tamper: func(t *testing.T, dir string) {
				require.NoError(t, os.WriteFile(filepath.Join(dir, "index.csv"), []byte("control_id\nOPS-99\n"), 0o644))
			},
			want: []Kind{FileEdited}, says: "index.csv: SHA-256 does not match the manifest",
		},
		"a file edited and its manifest line re-hashed": {
			tamper: func(t *testing.T, dir string) {
				require.NoError(t, os.WriteFile(filepath.Join(dir, "index.csv"), []byte("control_id\nOPS-99\n"), 0o644))
				rehash(t, dir, "index.csv")
			},
			want: []Kind{ManifestEdited, FileEdited}, says: "MANIFEST.sha256: changed after it was signed: the line for index.csv was re-hashed\nindex.csv: SHA-256 does not match",
		},
		"a file deleted": {
			tamper: func(t *testing.T, dir string) {
				require.NoError(t, os.Remove(filepath.Join(dir, "index.json")))
			},
			want: []Kind{FileMissing}, says: "index.json: in the manifest but missing",
		},
		"a file deleted with its manifest line": {
			tamper: func(t *testing.T, dir string) {
				require.NoError(t, os.Remove(filepath.Join(dir, "index.json")))
				rehash(t, dir, "index.json")
			},
			want: []Kind{ManifestEdited, FileMissing}, says: "MANIFEST.sha256: changed after it was signed: the line for index.json was removed\nindex.json: in the manifest but missing",
		},
		"a file added with a manifest line": {
			tamper: func(t *testing.T, dir string) {
				require.NoError(t, os.WriteFile(filepath.Join(dir, "extra.pdf"), []byte("x"), 0o644))
				f, err := os.OpenFile(filepath.Join(dir, ManifestName), os.O_APPEND|os.O_WRONLY, 0)
				require.NoError(t, err)
				_, err = f.WriteString("2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881  extra.pdf\n")
				require.NoError(t, err)
				require.NoError(t, f.Close())
			},
			want: []Kind{ManifestEdited, FileAdded}, says: `a line for "extra.pdf" was added`,
		},
		"the manifest deleted": {
			tamper: func(t *testing.T, dir string) {
				require.NoError(t, os.Remove(filepath.Join(dir, ManifestName)))
			},
			want: []Kind{ManifestEdited}, says: "MANIFEST.sha256: deleted or replaced after signing",
		},
		"a file added": {
			tamper: func(t *testing.T, dir string) {
				require.NoError(t, os.WriteFile(filepath.Join(dir, "OPS-01", "extra.pdf"), []byte("x"), 0o644))
			},
			want: []Kind{FileAdded}, says: "OPS-01/extra.pdf: not in the manifest",
		},
		"a file swapped for a link": {
			tamper: func(t *testing.T, dir string) {
				outside := filepath.Join(t.TempDir(), "same.csv")
				body, _ := os.ReadFile(filepath.Join(dir, "index.csv"))
				require.NoError(t, os.WriteFile(outside, body, 0o644))
				require.NoError(t, os.Remove(filepath.Join(dir, "index.csv")))
				require.NoError(t, os.Symlink(outside, filepath.Join(dir, "index.csv")))
			},
			want: []Kind{NotAFile}, says: "index.csv: not a regular file",
		},
		"the signature altered": {
			tamper: func(t *testing.T, dir string) {
				path := filepath.Join(dir, SignatureName)
				body, _ := os.ReadFile(path)
				body = bytes.Replace(body, []byte("signed-at: 2027-06-15T12:00:00Z"), []byte("signed-at: 2027-01-01T12:00:00Z"), 1)
				require.NoError(t, os.WriteFile(path, body, 0o644))
			},
			want: []Kind{SignatureInvalid}, says: "MANIFEST.sha256.sig: the signature does not verify",
		},
		"the signature removed": {
			tamper: func(t *testing.T, dir string) {
				require.NoError(t, os.Remove(filepath.Join(dir, SignatureName)))
			},
			want: []Kind{Unsigned}, says: "MANIFEST.sha256.sig: missing: the pack is not signed",
		},
		"re-signed by another key after an edit": {
			tamper: func(t *testing.T, dir string) {
				require.NoError(t, os.WriteFile(filepath.Join(dir, "index.csv"), []byte("control_id\nOPS-99\n"), 0o644))
				rehash(t, dir, "index.csv")
				manifest, _ := os.ReadFile(filepath.Join(dir, ManifestName))
				require.NoError(t, os.WriteFile(filepath.Join(dir, SignatureName), sign(testKey(t), manifest, signedAt).encode(), 0o644))
			},
			want: []Kind{OtherKey}, says: "MANIFEST.sha256.sig: signed by key",
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir, key := writeTestPack(t)
			tc.tamper(t, dir)
			res, err := Verify(dir, pub(key))
			assert.Equal(t, tc.want, kinds(res))
			if tc.want == nil {
				require.NoError(t, err)
				assert.Equal(t, 4, res.Files)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.says)
		})
	}
}

func TestVerifyNeedsTheGivenKeyNotTheEmbeddedOne(t *testing.T) {
	dir, _ := writeTestPack(t)
	_, err := Verify(dir, nil)
	assert.ErrorContains(t, err, "no public key")
	res, err := Verify(dir, pub(testKey(t)))
	require.Error(t, err)
	assert.Equal(t, []Kind{OtherKey}, kinds(res), "an intact pack signed by someone else is not this deployment's pack")
}

func FuzzParseSignature(f *testing.F) {
	key, err := GenerateKey()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sign(key, []byte("x  y\n"), signedAt).encode())
	f.Add([]byte(signatureMagic + "\npublic-key: \n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := parseSignature(body)
		if err != nil {
			return
		}
		back, err := parseSignature(s.encode())
		if err != nil {
			t.Fatalf("a parsed signature does not parse again: %v", err)
		}
		if !bytes.Equal(back.message(), s.message()) || !bytes.Equal(back.Sig, s.Sig) {
			t.Fatal("parse and encode disagree")
		}
	})
}
