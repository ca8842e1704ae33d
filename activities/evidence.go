package activities

import (
	"context"
	"fmt"
	"slices"
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
	// Batch marks a daily control's weekly batch: its answer is recorded
	// one row per day performed.
	Batch bool `json:",omitempty"`
}

// Days are the calendar days of the request's period, in the client's
// zone (the period's own): every one is a day the judge expects a daily
// batch to cover (drift.UncoveredDays).
func (r EvidenceRequest) Days() []compliance.Date {
	var out []compliance.Date
	end := compliance.DateOf(r.PeriodEnd)
	for d := compliance.DateOf(r.PeriodStart); !d.After(end); d = d.AddDays(1) {
		out = append(out, d)
	}
	return out
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
	// Days are the days of a batch the control was performed (none: every
	// day of the batch); only read when Request.Batch.
	Days []compliance.Date `json:",omitempty"`
}

// RecordEvidenceResult is the evidence row's ID (the first day's, for a
// batch).
type RecordEvidenceResult struct {
	ID int64
	// IDs are a batch's rows, one per day, in day order.
	IDs []int64 `json:",omitempty"`
}

// RecordEvidence appends the evidence to the engagement's record: one row,
// or for a daily control's weekly batch one row per day performed, so the
// auditor's sample of days finds each day's own record. The split happens
// here rather than in the prompt workflow so that no workflow command
// changes.
func (a *Activities) RecordEvidence(ctx context.Context, in RecordEvidenceInput) (RecordEvidenceResult, error) {
	if in.Request.Batch {
		return a.recordBatchDays(ctx, in)
	}
	id, err := a.Store.AddEvidence(ctx, evidenceRow(in))
	if err != nil {
		return RecordEvidenceResult{}, fmt.Errorf("record evidence for %s: %w", in.Request.OccurrenceKey, err)
	}
	return RecordEvidenceResult{ID: id}, nil
}

// recordBatchDays writes a row per day, each keyed by the answer and the
// day (a retried activity adds nothing), covering that day and performed
// at its midday in the client's zone (midday stays inside the day whatever
// a daylight-saving change does to the period's offset), or at the answer
// when that came earlier.
func (a *Activities) recordBatchDays(ctx context.Context, in RecordEvidenceInput) (RecordEvidenceResult, error) {
	days := in.Days
	if len(days) == 0 {
		days = in.Request.Days()
	}
	days = slices.Clone(days)
	slices.SortFunc(days, func(x, y compliance.Date) int { return x.In(time.UTC).Compare(y.In(time.UTC)) })
	days = slices.Compact(days)
	var res RecordEvidenceResult
	for _, d := range days {
		e := evidenceRow(in)
		e.SubmissionKey = in.SubmissionKey + "/" + d.String()
		performed := d.In(in.Request.PeriodStart.Location()).Add(12 * time.Hour)
		if !in.At.IsZero() && performed.After(in.At) {
			// Never performed after it was attested: the judge reads such
			// a record as performed when given (drift.Submission.Performed).
			performed = in.At
		}
		start := d.In(time.UTC)
		e.PerformedAt, e.CoversStart, e.CoversEnd = &performed, &start, &start
		id, err := a.Store.AddEvidence(ctx, e)
		if err != nil {
			return RecordEvidenceResult{}, fmt.Errorf("record evidence for %s on %s: %w", in.Request.OccurrenceKey, d, err)
		}
		res.IDs = append(res.IDs, id)
	}
	if len(res.IDs) > 0 {
		res.ID = res.IDs[0]
	}
	return res, nil
}

// evidenceRow is the answer as an evidence row.
func evidenceRow(in RecordEvidenceInput) postgres.Evidence {
	e := postgres.Evidence{
		EngagementID: in.EngagementID, ControlID: in.Request.ControlID, OccurrenceKey: in.Request.OccurrenceKey,
		PeriodStart: in.Request.PeriodStart, PeriodEnd: in.Request.PeriodEnd, DueAt: in.Request.Due,
		SubmittedAt: in.At, SubmittedBy: in.By, Channel: in.Channel, Kind: in.Kind, Value: in.Value,
		SubmissionKey: in.SubmissionKey,
	}
	if in.Artifact != nil {
		e.ArtifactSHA256, e.ArtifactSize, e.ContentType, e.Filename = in.Artifact.SHA256, in.Artifact.Size, in.Artifact.ContentType, in.Artifact.Filename
	}
	return e
}
