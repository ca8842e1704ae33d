package engagement

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/report"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/workflows"
)

// RecordReportRequest is the issued report of a recorded certification.
type RecordReportRequest struct {
	EngagementID string
	Framework    compliance.FrameworkID
	Date         compliance.Date
	Opinion      report.Opinion
	Exceptions   []report.ExceptionInput
	// File is the report itself; it is kept in the evidence store.
	File  *FileUpload
	Actor compliance.Actor
	// Sign, when set, attests Actor's person for the update (the web).
	Sign Signer
}

// RecordReport stores the report's file as evidence, then sends the
// engagement's record-report update, whose validator decides who may
// record it; the workflow classifies each exception (accepted beforehand
// or a surprise), calls out the surprises and asks each owner to read.
func (s *Service) RecordReport(ctx context.Context, req RecordReportRequest) (workflows.RecordReportResult, error) {
	var res workflows.RecordReportResult
	id := req.EngagementID
	updateID := fmt.Sprintf("record-report/%s/%s/%s", id, req.Framework, req.Date)
	if req.Sign != nil {
		req.Actor = req.Sign(engagementWorkflow(id), updateID)
	}
	if err := checkActor(req.Actor); err != nil {
		return res, err
	}
	if err := report.CheckOpinion(req.Opinion, len(req.Exceptions)); err != nil {
		return res, err
	}
	payload := workflows.RecordReportRequest{Framework: req.Framework, Date: req.Date, Opinion: req.Opinion,
		Exceptions: req.Exceptions, Actor: req.Actor}
	if req.File != nil {
		art, err := s.storeFile(ctx, req.File)
		if err != nil {
			return res, fmt.Errorf("keep the report's file: %w", err)
		}
		payload.File = &art
	}
	err := s.update(ctx, id, engagementWorkflow(id), workflows.UpdateRecordReport, updateID, payload, &res)
	if err != nil {
		return res, fmt.Errorf("record the %s report of %s: %w", req.Framework, id, err)
	}
	return res, nil
}

// ExplainRequest is an owner's explanation of a control or an exception
// of an issued report (Approve: the lead approving the current wording).
type ExplainRequest struct {
	Key     report.Key
	Subject report.Subject
	Text    string
	Approve bool
	Actor   compliance.Actor
	// Sign, when set, attests Actor's person for the update (the web).
	Sign Signer
}

// Explain sends the owner's explanation, or the lead's approval, to the
// report's reading workflow, whose validators decide who may.
func (s *Service) Explain(ctx context.Context, req ExplainRequest) (workflows.ReportExplanation, error) {
	var out workflows.ReportExplanation
	if req.Sign == nil {
		if err := checkActor(req.Actor); err != nil {
			return out, err
		}
	}
	id := workflows.ReportReadingWorkflowID(req.Key.EngagementID, req.Key)
	// sign attests the web's person for the update about to be sent.
	sign := func(updateID string) error {
		if req.Sign != nil {
			req.Actor = req.Sign(id, updateID)
		}
		return checkActor(req.Actor)
	}
	var err error
	if req.Approve {
		// The approval is of the current wording: its update ID carries the
		// wording's hash, so approving a rewritten explanation is a new
		// update, not the old one's cached result.
		var st workflows.ReportReadingState
		if err := s.query(ctx, req.Key.EngagementID, id, workflows.QueryReportReading, &st); err != nil {
			return out, fmt.Errorf("read the explanations of %s: %w", req.Key, err)
		}
		words := ""
		for _, e := range st.Explanations {
			if e.Subject == req.Subject {
				words = e.Text
			}
		}
		sum := sha256.Sum256([]byte(words))
		updateID := fmt.Sprintf("approve/%s/%s/%s", id, req.Subject, hex.EncodeToString(sum[:8]))
		if err := sign(updateID); err != nil {
			return out, err
		}
		err = s.update(ctx, req.Key.EngagementID, id, workflows.UpdateApproveExplanation, updateID,
			workflows.ApproveExplanationRequest{Subject: req.Subject, Actor: req.Actor}, &out)
	} else {
		sum := sha256.Sum256([]byte(req.Text))
		updateID := fmt.Sprintf("explain/%s/%s/%s", id, req.Subject, hex.EncodeToString(sum[:8]))
		if err := sign(updateID); err != nil {
			return out, err
		}
		err = s.update(ctx, req.Key.EngagementID, id, workflows.UpdateExplainReport, updateID,
			workflows.ExplainReportRequest{Subject: req.Subject, Text: req.Text, Actor: req.Actor}, &out)
	}
	if err != nil {
		return out, fmt.Errorf("%s of %s: %w", map[bool]string{true: "approve the explanation", false: "explain"}[req.Approve], req.Subject, err)
	}
	return out, nil
}

// Reports lists an engagement's issued reports with who has read what and
// the explanations.
func (s *Service) Reports(ctx context.Context, engagementID string) ([]postgres.ReportView, error) {
	if _, _, err := s.spec(ctx, engagementID); err != nil {
		return nil, err
	}
	st, err := s.store()
	if err != nil {
		return nil, err
	}
	return st.Reports(ctx, engagementID)
}
