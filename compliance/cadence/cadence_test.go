package cadence_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
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

// newYork is a US calendar with the 2027 federal holidays that matter here.
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

func schedule(t testing.TB, id string, f compliance.Frequency, w compliance.Span, cal *compliance.Calendar) []cadence.Occurrence {
	t.Helper()
	occs, err := cadence.Schedule(cadence.ScheduleInput{ControlID: id, Frequency: f, Window: w, Calendar: cal})
	require.NoError(t, err)
	return occs
}

var keyChars = regexp.MustCompile(`^[A-Za-z0-9._/-]+$`)

// checkInvariants holds for every schedule: periods tile the window with no
// gap or overlap, Seq counts from 1, keys are unique, well-formed and
// parseable, and deadlines land at the due hour on business days.
func checkInvariants(t *testing.T, occs []cadence.Occurrence, w compliance.Span, cal *compliance.Calendar) {
	t.Helper()
	require.NotEmpty(t, occs)
	assert.Equal(t, w.Start, occs[0].Period.Start, "first period starts with the window")
	assert.Equal(t, w.End, occs[len(occs)-1].Period.End, "last period ends with the window")
	keys := map[string]bool{}
	for i, o := range occs {
		assert.Equal(t, i+1, o.Seq)
		if i > 0 {
			assert.Equal(t, occs[i-1].Period.End.AddDays(1), o.Period.Start, "%s follows %s", o.Key(), occs[i-1].Key())
		}
		assert.False(t, o.Period.End.Before(o.Period.Start), o.Key())
		k := o.Key()
		assert.False(t, keys[k], "duplicate key %s", k)
		keys[k] = true
		assert.Regexp(t, keyChars, k)
		id, _, err := cadence.ParseKey(k)
		assert.NoError(t, err, k)
		assert.Equal(t, o.ControlID, id)

		due := o.Due.In(cal.Location)
		assert.Equal(t, 17, due.Hour(), "%s due %s", k, due)
		assert.True(t, cal.IsBusinessDay(compliance.DateOf(due)), "%s due on a business day, got %s", k, due.Weekday())
		assert.Equal(t, cal.AddBusinessDays(o.Period.End, 3), compliance.DateOf(due), k)
		assert.Equal(t, cal.At(cal.AddBusinessDays(compliance.DateOf(due), 5), 17), o.GraceEnd, k)
		assert.True(t, o.Ends.Equal(o.Period.End.AddDays(1).In(cal.Location)), k)
		assert.True(t, o.Due.After(o.Ends), k)
	}
}

func TestScheduleCountsOverACalendarYear(t *testing.T) {
	cal := newYork(t)
	w := span(t, "2027-01-01", "2027-12-31") // a Friday to a Friday
	cases := []struct {
		f         compliance.Frequency
		n         int
		first     string
		last      string
		batch     bool
		firstSpan compliance.Span
	}{
		// 1 January 2027 is a Friday: the first week is clipped to Fri–Sun
		// (ISO week 2026-W53) and the last to Mon 27–Fri 31 December, so a
		// calendar year has 51 whole weeks and two clipped ones.
		{compliance.FreqWeekly, 53, "AC-1/2026-W53", "AC-1/2027-W52", false, span(t, "2027-01-01", "2027-01-03")},
		{compliance.FreqDaily, 53, "AC-1/2026-W53", "AC-1/2027-W52", true, span(t, "2027-01-01", "2027-01-03")},
		{compliance.FreqMonthly, 12, "AC-1/2027-01", "AC-1/2027-12", false, span(t, "2027-01-01", "2027-01-31")},
		{compliance.FreqPerEvent, 12, "AC-1/2027-01", "AC-1/2027-12", false, span(t, "2027-01-01", "2027-01-31")},
		{compliance.FreqContinuous, 12, "AC-1/2027-01", "AC-1/2027-12", false, span(t, "2027-01-01", "2027-01-31")},
		{compliance.FreqQuarterly, 4, "AC-1/2027-Q1", "AC-1/2027-Q4", false, span(t, "2027-01-01", "2027-03-31")},
		{compliance.FreqSemiAnnual, 2, "AC-1/2027-H1", "AC-1/2027-H2", false, span(t, "2027-01-01", "2027-06-30")},
		{compliance.FreqAnnual, 1, "AC-1/2027-01-01", "AC-1/2027-01-01", false, span(t, "2027-01-01", "2027-12-31")},
	}
	for _, c := range cases {
		t.Run(string(c.f), func(t *testing.T) {
			occs := schedule(t, "AC-1", c.f, w, cal)
			checkInvariants(t, occs, w, cal)
			assert.Len(t, occs, c.n)
			assert.Equal(t, c.first, occs[0].Key())
			assert.Equal(t, c.last, occs[len(occs)-1].Key())
			assert.Equal(t, c.firstSpan, occs[0].Period)
			for _, o := range occs {
				assert.Equal(t, c.batch, o.Batch)
				assert.Equal(t, c.f, o.Frequency)
			}
		})
	}
}

func TestScheduleWeeksAreMondayToSunday(t *testing.T) {
	cal := newYork(t)
	occs := schedule(t, "VUL-02", compliance.FreqWeekly, span(t, "2027-01-01", "2027-12-31"), cal)
	for _, o := range occs[1 : len(occs)-1] {
		assert.Equal(t, time.Monday, o.Period.Start.Weekday(), o.Key())
		assert.Equal(t, time.Sunday, o.Period.End.Weekday(), o.Key())
	}
	// A week ending Sunday is due the following Wednesday at 17:00.
	assert.Equal(t, "2027-01-06 17:00:00 -0500 EST", occs[0].Due.String())
	assert.Equal(t, "2027-01-13 17:00:00 -0500 EST", occs[0].GraceEnd.String())
}

func TestScheduleClipsAnUnalignedWindow(t *testing.T) {
	cal := newYork(t)
	w := span(t, "2027-03-15", "2028-03-14") // twelve months from mid-March
	cases := []struct {
		f           compliance.Frequency
		n           int
		first, last compliance.Span
		firstKey    string
	}{
		{compliance.FreqMonthly, 13, span(t, "2027-03-15", "2027-03-31"), span(t, "2028-03-01", "2028-03-14"), "X/2027-03"},
		{compliance.FreqQuarterly, 5, span(t, "2027-03-15", "2027-03-31"), span(t, "2028-01-01", "2028-03-14"), "X/2027-Q1"},
		{compliance.FreqSemiAnnual, 3, span(t, "2027-03-15", "2027-06-30"), span(t, "2028-01-01", "2028-03-14"), "X/2027-H1"},
		// Annual runs in years of the window, not calendar years: a
		// penetration test is asked for once in a twelve-month window.
		{compliance.FreqAnnual, 1, w, w, "X/2027-03-15"},
		// 15 March 2027 is a Monday; 14 March 2028 a Tuesday.
		{compliance.FreqWeekly, 53, span(t, "2027-03-15", "2027-03-21"), span(t, "2028-03-13", "2028-03-14"), "X/2027-W11"},
	}
	for _, c := range cases {
		t.Run(string(c.f), func(t *testing.T) {
			occs := schedule(t, "X", c.f, w, cal)
			checkInvariants(t, occs, w, cal)
			assert.Len(t, occs, c.n)
			assert.Equal(t, c.first, occs[0].Period)
			assert.Equal(t, c.last, occs[len(occs)-1].Period)
			assert.Equal(t, c.firstKey, occs[0].Key())
		})
	}
}

func TestScheduleAnnualOverSeveralYears(t *testing.T) {
	cal := newYork(t)
	w := span(t, "2028-02-29", "2030-06-30")
	occs := schedule(t, "PEN-01", compliance.FreqAnnual, w, cal)
	checkInvariants(t, occs, w, cal)
	require.Len(t, occs, 3)
	assert.Equal(t, span(t, "2028-02-29", "2029-02-27"), occs[0].Period, "29 February anchors on 28 February in common years")
	assert.Equal(t, span(t, "2029-02-28", "2030-02-27"), occs[1].Period)
	assert.Equal(t, span(t, "2030-02-28", "2030-06-30"), occs[2].Period)
}

func TestScheduleOneDayWindow(t *testing.T) {
	cal := newYork(t)
	for _, f := range compliance.Frequencies {
		w := span(t, "2027-06-15", "2027-06-15")
		occs := schedule(t, "ONE", f, w, cal)
		checkInvariants(t, occs, w, cal)
		assert.Len(t, occs, 1, f)
	}
}

func TestScheduleDueDatesSkipHolidaysAndWeekends(t *testing.T) {
	// June 2027 ends on a Wednesday; 5 July is the observed Independence
	// Day. Three business days after 30 June: Thu 1, Fri 2, (weekend,
	// holiday) Tue 6 July.
	w := span(t, "2027-01-01", "2027-12-31")
	plain := schedule(t, "LOG-01", compliance.FreqMonthly, w, newYork(t))
	cal := newYork(t, "2027-07-05", "2027-12-24", "2027-12-31", "2028-01-03")
	occs := schedule(t, "LOG-01", compliance.FreqMonthly, w, cal)
	checkInvariants(t, occs, w, cal)

	june := occs[5]
	require.Equal(t, "LOG-01/2027-06", june.Key())
	assert.Equal(t, "2027-07-05 17:00:00 -0400 EDT", plain[5].Due.String(), "without the holiday")
	assert.Equal(t, "2027-07-06 17:00:00 -0400 EDT", june.Due.String())
	assert.Equal(t, "2027-07-13 17:00:00 -0400 EDT", june.GraceEnd.String())

	// December ends on a Friday holiday; the following Monday is one too.
	dec := occs[11]
	assert.Equal(t, "2028-01-06 17:00:00 -0500 EST", dec.Due.String())
}

func TestScheduleAcrossDSTChanges(t *testing.T) {
	cal := newYork(t)
	// US DST 2027 starts Sunday 14 March and ends Sunday 7 November.
	occs := schedule(t, "BAK-03", compliance.FreqWeekly, span(t, "2027-03-01", "2027-11-30"), cal)
	byKey := map[string]cadence.Occurrence{}
	for _, o := range occs {
		byKey[o.Key()] = o
	}
	before, change, after := byKey["BAK-03/2027-W09"], byKey["BAK-03/2027-W10"], byKey["BAK-03/2027-W11"]
	assert.Equal(t, span(t, "2027-03-08", "2027-03-14"), change.Period)
	assert.Equal(t, "2027-03-10 22:00:00 +0000 UTC", before.Due.UTC().String(), "17:00 EST")
	assert.Equal(t, "2027-03-17 21:00:00 +0000 UTC", change.Due.UTC().String(), "17:00 EDT")
	assert.Equal(t, 167*time.Hour, change.Due.Sub(before.Due), "the week with the change is an hour short")
	assert.Equal(t, 168*time.Hour, after.Due.Sub(change.Due))
	// The week ending on the change day closes at local midnight, EDT.
	assert.Equal(t, "2027-03-15 04:00:00 +0000 UTC", change.Ends.UTC().String())
	assert.Equal(t, "2027-03-08 05:00:00 +0000 UTC", before.Ends.UTC().String())

	fall, fallBefore := byKey["BAK-03/2027-W44"], byKey["BAK-03/2027-W43"]
	assert.Equal(t, span(t, "2027-11-01", "2027-11-07"), fall.Period)
	assert.Equal(t, 169*time.Hour, fall.Due.Sub(fallBefore.Due), "the week with the fall-back change is an hour long")
	assert.Equal(t, 17, fall.Due.In(cal.Location).Hour())
}

func TestScheduleInAnotherZoneAndWorkweek(t *testing.T) {
	// A Sunday–Thursday working week in Asia/Dubai.
	cal, err := compliance.NewCalendar(compliance.ReminderPolicy{
		TimeZone: "Asia/Dubai", BusinessDays: []compliance.Weekday{"sun", "mon", "tue", "wed", "thu"},
	})
	require.NoError(t, err)
	occs, err := cadence.Schedule(cadence.ScheduleInput{
		ControlID: "ACC-04", Frequency: compliance.FreqQuarterly, Window: span(t, "2027-01-01", "2027-12-31"),
		Calendar: cal, DueAfter: 10, Grace: 2, DueHour: 9,
	})
	require.NoError(t, err)
	require.Len(t, occs, 4)
	// Q1 ends Wednesday 31 March; ten Sun–Thu business days later is
	// Wednesday 14 April, at 09:00 Dubai time (05:00 UTC).
	assert.Equal(t, "2027-04-14 05:00:00 +0000 UTC", occs[0].Due.UTC().String())
	assert.Equal(t, "2027-04-18 05:00:00 +0000 UTC", occs[0].GraceEnd.UTC().String(), "Thu 15, (Fri, Sat), Sun 18")
}

func TestScheduleIsDeterministic(t *testing.T) {
	cal := newYork(t, "2027-07-05")
	w := span(t, "2027-02-10", "2028-02-09")
	for _, f := range compliance.Frequencies {
		a := schedule(t, "DET-1", f, w, cal)
		b := schedule(t, "DET-1", f, w, cal)
		assert.Equal(t, a, b, f)
	}
}

func TestScheduleRejectsBadInput(t *testing.T) {
	cal := newYork(t)
	w := span(t, "2027-01-01", "2027-12-31")
	good := cadence.ScheduleInput{ControlID: "AC-1", Frequency: compliance.FreqMonthly, Window: w, Calendar: cal}
	cases := []struct {
		name string
		edit func(*cadence.ScheduleInput)
		want string
	}{
		{"empty window", func(in *cadence.ScheduleInput) { in.Window = compliance.Span{} }, "window needs both a start and an end"},
		{"no end", func(in *cadence.ScheduleInput) { in.Window.End = compliance.Date{} }, "window needs both a start and an end"},
		{"reversed window", func(in *cadence.ScheduleInput) { in.Window = span(t, "2027-12-31", "2027-01-01") }, "window ends 2027-01-01, before it starts 2027-12-31"},
		{"unknown frequency", func(in *cadence.ScheduleInput) { in.Frequency = "hourly" }, `frequency "hourly" is not one of`},
		{"empty frequency", func(in *cadence.ScheduleInput) { in.Frequency = "" }, "frequency is empty"},
		{"no calendar", func(in *cadence.ScheduleInput) { in.Calendar = nil }, "no calendar"},
		{"no control", func(in *cadence.ScheduleInput) { in.ControlID = "" }, "control_id: is empty"},
		{"slash in control", func(in *cadence.ScheduleInput) { in.ControlID = "AC/1" }, `control_id: "AC/1" has '/'`},
		{"space in control", func(in *cadence.ScheduleInput) { in.ControlID = "AC 1" }, `has ' '`},
		{"negative due", func(in *cadence.ScheduleInput) { in.DueAfter = -1 }, "due_after -1"},
		{"negative grace", func(in *cadence.ScheduleInput) { in.Grace = -2 }, "grace -2"},
		{"bad hour", func(in *cadence.ScheduleInput) { in.DueHour = 24 }, "due_hour 24"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := good
			c.edit(&in)
			occs, err := cadence.Schedule(in)
			assert.ErrorContains(t, err, c.want)
			assert.Nil(t, occs)
		})
	}
}

func TestNextWaitsForEachPeriodToEnd(t *testing.T) {
	cal := newYork(t)
	occs := schedule(t, "Q", compliance.FreqQuarterly, span(t, "2027-01-01", "2027-12-31"), cal)

	o, ok := cadence.Next(occs, cal.At(date(t, "2026-12-01"), 9))
	require.True(t, ok)
	assert.Equal(t, "Q/2027-Q1", o.Key())

	q1End := date(t, "2027-04-01").In(cal.Location)
	o, ok = cadence.Next(occs, q1End.Add(-time.Nanosecond))
	require.True(t, ok)
	assert.Equal(t, "Q/2027-Q1", o.Key(), "a nanosecond before Q1 closes")
	o, ok = cadence.Next(occs, q1End)
	require.True(t, ok)
	assert.Equal(t, "Q/2027-Q2", o.Key(), "at the instant Q1 closes, Q2 is next")

	_, ok = cadence.Next(occs, date(t, "2028-01-01").In(cal.Location))
	assert.False(t, ok, "all periods have ended")
	_, ok = cadence.Next(nil, q1End)
	assert.False(t, ok)

	// Order of the slice does not matter.
	rev := []cadence.Occurrence{occs[3], occs[2], occs[1], occs[0]}
	o, _ = cadence.Next(rev, q1End)
	assert.Equal(t, "Q/2027-Q2", o.Key())
}

func TestOccurrenceSurvivesJSON(t *testing.T) {
	cal := newYork(t)
	occs := schedule(t, "AC-1", compliance.FreqWeekly, span(t, "2027-03-01", "2027-03-31"), cal)
	b, err := json.Marshal(occs)
	require.NoError(t, err)
	var back []cadence.Occurrence
	require.NoError(t, json.Unmarshal(b, &back))
	require.Len(t, back, len(occs))
	for i := range occs {
		assert.Equal(t, occs[i].Key(), back[i].Key())
		assert.True(t, occs[i].Ends.Equal(back[i].Ends))
		assert.True(t, occs[i].Due.Equal(back[i].Due))
		assert.True(t, occs[i].GraceEnd.Equal(back[i].GraceEnd))
	}
	// Next agrees after the round trip, across the DST change.
	at := date(t, "2027-03-15").In(cal.Location).Add(-time.Minute)
	a, _ := cadence.Next(occs, at)
	c, _ := cadence.Next(back, at)
	assert.Equal(t, a.Key(), c.Key())
	assert.Equal(t, "AC-1/2027-W10", a.Key())
}

func TestParseKey(t *testing.T) {
	good := map[string][2]string{
		"ACC-04/2027-W10":    {"ACC-04", "2027-W10"},
		"ACC-04/2026-W53":    {"ACC-04", "2026-W53"},
		"ACC-04/2027-03":     {"ACC-04", "2027-03"},
		"ACC-04/2027-Q4":     {"ACC-04", "2027-Q4"},
		"ACC-04/2027-H2":     {"ACC-04", "2027-H2"},
		"ACC-04/2027-03-01":  {"ACC-04", "2027-03-01"},
		"cc6.1_x/2028-02-29": {"cc6.1_x", "2028-02-29"},
	}
	for k, want := range good {
		id, p, err := cadence.ParseKey(k)
		require.NoError(t, err, k)
		assert.Equal(t, want, [2]string{id, p})
	}
	for _, k := range []string{
		"", "ACC-04", "/2027-03", "ACC-04/", "ACC 04/2027-03", "ACC-04/2027-13", "ACC-04/2027-00",
		"ACC-04/2027-W54", "ACC-04/2027-W00", "ACC-04/2027-Q5", "ACC-04/2027-H3", "ACC-04/2027-02-30",
		"ACC-04/0000-01", "ACC-04/2027-3", "ACC-04/2027-+3", "ACC-04/27-03", "ACC-04/2027-03/x", "ACC-04/2027-W1a",
	} {
		_, _, err := cadence.ParseKey(k)
		assert.Error(t, err, k)
	}
}

func FuzzParseKey(f *testing.F) {
	for _, s := range []string{"ACC-04/2027-W10", "ACC-04/2027-03", "X/2027-Q1", "X/2027-H2", "X/2027-03-01", "a/b/c", "", "/", "é/2027-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		id, p, err := cadence.ParseKey(key)
		if err != nil {
			return
		}
		if !keyChars.MatchString(key) {
			t.Fatalf("accepted %q with characters outside [A-Za-z0-9._/-]", key)
		}
		if id+"/"+p != key {
			t.Fatalf("ParseKey(%q) = %q, %q: does not rebuild the key", key, id, p)
		}
		// Every accepted control ID schedules, and its keys parse back.
		cal, err := compliance.NewCalendar(compliance.ReminderPolicy{TimeZone: "UTC"})
		if err != nil {
			t.Fatal(err)
		}
		occs, err := cadence.Schedule(cadence.ScheduleInput{ControlID: id, Frequency: compliance.FreqQuarterly,
			Window: compliance.Span{Start: compliance.Date{Year: 2027, Month: 1, Day: 1}, End: compliance.Date{Year: 2027, Month: 3, Day: 31}}, Calendar: cal})
		if err != nil {
			t.Fatalf("control %q parsed from a key does not schedule: %v", id, err)
		}
		if gid, _, err := cadence.ParseKey(occs[0].Key()); err != nil || gid != id {
			t.Fatalf("key %q of control %q does not parse back: %v", occs[0].Key(), id, err)
		}
	})
}

func TestWindow(t *testing.T) {
	w := &compliance.ObservationWindow{Start: date(t, "2027-04-01"), End: date(t, "2028-03-31")}
	plan := compliance.Plan{Operating: span(t, "2027-02-01", "2027-05-31")}
	soc2 := func(f compliance.Framework) *compliance.Spec {
		f.ID = compliance.SOC2
		return &compliance.Spec{ID: "acme", Frameworks: []compliance.Framework{f}}
	}
	t1 := date(t, "2027-01-15")
	late := date(t, "2027-04-01")

	cases := []struct {
		name string
		spec *compliance.Spec
		want compliance.Span
	}{
		{"type II window", soc2(compliance.Framework{Report: compliance.Type2, Window: w}), span(t, "2027-04-01", "2028-03-31")},
		{"type I date starts the clock", soc2(compliance.Framework{Report: compliance.Type2, Window: w, Type1Date: &t1}), span(t, "2027-01-15", "2028-03-31")},
		{"type I on the window's first day", soc2(compliance.Framework{Report: compliance.Type2, Window: w, Type1Date: &late}), span(t, "2027-04-01", "2028-03-31")},
		{"type I report: plan's run-up", soc2(compliance.Framework{Report: compliance.Type1, Type1Date: &t1}), plan.Operating},
		{"ISO 27001: plan's run-up", &compliance.Spec{ID: "acme", Frameworks: []compliance.Framework{{ID: compliance.ISO27001}}}, plan.Operating},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := cadence.Window(c.spec, plan)
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}

	// A Type I date starts monthly evidence mid-January.
	got, err := cadence.Window(soc2(compliance.Framework{Report: compliance.Type2, Window: w, Type1Date: &t1}), plan)
	require.NoError(t, err)
	occs := schedule(t, "CHG-01", compliance.FreqMonthly, got, newYork(t))
	assert.Len(t, occs, 15)
	assert.Equal(t, span(t, "2027-01-15", "2027-01-31"), occs[0].Period)

	_, err = cadence.Window(nil, plan)
	assert.ErrorContains(t, err, "no spec")
	_, err = cadence.Window(&compliance.Spec{ID: "acme"}, compliance.Plan{})
	assert.ErrorContains(t, err, "operating span")
	_, err = cadence.Window(soc2(compliance.Framework{Report: compliance.Type2, Window: &compliance.ObservationWindow{}}), plan)
	assert.ErrorContains(t, err, "SOC 2 window")
}

// BenchmarkSchedule150Controls schedules a realistic library of 150 controls
// over a twelve-month window.
func BenchmarkSchedule150Controls(b *testing.B) {
	cal := newYork(b, "2027-01-01", "2027-05-31", "2027-07-05", "2027-09-06", "2027-11-25", "2027-12-24")
	w := span(b, "2027-03-01", "2028-02-29")
	mix := []compliance.Frequency{
		compliance.FreqQuarterly, compliance.FreqAnnual, compliance.FreqMonthly, compliance.FreqPerEvent,
		compliance.FreqWeekly, compliance.FreqDaily, compliance.FreqSemiAnnual, compliance.FreqContinuous,
		compliance.FreqQuarterly, compliance.FreqAnnual,
	}
	ins := make([]cadence.ScheduleInput, 150)
	for i := range ins {
		ins[i] = cadence.ScheduleInput{ControlID: fmt.Sprintf("CTL-%03d", i), Frequency: mix[i%len(mix)], Window: w, Calendar: cal}
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n = 0
		for _, in := range ins {
			occs, err := cadence.Schedule(in)
			if err != nil {
				b.Fatal(err)
			}
			n += len(occs)
		}
	}
	b.ReportMetric(float64(n), "occurrences/op")
}
