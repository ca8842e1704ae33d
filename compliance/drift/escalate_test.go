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

func rungs(rs []drift.Rung) map[compliance.Role]string {
	m := map[compliance.Role]string{}
	for _, r := range rs {
		m[r.Role] = r.At.String()
	}
	return m
}

// The Q1 review is due Monday 5 April: the owner is reminded in the last
// days of March, the lead told at the deadline, the sponsor two business
// days later — inside the grace and weeks before Q2 closes.
func TestEscalateQuarterlyReview(t *testing.T) {
	cal := newYork(t)
	occs := sched(t, cadence.ScheduleInput{ControlID: "ACC-04", Frequency: compliance.FreqQuarterly, Window: year2027, Calendar: cal})
	q1 := occs[0]
	require.Equal(t, "2027-04-05 17:00:00 -0400 EDT", q1.Due.String())

	rs := drift.EscalateBy(q1, cal)
	require.Len(t, rs, 3)
	assert.Equal(t, []compliance.Role{compliance.RoleControlOwner, compliance.RoleLead, compliance.RoleSponsor},
		[]compliance.Role{rs[0].Role, rs[1].Role, rs[2].Role})
	assert.Equal(t, map[compliance.Role]string{
		compliance.RoleControlOwner: "2027-03-29 17:00:00 -0400 EDT",
		compliance.RoleLead:         "2027-04-05 17:00:00 -0400 EDT",
		compliance.RoleSponsor:      "2027-04-07 17:00:00 -0400 EDT",
	}, rungs(rs))
	assert.True(t, rs[2].At.Before(q1.GraceEnd), "the sponsor hears while evidence can still be merely late")
	assert.Equal(t, "2027-06-30 17:00:00 -0400 EDT", drift.QuarterClose(q1, cal).String())
}

// Near a quarter's end the sponsor rung is pulled forward so it lands at
// least QuarterCloseMargin business days before the quarter's last business
// day; when Due is already that close, the sponsor is told at Due.
func TestEscalateBeforeTheQuarterCloses(t *testing.T) {
	cal := newYork(t)
	w := span(t, "2027-03-01", "2027-03-31")
	weekly := func(dueAfter int, key string) cadence.Occurrence {
		return find(t, sched(t, cadence.ScheduleInput{ControlID: "VUL-02", Frequency: compliance.FreqWeekly, Window: w, Calendar: cal, DueAfter: dueAfter}), key)
	}

	// Due Tuesday 23 March; Due+2 would be Thursday 25th, but Q1's last
	// business day is Wednesday 31st and five business days before it is
	// Wednesday 24th.
	o := weekly(7, "VUL-02/2027-W10")
	require.Equal(t, "2027-03-23 17:00:00 -0400 EDT", o.Due.String())
	assert.Equal(t, map[compliance.Role]string{
		compliance.RoleControlOwner: "2027-03-16 17:00:00 -0400 EDT",
		compliance.RoleLead:         "2027-03-23 17:00:00 -0400 EDT",
		compliance.RoleSponsor:      "2027-03-24 17:00:00 -0400 EDT",
	}, rungs(drift.EscalateBy(o, cal)))

	// Due on the quarter's last business day: lead and sponsor at Due.
	o = weekly(8, "VUL-02/2027-W11")
	require.Equal(t, "2027-03-31 17:00:00 -0400 EDT", o.Due.String())
	assert.Equal(t, map[compliance.Role]string{
		compliance.RoleControlOwner: "2027-03-24 17:00:00 -0400 EDT",
		compliance.RoleLead:         "2027-03-31 17:00:00 -0400 EDT",
		compliance.RoleSponsor:      "2027-03-31 17:00:00 -0400 EDT",
	}, rungs(drift.EscalateBy(o, cal)))

	// Far from the quarter's end the cap does not bite.
	o = weekly(0, "VUL-02/2027-W09")
	require.Equal(t, "2027-03-10 17:00:00 -0500 EST", o.Due.String())
	assert.Equal(t, "2027-03-12 17:00:00 -0500 EST", drift.EscalateBy(o, cal)[2].At.String())
}

func TestEscalateWithHolidays(t *testing.T) {
	// 31 December 2027 (a Friday) is a holiday: Q4 closes on Thursday 30th.
	cal := newYork(t, "2027-12-24", "2027-12-31")
	w := span(t, "2027-12-01", "2027-12-31")
	o := find(t, sched(t, cadence.ScheduleInput{ControlID: "X", Frequency: compliance.FreqWeekly, Window: w, Calendar: cal}), "X/2027-W50")
	require.Equal(t, "2027-12-22 17:00:00 -0500 EST", o.Due.String())
	assert.Equal(t, "2027-12-30 17:00:00 -0500 EST", drift.QuarterClose(o, cal).String())
	// Due+2 business days skips the 24th to Monday 27th; five business days
	// before the 30th is the 22nd, so the sponsor hears at Due.
	assert.Equal(t, "2027-12-22 17:00:00 -0500 EST", drift.EscalateBy(o, cal)[2].At.String())

	// The owner's reminder never comes before the period starts: the first
	// week of 2027 is clipped to Friday 1 January, itself a holiday here.
	cal = newYork(t, "2027-01-01")
	first := sched(t, cadence.ScheduleInput{ControlID: "X", Frequency: compliance.FreqWeekly, Window: year2027, Calendar: cal})[0]
	require.Equal(t, span(t, "2027-01-01", "2027-01-03"), first.Period)
	assert.Equal(t, "2027-01-04 17:00:00 -0500 EST", drift.EscalateBy(first, cal)[0].At.String())
}

// Every occurrence of every frequency in a year with holidays: the ladder
// runs owner → lead → sponsor, the lead at Due, the sponsor inside the grace
// and before the quarter in which it falls due has closed — quarterly
// reviews at least QuarterCloseMargin business days before.
func TestEscalateLadderProperties(t *testing.T) {
	cal := newYork(t, "2027-01-01", "2027-05-31", "2027-07-05", "2027-09-06", "2027-11-25", "2027-12-24", "2027-12-31")
	for _, f := range compliance.Frequencies {
		for _, o := range sched(t, cadence.ScheduleInput{ControlID: "P", Frequency: f, Window: year2027, Calendar: cal}) {
			rs := drift.EscalateBy(o, cal)
			require.Len(t, rs, 3)
			owner, lead, sponsor := rs[0].At, rs[1].At, rs[2].At
			closes := drift.QuarterClose(o, cal)
			assert.False(t, owner.After(lead), o.Key())
			assert.True(t, lead.Equal(o.Due), o.Key())
			assert.False(t, sponsor.Before(lead), o.Key())
			assert.True(t, sponsor.Before(o.GraceEnd), o.Key())
			assert.False(t, sponsor.After(closes), "%s: sponsor %s after the quarter closes %s", o.Key(), sponsor, closes)
			assert.False(t, compliance.DateOf(owner.In(cal.Location)).Before(o.Period.Start), o.Key())
			for _, r := range rs {
				assert.True(t, cal.IsBusinessDay(compliance.DateOf(r.At.In(cal.Location))), "%s %s on %s", o.Key(), r.Role, r.At.Weekday())
				assert.Equal(t, 17, r.At.In(cal.Location).Hour())
			}
			if f == compliance.FreqQuarterly {
				limit := cal.At(cal.AddBusinessDays(compliance.DateOf(closes.In(cal.Location)), -drift.QuarterCloseMargin), 17)
				assert.False(t, sponsor.After(limit), "%s: quarterly review reaches the sponsor %s, well before %s", o.Key(), sponsor, closes)
				assert.Greater(t, closes.Sub(sponsor), 30*24*time.Hour, o.Key())
			}
		}
	}
}
