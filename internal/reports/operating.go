// Package reports assembles what the operating-period CLI shows
// (`starter coverage` and `starter drift`) from an engagement's record in
// Postgres: the spec and plan of its current revision and its evidence rows.
//
// It recomputes the expected occurrences exactly as the cadence scheduler
// does (activities.NextOccurrences): the same operating window
// (cadence.Window), the same calendar (the spec's reminder policy) and the
// same controls — every control the catalog makes applicable to the spec.
// The gap register is deliberately not consulted: a control absent from it
// (never assessed, or not a gap) is still operated if it is applicable.
// Classification, streaks and drift levels are compliance/drift's; this
// package only joins records to them, so a report "as of" any instant is
// reproducible from the append-only evidence table.
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
	"github.com/steadfast-grc/steadfast/compliance/drift"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// Operating is an engagement's operating period at an instant: every
// applicable control's drift, the coverage heat map and the on-time rate of
// the window so far.
type Operating struct {
	EngagementID string          `json:"engagement_id"`
	Window       compliance.Span `json:"window"`
	// AsOf is the instant the report describes, in the client's zone.
	AsOf time.Time `json:"as_of"`
	// Controls are every applicable control, by control ID.
	Controls []ControlReport `json:"controls"`
	// Heatmap has one row per control, in the same order as Controls.
	Heatmap drift.Heatmap `json:"heatmap"`
	// OnTimeRate is on-time over fallen-due occurrences in the window so
	// far; it is 0 when Due is 0 (show "n/a" then, not 0%).
	OnTimeRate float64 `json:"on_time_rate"`
	// Due counts the occurrences that have fallen due (deadline passed or
	// evidence in) so far.
	Due int `json:"due"`
	// Reviews are the quarterly control reviews asked so far (empty when
	// built without the database).
	Reviews Reviews `json:"reviews"`
}

// ControlReport is one control's cadence at the report's instant.
type ControlReport struct {
	ControlID string               `json:"control_id"`
	Title     string               `json:"title"`
	Frequency compliance.Frequency `json:"frequency"`
	// Owner is the email of the person who owns the control's domain (the
	// lead when nobody does), as the scheduler addresses its prompts.
	Owner string             `json:"owner"`
	Drift drift.ControlDrift `json:"drift"`
}

// Build loads an engagement's spec, plan and evidence and reports its
// operating period at now. An unknown engagement is postgres.ErrNotFound.
func Build(ctx context.Context, store *postgres.Store, engagementID string, now time.Time) (Operating, error) {
	return build(ctx, store, engagementID, func(*compliance.Calendar) time.Time { return now })
}

// BuildOn is Build as of the end of a calendar day in the client's zone (the
// last instant of day): what `--as-of YYYY-MM-DD` means, so that evidence
// given during that day counts.
func BuildOn(ctx context.Context, store *postgres.Store, engagementID string, day compliance.Date) (Operating, error) {
	if day.IsZero() {
		return Operating{}, errors.New("report: no as-of date")
	}
	return build(ctx, store, engagementID, func(cal *compliance.Calendar) time.Time { return EndOfDay(cal, day) })
}

// EndOfDay is the last instant (to the nanosecond) of day in the calendar's
// zone.
func EndOfDay(cal *compliance.Calendar, day compliance.Date) time.Time {
	return day.AddDays(1).In(cal.Location).Add(-time.Nanosecond)
}

func build(ctx context.Context, store *postgres.Store, id string, at func(*compliance.Calendar) time.Time) (Operating, error) {
	if store == nil {
		return Operating{}, errors.New("report: no store")
	}
	spec, plan, err := store.SpecAndPlan(ctx, id)
	if err != nil {
		return Operating{}, err
	}
	cal, err := compliance.NewCalendar(spec.Reminders)
	if err != nil {
		return Operating{}, fmt.Errorf("calendar of %s: %w", id, err)
	}
	ev, err := store.EvidenceFor(ctx, id)
	if err != nil {
		return Operating{}, err
	}
	now := at(cal)
	prompts, err := store.Prompts(ctx, postgres.PromptFilter{EngagementID: id})
	if err != nil {
		return Operating{}, err
	}
	op, err := ComputeAssigned(id, &spec, plan, ev, Assigned(prompts), now)
	if err != nil {
		return Operating{}, err
	}
	op.Reviews = SummariseReviews(prompts, now)
	return op, nil
}

// Compute is Build without the database: the report of an engagement with
// this spec, plan and evidence at now. It is pure and deterministic.
func Compute(engagementID string, spec *compliance.Spec, plan compliance.Plan, evidence []postgres.Evidence, now time.Time) (Operating, error) {
	return ComputeAssigned(engagementID, spec, plan, evidence, nil, now)
}

// ComputeAssigned is Compute knowing who each occurrence's prompt was
// reassigned to (see Assigned), whose evidence then counts.
func ComputeAssigned(engagementID string, spec *compliance.Spec, plan compliance.Plan, evidence []postgres.Evidence,
	assigned map[string]string, now time.Time) (Operating, error) {
	if spec == nil {
		return Operating{}, errors.New("report: no spec")
	}
	cal, err := compliance.NewCalendar(spec.Reminders)
	if err != nil {
		return Operating{}, fmt.Errorf("calendar of %s: %w", engagementID, err)
	}
	window, err := cadence.Window(spec, plan)
	if err != nil {
		return Operating{}, err
	}
	app, err := catalog.Default().ForSpec(spec)
	if err != nil {
		return Operating{}, fmt.Errorf("applicable controls of %s: %w", engagementID, err)
	}
	controls := make([]*catalog.Control, 0, len(app.Controls))
	for _, ac := range app.Controls {
		controls = append(controls, ac.Control)
	}
	slices.SortStableFunc(controls, func(a, b *catalog.Control) int { return strings.Compare(a.ID, b.ID) })

	subs := JudgedSubmissions(spec, evidence, assigned)
	for i := range subs {
		subs[i].At = subs[i].At.In(cal.Location) // the same instant, shown in the client's zone
	}
	op := Operating{EngagementID: engagementID, Window: window, AsOf: now.In(cal.Location), Controls: make([]ControlReport, 0, len(controls))}
	var all []cadence.Occurrence
	for _, c := range controls {
		occs, err := cadence.Schedule(cadence.ScheduleInput{ControlID: c.ID, Frequency: c.Frequency, Window: window, Calendar: cal})
		if err != nil {
			return Operating{}, fmt.Errorf("schedule %s: %w", c.ID, err)
		}
		all = append(all, occs...)
		d := drift.Assess(occs, subs, now, window)
		op.Controls = append(op.Controls, ControlReport{
			ControlID: c.ID, Title: c.Title, Frequency: c.Frequency, Owner: spec.OwnerOfControl(c.ID, c.Domain).Email, Drift: d,
		})
	}
	op.Heatmap = drift.Coverage(all, subs, now, window, cal)
	op.OnTimeRate, op.Due = drift.OnTimeRate(all, subs, now, window)
	return op, nil
}

// Submissions turns evidence rows into the submissions that time
// occurrences: the original rows only (a correction points at the row it
// corrects and does not move the occurrence's timing, in either direction),
// with a key naming the row's own control. drift.FirstByKey then counts the
// earliest per occurrence. The order is the rows' (EvidenceFor's: by
// submission time, then ID), so ties resolve the same way every time.
func Submissions(evidence []postgres.Evidence) []drift.Submission {
	out := make([]drift.Submission, 0, len(evidence))
	for _, e := range evidence {
		if e.Corrects != nil || e.OccurrenceKey == "" || e.SubmittedAt.IsZero() {
			continue
		}
		if control, _, err := cadence.ParseKey(e.OccurrenceKey); err != nil || control != e.ControlID {
			continue
		}
		out = append(out, drift.Submission{OccurrenceKey: e.OccurrenceKey, At: e.SubmittedAt, By: e.SubmittedBy})
	}
	return out
}

// Drifting lists the controls whose level is above ok, worst first, then by
// control ID.
func (o Operating) Drifting() []ControlReport {
	out := make([]ControlReport, 0)
	for _, c := range o.Controls {
		if c.Drift.Level != drift.LevelOK && c.Drift.Level != "" {
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b ControlReport) int {
		if c := severity(b.Drift.Level) - severity(a.Drift.Level); c != 0 {
			return c
		}
		return strings.Compare(a.ControlID, b.ControlID)
	})
	return out
}

func severity(l drift.Level) int { return slices.Index(drift.Levels, l) }

// Control returns the report of one control, if it is applicable.
func (o Operating) Control(id string) (ControlReport, bool) {
	for _, c := range o.Controls {
		if c.ControlID == id {
			return c, true
		}
	}
	return ControlReport{}, false
}
