package engagement

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/workflows"
)

// An answer to an auditor's request can carry files: new bytes (stored in
// the blob store like an owner's evidence, by SHA-256, with its size limit
// and content sniffing) or evidence rows the engagement already holds. The
// files travel in the prompt's answer update as hashes and row IDs; its
// validator applies the rules (compliance.CheckAnswerFiles, and who may
// answer), and the store records them with the answer in one transaction,
// refusing a row of another engagement. What is here finds the request,
// checks early so no byte is stored for someone who may not answer, and
// streams each file to the store.

// AuditAnswerRequest answers one auditor's request.
type AuditAnswerRequest struct {
	EngagementID string
	// RequestID is the auditor's reference (PBC-7); PromptID, the prompt it
	// was routed as, may name it instead.
	RequestID string
	PromptID  string
	Choice    string
	Note      string
	Link      string
	// Files are new files, stored in order before the answer is sent; the
	// sequence may fail (a form that breaks off), which stops the answer.
	Files iter.Seq2[FileUpload, error]
	// EvidenceIDs are evidence rows of the engagement to attach.
	EvidenceIDs []int64
	Actor       compliance.Actor
	// Sign, when set, attests Actor's person for the update (the web).
	Sign Signer
}

// AuditAnswerResult is the recorded answer and the files it carries.
type AuditAnswerResult struct {
	RequestID string
	Answer    workflows.PromptAnswer
	Files     []postgres.AnswerFile
}

// ErrAuditRequestClosed is a request whose question no longer takes an
// answer (answered, expired or withdrawn).
var ErrAuditRequestClosed = errors.New("this request takes no answer now")

// AnswerAuditRequest answers an auditor's request, with files.
func (s *Service) AnswerAuditRequest(ctx context.Context, req AuditAnswerRequest) (AuditAnswerResult, error) {
	var res AuditAnswerResult
	if err := checkActor(req.Actor); err != nil {
		return res, err
	}
	person := strings.ToLower(strings.TrimSpace(req.Actor.Person))
	r, err := s.auditRequestFor(ctx, req.EngagementID, req.RequestID, req.PromptID)
	if err != nil {
		return res, err
	}
	res.RequestID = r.RequestID
	spec, _, err := s.spec(ctx, req.EngagementID)
	if err != nil {
		return res, err
	}
	// The web offers the form only to those who may answer; a URL or a
	// form field naming another's request gets the words of a missing one.
	if !spec.MayAnswerAuditRequest(person, r.Owner) {
		if req.Actor.Channel == compliance.ChannelWeb {
			return res, ErrNoAccess
		}
		return res, fmt.Errorf("%s may not answer audit request %s: it is for %s (or the lead)", person, r.RequestID, r.Owner)
	}
	if r.PromptStatus != postgres.PromptOpen {
		return res, fmt.Errorf("%w: audit request %s is %s", ErrAuditRequestClosed, r.RequestID, r.Status)
	}
	files, err := s.answerFiles(ctx, req)
	if err != nil {
		return res, err
	}
	if err := compliance.CheckAnswerFiles(true, files); err != nil {
		return res, err
	}
	ar := AnswerRequest{PromptID: r.PromptID, Choice: req.Choice, Note: req.Note, Link: req.Link, Files: files, Actor: req.Actor}
	if req.Sign != nil {
		// Named like the web's other answers: a double submit answers once.
		ar.UpdateID = fmt.Sprintf("%s/%s/%s/%s", compliance.ChannelWeb, r.PromptID, person, req.Choice)
		ar.Actor = req.Sign(r.PromptID, ar.UpdateID)
	}
	if res.Answer, err = s.Answer(ctx, ar); err != nil {
		return res, err
	}
	st, err := s.store()
	if err != nil {
		return res, err
	}
	res.Files, err = st.AnswerFiles(ctx, req.EngagementID, r.RequestID)
	return res, err
}

// auditRequestFor finds a request of the engagement by reference or by
// prompt; anything else is ErrNoAccess, so IDs cannot be probed.
func (s *Service) auditRequestFor(ctx context.Context, id, requestID, promptID string) (postgres.AuditRequest, error) {
	st, err := s.store()
	if err != nil {
		return postgres.AuditRequest{}, err
	}
	reqs, err := st.AuditRequests(ctx, id, postgres.AuditRequestFilter{})
	if err != nil {
		return postgres.AuditRequest{}, err
	}
	requestID, promptID = strings.TrimSpace(requestID), strings.TrimSpace(promptID)
	for _, r := range reqs {
		if (requestID != "" && r.RequestID == requestID) || (requestID == "" && promptID != "" && r.PromptID == promptID) {
			return r, nil
		}
	}
	return postgres.AuditRequest{}, fmt.Errorf("audit request %s of %s: %w", requestID+promptID, id, ErrNoAccess)
}

// answerFiles checks the linked rows early (the store checks again) and
// stores each new file's bytes.
func (s *Service) answerFiles(ctx context.Context, req AuditAnswerRequest) ([]compliance.AnswerFile, error) {
	var out []compliance.AnswerFile
	if len(req.EvidenceIDs) > 0 {
		st, err := s.store()
		if err != nil {
			return nil, err
		}
		for _, eid := range req.EvidenceIDs {
			ev, err := st.EvidenceRow(ctx, req.EngagementID, eid)
			if errors.Is(err, postgres.ErrNotFound) {
				return nil, fmt.Errorf("evidence %d is not evidence of %s", eid, req.EngagementID)
			}
			if err != nil {
				return nil, err
			}
			if ev.ArtifactSHA256 == "" {
				return nil, fmt.Errorf("evidence %d is a %s, not a stored file; put its link in the answer instead", eid, ev.Kind)
			}
			out = append(out, compliance.AnswerFile{EvidenceID: eid})
		}
	}
	if req.Files == nil {
		return out, nil
	}
	for f, err := range req.Files {
		if err != nil {
			return nil, err
		}
		if len(out) >= compliance.MaxAnswerFiles {
			return nil, fmt.Errorf("an answer carries at most %d files; put the rest in an archive", compliance.MaxAnswerFiles)
		}
		a, err := s.storeFile(ctx, &f)
		if err != nil {
			return nil, err
		}
		out = append(out, compliance.AnswerFile{Artifact: &a})
	}
	return out, nil
}

// AnswerFileDownload is one file of an answered request, opened.
type AnswerFileDownload struct {
	File postgres.AnswerFile
	Body io.ReadCloser
}

// OpenAnswerFile opens file seq of the answer to one request of the
// engagement; a request or file of another engagement is ErrNoAccess.
func (s *Service) OpenAnswerFile(ctx context.Context, id, requestID string, seq int) (AnswerFileDownload, error) {
	st, err := s.store()
	if err != nil {
		return AnswerFileDownload{}, err
	}
	if requestID == "" {
		return AnswerFileDownload{}, ErrNoAccess // "" would list every request's files
	}
	fs, err := st.AnswerFiles(ctx, id, requestID)
	if err != nil {
		return AnswerFileDownload{}, err
	}
	for _, f := range fs {
		if f.Seq != seq || f.RequestID != requestID {
			continue
		}
		bs, err := s.blobs(ctx)
		if err != nil {
			return AnswerFileDownload{}, err
		}
		rc, err := bs.Open(ctx, f.SHA256)
		if err != nil {
			return AnswerFileDownload{}, fmt.Errorf("open file %d of the answer to %s: %w", seq, requestID, err)
		}
		return AnswerFileDownload{File: f, Body: rc}, nil
	}
	return AnswerFileDownload{}, fmt.Errorf("file %d of audit request %s: %w", seq, requestID, ErrNoAccess)
}

// withAnswerFiles puts each request's files on its row.
func withAnswerFiles(rows []AuditRow, files []postgres.AnswerFile) []AuditRow {
	by := map[string][]postgres.AnswerFile{}
	for _, f := range files {
		by[f.RequestID] = append(by[f.RequestID], f)
	}
	for i := range rows {
		rows[i].Files = by[rows[i].RequestID]
	}
	return rows
}

// AuditRowsWithFiles reads the engagement's requests (in status, or all)
// judged as of now, each with the files its answer carried: the room, the
// CLI's listing and the evidence pack show the same rows.
func AuditRowsWithFiles(ctx context.Context, st *postgres.Store, id, status string, now time.Time) ([]AuditRow, error) {
	reqs, err := st.AuditRequests(ctx, id, postgres.AuditRequestFilter{Status: status})
	if err != nil {
		return nil, err
	}
	files, err := st.AnswerFiles(ctx, id, "")
	if err != nil {
		return nil, err
	}
	return withAnswerFiles(AuditRows(reqs, now), files), nil
}
