package evidencepack

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/readiness"
	"github.com/steadfast-grc/steadfast/integrations/blob"
)

// A sampled file is in the pack under its hash, signed with the rest; a
// link is marked as a link and its target is not in the pack; an edited
// file fails verification and a store that changed a file fails the build.
func TestPackCarriesArtifactsAndVerifies(t *testing.T) {
	ctx := context.Background()
	store, err := blob.NewLocal(t.TempDir(), 0)
	require.NoError(t, err)
	review := []byte("%PDF-1.7\nQ1 access review: 42 accounts, 3 removed\n")
	obj, err := store.Put(ctx, bytes.NewReader(review))
	require.NoError(t, err)
	art := &compliance.Artifact{SHA256: obj.SHA256, Size: obj.Size, ContentType: obj.ContentType, Filename: "q1 review.pdf"}
	at := time.Date(2027, 4, 2, 10, 0, 0, 0, time.UTC)
	rep := readiness.Report{EngagementID: "acme", Controls: []readiness.ControlResult{{
		Control:    readiness.Control{ID: "ACC-04", Title: "Access review", Frequency: compliance.FreqQuarterly, Owner: "o@acme.io"},
		Population: []string{"ACC-04/2027-Q1", "ACC-04/2027-Q2"}, SampleSize: 2,
		Sample: []readiness.Sampled{
			{OccurrenceKey: "ACC-04/2027-Q1", Status: "on-time", Evidence: &readiness.EvidenceRef{ID: 1, ValueSHA256: obj.SHA256,
				SubmittedAt: at, SubmittedBy: "o@acme.io", Kind: "file", Artifact: art}},
			{OccurrenceKey: "ACC-04/2027-Q2", Status: "on-time", Evidence: &readiness.EvidenceRef{ID: 2, ValueSHA256: "ab",
				SubmittedAt: at.AddDate(0, 3, 0), SubmittedBy: "o@acme.io", Kind: "link", Link: "https://drive.example/q2"}},
		},
	}}}
	files, err := Build(rep, Artifacts(ctx, store, rep))
	require.NoError(t, err)
	path := ArtifactPath(*art)
	assert.Equal(t, "artifacts/"+obj.SHA256+"/q1 review.pdf", path)
	assert.Equal(t, review, files[path])

	var rows []Row
	require.NoError(t, json.Unmarshal(files[IndexJSON], &rows))
	require.Len(t, rows, 2)
	assert.Equal(t, "file", rows[0].EvidenceKind)
	assert.Equal(t, path, rows[0].Artifact)
	assert.Equal(t, "link", rows[1].EvidenceKind)
	assert.Equal(t, "https://drive.example/q2", rows[1].Link)
	assert.Empty(t, rows[1].Artifact, "a link's target is not in the pack")

	key := testKey(t)
	dir := filepath.Join(t.TempDir(), "pack")
	_, err = Write(dir, files, key, signedAt)
	require.NoError(t, err)
	manifest, err := os.ReadFile(filepath.Join(dir, ManifestName))
	require.NoError(t, err)
	assert.Contains(t, string(manifest), obj.SHA256+"  "+path, "the file's hash is in the signed manifest")
	_, err = Verify(dir, pub(key))
	require.NoError(t, err)

	require.NoError(t, os.WriteFile(filepath.Join(dir, filepath.FromSlash(path)), []byte("%PDF-1.7\nedited\n"), 0o644))
	res, err := Verify(dir, pub(key))
	require.Error(t, err)
	assert.NotEmpty(t, res.Problems)

	// A store whose file no longer hashes to its name fails the build.
	require.NoError(t, os.Chmod(filepath.Join(store.Dir, obj.SHA256[:2], obj.SHA256), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(store.Dir, obj.SHA256[:2], obj.SHA256), []byte("swapped"), 0o644))
	_, err = Build(rep, Artifacts(ctx, store, rep))
	assert.ErrorContains(t, err, "was changed after it was recorded")
}
