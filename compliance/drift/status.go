// Package drift compares the evidence a control was expected to produce
// (compliance/cadence) with what its owner actually submitted: it classifies
// each occurrence, keeps the on-time streak, decides how far a control has
// drifted and so who is told, lays out the escalation ladder before a quarter
// closes, and renders the coverage heat map. It is pure: the caller passes
// "now" in, so a report for any instant is reproducible.
package drift

import (
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
)

// Submission is evidence given for an occurrence. The first valid submission
// per occurrence (the earliest recorded, see FirstByKey) is the one that
// counts; later ones are corrections and do not change the classification.
type Submission struct {
	OccurrenceKey string `json:"occurrence_key"`
	// At is when the evidence was recorded.
	At time.Time `json:"at"`
	// PerformedAt is when the control was performed; zero means At (what
	// evidence given without a date of performance can show).
	PerformedAt time.Time `json:"performed_at,omitzero"`
	By          string    `json:"by"`
	// Unauthorised is set when By may not give evidence for the
	// occurrence (see Authority.Allows); the zero value is authorised.
	Unauthorised bool `json:"unauthorised,omitempty"`
	// MissingDays are the days of a daily batch that its per-day records
	// leave out (see UncoveredDays); none when the batch was attested whole.
	MissingDays []compliance.Date `json:"missing_days,omitempty"`
}

// Performed is when the control was performed: PerformedAt, or At when
// unset or (impossibly) later than the recording.
func (s Submission) Performed() time.Time {
	if s.PerformedAt.IsZero() || s.PerformedAt.After(s.At) {
		return s.At
	}
	return s.PerformedAt
}

// Status is how an occurrence stands.
type Status string

const (
	// StatusPending: nothing submitted and not yet due.
	StatusPending Status = "pending"
	// StatusOnTime: submitted at or before Due.
	StatusOnTime Status = "on-time"
	// StatusLate: submitted after Due, at or before GraceEnd.
	StatusLate Status = "late"
	// StatusOverdue: nothing submitted, past Due but not past GraceEnd. At
	// best it will be late; it is not missed yet. (Neither "pending", which
	// means not yet due, nor "missed" describes this state honestly.)
	StatusOverdue Status = "overdue"
	// StatusRetrospective: submitted after GraceEnd — evidence raised after
	// the fact, the thing an auditor notices. Recorded, never upgraded.
	StatusRetrospective Status = "retrospective"
	// StatusMissed: nothing submitted and now is past GraceEnd. It stays
	// missed until something arrives, which is then retrospective.
	StatusMissed Status = "missed"
	// StatusOutsideWindow: the occurrence's period lies wholly outside the
	// operating window, so it does not count for it either way.
	StatusOutsideWindow Status = "outside-window"
	// StatusBeforePeriod: the evidence shows the control performed before
	// the occurrence's period opened, so it does not evidence the
	// occurrence (a March review offered for the second quarter).
	StatusBeforePeriod Status = "performed-before-period"
	// StatusPerformedOutsideWindow: the control was performed before the
	// observation window opened; nothing done then evidences the window.
	StatusPerformedOutsideWindow Status = "performed-outside-window"
	// StatusUnauthorised: given in time by someone who may not give
	// evidence for the control (not its owner, the lead, a lead delegate,
	// nor the person the lead reassigned the occurrence's prompt to).
	StatusUnauthorised Status = "unauthorised"
	// StatusIncomplete: a daily control's weekly batch whose per-day
	// records leave out one or more days of the week.
	StatusIncomplete Status = "incomplete-batch"
)

// Statuses lists every status, from best to worst, then outside-window.
var Statuses = []Status{StatusPending, StatusOnTime, StatusLate, StatusUnauthorised, StatusIncomplete, StatusOverdue, StatusRetrospective,
	StatusBeforePeriod, StatusPerformedOutsideWindow, StatusMissed, StatusOutsideWindow}

// HasFallenDue reports whether the status is of an occurrence that counts
// and whose deadline has passed (or whose evidence is in): everything but
// pending and outside-window.
func (s Status) HasFallenDue() bool {
	return s != StatusPending && s != StatusOutsideWindow && s != ""
}

// notEvidence reports whether the status is of evidence that does not
// evidence its occurrence: performed before its period or the window.
func (s Status) notEvidence() bool {
	return s == StatusBeforePeriod || s == StatusPerformedOutsideWindow
}

// OnTime reports whether the status is on-time.
func (s Status) OnTime() bool { return s == StatusOnTime }

// Classify says how occurrence o stands at instant now: Judge's Status.
func Classify(o cadence.Occurrence, s *Submission, now time.Time, window compliance.Span) Status {
	return Judge(o, s, now, window).Status
}

func outside(p, window compliance.Span) bool {
	if window.Start.IsZero() && window.End.IsZero() {
		return false
	}
	return (!window.End.IsZero() && p.Start.After(window.End)) ||
		(!window.Start.IsZero() && p.End.Before(window.Start))
}

// FirstByKey picks the submission that counts for each occurrence key: the
// earliest one given at or before now (ties go to the earlier in subs).
// Submissions with no key or no time are not valid and are ignored.
func FirstByKey(subs []Submission, now time.Time) map[string]Submission {
	first := make(map[string]Submission, len(subs))
	for _, s := range subs {
		if s.OccurrenceKey == "" || s.At.IsZero() || s.At.After(now) {
			continue
		}
		if cur, ok := first[s.OccurrenceKey]; !ok || s.At.Before(cur.At) {
			first[s.OccurrenceKey] = s
		}
	}
	return first
}

// classifyAll classifies occurrences against the submissions that count.
func classifyAll(occs []cadence.Occurrence, first map[string]Submission, now time.Time, window compliance.Span) []Status {
	out := make([]Status, len(occs))
	for i, o := range occs {
		var sp *Submission
		if s, ok := first[o.Key()]; ok {
			sp = &s
		}
		out[i] = Classify(o, sp, now, window)
	}
	return out
}

// quarterEnd is the last calendar day of the quarter containing d.
func quarterEnd(d compliance.Date) compliance.Date {
	m := (int(d.Month)-1)/3*3 + 3
	last := time.Date(d.Year, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC)
	return compliance.DateOf(last)
}
