package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/drift"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// What people give an engagement outside a prompt: evidence for an
// occurrence, an event of a per-event control's population, the lead's
// decision on a gap, an auditor's request. The engagement workflow's
// updates check who may (compliance's rules) and then run these; they only
// write, idempotently.

// Occurrence is one occurrence of a control in an engagement's window, as
// the cadence schedules it.
type Occurrence = catalog.ScheduledOccurrence

// FindOccurrence finds the occurrence key of controlID in the engagement's
// observation window in the control library, or says why there is none.
func FindOccurrence(spec *compliance.Spec, plan compliance.Plan, controlID, key string) (Occurrence, error) {
	return catalog.Default().FindOccurrence(spec, plan, controlID, key)
}

// AddGivenEvidenceInput is evidence given outside a prompt, already allowed.
type AddGivenEvidenceInput struct {
	EngagementID  string
	OccurrenceKey string
	Kind          string // link, attestation
	Value         string
	// Corrects is the evidence row this corrects (0: none).
	Corrects int64
	By       string
	Channel  string
	// SubmissionKey is the update's ID: a retried activity or a repeated
	// command adds one row.
	SubmissionKey string
	At            time.Time
	// PerformedAt is when the control was performed (zero: At); Covers the
	// period a review covers; Artifact the stored file, for a file.
	PerformedAt time.Time            `json:",omitzero"`
	Covers      compliance.Span      `json:",omitzero"`
	Artifact    *compliance.Artifact `json:",omitempty"`
}

// AddGivenEvidenceResult is the row's ID and the occurrence it is for.
type AddGivenEvidenceResult struct {
	ID          int64
	Due         time.Time
	PeriodStart time.Time
	PeriodEnd   time.Time
}

// AddGivenEvidence appends evidence for an occurrence of the engagement's
// stored spec and plan (the occurrence's period and due date come from the
// cadence, never from the caller).
func (a *Activities) AddGivenEvidence(ctx context.Context, in AddGivenEvidenceInput) (AddGivenEvidenceResult, error) {
	spec, plan, err := a.Store.SpecAndPlan(ctx, in.EngagementID)
	if err != nil {
		return AddGivenEvidenceResult{}, fmt.Errorf("evidence for %s: %w", in.OccurrenceKey, err)
	}
	controlID, _, err := cadence.ParseKey(in.OccurrenceKey)
	if err != nil {
		return AddGivenEvidenceResult{}, nonRetryable(ErrTypeBadInput, err)
	}
	occ, err := FindOccurrence(&spec, plan, controlID, in.OccurrenceKey)
	if err != nil {
		return AddGivenEvidenceResult{}, nonRetryable(ErrTypeBadInput, err)
	}
	given := drift.Given{At: in.At, PerformedAt: in.PerformedAt, Covers: in.Covers, Corrects: in.Corrects}
	if in.Corrects > 0 {
		// Only this engagement's rows can be corrected: another's is as
		// unknown as a row that does not exist.
		prev, err := a.Store.EvidenceRow(ctx, in.EngagementID, in.Corrects)
		if errors.Is(err, postgres.ErrNotFound) {
			return AddGivenEvidenceResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("%s has no evidence %d to correct", in.EngagementID, in.Corrects))
		}
		if err != nil {
			return AddGivenEvidenceResult{}, classify(err)
		}
		given.CorrectsKey = prev.OccurrenceKey
	}
	if err := drift.CheckGiven(occ.Occurrence, given); err != nil {
		return AddGivenEvidenceResult{}, nonRetryable(ErrTypeBadInput, err)
	}
	loc := occ.Calendar.Location
	e := postgres.Evidence{
		EngagementID: in.EngagementID, ControlID: controlID, OccurrenceKey: in.OccurrenceKey,
		PeriodStart: occ.Occurrence.Period.Start.In(loc), PeriodEnd: occ.Occurrence.Period.End.In(loc), DueAt: occ.Occurrence.Due,
		SubmittedAt: in.At, SubmittedBy: in.By, Channel: in.Channel, Kind: in.Kind, Value: in.Value, SubmissionKey: in.SubmissionKey,
	}
	if in.Corrects > 0 {
		e.Corrects = &in.Corrects
	}
	if !in.PerformedAt.IsZero() {
		p := in.PerformedAt
		e.PerformedAt = &p
	}
	if !in.Covers.Start.IsZero() {
		cs, ce := in.Covers.Start.In(loc), in.Covers.End.In(loc)
		e.CoversStart, e.CoversEnd = &cs, &ce
	}
	if in.Artifact != nil {
		e.ArtifactSHA256, e.ArtifactSize, e.ContentType, e.Filename = in.Artifact.SHA256, in.Artifact.Size, in.Artifact.ContentType, in.Artifact.Filename
	}
	id, err := a.Store.AddEvidence(ctx, e)
	if err != nil {
		return AddGivenEvidenceResult{}, classify(err)
	}
	return AddGivenEvidenceResult{ID: id, Due: e.DueAt, PeriodStart: e.PeriodStart, PeriodEnd: e.PeriodEnd}, nil
}

// PopulationEventInput is one event of a per-event control recorded by
// hand, already allowed.
type PopulationEventInput struct {
	EngagementID string
	ControlID    string
	Ref          string
	OccurredAt   time.Time
	Summary      string
	ApprovedBy   string
	ApprovedAt   time.Time
	EvidenceRef  string
	By           string
}

// PopulationEventResult says whether the event was new; when it was not,
// Before is the record as it stood (it is never rewritten, only an
// approval or evidence link missing from it filled in).
type PopulationEventResult struct {
	Recorded bool
	Before   *PopulationEventRecord `json:",omitempty"`
}

// PopulationEventRecord is what the earlier record said.
type PopulationEventRecord struct {
	RecordedBy  string
	Approved    bool
	EvidenceRef string
}

// RecordPopulationEvent records one event by hand.
func (a *Activities) RecordPopulationEvent(ctx context.Context, in PopulationEventInput) (PopulationEventResult, error) {
	before, err := a.Store.PopulationEvents(ctx, in.EngagementID, in.ControlID, time.Time{}, time.Time{})
	if err != nil {
		return PopulationEventResult{}, err
	}
	var res PopulationEventResult
	if i := slices.IndexFunc(before, func(x postgres.PopulationEvent) bool { return x.EventKey == in.Ref }); i >= 0 {
		b := before[i]
		res.Before = &PopulationEventRecord{RecordedBy: b.RecordedBy, Approved: b.Approved(), EvidenceRef: b.EvidenceRef}
	}
	n, err := a.Store.RecordPopulationEvents(ctx, []postgres.PopulationEvent{{
		EngagementID: in.EngagementID, ControlID: in.ControlID, EventKey: in.Ref, Source: postgres.PopulationSourceRecorded,
		OccurredAt: in.OccurredAt, Summary: in.Summary, ApprovedBy: strings.ToLower(in.ApprovedBy), ApprovedAt: in.ApprovedAt,
		EvidenceRef: in.EvidenceRef, RecordedBy: strings.ToLower(in.By),
	}})
	if errors.Is(err, postgres.ErrInvalidPopulationEvent) {
		return PopulationEventResult{}, nonRetryable(ErrTypeBadInput, err)
	}
	if err != nil {
		return PopulationEventResult{}, classify(err)
	}
	res.Recorded = n == 1
	return res, nil
}

// GapDecisionInput is the lead's override of a gap's rank, or acceptance of
// the gap as a known exception, already allowed.
type GapDecisionInput struct {
	EngagementID string
	ControlID    string
	// OverrideRank is the new rank (0 when accepting).
	OverrideRank int
	Accept       bool
	Reason       string
	By           string
	UpdateID     string
	At           time.Time
}

// RecordGapDecision records the decision beside the computed rank.
func (a *Activities) RecordGapDecision(ctx context.Context, in GapDecisionInput) error {
	err := a.Store.RecordGapDecision(ctx, postgres.GapDecision{
		EngagementID: in.EngagementID, ControlID: in.ControlID, OverrideRank: in.OverrideRank, Accept: in.Accept,
		Reason: in.Reason, By: in.By, UpdateID: in.UpdateID, At: in.At,
	})
	if errors.Is(err, postgres.ErrNotFound) {
		return nonRetryable(ErrTypeBadInput, err)
	}
	return classify(err)
}

// AuditRequestInput is one of the auditor's requests to record, already
// checked against the engagement's people and allowed.
type AuditRequestInput struct {
	EngagementID string
	RequestID    string
	ControlID    string
	Description  string
	Owner        string
	Due          time.Time
	// RequestedBy is who entered it; ImportedFrom the list's file name or cli.
	RequestedBy  string
	ImportedFrom string
	PromptID     string
	At           time.Time
}

// AuditRequestResult is the request as stored (a re-import keeps what was
// first recorded) and whether this call created it.
type AuditRequestResult struct {
	Created bool
	Stored  AuditRequestInput
}

// RecordAuditRequest records the request unless it is recorded already.
func (a *Activities) RecordAuditRequest(ctx context.Context, in AuditRequestInput) (AuditRequestResult, error) {
	stored, created, err := a.Store.AddAuditRequest(ctx, postgres.AuditRequest{
		EngagementID: in.EngagementID, RequestID: in.RequestID, ControlID: in.ControlID, Description: in.Description,
		Owner: in.Owner, DueAt: in.Due, RequestedBy: in.RequestedBy, ImportedFrom: in.ImportedFrom, PromptID: in.PromptID,
		CreatedAt: in.At,
	})
	if err != nil {
		return AuditRequestResult{}, classify(fmt.Errorf("record audit request %s: %w", in.RequestID, err))
	}
	return AuditRequestResult{Created: created, Stored: AuditRequestInput{
		EngagementID: stored.EngagementID, RequestID: stored.RequestID, ControlID: stored.ControlID, Description: stored.Description,
		Owner: stored.Owner, Due: stored.DueAt, RequestedBy: stored.RequestedBy, ImportedFrom: stored.ImportedFrom,
		PromptID: stored.PromptID, At: stored.CreatedAt,
	}}, nil
}
