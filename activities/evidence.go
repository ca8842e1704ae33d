package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// EvidenceRequest is the occurrence an evidence prompt collects for.
type EvidenceRequest struct {
	ControlID     string
	OccurrenceKey string
	PeriodStart   time.Time
	PeriodEnd     time.Time
	Due           time.Time
	// GraceEnd is when late evidence becomes raised retrospectively; the
	// evidence prompt expires then.
	GraceEnd time.Time `json:",omitempty"`
}

// RecordEvidenceInput is evidence given in answer to a prompt.
type RecordEvidenceInput struct {
	EngagementID string
	Request      EvidenceRequest
	Kind         string // link, attestation
	Value        string
	By           string
	Channel      string
	// SubmissionKey is the answer's update ID: a retried activity adds
	// nothing.
	SubmissionKey string
	At            time.Time
	// Artifact is the stored file when Kind is "file".
	Artifact *compliance.Artifact `json:",omitempty"`
}

// RecordEvidenceResult is the evidence row's ID.
type RecordEvidenceResult struct {
	ID int64
}

// RecordEvidence appends the evidence to the engagement's record.
func (a *Activities) RecordEvidence(ctx context.Context, in RecordEvidenceInput) (RecordEvidenceResult, error) {
	e := postgres.Evidence{
		EngagementID: in.EngagementID, ControlID: in.Request.ControlID, OccurrenceKey: in.Request.OccurrenceKey,
		PeriodStart: in.Request.PeriodStart, PeriodEnd: in.Request.PeriodEnd, DueAt: in.Request.Due,
		SubmittedAt: in.At, SubmittedBy: in.By, Channel: in.Channel, Kind: in.Kind, Value: in.Value,
		SubmissionKey: in.SubmissionKey,
	}
	if in.Artifact != nil {
		e.ArtifactSHA256, e.ArtifactSize, e.ContentType, e.Filename = in.Artifact.SHA256, in.Artifact.Size, in.Artifact.ContentType, in.Artifact.Filename
	}
	id, err := a.Store.AddEvidence(ctx, e)
	if err != nil {
		return RecordEvidenceResult{}, fmt.Errorf("record evidence for %s: %w", in.Request.OccurrenceKey, err)
	}
	return RecordEvidenceResult{ID: id}, nil
}
