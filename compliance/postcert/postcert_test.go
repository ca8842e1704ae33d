package postcert

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
)

func d(s string) compliance.Date {
	date, err := compliance.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return date
}

func span(a, b string) compliance.Span { return compliance.Span{Start: d(a), End: d(b)} }

// london is a UK calendar with the bank holidays the cases below land next to.
func london(t *testing.T) *compliance.Calendar {
	t.Helper()
	var hols []compliance.Date
	for _, h := range []string{"2027-08-30", "2027-12-27", "2027-12-28", "2028-01-03", "2028-12-25", "2028-12-26", "2029-01-01", "2029-08-27"} {
		hols = append(hols, d(h))
	}
	cal, err := compliance.NewCalendar(compliance.ReminderPolicy{TimeZone: "Europe/London", Holidays: hols})
	require.NoError(t, err)
	return cal
}

func loadSpec(t *testing.T, name string) *compliance.Spec {
	t.Helper()
	s, err := compliance.LoadSpec("../../examples/" + name)
	require.NoError(t, err)
	return s
}

func only(ms []Milestone, fw compliance.FrameworkID, kind string) []Milestone {
	var out []Milestone
	for _, m := range ms {
		if m.Framework == fw && m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}

func one(t *testing.T, ms []Milestone, fw compliance.FrameworkID, kind string) Milestone {
	t.Helper()
	got := only(ms, fw, kind)
	require.Len(t, got, 1, "%s %s", fw, kind)
	return got[0]
}

func TestPlanNextSOC2Window(t *testing.T) {
	cal := london(t)
	saas := loadSpec(t, "saas-startup.yaml")
	type1 := loadSpec(t, "saas-startup.yaml")
	type1.Frameworks[0].Report, type1.Frameworks[0].Window = compliance.Type1, nil

	for _, tc := range []struct {
		name       string
		spec       *compliance.Spec
		cert       Certification
		window     compliance.Span
		audit      string
		wantMonths int
	}{{
		// 1 January 2029 is a bank holiday: the audit counts past it.
		name: "period ending 31 December", spec: saas,
		cert:   Certification{Framework: compliance.SOC2, Date: d("2028-02-10"), ReportPeriod: span("2027-01-01", "2027-12-31")},
		window: span("2028-01-01", "2028-12-31"), audit: "2029-01-30", wantMonths: 12,
	}, {
		// A period ending on the last day of February is followed by one
		// ending on the last day of February, 29th in a leap year.
		name: "period ending 28 February before a leap year", spec: saas,
		cert:   Certification{Framework: compliance.SOC2, Date: d("2027-04-01"), ReportPeriod: span("2026-09-01", "2027-02-28")},
		window: span("2027-03-01", "2028-02-29"), audit: "2028-03-29", wantMonths: 12,
	}, {
		name: "period ending 29 February", spec: saas,
		cert:   Certification{Framework: compliance.SOC2, Date: d("2028-03-20"), ReportPeriod: span("2027-03-01", "2028-02-29")},
		window: span("2028-03-01", "2029-02-28"), audit: "2029-03-29", wantMonths: 12,
	}, {
		// The window is not moved off the weekend: coverage stays
		// continuous. The audit after it is on a business day.
		name: "period ending on a Friday before a weekend", spec: saas,
		cert:   Certification{Framework: compliance.SOC2, Date: d("2027-09-20"), ReportPeriod: span("2027-03-01", "2027-08-27")},
		window: span("2027-08-28", "2028-08-27"), audit: "2028-09-25", wantMonths: 12,
	}, {
		name: "Type I with no period runs from its date", spec: type1,
		cert:   Certification{Framework: compliance.SOC2, Date: d("2027-06-15")},
		window: span("2027-06-16", "2028-06-15"), audit: "2028-07-14", wantMonths: 12,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := PlanNext(tc.spec, []Certification{tc.cert}, cal)
			require.NoError(t, err)
			m := one(t, ms, compliance.SOC2, KindType2Window)
			assert.Equal(t, tc.window.Start, m.Start)
			assert.Equal(t, tc.window, m.Window())
			assert.Equal(t, tc.wantMonths, m.Window().Months())
			assert.Equal(t, d(tc.audit), m.Due)
			assert.True(t, cal.IsBusinessDay(m.Due))
			assert.Equal(t, MonthBusinessDays, cal.BusinessDaysBetween(m.Window().End, m.Due), "the audit is a month of business days after the window")
		})
	}
}

func TestPlanNextISOCycle(t *testing.T) {
	cal := london(t)
	spec := loadSpec(t, "payments-co.yaml")
	for _, tc := range []struct {
		name                 string
		certified            string
		surv1, surv2, recert string
	}{{
		// 29 February: anniversaries fall on 28 February. 28 February 2026
		// is a Saturday, so the second surveillance is due the Friday
		// before; the certificate expires Saturday 27 February 2027.
		name: "certified on 29 February", certified: "2024-02-29",
		surv1: "2025-02-28", surv2: "2026-02-27", recert: "2027-01-29",
	}, {
		// Friday before the August bank holiday: the first anniversary is a
		// Sunday and the second the bank holiday itself; both move back.
		name: "certified on a Friday before a bank holiday", certified: "2027-08-27",
		surv1: "2028-08-25", surv2: "2029-08-24", recert: "2030-07-26",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := PlanNext(spec, []Certification{{Framework: compliance.ISO27001, Date: d(tc.certified), Reference: "IS 123456"}}, cal)
			require.NoError(t, err)
			s1 := one(t, ms, compliance.ISO27001, KindSurveillance1)
			s2 := one(t, ms, compliance.ISO27001, KindSurveillance2)
			rc := one(t, ms, compliance.ISO27001, KindRecertification)
			assert.Equal(t, d(tc.surv1), s1.Due)
			assert.Equal(t, d(tc.surv2), s2.Due)
			assert.Equal(t, d(tc.recert), rc.Due)
			for _, m := range []Milestone{s1, s2, rc} {
				assert.Equal(t, MonthBusinessDays, cal.BusinessDaysBetween(m.Start, m.Due), "%s is planned a month before", m.Kind)
			}
			expiry := anniversary(d(tc.certified), 3).AddDays(-1)
			assert.Equal(t, cal.AddBusinessDays(expiry, -MonthBusinessDays), rc.Due, "recertification leaves a month before expiry")
			assert.Contains(t, rc.Note, expiry.String())
			assert.Len(t, only(ms, "", KindAnnualRefresh), ISOCycleYears, "one refresh per year of the certificate")
		})
	}
}

func TestPlanNextPCIReassessment(t *testing.T) {
	cal := london(t)
	spec := loadSpec(t, "payments-co.yaml")
	// Attested on Christmas Eve, a Friday; the anniversary is a Sunday.
	ms, err := PlanNext(spec, []Certification{{Framework: compliance.PCIDSS, Date: d("2027-12-24")}}, cal)
	require.NoError(t, err)
	m := one(t, ms, compliance.PCIDSS, KindRecertification)
	assert.Equal(t, d("2028-12-22"), m.Due)
	assert.Equal(t, d("2028-11-23"), m.Start)
	assert.Contains(t, m.Note, "ROC")
	assert.Len(t, only(ms, "", KindAnnualRefresh), 1)
}

func TestPlanNextQuarterlyReviews(t *testing.T) {
	cal := london(t)
	spec := loadSpec(t, "payments-co.yaml")
	for _, tc := range []struct {
		name, certified string
		asks            []string
	}{{
		name: "certified before the quarter's review is asked", certified: "2027-08-27",
		asks: []string{"2027-09-01", "2027-12-01", "2028-03-01", "2028-06-01"},
	}, {
		name: "certified on the day the review is asked", certified: "2027-09-01",
		asks: []string{"2027-12-01", "2028-03-01", "2028-06-01", "2028-09-01"},
	}, {
		// 1 December 2029 is a Saturday: the review is asked on Monday.
		name: "ask day on a weekend", certified: "2029-11-15",
		asks: []string{"2029-12-03", "2030-03-01", "2030-06-03", "2030-09-02"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := PlanNext(spec, []Certification{{Framework: compliance.ISO27001, Date: d(tc.certified)}}, cal)
			require.NoError(t, err)
			qs := only(ms, "", KindQuarterlyReview)
			require.Len(t, qs, QuarterlyReviews)
			for i, q := range qs {
				assert.Equal(t, d(tc.asks[i]), q.Start, "review %d", i+1)
				assert.Equal(t, 8, cal.BusinessDaysBetween(q.Start, q.Due))
			}
		})
	}
}

func TestPlanNextEveryFramework(t *testing.T) {
	cal := london(t)
	spec := loadSpec(t, "payments-co.yaml")
	certs := []Certification{
		{Framework: compliance.ISO27001, Date: d("2025-03-14")}, // superseded
		{Framework: compliance.ISO27001, Date: d("2028-03-14")},
		{Framework: compliance.SOC2, Date: d("2028-02-28"), ReportPeriod: span("2027-02-01", "2027-12-31")},
		{Framework: compliance.PCIDSS, Date: d("2028-03-31")},
	}
	ms, err := PlanNext(spec, certs, cal)
	require.NoError(t, err)

	assert.True(t, slices.IsSortedFunc(ms, compareMilestones), "sorted by due date")
	assert.Equal(t, d("2029-03-14"), one(t, ms, compliance.ISO27001, KindSurveillance1).Due, "the latest certificate counts")
	assert.Len(t, only(ms, "", KindAnnualRefresh), ISOCycleYears)
	assert.Len(t, only(ms, "", KindQuarterlyReview), QuarterlyReviews)
	assert.Len(t, ms, 1+3+1+ISOCycleYears+QuarterlyReviews)
	// Reviews and refreshes run from the latest certification (PCI, 31 March).
	assert.Equal(t, d("2028-06-01"), only(ms, "", KindQuarterlyReview)[0].Start)
	for _, m := range ms {
		assert.True(t, cal.IsBusinessDay(m.Due), "%s %s due %s", m.Framework, m.Kind, m.Due)
		if m.Kind != KindType2Window {
			assert.True(t, cal.IsBusinessDay(m.Start), "%s %s starts %s", m.Framework, m.Kind, m.Start)
		}
		assert.False(t, m.Due.Before(m.Start), "%s %s", m.Framework, m.Kind)
		assert.NotEmpty(t, m.Note)
	}

	again, err := PlanNext(spec, []Certification{certs[3], certs[2], certs[1], certs[0]}, cal)
	require.NoError(t, err)
	assert.Equal(t, ms, again, "the order certifications are given in does not matter")
}

func TestPlanNextNothingCertified(t *testing.T) {
	ms, err := PlanNext(loadSpec(t, "payments-co.yaml"), nil, london(t))
	require.NoError(t, err)
	assert.Empty(t, ms)
}

func TestPlanNextRefusesWhatItCannotPlanFrom(t *testing.T) {
	cal := london(t)
	saas := loadSpec(t, "saas-startup.yaml")
	for _, tc := range []struct {
		name string
		cert Certification
		want string
	}{
		{"no date", Certification{Framework: compliance.SOC2, ReportPeriod: span("2027-03-01", "2027-08-31")}, "date is required"},
		{"framework not in the engagement", Certification{Framework: compliance.ISO27001, Date: d("2027-10-01")}, "does not include iso27001"},
		{"Type II without its period", Certification{Framework: compliance.SOC2, Date: d("2027-10-01")}, "needs its report period"},
		{"half a period", Certification{Framework: compliance.SOC2, Date: d("2027-10-01"), ReportPeriod: compliance.Span{Start: d("2027-03-01")}}, "both a start and an end"},
		{"period backwards", Certification{Framework: compliance.SOC2, Date: d("2027-10-01"), ReportPeriod: span("2027-08-31", "2027-03-01")}, "ends before it starts"},
		{"report dated before its period ends", Certification{Framework: compliance.SOC2, Date: d("2027-08-01"), ReportPeriod: span("2027-03-01", "2027-08-31")}, "dated before its period ends"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := PlanNext(saas, []Certification{tc.cert}, cal)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Nil(t, ms)
		})
	}
	_, err := PlanNext(nil, nil, cal)
	assert.Error(t, err)
	_, err = PlanNext(saas, nil, nil)
	assert.Error(t, err)
}

func TestAddMonthsClamps(t *testing.T) {
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		{"2024-02-29", 12, "2025-02-28"},
		{"2024-02-29", 48, "2028-02-29"},
		{"2027-01-31", 1, "2027-02-28"},
		{"2027-12-31", 2, "2028-02-29"},
		{"2027-03-15", -3, "2026-12-15"},
		{"2027-01-01", -1, "2026-12-01"},
	} {
		assert.Equal(t, d(tc.want), addMonths(d(tc.from), tc.n), "%s %+d", tc.from, tc.n)
	}
}
