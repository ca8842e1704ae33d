package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/report"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// RecordReportInput is the issued report as the engagement's record-report
// update accepted it.
type RecordReportInput struct {
	Key        report.Key
	Spec       compliance.Spec
	Opinion    report.Opinion
	Period     compliance.Span
	Exceptions []report.ExceptionInput
	File       *compliance.Artifact
	By         string
	At         time.Time
}

// RecordReportResult is the report as recorded (each exception classified
// against what the lead had accepted) and what each owner must read.
type RecordReportResult struct {
	Report   report.Report
	Readings []report.Reading
}

// RecordReport classifies the report's exceptions against the gaps and
// readiness findings the lead accepted, as the store holds them now, and
// records the report. Retried, it records nothing twice; the stored report
// is returned as it was first recorded.
func (a *Activities) RecordReport(ctx context.Context, in RecordReportInput) (RecordReportResult, error) {
	lib := catalog.Default()
	app, err := lib.ForSpec(&in.Spec)
	if err != nil {
		return RecordReportResult{}, nonRetryable(ErrTypeBadInput, err)
	}
	accepted, err := a.acceptedItems(ctx, in.Key.EngagementID)
	if err != nil {
		return RecordReportResult{}, err
	}
	ex, err := report.Classify(&in.Spec, app, lib, in.Exceptions, accepted)
	if err != nil {
		return RecordReportResult{}, nonRetryable(ErrTypeBadInput, err)
	}
	r := report.Report{Framework: in.Key.Framework, Date: in.Key.Date, Period: in.Period, Opinion: in.Opinion, Exceptions: ex, File: in.File}
	if err := a.Store.RecordReport(ctx, in.Key, r, in.By, in.At); err != nil {
		return RecordReportResult{}, err
	}
	// A retry after a first attempt that recorded reads back what was
	// recorded then, so the classification never changes under the prompts.
	views, err := a.Store.Reports(ctx, in.Key.EngagementID)
	if err != nil {
		return RecordReportResult{}, err
	}
	for _, v := range views {
		if v.Key == in.Key {
			r.Exceptions = v.Report.Exceptions
		}
	}
	return RecordReportResult{Report: r, Readings: report.Readings(&in.Spec, app, r.Exceptions)}, nil
}

// acceptedItems are the gaps and readiness findings the lead accepted.
func (a *Activities) acceptedItems(ctx context.Context, engagementID string) ([]report.AcceptedItem, error) {
	var out []report.AcceptedItem
	gaps, err := a.Store.Register(ctx, engagementID)
	if err != nil {
		return nil, err
	}
	for _, g := range gaps {
		if g.Accepted {
			out = append(out, report.AcceptedItem{ControlID: g.ControlID, Source: "gap", Reason: g.AcceptReason, By: g.DecidedBy})
		}
	}
	fs, err := a.Store.AcceptedExceptions(ctx, engagementID)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		out = append(out, report.AcceptedItem{ControlID: f.ControlID, Source: "finding", ID: f.FindingID, Reason: f.Reason, By: f.DecidedBy})
	}
	return out, nil
}

// CarrySurpriseInput is one surprise exception to carry into the next
// cycle as a finding.
type CarrySurpriseInput struct {
	Key       report.Key
	Exception report.Exception
	At        time.Time
}

// CarrySurprise records a surprise exception as a finding of the report's
// own review ("report/soc2/2028-03-10"), one per control it touches, so the
// next cycle's findings list carries it until the lead decides it (fix or
// accept, the same decision as a readiness finding).
func (a *Activities) CarrySurprise(ctx context.Context, in CarrySurpriseInput) error {
	review := postgres.ReadinessReview{EngagementID: in.Key.EngagementID, ReviewID: "report/" + in.Key.String(), AsOf: in.At, Seed: 0}
	for i, c := range in.Exception.Controls {
		review.Findings = append(review.Findings, postgres.Finding{
			EngagementID: in.Key.EngagementID, ControlID: c, OccurrenceKey: fmt.Sprintf("%s/report-%s-%d", c, in.Key.Date, in.Exception.N),
			Test: "report-exception", Severity: "high", Rank: i + 1,
			Exception: fmt.Sprintf("The issued %s report lists exception %d (%s), which nothing accepted beforehand: %s Management's response: %s",
				in.Key.Framework, in.Exception.N, in.Exception.Ref, in.Exception.Description, in.Exception.ManagementResponse),
		})
	}
	return a.Store.SaveReadinessReview(ctx, review)
}

// RecordReadingsAskedInput names the reading prompts sent for a report.
type RecordReadingsAskedInput struct {
	Key       report.Key
	Readings  []report.Reading
	PromptIDs []string
}

// RecordReadingsAsked records who was asked to read what.
func (a *Activities) RecordReadingsAsked(ctx context.Context, in RecordReadingsAskedInput) error {
	return a.Store.RecordReadingsAsked(ctx, in.Key, in.Readings, in.PromptIDs)
}

// RecordReadingInput is one owner's reading prompt's end.
type RecordReadingInput struct {
	Key    report.Key
	Owner  string
	Status string
	By     string
	Note   string
	At     time.Time
}

// RecordReading records it.
func (a *Activities) RecordReading(ctx context.Context, in RecordReadingInput) error {
	return a.Store.RecordReading(ctx, in.Key, in.Owner, in.Status, in.By, in.Note, in.At)
}

// RecordExplanationInput is an owner's explanation, or the lead's approval
// of one (Approve).
type RecordExplanationInput struct {
	Key     report.Key
	Subject report.Subject
	Body    string
	Approve bool
	By      string
	Channel string
	// UpdateKey is the update's ID: the same update twice records once.
	UpdateKey string
	At        time.Time
}

// RecordExplanation stores the explanation or the approval.
func (a *Activities) RecordExplanation(ctx context.Context, in RecordExplanationInput) error {
	if in.Approve {
		return a.Store.ApproveExplanation(ctx, in.Key, in.Subject, in.By, in.Channel, in.UpdateKey, in.At)
	}
	return a.Store.RecordExplanation(ctx, in.Key, in.Subject, in.Body, in.By, in.Channel, in.UpdateKey, in.At)
}

// Reading statuses, as the store records them.
const (
	ReadingRead      = postgres.ReadingRead
	ReadingEscalated = postgres.ReadingEscalated
)
