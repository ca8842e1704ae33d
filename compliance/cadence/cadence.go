// Package cadence decides when each control's evidence is due during the
// operating period: which periods a control must be evidenced for, when the
// evidence is due, and when it stops being late and becomes missed. It is
// pure: no Temporal, no I/O, no clock. The cadence workflow sleeps until each
// occurrence's period ends and prompts the owner; drift (compliance/drift)
// compares what was expected here with what was submitted.
//
// Periods are calendar-aligned in the client's zone so that every control of
// a frequency shares its periods and an auditor's "Q2" means the same thing
// everywhere:
//
//	daily       Monday–Sunday weeks, attested in one weekly batch (Batch)
//	weekly      Monday–Sunday weeks
//	monthly     calendar months
//	per-event   calendar months (a monthly population attestation, see below)
//	continuous  calendar months (as per-event)
//	quarterly   calendar quarters starting January, April, July, October
//	semi-annual calendar halves (January–June, July–December)
//	annual      twelve-month years counted from the window's start
//
// The first and last periods are clipped to the window. Annual is the one
// exception to calendar alignment, on purpose: an annual control (the
// penetration test, the risk assessment) operates once per year of the
// window, so a March–February window must ask for it once, not once for
// March–December and again for January–February. This matches how the
// sampling package counts annual populations (anchored on the period start).
//
// Per-event and continuous controls have no natural period: a change
// approval happens whenever a change does, and a monitoring control runs all
// the time. Their population comes from Jira or from recorded events and is
// sampled by the auditor, but someone must still attest each month that the
// population is complete (every change in the month has its ticket, the
// alerting ran all month) — otherwise an incomplete population is found by
// the auditor, not by us. So they get one monthly attestation occurrence.
//
// Due dates are business days in the client's zone: evidence is due DueAfter
// business days after the period ends, at DueHour local time, and becomes
// "missed" (rather than "late") Grace business days after that.
package cadence

import (
	"errors"
	"fmt"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
)

// Defaults applied when ScheduleInput leaves a field at zero.
const (
	DefaultDueAfter = 3  // business days after the period ends
	DefaultGrace    = 5  // business days after Due before late becomes missed
	DefaultDueHour  = 17 // local hour of the deadline
)

// Occurrence is one period for which a control's evidence is expected.
type Occurrence struct {
	ControlID string               `json:"control_id"`
	Frequency compliance.Frequency `json:"frequency"`
	// Seq is 1-based within the control's schedule.
	Seq int `json:"seq"`
	// Period is the period the evidence covers, both dates inclusive,
	// already clipped to the window.
	Period compliance.Span `json:"period"`
	// Ends is the instant the period closes: midnight at the end of
	// Period.End in the client's zone. A scheduler sleeps until Ends and
	// then prompts. It is carried (rather than recomputed from Due's
	// location) because a time.Time that went through JSON keeps only a
	// fixed offset, which is wrong across a DST change.
	Ends time.Time `json:"ends"`
	// Due is the deadline instant: evidence submitted at or before Due is
	// on time.
	Due time.Time `json:"due"`
	// GraceEnd is the last instant evidence is merely late; after it the
	// evidence is raised retrospectively, or the occurrence is missed.
	GraceEnd time.Time `json:"grace_end"`
	// Batch marks a daily control attested for a whole week at once.
	Batch bool `json:"batch,omitempty"`
}

// Key identifies the occurrence stably: "<control>/<period>", where the
// period label depends on the frequency:
//
//	daily, weekly                 ISO week of the period   ACC-04/2027-W10
//	monthly, per-event, continuous year and month          ACC-04/2027-03
//	quarterly                     year and quarter         ACC-04/2027-Q1
//	semi-annual                   year and half            ACC-04/2027-H2
//	annual                        first day of the period  ACC-04/2027-03-01
//
// A clipped period keeps the label of the whole period it was cut from, so a
// window that moves by a few days does not rename occurrences. Keys use only
// [A-Za-z0-9._/-] and serve as workflow and prompt IDs; ParseKey reads them.
func (o Occurrence) Key() string { return o.ControlID + "/" + periodLabel(o.Frequency, o.Period) }

func periodLabel(f compliance.Frequency, p compliance.Span) string {
	// Every calendar-aligned period lies inside one week, month, quarter or
	// half, so any day of it names it; End is used.
	e := p.End
	switch f {
	case compliance.FreqDaily, compliance.FreqWeekly:
		y, w := e.In(time.UTC).ISOWeek()
		return fmt.Sprintf("%04d-W%02d", y, w)
	case compliance.FreqMonthly, compliance.FreqPerEvent, compliance.FreqContinuous:
		return fmt.Sprintf("%04d-%02d", e.Year, int(e.Month))
	case compliance.FreqQuarterly:
		return fmt.Sprintf("%04d-Q%d", e.Year, (int(e.Month)-1)/3+1)
	case compliance.FreqSemiAnnual:
		return fmt.Sprintf("%04d-H%d", e.Year, (int(e.Month)-1)/6+1)
	default: // annual, and anything unknown: the period's first day
		return p.Start.String()
	}
}

// ScheduleInput is one control's cadence over a window.
type ScheduleInput struct {
	ControlID string
	Frequency compliance.Frequency
	// Window is the operating window, both dates inclusive (see Window).
	Window   compliance.Span
	Calendar *compliance.Calendar
	// DueAfter is how many business days after the period ends evidence
	// is due; 0 means DefaultDueAfter.
	DueAfter int
	// Grace is how many business days after Due evidence is late rather
	// than missed; 0 means DefaultGrace.
	Grace int
	// DueHour is the local hour of the deadline; 0 means DefaultDueHour.
	DueHour int
}

// Schedule lists the occurrences of one control across the window, in
// period order. It is deterministic: the same input gives the same
// occurrences, keys and instants.
func Schedule(in ScheduleInput) ([]Occurrence, error) {
	if err := validControlID(in.ControlID); err != nil {
		return nil, fmt.Errorf("schedule: control_id: %w", err)
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("schedule %s: "+format, append([]any{in.ControlID}, args...)...)
	}
	if in.Calendar == nil || in.Calendar.Location == nil {
		return nil, fail("no calendar (the client's time zone and business days)")
	}
	w := in.Window
	if w.Start.IsZero() || w.End.IsZero() {
		return nil, fail("window needs both a start and an end date, got %q to %q", w.Start, w.End)
	}
	if w.End.Before(w.Start) {
		return nil, fail("window ends %s, before it starts %s", w.End, w.Start)
	}
	dueAfter, grace, hour := in.DueAfter, in.Grace, in.DueHour
	if dueAfter == 0 {
		dueAfter = DefaultDueAfter
	}
	if grace == 0 {
		grace = DefaultGrace
	}
	if hour == 0 {
		hour = DefaultDueHour
	}
	if dueAfter < 0 {
		return nil, fail("due_after %d must not be negative", in.DueAfter)
	}
	if grace < 0 {
		return nil, fail("grace %d must not be negative", in.Grace)
	}
	if hour < 0 || hour > 23 {
		return nil, fail("due_hour %d is not an hour of the day (0–23)", in.DueHour)
	}
	period, err := periodFunc(in.Frequency, w.Start)
	if err != nil {
		return nil, fail("%w", err)
	}

	cal := in.Calendar
	var out []Occurrence
	for cursor := w.Start; !cursor.After(w.End); {
		start, end := period(cursor)
		next := end.AddDays(1)
		if start.Before(w.Start) {
			start = w.Start
		}
		if end.After(w.End) {
			end = w.End
		}
		due := cal.AddBusinessDays(end, dueAfter)
		out = append(out, Occurrence{
			ControlID: in.ControlID,
			Frequency: in.Frequency,
			Seq:       len(out) + 1,
			Period:    compliance.Span{Start: start, End: end},
			Ends:      end.AddDays(1).In(cal.Location),
			Due:       cal.At(due, hour),
			GraceEnd:  cal.At(cal.AddBusinessDays(due, grace), hour),
			Batch:     in.Frequency == compliance.FreqDaily,
		})
		cursor = next
	}
	return out, nil
}

// periodFunc returns, for a frequency, the natural (unclipped) period that
// contains a date. anchor is the window's start, used by annual periods.
func periodFunc(f compliance.Frequency, anchor compliance.Date) (func(compliance.Date) (compliance.Date, compliance.Date), error) {
	switch f {
	case compliance.FreqDaily, compliance.FreqWeekly:
		return func(d compliance.Date) (compliance.Date, compliance.Date) {
			back := (int(d.Weekday()) + 6) % 7 // days since Monday
			mon := d.AddDays(-back)
			return mon, mon.AddDays(6)
		}, nil
	case compliance.FreqMonthly, compliance.FreqPerEvent, compliance.FreqContinuous:
		return monthsAligned(1), nil
	case compliance.FreqQuarterly:
		return monthsAligned(3), nil
	case compliance.FreqSemiAnnual:
		return monthsAligned(6), nil
	case compliance.FreqAnnual:
		return func(d compliance.Date) (compliance.Date, compliance.Date) {
			// Years from the anchor: the k-th starts anchor+k years. d is
			// always the start of one (the cursor), but stay general.
			k := d.Year - anchor.Year
			for k > 0 && addYears(anchor, k).After(d) {
				k--
			}
			return addYears(anchor, k), addYears(anchor, k+1).AddDays(-1)
		}, nil
	case "":
		return nil, errors.New("frequency is empty")
	default:
		return nil, fmt.Errorf("frequency %q is not one of %v", f, compliance.Frequencies)
	}
}

// monthsAligned returns the block of n months (n divides 12) containing a
// date, aligned on January.
func monthsAligned(n int) func(compliance.Date) (compliance.Date, compliance.Date) {
	return func(d compliance.Date) (compliance.Date, compliance.Date) {
		m0 := (int(d.Month)-1)/n*n + 1
		first := time.Date(d.Year, time.Month(m0), 1, 0, 0, 0, 0, time.UTC)
		return compliance.DateOf(first), compliance.DateOf(first.AddDate(0, n, -1))
	}
}

// addYears adds whole years, taking 29 February to 28 February in a common
// year rather than spilling into March.
func addYears(d compliance.Date, k int) compliance.Date {
	y := d.Year + k
	last := time.Date(y, d.Month+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return compliance.Date{Year: y, Month: d.Month, Day: min(d.Day, last)}
}

// Next returns the occurrence whose period ends soonest after the instant
// after (by Ends): the one a scheduler that sleeps until each period closes
// should wait for next. ok is false when every period has ended.
func Next(occs []Occurrence, after time.Time) (Occurrence, bool) {
	best := -1
	for i, o := range occs {
		if o.Ends.After(after) && (best < 0 || o.Ends.Before(occs[best].Ends)) {
			best = i
		}
	}
	if best < 0 {
		return Occurrence{}, false
	}
	return occs[best], true
}

// Window is the operating window whose evidence counts:
//   - SOC 2 Type II: the spec's observation window. When a Type I date is
//     given the clock starts at the Type I date instead of the window's
//     start: controls in place for the Type I must have operated every day
//     since, so their cadence runs from then (the parser guarantees the Type
//     I date is not after the window's start).
//   - ISO 27001, a SOC 2 Type I, or no window: the plan's Operating span (the
//     run-up in which controls operate before the audit), same cadence.
func Window(spec *compliance.Spec, plan compliance.Plan) (compliance.Span, error) {
	if spec == nil {
		return compliance.Span{}, errors.New("operating window: no spec")
	}
	if f := spec.Framework(compliance.SOC2); f != nil && f.Report == compliance.Type2 && f.Window != nil {
		w := compliance.Span{Start: f.Window.Start, End: f.Window.End}
		if f.Type1Date != nil && !f.Type1Date.IsZero() && f.Type1Date.Before(w.Start) {
			w.Start = *f.Type1Date
		}
		if w.Start.IsZero() || w.End.IsZero() || w.End.Before(w.Start) {
			return compliance.Span{}, fmt.Errorf("operating window of %s: the SOC 2 window %s is empty", spec.ID, w)
		}
		return w, nil
	}
	w := plan.Operating
	if w.Start.IsZero() || w.End.IsZero() || w.End.Before(w.Start) {
		return compliance.Span{}, fmt.Errorf("operating window of %s: the plan's operating span %s is empty", spec.ID, w)
	}
	return w, nil
}
