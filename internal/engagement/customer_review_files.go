package engagement

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/custreview"
	"github.com/steadfast-grc/steadfast/integrations/blob"
	"github.com/steadfast-grc/steadfast/internal/questionnaire"
	"github.com/steadfast-grc/steadfast/workflows"
)

// AllowReviewFilesRequest is the lead letting one review's export carry
// the evidence files.
type AllowReviewFilesRequest struct {
	EngagementID string
	ReviewID     string
	Actor        compliance.Actor
	// Sign, when set, attests Actor's person for the update (the web).
	Sign Signer
}

// AllowReviewFiles sends the decision to the engagement's workflow, whose
// validator (custreview.MayAllowFiles) decides who may; the review must be
// one of the engagement's.
func (s *Service) AllowReviewFiles(ctx context.Context, req AllowReviewFilesRequest) (custreview.FilesAllowance, error) {
	var out custreview.FilesAllowance
	if _, _, err := s.CustomerQuestions(ctx, req.EngagementID, req.ReviewID); err != nil {
		return out, err
	}
	id := req.EngagementID
	wid := engagementWorkflow(id)
	updateID := fmt.Sprintf("allow-files/%s/%s", id, req.ReviewID)
	actor := req.Actor
	if req.Sign != nil {
		actor = req.Sign(wid, updateID)
	}
	if err := checkActor(actor); err != nil {
		return out, err
	}
	if err := s.update(ctx, id, wid, workflows.UpdateAllowReviewFiles, updateID,
		workflows.AllowReviewFilesRequest{ReviewID: req.ReviewID, Actor: actor}, &out); err != nil {
		return out, fmt.Errorf("allow files in review %s's export: %w", req.ReviewID, err)
	}
	return out, nil
}

// ExportWithFilesResult names what the zip holds.
type ExportWithFilesResult struct {
	Questionnaire string
	Files         int
}

// ExportCustomerReviewWithFiles writes a zip: the answered questionnaire
// (as ExportCustomerReview, with an evidence_files column) and, under
// files/, each approved answer's evidence files from the blob store
// (custreview.FilesOf). It is refused, before anything is written, unless
// the lead allowed files for this review.
func (s *Service) ExportCustomerReviewWithFiles(ctx context.Context, engagementID, reviewID string, w io.Writer) (ExportWithFilesResult, error) {
	var res ExportWithFilesResult
	r, qs, err := s.CustomerQuestions(ctx, engagementID, reviewID)
	if err != nil {
		return res, err
	}
	if err := custreview.CheckExportWithFiles(reviewID, r.Files); err != nil {
		return res, err
	}
	evidence, err := s.Store.EvidenceFor(ctx, engagementID)
	if err != nil {
		return res, err
	}
	bs, err := s.blobs(ctx)
	if err != nil {
		return res, err
	}
	rows := answeredRows(qs)
	type entry struct {
		name string
		ev   compliance.Evidence
	}
	var files []entry
	named := map[int64]string{}
	for i, q := range qs {
		if q.Status != custreview.StatusApproved || q.ApprovedAt == nil {
			continue
		}
		var cell []string
		for _, e := range custreview.FilesOf(q.Controls, *q.ApprovedAt, evidence) {
			name, ok := named[e.ID]
			if !ok {
				name = fmt.Sprintf("files/%s/%d-%s", zipSafe(e.ControlID), e.ID, zipSafe(e.Filename))
				named[e.ID] = name
				files = append(files, entry{name, e})
			}
			cell = append(cell, fmt.Sprintf("%s (%s, sha256 %s)", name, e.OccurrenceKey, e.ArtifactSHA256))
		}
		rows[i].Files = strings.Join(cell, "; ")
	}
	zw := zip.NewWriter(w)
	res.Questionnaire = reviewID + "." + r.Format
	sheet, err := zw.Create(res.Questionnaire)
	if err != nil {
		return res, err
	}
	if err := questionnaire.WriteWithFiles(sheet, r.Format, rows); err != nil {
		return res, err
	}
	for _, f := range files {
		if err := copyBlob(ctx, bs, zw, f.name, f.ev); err != nil {
			return res, err
		}
		res.Files++
	}
	return res, zw.Close()
}

// copyBlob adds one stored file to the zip, refusing bytes whose hash is
// not the one recorded.
func copyBlob(ctx context.Context, bs blob.Store, zw *zip.Writer, name string, e compliance.Evidence) error {
	rc, err := bs.Open(ctx, e.ArtifactSHA256)
	if err != nil {
		return fmt.Errorf("open evidence %d (%s) from the store: %w", e.ID, e.Filename, err)
	}
	defer func() { _ = rc.Close() }()
	f, err := zw.Create(name)
	if err != nil {
		return err
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(f, h), rc); err != nil {
		return fmt.Errorf("copy evidence %d (%s): %w", e.ID, e.Filename, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != e.ArtifactSHA256 {
		return fmt.Errorf("evidence %d (%s): the store's bytes hash to %s, not the recorded %s; nothing is exported", e.ID, e.Filename, got, e.ArtifactSHA256)
	}
	return nil
}

// zipSafe keeps a name to letters, digits, dot, dash and underscore, so a
// stored file name cannot climb out of files/ when the zip is unpacked.
func zipSafe(s string) string {
	out := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
	out = strings.TrimLeft(out, ".")
	if out == "" {
		return "file"
	}
	return out
}
