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
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// BuildReadiness loads an engagement's spec, plan and evidence, as Build
// does, and runs the readiness review (mock audit) as of asOf with the
// given seed. An unknown engagement is postgres.ErrNotFound.
func BuildReadiness(ctx context.Context, store *postgres.Store, engagementID string, asOf time.Time, seed uint64) (readiness.Report, error) {
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
	return ComputeReadiness(engagementID, &spec, plan, ev, asOf, seed)
}

// ComputeReadiness is BuildReadiness without the database. The controls are
// every control the catalog makes applicable to the spec (as Compute), each
// scheduled by cadence over the operating window; the owner is the person
// who owns the control's domain, and the lead and lead delegates may give
// evidence on the owner's behalf. A control is customer-relied when it
// satisfies one of gaps.DefaultCustomerRelied. Corrections and rows filed
// under another control's key are left out, as in Submissions.
func ComputeReadiness(engagementID string, spec *compliance.Spec, plan compliance.Plan, evidence []postgres.Evidence, asOf time.Time, seed uint64) (readiness.Report, error) {
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
	var delegates []string
	for _, p := range spec.People {
		if p.HasRole(compliance.RoleLead) || p.HasRole(compliance.RoleLeadDelegate) {
			delegates = append(delegates, strings.ToLower(p.Email))
		}
	}
	in := readiness.Input{EngagementID: engagementID, Window: window, AsOf: asOf.In(cal.Location), Seed: seed}
	for _, ac := range app.Controls {
		c := ac.Control
		occs, err := cadence.Schedule(cadence.ScheduleInput{ControlID: c.ID, Frequency: c.Frequency, Window: window, Calendar: cal})
		if err != nil {
			return readiness.Report{}, fmt.Errorf("schedule %s: %w", c.ID, err)
		}
		owner := strings.ToLower(spec.OwnerOf(c.Domain).Email)
		rc := readiness.Control{ID: c.ID, Title: c.Title, Description: c.Description, Frequency: c.Frequency,
			Evidence: c.Evidence, Owner: owner, Requirements: map[compliance.FrameworkID][]string{}, Occurrences: occs}
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
		in.Evidence = append(in.Evidence, readiness.Evidence{ID: e.ID, OccurrenceKey: e.OccurrenceKey,
			At: e.SubmittedAt.In(cal.Location), By: e.SubmittedBy, Channel: e.Channel, Kind: e.Kind, ValueSHA256: e.ValueSHA256})
	}
	return readiness.Review(in), nil
}
