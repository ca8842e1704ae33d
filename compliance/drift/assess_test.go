package drift_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/drift"
)

// answer builds submissions from a pattern, one letter per occurrence in
// order: o on time (an hour before Due), l late (an hour after Due),
// r retrospective (an hour after GraceEnd), - nothing. Occurrences beyond
// the pattern get nothing.
func answer(occs []cadence.Occurrence, pattern string) []drift.Submission {
	var subs []drift.Submission
	for i, c := range pattern {
		o := occs[i]
		var when time.Time
		switch c {
		case 'o':
			when = o.Due.Add(-time.Hour)
		case 'l':
			when = o.Due.Add(time.Hour)
		case 'r':
			when = o.GraceEnd.Add(time.Hour)
		default:
			continue
		}
		subs = append(subs, drift.Submission{OccurrenceKey: o.Key(), At: when, By: "owner@example.com"})
	}
	return subs
}

var year2027 = compliance.Span{Start: compliance.Date{Year: 2027, Month: 1, Day: 1}, End: compliance.Date{Year: 2027, Month: 12, Day: 31}}

func monthly(t testing.TB, cal *compliance.Calendar) []cadence.Occurrence {
	return sched(t, cadence.ScheduleInput{ControlID: "LOG-01", Frequency: compliance.FreqMonthly, Window: year2027, Calendar: cal})
}

func TestAssessLevels(t *testing.T) {
	cal := newYork(t)
	occs := monthly(t, cal)
	// 20 July: January–June have fallen due (June's on 5 July, grace to
	// 12 July); July's is due 4 August.
	jul20 := cal.At(date(t, "2027-07-20"), 12)
	jul7 := cal.At(date(t, "2027-07-07"), 12) // June overdue, inside its grace

	cases := []struct {
		pattern string
		now     time.Time
		level   drift.Level
		streak  int
		reason  string
	}{
		{"oooooo", jul20, drift.LevelOK, 6, ""},
		{"oolooo", jul20, drift.LevelOK, 3, ""},
		// Two monthly occurrences late in a row is already 60 days with
		// nothing on time.
		{"ooooll", jul20, drift.LevelCritical, 0, "nothing on time for 75 days (last on-time evidence 2027-05-05)"},
		{"ooooo" + "l", jul20, drift.LevelWatch, 0, "LOG-01/2027-06 is late"},
		{"oooolo", jul20, drift.LevelWatch, 1, "LOG-01/2027-05 is late"},
		{"ooooor", jul20, drift.LevelWatch, 0, "LOG-01/2027-06 is retrospective"},
		{"oooroo", jul20, drift.LevelOK, 2, ""},
		{"ooooo-", jul7, drift.LevelWatch, 0, "LOG-01/2027-06 is overdue"},
		{"oololo", jul20, drift.LevelWatch, 1, "LOG-01/2027-05 is late"},
		{"ooolol", jul20, drift.LevelDrifting, 0, "2 of the last 3 occurrences were not on time"},
		{"oooo-o", jul20, drift.LevelDrifting, 1, "LOG-01/2027-05 is missed"},
		{"ooo-oo", jul20, drift.LevelDrifting, 2, "LOG-01/2027-04 is missed"},
		// An old miss with three on time since: not drifting now (it stays
		// in the counts and the auditor's sample).
		{"oo-ooo", jul20, drift.LevelOK, 3, ""},
		{"-ooooo", jul20, drift.LevelOK, 5, ""},
		{"-oo-oo", jul20, drift.LevelCritical, 2, "2 occurrences missed in the window (LOG-01/2027-01, LOG-01/2027-04)"},
	}
	for _, c := range cases {
		t.Run(c.pattern, func(t *testing.T) {
			d := drift.Assess(occs, answer(occs, c.pattern), c.now, year2027)
			assert.Equal(t, c.level, d.Level, "reasons: %v", d.Reasons)
			assert.Equal(t, c.streak, d.Streak)
			assert.Equal(t, c.level.Tell(), d.Tell)
			if c.reason == "" {
				assert.Empty(t, d.Reasons)
			} else {
				assert.Contains(t, d.Reasons, c.reason)
			}
		})
	}
}

func TestAssessCounts(t *testing.T) {
	cal := newYork(t)
	occs := monthly(t, cal)
	now := cal.At(date(t, "2027-07-07"), 12)
	subs := answer(occs, "olr-o-")
	// A correction to January after the fact does not change it, and is
	// not "evidence" for the days-since count.
	subs = append(subs, drift.Submission{OccurrenceKey: occs[0].Key(), At: now.Add(-time.Minute), By: "fixer@example.com"})
	// Someone else's evidence and a submission from the future are ignored.
	subs = append(subs,
		drift.Submission{OccurrenceKey: "OTHER/2027-06", At: now.Add(-time.Hour)},
		drift.Submission{OccurrenceKey: occs[6].Key(), At: now.Add(time.Hour)})

	d := drift.Assess(occs, subs, now, year2027)
	assert.Equal(t, "LOG-01", d.ControlID)
	assert.Equal(t, compliance.FreqMonthly, d.Frequency)
	assert.Equal(t, 6, d.Expected)
	assert.Equal(t, 2, d.OnTime)
	assert.Equal(t, 1, d.Late)
	assert.Equal(t, 1, d.Retrospective)
	assert.Equal(t, 1, d.Missed)
	assert.Equal(t, 1, d.Overdue)
	assert.Equal(t, 6, d.Pending)
	assert.Equal(t, 0, d.Streak)
	require.NotNil(t, d.LastEvidence)
	assert.True(t, d.LastEvidence.Equal(occs[4].Due.Add(-time.Hour)), "May's evidence, on 3 June: %s", d.LastEvidence)
	assert.Equal(t, 34, d.DaysSinceEvidence, "3 June to 7 July")
	var issues []string
	for _, is := range d.Issues {
		issues = append(issues, fmt.Sprintf("%s %s", is.Key, is.Status))
	}
	assert.Equal(t, []string{"LOG-01/2027-02 late", "LOG-01/2027-03 retrospective", "LOG-01/2027-04 missed", "LOG-01/2027-06 overdue"}, issues)
	assert.Equal(t, drift.LevelDrifting, d.Level, "%v", d.Reasons)

	// Nothing ever: days since the first occurrence fell due (3 February).
	d = drift.Assess(occs, nil, now, year2027)
	assert.Nil(t, d.LastEvidence)
	assert.Equal(t, 154, d.DaysSinceEvidence)

	// Before anything falls due.
	d = drift.Assess(occs, nil, cal.At(date(t, "2027-01-20"), 9), year2027)
	assert.Equal(t, drift.LevelOK, d.Level)
	assert.Equal(t, 0, d.Expected)
	assert.Equal(t, 12, d.Pending)
	assert.Equal(t, 0, d.DaysSinceEvidence)

	// Nothing at all.
	assert.Equal(t, drift.ControlDrift{Level: drift.LevelOK}, drift.Assess(nil, nil, now, year2027))
}

func TestAssessIgnoresOtherControlsAndOutsideWindow(t *testing.T) {
	cal := newYork(t)
	occs := monthly(t, cal)
	other := sched(t, cadence.ScheduleInput{ControlID: "ACC-04", Frequency: compliance.FreqQuarterly, Window: year2027, Calendar: cal})
	now := cal.At(date(t, "2027-12-20"), 12)
	all := append(append([]cadence.Occurrence{}, occs...), other...)
	d := drift.Assess(all, answer(occs, "ooooooooooo"), now, year2027)
	assert.Equal(t, 11, d.Expected)
	assert.Equal(t, 11, d.OnTime)

	// A window that starts in April leaves January–March out entirely.
	w := span(t, "2027-04-01", "2027-12-31")
	d = drift.Assess(occs, answer(occs, "---oooooooo"), now, w)
	assert.Equal(t, 8, d.Expected)
	assert.Equal(t, 0, d.Missed)
	assert.Equal(t, drift.LevelOK, d.Level)
}

// A missed occurrence becomes critical when the quarter it fell due in
// closes within QuarterCloseDays; before that it is drifting, and once the
// quarter has closed it is judged by the other rules again.
func TestAssessMissedAsTheQuarterCloses(t *testing.T) {
	cal := newYork(t)
	occs := monthly(t, cal)
	subs := answer(occs, "-o") // January (due 3 February) missed, February on time
	cases := []struct {
		now   time.Time
		level drift.Level
	}{
		{cal.At(date(t, "2027-03-15"), 12), drift.LevelDrifting}, // 16 days to 31 March
		{cal.At(date(t, "2027-03-16"), 0), drift.LevelCritical},  // 15 days
		{cal.At(date(t, "2027-03-31"), 23), drift.LevelCritical}, // closing day
		{cal.At(date(t, "2027-04-01"), 0), drift.LevelDrifting},  // Q1 has closed
	}
	for _, c := range cases {
		d := drift.Assess(occs, subs, c.now, year2027)
		assert.Equal(t, c.level, d.Level, "at %s: %v", c.now, d.Reasons)
	}
	d := drift.Assess(occs, subs, cal.At(date(t, "2027-03-16"), 0), year2027)
	assert.Contains(t, d.Reasons, "LOG-01/2027-01 is missed and the quarter it fell due in closes 2027-03-31, in 15 days")
	assert.Equal(t, []compliance.Role{compliance.RoleControlOwner, compliance.RoleLead, compliance.RoleSponsor}, d.Tell)
}

// Nothing on time for StaleDays on a control due at least monthly.
func TestAssessNothingOnTimeFor60Days(t *testing.T) {
	cal := newYork(t)
	occs := monthly(t, cal)

	// January on time (3 February, 16:00 EST), February late.
	subs := answer(occs, "ol")
	ref := occs[0].Due.Add(-time.Hour)
	d := drift.Assess(occs, subs, ref.Add(drift.StaleDays*24*time.Hour-ns), year2027)
	assert.Equal(t, drift.LevelWatch, d.Level, "%v", d.Reasons)
	d = drift.Assess(occs, subs, ref.Add(drift.StaleDays*24*time.Hour), year2027)
	assert.Equal(t, drift.LevelCritical, d.Level)
	assert.Contains(t, d.Reasons, "nothing on time for 60 days (last on-time evidence 2027-02-03)")

	// Never on time: counted from when the first occurrence fell due.
	subs = answer(occs, "ll")
	d = drift.Assess(occs, subs, occs[0].Due.Add(drift.StaleDays*24*time.Hour-ns), year2027)
	assert.Equal(t, drift.LevelDrifting, d.Level)
	d = drift.Assess(occs, subs, occs[0].Due.Add(drift.StaleDays*24*time.Hour), year2027)
	assert.Equal(t, drift.LevelCritical, d.Level)
	assert.Contains(t, d.Reasons, "nothing on time for 60 days (none since the first occurrence fell due 2027-02-03)")

	// 60 days since the last on-time evidence but nothing has fallen due
	// since (evidence given early, next one not due yet): not stale.
	early := []drift.Submission{{OccurrenceKey: occs[0].Key(), At: cal.At(date(t, "2027-01-02"), 9)}}
	d = drift.Assess(occs, early, cal.At(date(t, "2027-03-03"), 16), year2027)
	assert.Equal(t, drift.LevelOK, d.Level, "%v", d.Reasons)

	// A quarterly control is not held to the 60-day rule.
	q := sched(t, cadence.ScheduleInput{ControlID: "ACC-04", Frequency: compliance.FreqQuarterly, Window: year2027, Calendar: cal})
	d = drift.Assess(q, answer(q, "l"), q[0].Due.Add(80*24*time.Hour), year2027)
	assert.Equal(t, drift.LevelWatch, d.Level, "%v", d.Reasons)

	// A weekly control is.
	wk := sched(t, cadence.ScheduleInput{ControlID: "VUL-02", Frequency: compliance.FreqWeekly, Window: year2027, Calendar: cal})
	d = drift.Assess(wk, answer(wk, "olllllllll"), wk[0].Due.Add(-time.Hour).Add(60*24*time.Hour), year2027)
	assert.Equal(t, drift.LevelCritical, d.Level)
}

func TestLevelTellAndOrder(t *testing.T) {
	assert.Nil(t, drift.LevelOK.Tell())
	assert.Equal(t, []compliance.Role{compliance.RoleControlOwner}, drift.LevelWatch.Tell())
	assert.Equal(t, []compliance.Role{compliance.RoleControlOwner, compliance.RoleLead}, drift.LevelDrifting.Tell())
	assert.Equal(t, []compliance.Role{compliance.RoleControlOwner, compliance.RoleLead, compliance.RoleSponsor}, drift.LevelCritical.Tell())
	assert.True(t, drift.LevelCritical.AtLeast(drift.LevelDrifting))
	assert.True(t, drift.LevelWatch.AtLeast(drift.LevelWatch))
	assert.False(t, drift.LevelOK.AtLeast(drift.LevelWatch))
}

// BenchmarkAssess assesses a daily control (weekly batches) and a weekly
// control over a twelve-month window, late in the year.
func BenchmarkAssess(b *testing.B) {
	cal := newYork(b, "2027-05-31", "2027-07-05", "2027-09-06", "2027-11-25")
	occs := sched(b, cadence.ScheduleInput{ControlID: "VUL-02", Frequency: compliance.FreqWeekly, Window: year2027, Calendar: cal})
	pattern := ""
	for i := range occs {
		pattern += string("oooloooro-"[i%10])
	}
	subs := answer(occs, pattern)
	now := cal.At(date(b, "2027-12-20"), 12)
	b.ReportAllocs()
	for b.Loop() {
		d := drift.Assess(occs, subs, now, year2027)
		if d.Expected == 0 {
			b.Fatal("nothing assessed")
		}
	}
}
