package cadence_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
)

func TestReviewsAreChasedInsideTheirQuarter(t *testing.T) {
	cal := newYork(t, "2027-12-24", "2027-12-31")
	year := span(t, "2027-01-01", "2027-12-31")
	rs, err := cadence.Reviews(cadence.ScheduleInput{ControlID: "ACC-04", Window: year, Calendar: cal})
	require.NoError(t, err)
	require.Len(t, rs, 4)
	assert.Equal(t, []string{"ACC-04/2027-Q1", "ACC-04/2027-Q2", "ACC-04/2027-Q3", "ACC-04/2027-Q4"},
		[]string{rs[0].Key(), rs[1].Key(), rs[2].Key(), rs[3].Key()})
	// Q1: asked Monday 1 March, due eight business days later.
	assert.Equal(t, date(t, "2027-03-01"), rs[0].AskOn)
	assert.Equal(t, time.Date(2027, 3, 11, 17, 0, 0, 0, cal.Location), rs[0].Due)
	// Q4: 1 December is a Wednesday; the bank holidays at the end of the
	// year do not push the deadline past the quarter.
	assert.Equal(t, date(t, "2027-12-01"), rs[3].AskOn)
	for _, r := range rs {
		qe := quarterEnd(r.Period.Start)
		closes := cal.At(cal.PrevBusinessDay(qe), cadence.DefaultDueHour)
		assert.False(t, r.Due.After(closes), "%s due %s, after its quarter closes %s", r.Key(), r.Due, closes)
		assert.Equal(t, closes, r.GraceEnd, "%s: missed once its quarter has closed", r.Key())
		assert.True(t, cal.IsBusinessDay(r.AskOn), "%s asked on a business day", r.Key())
	}
}

func TestReviewsClipToTheWindow(t *testing.T) {
	cal := newYork(t)
	// The window starts in the last month of Q1 and ends in the first
	// month of Q3.
	w := span(t, "2027-03-20", "2027-07-14")
	rs, err := cadence.Reviews(cadence.ScheduleInput{ControlID: "CHG-01", Window: w, Calendar: cal})
	require.NoError(t, err)
	require.Len(t, rs, 3)
	assert.Equal(t, date(t, "2027-03-22"), rs[0].AskOn, "starts with the window (20 March is a Saturday)")
	assert.Equal(t, span(t, "2027-03-20", "2027-03-31"), rs[0].Period)
	assert.Equal(t, time.Date(2027, 3, 31, 17, 0, 0, 0, cal.Location), rs[0].Due, "clipped to the quarter's last business day")
	assert.Equal(t, date(t, "2027-07-14"), rs[2].AskOn, "the window ends before the quarter's last month: asked on its last business day")
	assert.Equal(t, "CHG-01/2027-Q3", rs[2].Key())
	for _, r := range rs {
		_, _, err := cadence.ParseKey(r.Key())
		assert.NoError(t, err, "a review key parses like an occurrence key")
	}
}

func TestReviewsRefuseBadInput(t *testing.T) {
	cal := newYork(t)
	_, err := cadence.Reviews(cadence.ScheduleInput{ControlID: "bad id", Window: span(t, "2027-01-01", "2027-02-01"), Calendar: cal})
	assert.ErrorContains(t, err, "control_id")
	_, err = cadence.Reviews(cadence.ScheduleInput{ControlID: "A-1", Window: span(t, "2027-02-01", "2027-01-01"), Calendar: cal})
	assert.ErrorContains(t, err, "empty")
	_, err = cadence.Reviews(cadence.ScheduleInput{ControlID: "A-1", Window: span(t, "2027-01-01", "2027-02-01")})
	assert.ErrorContains(t, err, "no calendar")
}

// quarterEnd is the last day of the calendar quarter containing d.
func quarterEnd(d compliance.Date) compliance.Date {
	m := (int(d.Month)-1)/3*3 + 3
	return compliance.DateOf(time.Date(d.Year, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC))
}
