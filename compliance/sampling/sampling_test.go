package sampling_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/sampling"
)

func date(t testing.TB, s string) compliance.Date {
	t.Helper()
	d, err := compliance.ParseDate(s)
	require.NoError(t, err)
	return d
}

func year(t testing.TB) sampling.Period {
	return sampling.Period{Start: date(t, "2027-01-01"), End: date(t, "2027-12-31")}
}

func TestSizeByFrequencyAndRisk(t *testing.T) {
	cases := []struct {
		f              compliance.Frequency
		low, mod, high int
	}{
		{compliance.FreqAnnual, 1, 1, 1},
		{compliance.FreqSemiAnnual, 1, 2, 2},
		{compliance.FreqQuarterly, 2, 2, 2},
		{compliance.FreqMonthly, 2, 4, 5},
		{compliance.FreqWeekly, 5, 10, 15},
		{compliance.FreqDaily, 20, 30, 40},
		{compliance.FreqPerEvent, 25, 43, 60},
		{compliance.FreqContinuous, 25, 43, 60},
	}
	for _, c := range cases {
		for r, want := range map[sampling.Risk]int{sampling.RiskLow: c.low, sampling.RiskModerate: c.mod, sampling.RiskHigh: c.high} {
			got, err := sampling.Size(c.f, r)
			require.NoError(t, err)
			assert.Equal(t, want, got, "%s at %s risk", c.f, r)
		}
	}
	_, err := sampling.Size("hourly", sampling.RiskLow)
	assert.ErrorContains(t, err, `frequency "hourly"`)
	_, err = sampling.Size(compliance.FreqDaily, "extreme")
	assert.ErrorContains(t, err, `risk "extreme"`)
	for _, f := range compliance.Frequencies {
		_, err := sampling.Range(f)
		assert.NoError(t, err, "every frequency has a size range")
	}
}

func TestPopulationOverAYear(t *testing.T) {
	for f, want := range map[compliance.Frequency]int{
		compliance.FreqAnnual: 1, compliance.FreqSemiAnnual: 2, compliance.FreqQuarterly: 4,
		compliance.FreqMonthly: 12, compliance.FreqWeekly: 53, compliance.FreqDaily: 365, compliance.FreqPerEvent: 365,
	} {
		pop, err := sampling.Population(f, year(t))
		require.NoError(t, err)
		assert.Len(t, pop, want, f)
		// Windows tile the period with no gap or overlap.
		assert.Equal(t, year(t).Start, pop[0].Start)
		assert.Equal(t, year(t).End, pop[len(pop)-1].End)
		for i := 1; i < len(pop); i++ {
			assert.Equal(t, pop[i-1].End.AddDays(1), pop[i].Start, "%s window %d", f, i)
		}
	}
}

func TestPopulationMonthEndClamp(t *testing.T) {
	pop, err := sampling.Population(compliance.FreqMonthly, sampling.Period{Start: date(t, "2027-01-31"), End: date(t, "2027-04-29")})
	require.NoError(t, err)
	require.Len(t, pop, 3)
	assert.Equal(t, "2027-02-27", pop[0].End.String())
	assert.Equal(t, "2027-02-28", pop[1].Start.String())
	assert.Equal(t, "2027-03-31", pop[2].Start.String())
}

func TestPopulationRejectsBadPeriod(t *testing.T) {
	_, err := sampling.Population(compliance.FreqDaily, sampling.Period{Start: date(t, "2027-02-01"), End: date(t, "2027-01-01")})
	assert.ErrorContains(t, err, "ends (2027-01-01) before it starts")
	_, err = sampling.Population(compliance.FreqDaily, sampling.Period{})
	assert.Error(t, err)
}

// The sample covers the whole period: one pick in each of Size equal strata,
// in order, so the first lands in the first stratum and the last in the last.
func TestSampleSpreadAcrossPeriod(t *testing.T) {
	for _, f := range compliance.Frequencies {
		for _, r := range sampling.Risks {
			p, err := sampling.NewPlan(sampling.Request{ControlID: "X", Frequency: f, Period: year(t), Risk: r, Seed: 7})
			require.NoError(t, err)
			want, _ := sampling.Size(f, r)
			assert.Equal(t, min(want, p.Population), p.Size)
			require.Len(t, p.Sample, p.Size)
			for i, o := range p.Sample {
				lo, hi := i*p.Population/p.Size, (i+1)*p.Population/p.Size
				assert.GreaterOrEqual(t, o.Index, lo, "%s/%s pick %d", f, r, i)
				assert.Less(t, o.Index, hi, "%s/%s pick %d", f, r, i)
			}
		}
	}
	// Quarterly: one sample in each half of the year.
	p, err := sampling.NewPlan(sampling.Request{Frequency: compliance.FreqQuarterly, Period: year(t), Seed: 1})
	require.NoError(t, err)
	require.Len(t, p.Sample, 2)
	assert.True(t, p.Sample[0].Start.Before(date(t, "2027-07-01")))
	assert.False(t, p.Sample[1].Start.Before(date(t, "2027-07-01")))
	// Daily at high risk: no month goes unsampled for more than two months.
	p, err = sampling.NewPlan(sampling.Request{Frequency: compliance.FreqDaily, Period: year(t), Risk: sampling.RiskHigh, Seed: 99})
	require.NoError(t, err)
	for i := 1; i < len(p.Sample); i++ {
		assert.LessOrEqual(t, p.Sample[i-1].Start.DaysUntil(p.Sample[i].Start), 2*365/40+1)
	}
}

func TestSampleReproducibleFromSeed(t *testing.T) {
	req := sampling.Request{ControlID: "ACC-04", Frequency: compliance.FreqDaily, Period: year(t), Seed: sampling.SeedFor("acme", "LOG-03", "2027")}
	a, err := sampling.NewPlan(req)
	require.NoError(t, err)
	b, err := sampling.NewPlan(req)
	require.NoError(t, err)
	assert.Equal(t, a, b)
	req.Seed++
	c, err := sampling.NewPlan(req)
	require.NoError(t, err)
	assert.NotEqual(t, a.Sample, c.Sample)
	assert.Equal(t, sampling.SeedFor("a", "bc"), sampling.SeedFor("a", "bc"))
	assert.NotEqual(t, sampling.SeedFor("a", "bc"), sampling.SeedFor("ab", "c"))
}

func TestSmallPopulationTestsEverything(t *testing.T) {
	p, err := sampling.NewPlan(sampling.Request{Frequency: compliance.FreqMonthly, Risk: sampling.RiskHigh,
		Period: sampling.Period{Start: date(t, "2027-01-01"), End: date(t, "2027-03-31")}})
	require.NoError(t, err)
	assert.Equal(t, 3, p.Population)
	assert.Equal(t, 3, p.Size)
	assert.Contains(t, p.Note, "every occurrence is tested")
}

func TestPerEventUsesRecordedEvents(t *testing.T) {
	var events []compliance.Date
	for d := date(t, "2027-01-03"); d.Before(date(t, "2027-12-31")); d = d.AddDays(3) {
		events = append(events, d)
	}
	events = append(events, date(t, "2026-12-01")) // outside the period
	p, err := sampling.NewPlan(sampling.Request{Frequency: compliance.FreqPerEvent, Period: year(t), Risk: sampling.RiskLow, Events: events, Seed: 3})
	require.NoError(t, err)
	assert.Equal(t, len(events)-1, p.Population)
	assert.Equal(t, 25, p.Size)
	for i := 1; i < len(p.Sample); i++ {
		assert.True(t, p.Sample[i-1].Start.Before(p.Sample[i].Start), "in date order")
	}
	assert.Contains(t, p.Note, "recorded events")
}

func BenchmarkDailyPlan(b *testing.B) {
	req := sampling.Request{Frequency: compliance.FreqDaily, Period: year(b), Risk: sampling.RiskHigh, Seed: 1}
	for b.Loop() {
		if _, err := sampling.NewPlan(req); err != nil {
			b.Fatal(err)
		}
	}
}
