package compliance

import (
	"errors"
	"fmt"
)

// AnswerFile is one file an answer to an auditor's request carries:
// either bytes the answerer gave, already in the evidence store and named
// by their hash (Artifact), or an evidence row of the same engagement that
// holds a stored file (EvidenceID). Only hashes and IDs travel in a
// workflow's history; the store copies a linked row's hash, and refuses a
// row of another engagement, when it records the answer.
type AnswerFile struct {
	Artifact   *Artifact `json:"artifact,omitempty"`
	EvidenceID int64     `json:"evidence_id,omitempty"`
}

// MaxAnswerFiles bounds the files of one answer: an auditor's request asks
// for a document or a handful, and a bounded list keeps the update's
// payload and the page small.
const MaxAnswerFiles = 20

// CheckAnswerFiles is the rule for files on an answer: only an answer to
// an auditor's request carries them (every other question records its
// evidence through its own occurrence), at most MaxAnswerFiles, each
// either a well-formed stored artifact or a positive evidence ID, none
// twice. Who may answer at all is the prompt's own rule, unchanged.
func CheckAnswerFiles(auditRequest bool, files []AnswerFile) error {
	if len(files) == 0 {
		return nil
	}
	if !auditRequest {
		return errors.New("only an answer to an auditor's request carries files; give this question's evidence for its occurrence")
	}
	if len(files) > MaxAnswerFiles {
		return fmt.Errorf("an answer carries at most %d files (this one has %d); put the rest in an archive", MaxAnswerFiles, len(files))
	}
	seenHash, seenRow := map[string]bool{}, map[int64]bool{}
	for i, f := range files {
		switch {
		case f.Artifact != nil && f.EvidenceID != 0:
			return fmt.Errorf("file %d is both a new file and evidence %d; send them as two", i+1, f.EvidenceID)
		case f.Artifact != nil:
			if err := f.Artifact.Check(); err != nil {
				return fmt.Errorf("file %d: %w", i+1, err)
			}
			if seenHash[f.Artifact.SHA256] {
				return fmt.Errorf("file %d (%s) is already attached to this answer", i+1, f.Artifact.Filename)
			}
			seenHash[f.Artifact.SHA256] = true
		case f.EvidenceID > 0:
			if seenRow[f.EvidenceID] {
				return fmt.Errorf("evidence %d is already attached to this answer", f.EvidenceID)
			}
			seenRow[f.EvidenceID] = true
		default:
			return fmt.Errorf("file %d names neither stored bytes nor an evidence row", i+1)
		}
	}
	return nil
}
