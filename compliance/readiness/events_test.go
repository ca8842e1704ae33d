package readiness_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/readiness"
)

// changes are n approved, linked change events spread over January to
// September, the window so far.
func (f *fixture) changes(n int) []readiness.Event {
	start := time.Date(2027, 1, 4, 15, 0, 0, 0, f.cal.Location)
	span := time.Date(2027, 9, 30, 15, 0, 0, 0, f.cal.Location).Sub(start)
	out := make([]readiness.Event, n)
	for i := range out {
		at := start.Add(span * time.Duration(i) / time.Duration(n))
		out[i] = readiness.Event{Key: fmt.Sprintf("CHG-%d", i+1), OccurredAt: at, Source: "jira", Summary: "deploy",
			ApprovedBy: "cab@example.com", ApprovedAt: at.Add(-2 * time.Hour), EvidenceRef: fmt.Sprintf("https://jira.example/browse/CHG-%d", i+1)}
	}
	return out
}

func TestPerEventSampleIsDrawnFromEvents(t *testing.T) {
	f := newFixture(t)
	c := f.control(t, "CHG-01", compliance.FreqPerEvent, 2, true)
	c.Events = f.changes(120)
	// An event after the review date is not in the population yet.
	c.Events = append(c.Events, readiness.Event{Key: "CHG-999", OccurredAt: f.asOf.Add(time.Hour), EvidenceRef: "x"})
	rep := f.review(42, []readiness.Control{c}, nil)
	cr := rep.Controls[0]

	assert.Len(t, cr.Population, 120, "the events, not the monthly attestations")
	assert.NotContains(t, cr.Population, "CHG-999")
	assert.Equal(t, 43, cr.SampleSize, "per-event at moderate risk")
	assert.Contains(t, cr.Note, "120 recorded events")
	assert.Empty(t, rep.Findings, "every event approved beforehand and linked")
	assert.Equal(t, 43, rep.Sampled)
	for i, s := range cr.Sample {
		require.NotNil(t, s.Event)
		assert.Equal(t, s.Event.Key, s.OccurrenceKey)
		assert.Equal(t, s.Event.OccurredAt, s.Due)
		// One per stratum, in time order: the sample spans the period.
		idx := slices.Index(cr.Population, s.OccurrenceKey)
		lo, hi := i*120/43, (i+1)*120/43
		assert.True(t, idx >= lo && idx < hi, "sample %d (%s) lies in stratum [%d,%d)", i, s.OccurrenceKey, lo, hi)
	}
}

func TestPerEventSampleIsReproducibleFromTheSeed(t *testing.T) {
	f := newFixture(t)
	c := f.control(t, "CHG-01", compliance.FreqPerEvent, 1, false)
	c.Events = f.changes(200)
	a := keys(f.review(7, []readiness.Control{c}, nil).Controls[0])

	// The caller's order does not matter: the same seed draws the same events.
	shuffled := c
	shuffled.Events = slices.Clone(c.Events)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled.Events), func(i, j int) {
		shuffled.Events[i], shuffled.Events[j] = shuffled.Events[j], shuffled.Events[i]
	})
	assert.Equal(t, a, keys(f.review(7, []readiness.Control{shuffled}, nil).Controls[0]))

	differ := false
	for seed := uint64(8); seed < 12 && !differ; seed++ {
		differ = !slices.Equal(a, keys(f.review(seed, []readiness.Control{c}, nil).Controls[0]))
	}
	assert.True(t, differ, "different seeds draw different events")
}

func TestUnapprovedEventIsAFinding(t *testing.T) {
	f := newFixture(t)
	c := f.control(t, "CHG-01", compliance.FreqPerEvent, 2, true)
	ev := f.changes(6)
	ev[1].ApprovedBy, ev[1].ApprovedAt = "", time.Time{}                    // never approved
	ev[2].ApprovedAt = ev[2].OccurredAt.Add(50 * time.Hour)                 // approved after release
	ev[3].EvidenceRef = ""                                                  // nothing to inspect
	ev[4].OccurredAt = time.Date(2026, 12, 30, 12, 0, 0, 0, f.cal.Location) // before the window
	ev[4].ApprovedAt = ev[4].OccurredAt
	ev[5].ApprovedAt = ev[5].OccurredAt // approved at the moment of release: not after it
	c.Events = ev
	rep := f.review(3, []readiness.Control{c}, nil)
	cr := rep.Controls[0]
	assert.Equal(t, 6, cr.SampleSize, "a population smaller than the sample is tested whole")
	assert.Contains(t, cr.Note, "every event is tested")

	byKey := map[string]readiness.Finding{}
	for _, fd := range rep.Findings {
		byKey[fd.OccurrenceKey+" "+string(fd.Test)] = fd
	}
	require.Len(t, byKey, 4, "%v", rep.Findings)
	unapproved := byKey["CHG-2 approved-before-event"]
	assert.Equal(t, readiness.SeverityHigh, unapproved.Severity)
	assert.Equal(t, "For 1 of 6 events sampled (CHG-2, occurred 2027-02-18), no approval was recorded, so the event could not be shown to have been approved before it occurred.",
		unapproved.Exception)
	assert.Contains(t, byKey["CHG-3 approved-before-event"].Exception, "approval was given by cab@example.com on 2027-04-")
	assert.Contains(t, byKey["CHG-3 approved-before-event"].Exception, "3 days after the event occurred rather than before it")
	assert.Contains(t, byKey["CHG-4 event-record"].Exception, `no record of the event (ticket, pull request or log entry) was retained, so evidence that the control "Control CHG-01" operated could not be inspected`)
	assert.Equal(t, readiness.SeverityLow, byKey["CHG-5 within-window"].Severity)
	assert.Contains(t, byKey["CHG-5 within-window"].Exception, "the event falls outside the audit window 2027-01-01 → 2027-12-31")

	// Findings rank like the rest, and the lead is told what to fix.
	assert.Equal(t, 1, rep.Findings[0].Rank)
	require.Len(t, rep.BeforeFieldwork, 1)
	assert.Contains(t, rep.BeforeFieldwork[0].Text, "find the approval given before CHG-2, CHG-3")
	assert.Contains(t, rep.BeforeFieldwork[0].Text, "link the record (ticket, pull request or log entry) of CHG-4")
	for _, s := range cr.Sample {
		assert.Equal(t, s.OccurrenceKey == "CHG-1" || s.OccurrenceKey == "CHG-6", s.Passed(), s.OccurrenceKey)
	}
}

// Without events a per-event control is not tested: its monthly
// attestations are not the population the auditor samples, and passing them
// would read as a test that was never done (issue 13).
func TestWithoutEventsPerEventControlsAreNotTested(t *testing.T) {
	f := newFixture(t)
	c := f.control(t, "CHG-01", compliance.FreqPerEvent, 1, false)
	rep := f.review(3, []readiness.Control{c}, f.onTime(c))
	cr := rep.Controls[0]
	assert.Equal(t, "CHG-01/2027-01", cr.Population[0], "the attestation occurrences are still listed")
	assert.Empty(t, cr.Sample, "never passed")
	assert.Zero(t, rep.Tested)
	assert.Contains(t, cr.NotTested, "not tested: no population")
	assert.Empty(t, rep.Findings)

	// An automated, continuous control is tested on one instance, with
	// the ITGCs it relies on named.
	a := f.control(t, "CRY-02", compliance.FreqContinuous, 1, false)
	a.Automated = true
	rep = f.review(3, []readiness.Control{a}, f.onTime(a))
	assert.Len(t, rep.Controls[0].Sample, 1)
	assert.Contains(t, rep.Controls[0].SizeWhy, "general IT controls")

	// Events given for a control that is not per-event are not its population.
	m := f.control(t, "ACC-08", compliance.FreqMonthly, 1, false)
	m.Events = f.changes(10)
	rep = f.review(3, []readiness.Control{m}, f.onTime(m))
	assert.Equal(t, "ACC-08/2027-01", rep.Controls[0].Population[0])
}

// A population reconciled against its source: fewer events recorded than
// the source counted is a finding, even when none were recorded at all.
func TestPopulationReconciledAgainstItsSource(t *testing.T) {
	f := newFixture(t)
	c := f.control(t, "CHG-01", compliance.FreqPerEvent, 1, false)
	c.SourceCounts = []readiness.SourceCount{{Source: "jira", From: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2027, 7, 1, 0, 0, 0, 0, time.UTC), Count: 5}}
	rep := f.review(3, []readiness.Control{c}, f.onTime(c))
	require.Len(t, rep.Findings, 1)
	assert.Equal(t, readiness.TestComplete, rep.Findings[0].Test)
	assert.Contains(t, rep.Findings[0].Exception, "held 0 events, but jira counted 5")
}
