package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/integrations/jira"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// PopulationRecorder is who a Jira import is recorded as.
const PopulationRecorder = "steadfast (jira import)"

// ImportPopulationInput asks for the Jira events of an engagement's
// per-event controls that occurred in [From, To).
type ImportPopulationInput struct {
	EngagementID string
	Spec         compliance.Spec
	From, To     time.Time
}

// ImportPopulationResult counts what an import found.
type ImportPopulationResult struct {
	// Imported is how many events were new; Total how many Jira returned
	// for the period (a re-import has Imported 0 and the same Total).
	Imported int
	Total    int
	// Controls are the controls searched, in spec order.
	Controls []string `json:",omitempty"`
	// Note says why nothing was searched, when nothing was.
	Note string `json:",omitempty"`
}

// ImportPopulation imports, for each population in the spec
// (integrations.populations), the Jira issues resolved in the period into
// population_events. Every population is checked against the control
// library first — the control must apply and be per-event or continuous —
// and a bad one fails the whole import without calling Jira, naming the
// spec field. All searches run before anything is written, and the write is
// one transaction, so a failed search writes nothing and a retry repeats
// the import whole; re-importing adds nothing (see RecordPopulationEvents).
//
// Without Jira configured it imports nothing and says so: per-event events
// are then recorded with `starter population record`.
func (a *Activities) ImportPopulation(ctx context.Context, in ImportPopulationInput) (ImportPopulationResult, error) {
	pops := in.Spec.Integrations.Populations
	if len(pops) == 0 {
		return ImportPopulationResult{Note: "the spec names no Jira populations (integrations.populations)"}, nil
	}
	if !in.From.Before(in.To) {
		return ImportPopulationResult{}, nonRetryable(ErrTypeBadInput,
			fmt.Errorf("import population for %s: the period %s to %s is empty", in.EngagementID, in.From.Format(time.RFC3339), in.To.Format(time.RFC3339)))
	}
	app, err := catalog.Default().ForSpec(&in.Spec)
	if err != nil {
		return ImportPopulationResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("import population for %s: %w", in.EngagementID, err))
	}
	for i, p := range pops {
		if _, err := app.PopulationControl(p.Control); err != nil {
			return ImportPopulationResult{}, nonRetryable(ErrTypeBadInput,
				fmt.Errorf("import population for %s: integrations.populations[%d].control: %w", in.EngagementID, i, err))
		}
	}
	if a.Jira == nil {
		return ImportPopulationResult{Note: "Jira is not configured (JIRA_BASE_URL); record events with `starter population record`"}, nil
	}
	var res ImportPopulationResult
	var events []postgres.PopulationEvent
	var counts []postgres.PopulationCount
	for _, p := range pops {
		found, err := a.Jira.Population(ctx, jira.PopulationQuery{JQL: p.JQL, From: in.From, To: in.To, ApprovedStatus: p.ApprovedStatus})
		if err != nil {
			return ImportPopulationResult{}, jiraError(fmt.Sprintf("import population for %s/%s", in.EngagementID, p.Control), err)
		}
		res.Controls = append(res.Controls, p.Control)
		res.Total += len(found)
		counts = append(counts, postgres.PopulationCount{EngagementID: in.EngagementID, ControlID: p.Control,
			Source: postgres.PopulationSourceJira, From: in.From, To: in.To, Count: len(found), CountedAt: time.Now().UTC()})
		for _, ev := range found {
			events = append(events, populationEventOf(in.EngagementID, p.Control, ev))
		}
	}
	for _, e := range events {
		if err := e.Validate(); err != nil {
			return ImportPopulationResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("import population for %s: %w", in.EngagementID, err))
		}
	}
	res.Imported, err = a.Store.RecordPopulationEvents(ctx, events)
	if errors.Is(err, postgres.ErrInvalidPopulationEvent) {
		return ImportPopulationResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("import population for %s: %w", in.EngagementID, err))
	}
	if err != nil {
		return ImportPopulationResult{}, classify(fmt.Errorf("import population for %s: %w", in.EngagementID, err))
	}
	// The source's count, kept beside the events, so the review can
	// reconcile what it samples from against what the source holds.
	for _, c := range counts {
		if err := a.Store.RecordPopulationCount(ctx, c); err != nil {
			return ImportPopulationResult{}, classify(err)
		}
	}
	return res, nil
}

// populationEventOf records a Jira issue as an event at its resolution: a
// change is in the population when it is released.
func populationEventOf(engagementID, controlID string, ev jira.PopulationEvent) postgres.PopulationEvent {
	return postgres.PopulationEvent{
		EngagementID: engagementID, ControlID: controlID, EventKey: ev.Key, OccurredAt: ev.Resolved,
		Source: postgres.PopulationSourceJira, Summary: ev.Summary, ApprovedBy: ev.ApprovedBy, ApprovedAt: ev.ApprovedAt,
		EvidenceRef: ev.URL, RecordedBy: PopulationRecorder, Author: ev.Reporter, Implementer: ev.Assignee,
	}
}

// PopulationSummaryInput names one control's period, as an evidence
// request carries it: PeriodStart and PeriodEnd are the midnights that
// start the period's first and last days in the client's zone, so the
// period runs to the midnight after PeriodEnd.
type PopulationSummaryInput struct {
	EngagementID string
	ControlID    string
	PeriodStart  time.Time
	PeriodEnd    time.Time
}

// PopulationSummaryResult is what the population of one period holds.
type PopulationSummaryResult struct {
	Count int
	// Unapproved counts events with no recorded approval; NoRecord those
	// with no evidence reference.
	Unapproved int
	NoRecord   int
}

// Sentence says it in the words of an evidence question, for the owner
// attesting that the population is complete.
func (r PopulationSummaryResult) Sentence() string {
	switch {
	case r.Count == 0:
		return "No events are recorded for this period: if any happened, record them before attesting."
	case r.Unapproved == 0 && r.NoRecord == 0:
		return fmt.Sprintf("%d event%s recorded for this period, each approved and linked to its record.", r.Count, populationPlural(r.Count))
	}
	return fmt.Sprintf("%d event%s recorded for this period: %d without an approval, %d without a linked record.",
		r.Count, populationPlural(r.Count), r.Unapproved, r.NoRecord)
}

func populationPlural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// PopulationSummary counts the events recorded for one control in one
// period, for the monthly attestation that the population is complete. It
// only reads, so a retry is harmless.
func (a *Activities) PopulationSummary(ctx context.Context, in PopulationSummaryInput) (PopulationSummaryResult, error) {
	if in.PeriodEnd.Before(in.PeriodStart) {
		return PopulationSummaryResult{}, nonRetryable(ErrTypeBadInput,
			fmt.Errorf("population of %s/%s: period ends before it starts", in.EngagementID, in.ControlID))
	}
	evs, err := a.Store.PopulationEvents(ctx, in.EngagementID, in.ControlID, in.PeriodStart, in.PeriodEnd.AddDate(0, 0, 1))
	if err != nil {
		return PopulationSummaryResult{}, fmt.Errorf("population of %s/%s: %w", in.EngagementID, in.ControlID, err)
	}
	res := PopulationSummaryResult{Count: len(evs)}
	for _, e := range evs {
		if !e.Approved() {
			res.Unapproved++
		}
		if e.EvidenceRef == "" {
			res.NoRecord++
		}
	}
	return res, nil
}
