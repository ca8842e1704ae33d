package drift_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/drift"
)

func date(t testing.TB, s string) compliance.Date {
	t.Helper()
	d, err := compliance.ParseDate(s)
	require.NoError(t, err)
	return d
}

func span(t testing.TB, a, b string) compliance.Span {
	return compliance.Span{Start: date(t, a), End: date(t, b)}
}

func newYork(t testing.TB, holidays ...string) *compliance.Calendar {
	t.Helper()
	p := compliance.ReminderPolicy{TimeZone: "America/New_York"}
	for _, h := range holidays {
		p.Holidays = append(p.Holidays, date(t, h))
	}
	cal, err := compliance.NewCalendar(p)
	require.NoError(t, err)
	return cal
}

func sched(t testing.TB, in cadence.ScheduleInput) []cadence.Occurrence {
	t.Helper()
	occs, err := cadence.Schedule(in)
	require.NoError(t, err)
	return occs
}

func find(t testing.TB, occs []cadence.Occurrence, key string) cadence.Occurrence {
	t.Helper()
	for _, o := range occs {
		if o.Key() == key {
			return o
		}
	}
	t.Fatalf("no occurrence %s", key)
	return cadence.Occurrence{}
}

func at(tm time.Time) *drift.Submission {
	return &drift.Submission{OccurrenceKey: "k", At: tm, By: "owner@example.com"}
}

const ns = time.Nanosecond

func TestClassifyBoundaries(t *testing.T) {
	cal := newYork(t, "2027-07-05")
	year := span(t, "2027-01-01", "2027-12-31")
	june := find(t, sched(t, cadence.ScheduleInput{ControlID: "LOG-01", Frequency: compliance.FreqMonthly, Window: year, Calendar: cal}), "LOG-01/2027-06")
	require.Equal(t, "2027-07-06 17:00:00 -0400 EDT", june.Due.String())
	require.Equal(t, "2027-07-13 17:00:00 -0400 EDT", june.GraceEnd.String())
	due, grace := june.Due, june.GraceEnd
	later := grace.Add(30 * 24 * time.Hour) // "now" well after everything

	cases := []struct {
		name string
		sub  *drift.Submission
		now  time.Time
		want drift.Status
	}{
		{"submitted inside the period", at(cal.At(date(t, "2027-06-20"), 10)), later, drift.StatusOnTime},
		{"performed before the period does not evidence it", at(cal.At(date(t, "2027-05-20"), 10)), later, drift.StatusBeforePeriod},
		{"performed on the period's first day", at(cal.At(date(t, "2027-06-01"), 0)), later, drift.StatusOnTime},
		{"a nanosecond before due", at(due.Add(-ns)), later, drift.StatusOnTime},
		{"at due exactly", at(due), later, drift.StatusOnTime},
		{"a nanosecond after due", at(due.Add(ns)), later, drift.StatusLate},
		{"during grace", at(due.Add(48 * time.Hour)), later, drift.StatusLate},
		{"at grace end exactly", at(grace), later, drift.StatusLate},
		{"a nanosecond after grace end", at(grace.Add(ns)), later, drift.StatusRetrospective},
		{"months after", at(grace.Add(90 * 24 * time.Hour)), grace.Add(91 * 24 * time.Hour), drift.StatusRetrospective},
		{"at due, same instant in UTC", at(due.UTC()), later, drift.StatusOnTime},
		{"at due, same instant in Tokyo", at(due.In(mustLoad(t, "Asia/Tokyo"))), later, drift.StatusOnTime},

		{"nothing, before the period ends", nil, cal.At(date(t, "2027-06-15"), 9), drift.StatusPending},
		{"nothing, now at due exactly", nil, due, drift.StatusPending},
		{"nothing, a nanosecond after due", nil, due.Add(ns), drift.StatusOverdue},
		{"nothing, now at grace end exactly", nil, grace, drift.StatusOverdue},
		{"nothing, a nanosecond after grace end", nil, grace.Add(ns), drift.StatusMissed},

		{"submission after now does not count yet", at(due.Add(-time.Hour)), due.Add(-2 * time.Hour), drift.StatusPending},
		{"submission after now, now past grace", at(grace.Add(time.Hour)), grace.Add(ns), drift.StatusMissed},
		{"submission exactly at now counts", at(due.Add(time.Hour)), due.Add(time.Hour), drift.StatusLate},
		{"zero-time submission is not valid", at(time.Time{}), later, drift.StatusMissed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, drift.Classify(june, c.sub, c.now, year))
		})
	}
}

func mustLoad(t testing.TB, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

func TestClassifyWindowEdges(t *testing.T) {
	cal := newYork(t)
	occs := sched(t, cadence.ScheduleInput{ControlID: "W", Frequency: compliance.FreqMonthly, Window: span(t, "2027-01-01", "2027-12-31"), Calendar: cal})
	jan, mar := occs[0], occs[2]
	now := cal.At(date(t, "2028-06-01"), 9)

	cases := []struct {
		name   string
		o      cadence.Occurrence
		window compliance.Span
		want   drift.Status
	}{
		{"inside", jan, span(t, "2027-01-01", "2027-12-31"), drift.StatusOnTime},
		{"window starts the day after the period ends", jan, span(t, "2027-02-01", "2027-12-31"), drift.StatusOutsideWindow},
		{"window starts on the period's last day", jan, span(t, "2027-01-31", "2027-12-31"), drift.StatusOnTime},
		{"window ends the day before the period starts", mar, span(t, "2027-01-01", "2027-02-28"), drift.StatusOutsideWindow},
		{"window ends on the period's first day", mar, span(t, "2027-01-01", "2027-03-01"), drift.StatusOnTime},
		{"zero window puts no limit", jan, compliance.Span{}, drift.StatusOnTime},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, drift.Classify(c.o, at(c.o.Due.Add(-time.Hour)), now, c.window))
		})
	}
	assert.Equal(t, drift.StatusOutsideWindow, drift.Classify(jan, nil, now, span(t, "2027-02-01", "2027-12-31")), "outside the window is never missed")
}

// A due date on the Friday before a Monday holiday: the grace runs over the
// long weekend and the holiday into Tuesday.
func TestClassifyFridayDueBeforeMondayHoliday(t *testing.T) {
	in := cadence.ScheduleInput{ControlID: "VUL-02", Frequency: compliance.FreqWeekly, Window: span(t, "2027-05-01", "2027-06-30"), DueAfter: 5, Grace: 1}
	in.Calendar = newYork(t, "2027-05-31") // Memorial Day
	week := find(t, sched(t, in), "VUL-02/2027-W20")
	require.Equal(t, span(t, "2027-05-17", "2027-05-23"), week.Period)
	require.Equal(t, "2027-05-28 17:00:00 -0400 EDT", week.Due.String(), "a Friday")
	require.Equal(t, "2027-06-01 17:00:00 -0400 EDT", week.GraceEnd.String(), "Tuesday, after the holiday")

	in.Calendar = newYork(t)
	plain := find(t, sched(t, in), "VUL-02/2027-W20")
	require.Equal(t, "2027-05-31 17:00:00 -0400 EDT", plain.GraceEnd.String(), "Monday, without the holiday")

	w := in.Window
	later := week.GraceEnd.Add(30 * 24 * time.Hour)
	sat := time.Date(2027, 5, 29, 11, 0, 0, 0, in.Calendar.Location)
	holiday := time.Date(2027, 5, 31, 10, 0, 0, 0, in.Calendar.Location)
	tueMorning := time.Date(2027, 6, 1, 9, 0, 0, 0, in.Calendar.Location)
	assert.Equal(t, drift.StatusLate, drift.Classify(week, at(sat), later, w))
	assert.Equal(t, drift.StatusLate, drift.Classify(week, at(holiday), later, w))
	assert.Equal(t, drift.StatusLate, drift.Classify(week, at(tueMorning), later, w), "the holiday extends the grace")
	assert.Equal(t, drift.StatusRetrospective, drift.Classify(plain, at(tueMorning), later, w), "without it, Tuesday is too late")
	assert.Equal(t, drift.StatusLate, drift.Classify(week, at(week.GraceEnd), later, w))
	assert.Equal(t, drift.StatusRetrospective, drift.Classify(week, at(week.GraceEnd.Add(ns)), later, w))
	assert.Equal(t, drift.StatusOverdue, drift.Classify(week, nil, holiday, w), "over the holiday nothing is missed yet")
	assert.Equal(t, drift.StatusMissed, drift.Classify(week, nil, week.GraceEnd.Add(ns), w))
}

// In the week US clocks spring forward, the deadline is 17:00 EDT (21:00
// UTC), not 17:00 EST: a submission at 21:30 UTC is late.
func TestClassifyDSTWeek(t *testing.T) {
	cal := newYork(t)
	w := span(t, "2027-03-01", "2027-03-31")
	occs := sched(t, cadence.ScheduleInput{ControlID: "BAK-03", Frequency: compliance.FreqWeekly, Window: w, Calendar: cal})
	week := find(t, occs, "BAK-03/2027-W10") // 8–14 March; DST starts on the 14th
	later := week.GraceEnd.Add(24 * time.Hour)
	assert.Equal(t, drift.StatusOnTime, drift.Classify(week, at(time.Date(2027, 3, 17, 21, 0, 0, 0, time.UTC)), later, w))
	assert.Equal(t, drift.StatusLate, drift.Classify(week, at(time.Date(2027, 3, 17, 21, 0, 0, 1, time.UTC)), later, w))
	assert.Equal(t, drift.StatusLate, drift.Classify(week, at(time.Date(2027, 3, 17, 21, 30, 0, 0, time.UTC)), later, w))

	// Fall back, 7 November 2027: the deadline that week is 17:00 EST.
	w = span(t, "2027-11-01", "2027-11-30")
	fall := find(t, sched(t, cadence.ScheduleInput{ControlID: "BAK-03", Frequency: compliance.FreqWeekly, Window: w, Calendar: cal}), "BAK-03/2027-W44")
	assert.Equal(t, "2027-11-10 22:00:00 +0000 UTC", fall.Due.UTC().String())
	assert.Equal(t, drift.StatusOnTime, drift.Classify(fall, at(time.Date(2027, 11, 10, 21, 30, 0, 0, time.UTC)), fall.GraceEnd, w))
}

func TestFirstByKeyCountsTheEarliest(t *testing.T) {
	t0 := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	subs := []drift.Submission{
		{OccurrenceKey: "A/2027-02", At: t0.Add(48 * time.Hour), By: "correction@x"},
		{OccurrenceKey: "A/2027-02", At: t0, By: "first@x"},
		{OccurrenceKey: "A/2027-02", At: t0, By: "same-instant@x"},
		{OccurrenceKey: "A/2027-03", At: t0.Add(30 * 24 * time.Hour), By: "future@x"},
		{OccurrenceKey: "", At: t0, By: "no-key@x"},
		{OccurrenceKey: "A/2027-01", By: "no-time@x"},
	}
	got := drift.FirstByKey(subs, t0.Add(72*time.Hour))
	assert.Equal(t, map[string]drift.Submission{"A/2027-02": subs[1]}, got)
}
