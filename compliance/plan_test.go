package compliance

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPlanWorksBackFromTheAuditDate(t *testing.T) {
	s := mustSpec(t, minimal) // Type II 2027-01-01..2027-12-31, audit 2028-02-01 (a Tuesday), London
	p, err := PlanEngagement(s, scopeNow)
	require.NoError(t, err)
	assert.True(t, p.Fits, p.Problems)
	assert.Equal(t, "Europe/London", p.TimeZone)
	assert.Equal(t, Date{2028, 2, 1}, p.Fieldwork.Start)
	assert.Equal(t, Date{2028, 2, 14}, p.Fieldwork.End, "ten business days of fieldwork")
	assert.Equal(t, Date{2028, 1, 11}, p.Readiness.Start, "readiness starts fifteen business days before the audit")
	assert.Equal(t, Date{2028, 1, 24}, p.Readiness.End)
	assert.Equal(t, Span{Date{2027, 1, 1}, Date{2027, 12, 31}}, p.Operating, "the Type II window is the operating period")
	assert.Equal(t, Date{2026, 11, 25}, p.Start, "starts on the next business day in the client's zone")
	assert.Equal(t, Date{2026, 12, 8}, p.GapAssessment.End, "weeks 1-2")
	assert.Equal(t, Date{2026, 12, 2}, p.Remediation.Start, "remediation overlaps week 2")
	assert.Equal(t, Date{2026, 12, 22}, p.Remediation.End, "weeks 2-4")
	assert.True(t, p.Remediation.End.Before(p.Operating.Start))
	assert.Equal(t, 12, p.Operating.Months())
}

func TestPlanSkipsWeekendsAndHolidaysInTheClientZone(t *testing.T) {
	src := strings.Replace(minimal, "  time_zone: Europe/London\n", "  time_zone: Pacific/Auckland\n  holidays: [2026-12-25, 2026-12-28]\n", 1)
	s := mustSpec(t, src)
	// 23:30 UTC on Friday 27 Nov is already Saturday in Auckland: the plan
	// starts on Monday 30 Nov.
	p, err := PlanEngagement(s, time.Date(2026, 11, 27, 23, 30, 0, 0, time.UTC))
	require.NoError(t, err)
	assert.Equal(t, Date{2026, 11, 30}, p.Start)
	// Remediation (15 business days from 7 Dec) skips both holidays.
	assert.Equal(t, Date{2026, 12, 7}, p.Remediation.Start)
	assert.Equal(t, Date{2026, 12, 29}, p.Remediation.End)
}

func TestPlanThatCannotFitIsARiskNotACrash(t *testing.T) {
	src := strings.NewReplacer("start: 2027-01-01, end: 2027-12-31", "start: 2026-12-01, end: 2027-03-31",
		"audit_date: 2028-02-01", "audit_date: 2027-04-20").Replace(minimal)
	p, err := PlanEngagement(mustSpec(t, src), scopeNow)
	require.NoError(t, err)
	assert.False(t, p.Fits)
	require.NotEmpty(t, p.Problems)
	assert.Contains(t, p.Problems[0], "business days short")

	past := strings.NewReplacer("start: 2027-01-01, end: 2027-12-31", "start: 2025-01-01, end: 2025-06-30",
		"audit_date: 2028-02-01", "audit_date: 2025-09-01").Replace(minimal)
	p, err = PlanEngagement(mustSpec(t, past), scopeNow)
	require.NoError(t, err)
	assert.False(t, p.Fits)
	assert.Contains(t, strings.Join(p.Problems, " "), "not in the future")
}

func TestPlanISOUsesARunUp(t *testing.T) {
	src := strings.Replace(minimal, "  - id: soc2\n    report: type2\n    window: {start: 2027-01-01, end: 2027-12-31}\n", "  - id: iso27001\n", 1)
	p, err := PlanEngagement(mustSpec(t, src), scopeNow)
	require.NoError(t, err)
	assert.True(t, p.Fits, p.Problems)
	cal, err := NewCalendar(mustSpec(t, src).Reminders)
	require.NoError(t, err)
	assert.Equal(t, MinISORunUpDays, cal.BusinessDaysBetween(p.Operating.Start, p.Operating.End), "ISO runs up for sixty business days before readiness")
	assert.Equal(t, cal.AddBusinessDays(p.Readiness.Start, -1), p.Operating.End)
}

func TestCalendarBusinessDayArithmetic(t *testing.T) {
	cal, err := NewCalendar(ReminderPolicy{TimeZone: "America/New_York", Holidays: []Date{{2027, 7, 5}}})
	require.NoError(t, err)
	fri := Date{2027, 7, 2}
	assert.Equal(t, Date{2027, 7, 6}, cal.AddBusinessDays(fri, 1), "skips the weekend and the 5 July holiday")
	assert.Equal(t, fri, cal.AddBusinessDays(Date{2027, 7, 6}, -1))
	assert.Equal(t, 1, cal.BusinessDaysBetween(fri, Date{2027, 7, 6}))
	assert.Equal(t, -1, cal.BusinessDaysBetween(Date{2027, 7, 6}, fri))
	assert.Equal(t, Date{2027, 7, 6}, cal.NextBusinessDay(Date{2027, 7, 3}))
	assert.Equal(t, fri, cal.PrevBusinessDay(Date{2027, 7, 5}))
	// 10:00 on a DST day is 10:00 local.
	assert.Equal(t, 10, cal.At(Date{2027, 3, 14}, 10).Hour())
}
