package drift_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/drift"
)

// Each case of the one judgement: what an auditor would conclude from when
// the control was performed, when it was recorded and by whom.
func TestJudgeOnPerformance(t *testing.T) {
	cal := newYork(t, "2027-07-05")
	year := span(t, "2027-03-01", "2027-12-31")
	occs := sched(t, cadence.ScheduleInput{ControlID: "ACC-04", Frequency: compliance.FreqQuarterly, Window: year, Calendar: cal})
	q2 := find(t, occs, "ACC-04/2027-Q2")
	later := q2.GraceEnd.Add(200 * 24 * time.Hour)
	sub := func(performed, recorded time.Time, unauthorised bool) *drift.Submission {
		return &drift.Submission{OccurrenceKey: q2.Key(), PerformedAt: performed, At: recorded, By: "x@y.io", Unauthorised: unauthorised}
	}
	inQ2 := cal.At(date(t, "2027-06-20"), 10)
	cases := []struct {
		name string
		s    *drift.Submission
		want drift.Status
		ok   bool
	}{
		{"performed and recorded in the period", sub(inQ2, inQ2, false), drift.StatusOnTime, true},
		{"performed on time, uploaded a week after the grace", sub(q2.Due.Add(-24*time.Hour), q2.GraceEnd.Add(7*24*time.Hour), false), drift.StatusOnTime, true},
		{"performed on time, written up two months later", sub(inQ2, q2.GraceEnd.Add(60*24*time.Hour), false), drift.StatusRetrospective, false},
		{"performed during the grace", sub(q2.Due.Add(time.Hour), q2.Due.Add(time.Hour), false), drift.StatusLate, true},
		{"performed after the occurrence closed", sub(q2.GraceEnd.Add(time.Hour), q2.GraceEnd.Add(2*time.Hour), false), drift.StatusRetrospective, false},
		{"performed in the previous quarter", sub(cal.At(date(t, "2027-03-20"), 10), inQ2, false), drift.StatusBeforePeriod, false},
		{"performed on the period's first day", sub(cal.At(date(t, "2027-04-01"), 0), inQ2, false), drift.StatusOnTime, true},
		{"performed the day before, late in the evening", sub(cal.At(date(t, "2027-03-31"), 23), inQ2, false), drift.StatusBeforePeriod, false},
		{"given in time by someone who may not", sub(inQ2, inQ2, true), drift.StatusUnauthorised, false},
		{"a performance date after the recording is not believed", sub(later, inQ2, false), drift.StatusOnTime, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			j := drift.Judge(q2, c.s, later, year)
			assert.Equal(t, c.want, j.Status)
			assert.Equal(t, c.want, drift.Classify(q2, c.s, later, year), "Classify is the judgement's status")
			assert.Equal(t, c.ok, j.Status == drift.StatusOnTime || j.Status == drift.StatusLate)
		})
	}

	// Before the window: the first quarter is clipped to start with the
	// window, and work done before it opened evidences nothing in it.
	q1 := find(t, occs, "ACC-04/2027-Q1")
	j := drift.Judge(q1, &drift.Submission{OccurrenceKey: q1.Key(), PerformedAt: cal.At(date(t, "2027-02-15"), 10),
		At: cal.At(date(t, "2027-03-10"), 10), By: "x@y.io"}, later, year)
	assert.Equal(t, drift.StatusPerformedOutsideWindow, j.Status)
	assert.False(t, j.Counts())
}

func TestAuthorityIncludesTheLeadsReassignment(t *testing.T) {
	a := drift.Authority{Owner: "Owner@x.io", Others: []string{"lead@x.io"}, Assigned: map[string]string{"ACC-04/2027-Q2": "bob@x.io"}}
	assert.True(t, a.Allows("ACC-04/2027-Q1", "owner@x.io"))
	assert.True(t, a.Allows("ACC-04/2027-Q1", " LEAD@x.io"))
	assert.True(t, a.Allows("ACC-04/2027-Q2", "bob@x.io"), "the lead reassigned this occurrence's prompt to Bob")
	assert.False(t, a.Allows("ACC-04/2027-Q1", "bob@x.io"), "only for the occurrence reassigned")
	assert.False(t, a.Allows("ACC-04/2027-Q1", ""))
}

func TestCheckGivenRefusesTheImpossible(t *testing.T) {
	cal := newYork(t, "2027-07-05")
	occs := sched(t, cadence.ScheduleInput{ControlID: "ACC-08", Frequency: compliance.FreqMonthly, Window: span(t, "2027-01-01", "2027-12-31"), Calendar: cal})
	aug := find(t, occs, "ACC-08/2027-08")
	jul := find(t, occs, "ACC-08/2027-07")
	now := cal.At(date(t, "2027-07-15"), 10)
	assert.ErrorContains(t, drift.CheckGiven(aug, drift.Given{At: now}), "has not begun")
	assert.NoError(t, drift.CheckGiven(aug, drift.Given{At: cal.At(date(t, "2027-08-01"), 0)}), "from its first day")
	assert.NoError(t, drift.CheckGiven(jul, drift.Given{At: now}))
	assert.ErrorContains(t, drift.CheckGiven(jul, drift.Given{At: now, PerformedAt: now.Add(time.Hour)}), "cannot have been performed")
	assert.ErrorContains(t, drift.CheckGiven(jul, drift.Given{At: now, Corrects: 7, CorrectsKey: "ACC-08/2027-06"}), "same occurrence")
	assert.NoError(t, drift.CheckGiven(jul, drift.Given{At: now, Corrects: 7, CorrectsKey: "ACC-08/2027-07"}))
	assert.ErrorContains(t, drift.CheckGiven(jul, drift.Given{At: now, Covers: compliance.Span{Start: date(t, "2027-07-31"), End: date(t, "2027-07-01")}}), "start no later")
	assert.ErrorContains(t, drift.CheckGiven(jul, drift.Given{At: now, Covers: compliance.Span{Start: date(t, "2027-05-01"), End: date(t, "2027-05-31")}}), "does not overlap")
	assert.NoError(t, drift.CheckGiven(jul, drift.Given{At: now, Covers: compliance.Span{Start: date(t, "2027-07-08"), End: date(t, "2027-07-08")}}), "one day of it")
}
