package reports_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/reports"
)

// driftYear is the SaaS example over a twelve-month window (150
// controls), with evidence for most occurrences given as a realistic team
// gives it (mostly on time, some late, some never, a few after the
// grace), and the scheduler's weekly check instants across the window.
type driftYear struct {
	spec     *compliance.Spec
	plan     compliance.Plan
	evidence []postgres.Evidence // by submission time, as EvidenceFor reads them
	checks   []time.Time
}

func newDriftYear(t testing.TB) driftYear {
	t.Helper()
	spec, err := compliance.LoadSpec("../../examples/saas-startup.yaml")
	require.NoError(t, err)
	spec.Frameworks[0].Window = &compliance.ObservationWindow{Start: compliance.Date{Year: 2027, Month: 3, Day: 1}, End: compliance.Date{Year: 2028, Month: 2, Day: 29}}
	spec.AuditDate = compliance.Date{Year: 2028, Month: 4, Day: 3}
	plan, err := compliance.PlanEngagement(spec, time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	cal, err := compliance.NewCalendar(spec.Reminders)
	require.NoError(t, err)
	window, err := cadence.Window(spec, plan)
	require.NoError(t, err)
	app, err := catalog.Default().ForSpec(spec)
	require.NoError(t, err)
	y := driftYear{spec: spec, plan: plan}
	r := rand.New(rand.NewPCG(2027, 3))
	for _, ac := range app.Controls {
		c := ac.Control
		occs, err := cadence.Schedule(cadence.ScheduleInput{ControlID: c.ID, Frequency: c.Frequency, Window: window, Calendar: cal})
		require.NoError(t, err)
		for _, o := range occs {
			var at time.Time
			switch p := r.Float64(); {
			case p < 0.82:
				at = o.Due.Add(-time.Duration(1+r.IntN(96)) * time.Hour)
			case p < 0.92:
				at = o.Due.Add(time.Duration(1+r.IntN(72)) * time.Hour)
			case p < 0.95:
				at = o.GraceEnd.Add(time.Duration(1+r.IntN(24*20)) * time.Hour)
			default:
				continue
			}
			y.evidence = append(y.evidence, postgres.Evidence{EngagementID: spec.ID, ControlID: c.ID, OccurrenceKey: o.Key(),
				PeriodStart: o.Period.Start.In(cal.Location), PeriodEnd: o.Period.End.In(cal.Location), DueAt: o.Due,
				SubmittedAt: at, SubmittedBy: spec.OwnerOf(c.Domain).Email, Channel: "slack", Kind: "link",
				Value: "https://drive.example/" + o.Key(), SubmissionKey: fmt.Sprintf("bench/%s", o.Key())})
		}
	}
	slices.SortStableFunc(y.evidence, func(a, b postgres.Evidence) int { return a.SubmittedAt.Compare(b.SubmittedAt) })
	for at := window.Start.In(cal.Location).Add(9 * time.Hour); !at.After(window.End.AddDays(30).In(cal.Location)); at = at.AddDate(0, 0, 7) {
		y.checks = append(y.checks, at)
	}
	return y
}

// givenBy is the evidence recorded by now, as the check reads it then.
func (y driftYear) givenBy(now time.Time) []postgres.Evidence {
	n, _ := slices.BinarySearchFunc(y.evidence, now, func(e postgres.Evidence, t time.Time) int {
		if e.SubmittedAt.After(t) {
			return 1
		}
		return -1
	})
	return y.evidence[:n]
}

// TestDriftCacheEqualsComputeOverAYear: every weekly check of a year
// through the cache equals the full report's drift and on-time rate.
func TestDriftCacheEqualsComputeOverAYear(t *testing.T) {
	y := newDriftYear(t)
	cache := reports.NewDriftCache()
	for _, now := range y.checks {
		ev := y.givenBy(now)
		full, err := reports.ComputeAssigned(y.spec.ID, y.spec, y.plan, ev, nil, now)
		require.NoError(t, err)
		got, err := cache.Compute(y.spec.ID, y.spec, y.plan, ev, nil, now)
		require.NoError(t, err)
		require.Equal(t, full.Controls, got.Controls, "at %s", now)
		require.Equal(t, full.OnTimeRate, got.OnTimeRate, "at %s", now)
		require.Equal(t, full.Due, got.Due, "at %s", now)
		require.Equal(t, full.Drifting(), got.Drifting(), "at %s", now)
	}
}

// BenchmarkWeeklyDriftYear is the CPU of a year of the operating
// scheduler's weekly drift checks for one engagement of 150 controls,
// rebuilt in full at each check (ComputeAssigned, as before) and through
// the incremental cache, measured in the same run; full/incremental is
// the ratio. Loading the record from Postgres is left out of both.
//
//	go test -run '^$' -bench BenchmarkWeeklyDriftYear -benchtime 3x ./internal/reports/
func BenchmarkWeeklyDriftYear(b *testing.B) {
	y := newDriftYear(b)
	var full, incr time.Duration
	for b.Loop() {
		start := time.Now()
		for _, now := range y.checks {
			if _, err := reports.ComputeAssigned(y.spec.ID, y.spec, y.plan, y.givenBy(now), nil, now); err != nil {
				b.Fatal(err)
			}
		}
		full += time.Since(start)
		start = time.Now()
		cache := reports.NewDriftCache()
		for _, now := range y.checks {
			if _, err := cache.Compute(y.spec.ID, y.spec, y.plan, y.givenBy(now), nil, now); err != nil {
				b.Fatal(err)
			}
		}
		incr += time.Since(start)
	}
	n := float64(b.N)
	b.ReportMetric(float64(full.Milliseconds())/n, "ms-full/year")
	b.ReportMetric(float64(incr.Milliseconds())/n, "ms-incremental/year")
	b.ReportMetric(float64(full)/float64(incr), "full/incremental")
	b.ReportMetric(float64(len(y.checks)), "checks")
	b.ReportMetric(float64(len(y.evidence)), "evidence-rows")
}

// TestDriftCacheNamesEachControlsOwner: in a tailored spec the cache names
// a control's own owner, as the full report does, not its area's.
func TestDriftCacheNamesEachControlsOwner(t *testing.T) {
	spec, err := compliance.LoadSpec("../../examples/tailored-saas.yaml")
	require.NoError(t, err)
	plan, err := compliance.PlanEngagement(spec, time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	now := time.Date(2027, 5, 3, 9, 0, 0, 0, time.UTC)
	full, err := reports.ComputeAssigned(spec.ID, spec, plan, nil, nil, now)
	require.NoError(t, err)
	got, err := reports.NewDriftCache().Compute(spec.ID, spec, plan, nil, nil, now)
	require.NoError(t, err)
	require.Equal(t, full.Controls, got.Controls)
	i := slices.IndexFunc(got.Controls, func(c reports.ControlReport) bool { return c.ControlID == "ACC-04" })
	require.GreaterOrEqual(t, i, 0)
	require.Equal(t, "leo@brightlane.io", got.Controls[i].Owner, "ACC-04's own owner, not access's (Priya)")
}
