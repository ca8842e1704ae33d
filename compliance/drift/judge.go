package drift

import (
	"slices"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
)

// RecordingLag is how long after the control was performed its evidence
// may be recorded, once the occurrence's grace has passed, before the
// record counts as raised retrospectively: a review done on time and
// uploaded a week later is fine; documentation written up two months after
// the fact is what an auditor declines to rely on.
const RecordingLag = 30 * 24 * time.Hour

// Judgement is the one judgement of an occurrence every report shares
// (coverage, drift, the readiness review and the evidence pack), so none
// can be green where another is red.
type Judgement struct {
	// Status is the occurrence's single status, its worst facet.
	Status Status `json:"status"`
	// Present: some evidence was recorded for it by the instant judged.
	Present bool `json:"present"`
	// Timing is judged on when the control was performed: on-time, late
	// or retrospective (performed after the grace, or recorded more than
	// RecordingLag after it was performed and after the grace); with no
	// evidence pending, overdue or missed.
	Timing Status `json:"timing"`
	// InPeriod: the control was performed no earlier than the occurrence's
	// period and the observation window opened. False with Present means
	// the evidence does not evidence this occurrence.
	InPeriod bool `json:"in_period"`
	// Authorised: the person who gave it may (true when nothing is in).
	Authorised bool `json:"authorised"`
	// MissingDays are the days of a daily batch with no record.
	MissingDays []compliance.Date `json:"missing_days,omitempty"`
}

// Counts reports whether the evidence evidences the occurrence: present,
// performed in its period, by someone who may give it.
func (j Judgement) Counts() bool { return j.Present && j.InPeriod && j.Authorised }

// Judge judges occurrence o at instant now, given the submission that
// counts for it (nil if none). Boundaries, all exact to the nanosecond,
// with p the instant performed (Submission.Performed) and r the recording:
//
//	p before the window's first day      performed-outside-window
//	p before the period's first day      performed-before-period
//	p <= Due                             on-time
//	Due < p <= GraceEnd                  late
//	GraceEnd < p                         retrospective (after it closed)
//	GraceEnd < r and r - p > RecordingLag  retrospective (written up later)
//	not authorised (and otherwise in time) unauthorised
//	no s, now <= Due                     pending
//	no s, Due < now <= GraceEnd          overdue
//	no s, GraceEnd < now                 missed
//
// Days are the client's (the zone of o.Due). A submission recorded after
// now is treated as not yet given, so a report "as of" an earlier instant
// is reproducible. An occurrence whose period lies wholly outside window is
// outside-window whatever was submitted; a zero window puts no limit.
func Judge(o cadence.Occurrence, s *Submission, now time.Time, window compliance.Span) Judgement {
	j := Judgement{InPeriod: true, Authorised: true}
	if outside(o.Period, window) {
		j.Status, j.Timing = StatusOutsideWindow, StatusOutsideWindow
		return j
	}
	if s == nil || s.At.IsZero() || s.At.After(now) {
		switch {
		case !now.After(o.Due):
			j.Timing = StatusPending
		case !now.After(o.GraceEnd):
			j.Timing = StatusOverdue
		default:
			j.Timing = StatusMissed
		}
		j.Status = j.Timing
		return j
	}
	j.Present = true
	p := s.Performed()
	switch {
	case !p.After(o.Due):
		j.Timing = StatusOnTime
	case !p.After(o.GraceEnd):
		j.Timing = StatusLate
	default:
		j.Timing = StatusRetrospective
	}
	if j.Timing != StatusRetrospective && s.At.After(o.GraceEnd) && s.At.Sub(p) > RecordingLag {
		j.Timing = StatusRetrospective
	}
	day := compliance.DateOf(p.In(o.Due.Location()))
	j.Authorised = !s.Unauthorised
	j.MissingDays = s.MissingDays
	switch {
	case !window.Start.IsZero() && day.Before(window.Start):
		j.InPeriod, j.Status = false, StatusPerformedOutsideWindow
	case day.Before(o.Period.Start):
		j.InPeriod, j.Status = false, StatusBeforePeriod
	case j.Timing == StatusRetrospective:
		j.Status = StatusRetrospective
	case len(s.MissingDays) > 0:
		j.Status = StatusIncomplete
	case !j.Authorised:
		j.Status = StatusUnauthorised
	default:
		j.Status = j.Timing
	}
	return j
}

// Authority says whose evidence counts for a control's occurrences: the
// owner, the lead and lead delegates (Others), and whoever the lead
// reassigned an occurrence's prompt to, as the prompt recorded it
// (Assigned, by occurrence key).
type Authority struct {
	Owner    string
	Others   []string
	Assigned map[string]string
}

// Allows reports whether by may give evidence for the occurrence.
func (a Authority) Allows(occurrenceKey, by string) bool {
	by = strings.TrimSpace(by)
	if by == "" {
		return false
	}
	if strings.EqualFold(by, a.Owner) || strings.EqualFold(by, a.Assigned[occurrenceKey]) {
		return true
	}
	return slices.ContainsFunc(a.Others, func(d string) bool { return strings.EqualFold(by, d) })
}

// UncoveredDays are the days of period that no span in covers includes:
// the days a daily batch's per-day records leave out. With no covers at all
// the batch was attested whole and nothing is missing.
func UncoveredDays(period compliance.Span, covers []compliance.Span) []compliance.Date {
	if len(covers) == 0 || period.Start.IsZero() || period.End.Before(period.Start) {
		return nil
	}
	var out []compliance.Date
	for d := period.Start; !d.After(period.End); d = d.AddDays(1) {
		if !slices.ContainsFunc(covers, func(c compliance.Span) bool { return !d.Before(c.Start) && !d.After(c.End) }) {
			out = append(out, d)
		}
	}
	return out
}
