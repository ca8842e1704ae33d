package readiness

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
)

// Event is one event in a per-event control's population: a change, a
// joiner, an incident, imported from Jira or recorded by hand.
type Event struct {
	Key        string    `json:"key"`
	OccurredAt time.Time `json:"occurred_at"`
	Source     string    `json:"source,omitempty"`
	Summary    string    `json:"summary,omitempty"`
	// ApprovedBy is empty (and ApprovedAt zero) when no approval is
	// recorded.
	ApprovedBy string    `json:"approved_by,omitempty"`
	ApprovedAt time.Time `json:"approved_at,omitzero"`
	// EvidenceRef is where the event's record is: a ticket, a pull
	// request, a log entry.
	EvidenceRef string `json:"evidence_ref,omitempty"`
	// Author raised or requested the event; Implementer carried it out
	// (empty when the source does not say).
	Author      string `json:"author,omitempty"`
	Implementer string `json:"implementer,omitempty"`
}

// SourceCount is the source's own count of a control's events in the
// period [From, To), taken when the period was imported.
type SourceCount struct {
	Source string    `json:"source"`
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Count  int       `json:"count"`
}

// Tests of a sampled event. TestWithinWindow applies to events too.
const (
	// TestEventRecord: the event's record is linked, so the auditor can
	// inspect it.
	TestEventRecord Test = "event-record"
	// TestApproved: an approval is recorded, given no later than the event
	// (a change approved after it was released was not controlled).
	TestApproved Test = "approved-before-event"
	// TestSegregation: the approver is neither the event's author nor its
	// implementer (no one approves their own change).
	TestSegregation Test = "segregation-of-duties"
	// TestComplete: the population the sample was drawn from holds as many
	// events as the source counted for the period.
	TestComplete Test = "population-complete"
)

// EventTests lists the tests of a sampled event in the order they are
// applied.
var EventTests = []Test{TestEventRecord, TestApproved, TestSegregation, TestWithinWindow}

// eventPopulation is the control's events that occurred by asOf, in time
// order (then by key, so the order and the draw do not depend on how the
// caller listed them); none for a control that does not take a population.
func eventPopulation(c Control, asOf time.Time) []Event {
	if !catalog.TakesPopulation(c.Frequency) {
		return nil
	}
	var pop []Event
	for _, e := range c.Events {
		if !e.OccurredAt.IsZero() && !e.OccurredAt.After(asOf) {
			pop = append(pop, e)
		}
	}
	slices.SortStableFunc(pop, func(a, b Event) int {
		if d := a.OccurredAt.Compare(b.OccurredAt); d != 0 {
			return d
		}
		return strings.Compare(a.Key, b.Key)
	})
	return pop
}

// reviewEvents samples a per-event control from its recorded events with
// the frequency's sample size, spread across the population in time order
// and drawn from the control's seed, and tests each sampled event.
func reviewEvents(in Input, c Control, cr ControlResult, pop []Event, want int) ControlResult {
	loc := in.AsOf.Location()
	cr.Population = make([]string, 0, len(pop)) // the events replace the attestations
	for _, e := range pop {
		cr.Population = append(cr.Population, e.Key)
	}
	cr.SampleSize = min(want, len(pop))
	cr.Note = fmt.Sprintf("population is the control's %d recorded event%s, not its monthly attestations", len(pop), plural(len(pop)))
	if cr.SampleSize < want {
		cr.Note += fmt.Sprintf("; the population of %d is smaller than the usual sample of %d, so every event is tested", len(pop), want)
	}
	cr.Findings = append(cr.Findings, reconcile(c, pop, loc)...)
	for _, e := range stratified(pop, cr.SampleSize, cr.Seed) {
		day := compliance.DateOf(e.OccurredAt.In(loc))
		s := Sampled{OccurrenceKey: e.Key, Period: compliance.Span{Start: day, End: day}, Due: e.OccurredAt, Event: &e}
		for _, t := range EventTests {
			sev, ok := testEvent(t, e, day, in.Window)
			if ok {
				continue
			}
			s.Failed = append(s.Failed, t)
			cr.Findings = append(cr.Findings, eventFinding(c, e, day, s, t, sev, cr.SampleSize, in.Window, loc))
		}
		cr.Sample = append(cr.Sample, s)
	}
	return cr
}

// testEvent applies one test to a sampled event; ok is false when it fails,
// with the finding's severity. A missing record or approval reads like
// missing evidence (high); an event outside the window is a scoping slip
// (low), as for occurrences.
func testEvent(t Test, e Event, day compliance.Date, window compliance.Span) (Severity, bool) {
	switch t {
	case TestEventRecord:
		return SeverityHigh, strings.TrimSpace(e.EvidenceRef) != ""
	case TestApproved:
		approved := strings.TrimSpace(e.ApprovedBy) != "" && !e.ApprovedAt.IsZero() && !e.ApprovedAt.After(e.OccurredAt)
		return SeverityHigh, approved
	case TestSegregation:
		by := strings.TrimSpace(e.ApprovedBy)
		self := by != "" && (strings.EqualFold(by, strings.TrimSpace(e.Author)) || strings.EqualFold(by, strings.TrimSpace(e.Implementer)))
		return SeverityHigh, !self
	case TestWithinWindow:
		return SeverityLow, window.Start.IsZero() || (!day.Before(window.Start) && !day.After(window.End))
	}
	return "", true
}

func eventFinding(c Control, e Event, day compliance.Date, s Sampled, t Test, sev Severity, n int, window compliance.Span, loc *time.Location) Finding {
	f := newFinding(c, s, t, sev)
	lead := fmt.Sprintf("For 1 of %d event%s sampled (%s, occurred %s)", n, plural(n), e.Key, day)
	switch t {
	case TestEventRecord:
		f.Exception = fmt.Sprintf("%s, no record of the event (ticket, pull request or log entry) was retained, so %s could not be inspected.", lead, evidenceOf(c))
	case TestApproved:
		switch {
		case strings.TrimSpace(e.ApprovedBy) == "" || e.ApprovedAt.IsZero():
			f.Exception = fmt.Sprintf("%s, no approval was recorded, so the event could not be shown to have been approved before it occurred.", lead)
		default:
			f.Exception = fmt.Sprintf("%s, approval was given by %s on %s, %s after the event occurred rather than before it.",
				lead, e.ApprovedBy, e.ApprovedAt.In(loc).Format("2006-01-02 15:04 MST"), days(e.OccurredAt, e.ApprovedAt, false))
		}
	case TestSegregation:
		role := "author"
		if strings.EqualFold(strings.TrimSpace(e.ApprovedBy), strings.TrimSpace(e.Implementer)) {
			role = "implementer"
		}
		f.Exception = fmt.Sprintf("%s, the approval was given by %s, who was also the event's %s, so the approval was not independent.", lead, e.ApprovedBy, role)
	case TestWithinWindow:
		f.Exception = fmt.Sprintf("%s, the event falls outside the audit window %s.", lead, window)
	}
	return f
}

// reconcile compares the population with the source's count of each
// imported period: a difference means the sample was drawn from an
// incomplete (or padded) population, which is a finding of its own.
func reconcile(c Control, pop []Event, loc *time.Location) []Finding {
	var out []Finding
	for _, sc := range c.SourceCounts {
		n := 0
		for _, e := range pop {
			if !e.OccurredAt.Before(sc.From) && e.OccurredAt.Before(sc.To) {
				n++
			}
		}
		if n == sc.Count {
			continue
		}
		period := compliance.Span{Start: compliance.DateOf(sc.From.In(loc)), End: compliance.DateOf(sc.To.Add(-time.Nanosecond).In(loc))}
		s := Sampled{OccurrenceKey: "population " + period.String(), Period: period, Due: sc.To}
		f := newFinding(c, s, TestComplete, SeverityHigh)
		f.Exception = fmt.Sprintf("The population of %s events for %s held %d event%s, but %s counted %d for the period, so the sample was not drawn from a complete population.",
			c.ID, period, n, plural(n), sc.Source, sc.Count)
		out = append(out, f)
	}
	return out
}
