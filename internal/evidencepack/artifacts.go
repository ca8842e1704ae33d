package evidencepack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/readiness"
	"github.com/steadfast-grc/steadfast/integrations/blob"
)

// ArtifactsDir holds the sampled evidence files in a pack.
const ArtifactsDir = "artifacts"

// ArtifactPath is where a file is in the pack: under its SHA-256, with the
// name it was uploaded as (made safe to be one path segment).
func ArtifactPath(a compliance.Artifact) string {
	name := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < 0x20 {
			return '_'
		}
		return r
	}, a.Filename)
	if name == "" || name == "." || name == ".." {
		name = "file"
	}
	return ArtifactsDir + "/" + a.SHA256 + "/" + name
}

// Artifacts is the part that copies every sampled file of the review into
// the pack, reading it from the blob store and checking that its bytes
// still hash to the name the evidence row recorded: a store that lost or
// changed a file fails the pack rather than signing something else. The
// manifest then signs each file's hash with the rest.
func Artifacts(ctx context.Context, store blob.Store, rep readiness.Report) Part {
	return func(files map[string][]byte) error {
		for _, c := range rep.Controls {
			for _, s := range c.Sample {
				if s.Evidence == nil || s.Evidence.Artifact == nil {
					continue
				}
				a := *s.Evidence.Artifact
				path := ArtifactPath(a)
				if _, done := files[path]; done {
					continue
				}
				body, err := readArtifact(ctx, store, a)
				if err != nil {
					return fmt.Errorf("evidence %d of %s: %w", s.Evidence.ID, s.OccurrenceKey, err)
				}
				files[path] = body
			}
		}
		return nil
	}
}

// readArtifact reads a file's bytes from the blob store and checks that
// they still hash to the name recorded: a store that lost or changed a
// file fails the pack rather than signing something else.
func readArtifact(ctx context.Context, store blob.Store, a compliance.Artifact) ([]byte, error) {
	if store == nil {
		return nil, fmt.Errorf("%s is a file and no evidence store is configured", a.Filename)
	}
	r, err := store.Open(ctx, a.SHA256)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(r)
	_ = r.Close()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", a.SHA256, err)
	}
	sum := sha256.Sum256(body)
	if got := hex.EncodeToString(sum[:]); got != a.SHA256 {
		return nil, fmt.Errorf("the store's file %s now hashes to %s: it was changed after it was recorded", a.SHA256, got)
	}
	return body, nil
}

// AnswerFilesPart copies the files given with the answered audit requests
// into the pack under ArtifactPath (the same place a sampled file of the
// same bytes would be), so the signed manifest covers each one's hash.
func AnswerFilesPart(ctx context.Context, store blob.Store, rows []AuditRow) Part {
	return func(files map[string][]byte) error {
		for _, r := range rows {
			for _, f := range r.Files {
				a := compliance.Artifact{SHA256: f.SHA256, Size: f.Size, ContentType: f.ContentType, Filename: f.Filename}
				path := ArtifactPath(a)
				if _, done := files[path]; done {
					continue
				}
				body, err := readArtifact(ctx, store, a)
				if err != nil {
					return fmt.Errorf("audit request %s, file %d: %w", r.RequestID, f.Seq, err)
				}
				files[path] = body
			}
		}
		return nil
	}
}
