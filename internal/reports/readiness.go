package reports

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
	"github.com/steadfast-grc/steadfast/compliance/gaps"
	"github.com/steadfast-grc/steadfast/compliance/readiness"
	"github.com/steadfast-grc/steadfast/compliance/sampling"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// BuildReadiness loads an engagement's spec, plan, evidence and recorded
// population events, and runs the readiness review (mock audit) as of asOf
// with the given seed. An unknown engagement is postgres.ErrNotFound.
func BuildReadiness(ctx context.Context, store *postgres.Store, engagementID string, asOf time.Time, seed uint64) (readiness.Report, error) {
	return BuildReadinessOf(ctx, store, engagementID, asOf, seed, 0)
}

// BuildReadinessOf is BuildReadiness over only the first limit applicable
// controls, in catalog order (0 means all): how the benchmarks measure how
// a review grows with the number of controls.
func BuildReadinessOf(ctx context.Context, store *postgres.Store, engagementID string, asOf time.Time, seed uint64, limit int) (readiness.Report, error) {
	if store == nil {
		return readiness.Report{}, errors.New("readiness review: no store")
	}
	spec, plan, err := store.SpecAndPlan(ctx, engagementID)
	if err != nil {
		return readiness.Report{}, err
	}
	ev, err := store.EvidenceFor(ctx, engagementID)
	if err != nil {
		return readiness.Report{}, err
	}
	// Every event is loaded; ComputeReadinessWithPopulation keeps the
	// window's, which needs the calendar and plan it works out anyway.
	pop, err := store.PopulationEvents(ctx, engagementID, "", time.Time{}, time.Time{})
	if err != nil {
		return readiness.Report{}, err
	}
	prompts, err := store.Prompts(ctx, postgres.PromptFilter{EngagementID: engagementID})
	if err != nil {
		return readiness.Report{}, err
	}
	counts, err := store.PopulationCounts(ctx, engagementID)
	if err != nil {
		return readiness.Report{}, err
	}
	return computeReadiness(engagementID, &spec, plan, ev, pop, Assigned(prompts), counts, asOf, seed, limit)
}

// ComputeReadiness is BuildReadiness without the database. The controls are
// every control the catalog makes applicable to the spec (as Compute), each
// scheduled by cadence over the operating window; the owner is the person
// who owns the control's domain, and the lead and lead delegates may give
// evidence on the owner's behalf. A control is customer-relied when it
// satisfies one of gaps.DefaultCustomerRelied. Corrections and rows filed
// under another control's key are left out, as in Submissions.
func ComputeReadiness(engagementID string, spec *compliance.Spec, plan compliance.Plan, evidence []postgres.Evidence, asOf time.Time, seed uint64) (readiness.Report, error) {
	return ComputeReadinessWithPopulation(engagementID, spec, plan, evidence, nil, asOf, seed)
}

// ComputeReadinessWithPopulation is ComputeReadiness with the per-event
// controls' recorded events: a per-event or continuous control with events
// in the window is sampled from them (see compliance/readiness). Events
// outside the window are not in the auditor's population and are left out.
func ComputeReadinessWithPopulation(engagementID string, spec *compliance.Spec, plan compliance.Plan, evidence []postgres.Evidence,
	population []postgres.PopulationEvent, asOf time.Time, seed uint64) (readiness.Report, error) {
	return computeReadiness(engagementID, spec, plan, evidence, population, nil, nil, asOf, seed, 0)
}

func computeReadiness(engagementID string, spec *compliance.Spec, plan compliance.Plan, evidence []postgres.Evidence,
	population []postgres.PopulationEvent, assigned map[string]string, counts []postgres.PopulationCount, asOf time.Time, seed uint64,
	limit int) (readiness.Report, error) {
	if spec == nil {
		return readiness.Report{}, errors.New("readiness review: no spec")
	}
	cal, err := compliance.NewCalendar(spec.Reminders)
	if err != nil {
		return readiness.Report{}, fmt.Errorf("calendar of %s: %w", engagementID, err)
	}
	window, err := cadence.Window(spec, plan)
	if err != nil {
		return readiness.Report{}, err
	}
	app, err := catalog.Default().ForSpec(spec)
	if err != nil {
		return readiness.Report{}, fmt.Errorf("applicable controls of %s: %w", engagementID, err)
	}
	delegates := leads(spec)
	in := readiness.Input{EngagementID: engagementID, Window: window, AsOf: asOf.In(cal.Location), Seed: seed}
	events := eventsByControl(population, window, cal.Location)
	controls := app.Controls
	if limit > 0 && limit < len(controls) {
		controls = controls[:limit]
	}
	for _, ac := range controls {
		c := ac.Control
		occs, err := cadence.Schedule(cadence.ScheduleInput{ControlID: c.ID, Frequency: c.Frequency, Window: window, Calendar: cal})
		if err != nil {
			return readiness.Report{}, fmt.Errorf("schedule %s: %w", c.ID, err)
		}
		owner := strings.ToLower(spec.OwnerOfControl(c.ID, c.Domain).Email)
		rc := readiness.Control{ID: c.ID, Title: c.Title, Description: c.Description, Frequency: c.Frequency,
			Evidence: c.Evidence, Owner: owner, Requirements: map[compliance.FrameworkID][]string{}, Occurrences: occs,
			Events: events[c.ID], Assigned: assigned, Automated: c.Automated, Risk: sampling.Risk(spec.RiskOf(c.ID))}
		for _, pc := range counts {
			if pc.ControlID == c.ID {
				rc.SourceCounts = append(rc.SourceCounts, readiness.SourceCount{Source: pc.Source, From: pc.From, To: pc.To, Count: pc.Count})
			}
		}
		for _, d := range delegates {
			if d != owner {
				rc.Delegates = append(rc.Delegates, d)
			}
		}
		for fw, ids := range ac.Covers {
			if len(ids) == 0 {
				continue
			}
			rc.Requirements[fw] = slices.Clone(ids)
			for _, id := range ids {
				if slices.Contains(gaps.DefaultCustomerRelied[fw], id) {
					rc.CustomerRelied = true
				}
			}
		}
		in.Controls = append(in.Controls, rc)
	}
	for _, e := range evidence {
		if e.Corrects != nil || e.OccurrenceKey == "" || e.SubmittedAt.IsZero() {
			continue
		}
		if control, _, err := cadence.ParseKey(e.OccurrenceKey); err != nil || control != e.ControlID {
			continue
		}
		re := readiness.Evidence{ID: e.ID, OccurrenceKey: e.OccurrenceKey,
			At: e.SubmittedAt.In(cal.Location), By: e.SubmittedBy, Channel: e.Channel, Kind: e.Kind, ValueSHA256: e.ValueSHA256}
		if e.PerformedAt != nil {
			re.PerformedAt = e.PerformedAt.In(cal.Location)
		}
		if e.CoversStart != nil && e.CoversEnd != nil {
			re.Covers = compliance.Span{Start: compliance.DateOf(*e.CoversStart), End: compliance.DateOf(*e.CoversEnd)}
		}
		switch {
		case e.ArtifactSHA256 != "":
			re.Artifact = &compliance.Artifact{SHA256: e.ArtifactSHA256, Size: e.ArtifactSize, ContentType: e.ContentType, Filename: e.Filename}
		case e.Kind == "link":
			re.Link = e.Value
		}
		in.Evidence = append(in.Evidence, re)
	}
	return readiness.Review(in), nil
}

// eventsByControl groups the population events that occurred within the
// window (dates in the client's zone) by control.
func eventsByControl(pop []postgres.PopulationEvent, window compliance.Span, loc *time.Location) map[string][]readiness.Event {
	out := map[string][]readiness.Event{}
	for _, e := range pop {
		day := compliance.DateOf(e.OccurredAt.In(loc))
		if !window.Start.IsZero() && (day.Before(window.Start) || day.After(window.End)) {
			continue
		}
		out[e.ControlID] = append(out[e.ControlID], readiness.Event{Key: e.EventKey, OccurredAt: e.OccurredAt.In(loc), Source: e.Source,
			Summary: e.Summary, ApprovedBy: e.ApprovedBy, ApprovedAt: e.ApprovedAt, EvidenceRef: e.EvidenceRef,
			Author: e.Author, Implementer: e.Implementer})
	}
	return out
}
