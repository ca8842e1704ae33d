package readiness_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/drift"
	"github.com/steadfast-grc/steadfast/compliance/readiness"
)

const owner = "priya@example.com"

type fixture struct {
	cal    *compliance.Calendar
	window compliance.Span
	asOf   time.Time
	n      int64
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	cal, err := compliance.NewCalendar(compliance.ReminderPolicy{TimeZone: "America/New_York"})
	require.NoError(t, err)
	return &fixture{
		cal:    cal,
		window: compliance.Span{Start: compliance.Date{Year: 2027, Month: 1, Day: 1}, End: compliance.Date{Year: 2027, Month: 12, Day: 31}},
		asOf:   time.Date(2027, 10, 15, 12, 0, 0, 0, cal.Location),
	}
}

func (f *fixture) control(t *testing.T, id string, freq compliance.Frequency, reqs int, relied bool) readiness.Control {
	t.Helper()
	occs, err := cadence.Schedule(cadence.ScheduleInput{ControlID: id, Frequency: freq, Window: f.window, Calendar: f.cal})
	require.NoError(t, err)
	rs := map[compliance.FrameworkID][]string{}
	for i := range reqs {
		rs[compliance.SOC2] = append(rs[compliance.SOC2], fmt.Sprintf("CC%d.1", i+1))
	}
	return readiness.Control{ID: id, Title: "Control " + id, Frequency: freq, Owner: owner,
		Delegates: []string{"lead@example.com"}, Requirements: rs, CustomerRelied: relied, Occurrences: occs}
}

// onTime gives every occurrence of c due by asOf evidence an hour before
// its deadline, by the owner.
func (f *fixture) onTime(c readiness.Control) []readiness.Evidence {
	var out []readiness.Evidence
	for _, o := range c.Occurrences {
		if !o.Due.After(f.asOf) {
			out = append(out, f.ev(o, o.Due.Add(-time.Hour), owner))
		}
	}
	return out
}

func (f *fixture) ev(o cadence.Occurrence, at time.Time, by string) readiness.Evidence {
	f.n++
	return readiness.Evidence{ID: f.n, OccurrenceKey: o.Key(), At: at, By: by, Channel: "cli", Kind: "link", ValueSHA256: fmt.Sprintf("%064d", f.n)}
}

func (f *fixture) review(seed uint64, cs []readiness.Control, ev []readiness.Evidence) readiness.Report {
	return readiness.Review(readiness.Input{EngagementID: "acme", Window: f.window, AsOf: f.asOf, Seed: seed, Controls: cs, Evidence: ev})
}

func keys(cr readiness.ControlResult) []string {
	var out []string
	for _, s := range cr.Sample {
		out = append(out, s.OccurrenceKey)
	}
	return out
}

func TestSampleIsReproducibleAndSpread(t *testing.T) {
	f := newFixture(t)
	weekly := f.control(t, "OPS-01", compliance.FreqWeekly, 1, false)
	a := f.review(42, []readiness.Control{weekly}, nil)
	b := f.review(42, []readiness.Control{weekly}, nil)
	require.Len(t, a.Controls, 1)
	cr := a.Controls[0]
	assert.Equal(t, 10, cr.SampleSize, "weekly at moderate risk")
	assert.Equal(t, keys(cr), keys(b.Controls[0]), "the same seed gives the same draw")
	assert.Equal(t, uint64(42), a.Seed)
	assert.Equal(t, readiness.ControlSeed(42, "acme", "OPS-01"), cr.Seed)

	// Spread: one per stratum, in period order, no repeats.
	pop := cr.Population
	for i, k := range keys(cr) {
		idx := slices.Index(pop, k)
		lo, hi := i*len(pop)/10, (i+1)*len(pop)/10
		assert.True(t, idx >= lo && idx < hi, "sample %d (%s) lies in stratum [%d,%d)", i, k, lo, hi)
	}
	// Only occurrences fallen due by asOf are in the population.
	for _, o := range weekly.Occurrences {
		assert.Equal(t, !o.Due.After(f.asOf), slices.Contains(pop, o.Key()), o.Key())
	}

	differ := false
	for seed := uint64(1); seed <= 5 && !differ; seed++ {
		differ = !slices.Equal(keys(cr), keys(f.review(42+seed, []readiness.Control{weekly}, nil).Controls[0]))
	}
	assert.True(t, differ, "different seeds draw different samples")
}

func TestSmallPopulationIsTestedWhole(t *testing.T) {
	f := newFixture(t)
	annual := f.control(t, "GOV-01", compliance.FreqAnnual, 1, false)
	rep := f.review(1, []readiness.Control{annual}, nil)
	assert.Empty(t, rep.Controls[0].Sample, "the annual occurrence is not due before the window ends")
	assert.Equal(t, 0, rep.Tested)
	assert.Contains(t, rep.Controls[0].Note, "nothing has fallen due")

	q := f.control(t, "ACC-04", compliance.FreqQuarterly, 1, false)
	rep = f.review(1, []readiness.Control{q}, f.onTime(q))
	assert.Len(t, rep.Controls[0].Population, 3, "Q1–Q3 due by mid-October")
	assert.Equal(t, 2, rep.Controls[0].SampleSize)
}

func TestAllOnTimeHasNoFindings(t *testing.T) {
	f := newFixture(t)
	m := f.control(t, "ACC-08", compliance.FreqMonthly, 2, true)
	ev := f.onTime(m)
	// A delegate's evidence counts too; so does a later resubmission.
	ev[0].By = "LEAD@example.com"
	ev = append(ev, f.ev(m.Occurrences[1], f.asOf.Add(-time.Hour), "someone@else.com"))
	rep := f.review(7, []readiness.Control{m}, ev)
	assert.Empty(t, rep.Findings)
	assert.Empty(t, rep.Criteria)
	assert.Empty(t, rep.BeforeFieldwork)
	assert.Equal(t, 1, rep.Tested)
	assert.Equal(t, 4, rep.Sampled)
	for _, s := range rep.Controls[0].Sample {
		assert.Equal(t, drift.StatusOnTime, s.Status)
		assert.True(t, s.Passed())
		require.NotNil(t, s.Evidence)
		assert.NotZero(t, s.Evidence.ID)
	}
}

// TestEachDeviationIsAFinding plants one deviation per quarterly control
// (quarterly populations of three are sampled two at a time, so the
// deviation goes on every sampled occurrence's first one it can find).
func TestEachDeviationIsAFinding(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		name     string
		give     func(o cadence.Occurrence) *readiness.Evidence
		test     readiness.Test
		severity readiness.Severity
		words    string
	}{
		{"missing", func(cadence.Occurrence) *readiness.Evidence { return nil }, readiness.TestPresent, readiness.SeverityHigh, "was not provided"},
		{"late", func(o cadence.Occurrence) *readiness.Evidence {
			e := f.ev(o, o.Due.Add(72*time.Hour), owner)
			return &e
		}, readiness.TestOnTime, readiness.SeverityMedium, "was provided 3 days after it was due"},
		{"retrospective", func(o cadence.Occurrence) *readiness.Evidence {
			e := f.ev(o, o.GraceEnd.Add(time.Hour), owner)
			return &e
		}, readiness.TestContemporary, readiness.SeverityHigh, "raised retrospectively"},
		{"wrong person", func(o cadence.Occurrence) *readiness.Evidence {
			e := f.ev(o, o.Due.Add(-time.Hour), "intern@example.com")
			return &e
		}, readiness.TestAuthorised, readiness.SeverityMedium, "provided by intern@example.com, who is neither the control owner nor an authorised delegate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := f.control(t, "ACC-04", compliance.FreqQuarterly, 3, false)
			first := f.review(9, []readiness.Control{c}, nil).Controls[0].Sample[0].OccurrenceKey
			var ev []readiness.Evidence
			for _, e := range f.onTime(c) {
				if e.OccurrenceKey != first {
					ev = append(ev, e)
				}
			}
			var planted cadence.Occurrence
			for _, o := range c.Occurrences {
				if o.Key() == first {
					planted = o
				}
			}
			if e := tc.give(planted); e != nil {
				ev = append(ev, *e)
			}
			rep := f.review(9, []readiness.Control{c}, ev)
			require.Len(t, rep.Findings, 1, "exactly the planted deviation")
			fd := rep.Findings[0]
			assert.Equal(t, tc.test, fd.Test)
			assert.Equal(t, tc.severity, fd.Severity)
			assert.Equal(t, first, fd.OccurrenceKey)
			assert.Equal(t, "ACC-04", fd.ControlID)
			assert.Contains(t, fd.Exception, "For 1 of 2 quarterly occurrences sampled")
			assert.Contains(t, fd.Exception, tc.words)
			assert.Equal(t, []string{"soc2:CC1.1", "soc2:CC2.1", "soc2:CC3.1"}, fd.Requirements)
			if tc.test == readiness.TestPresent {
				assert.Nil(t, fd.Evidence)
			} else {
				require.NotNil(t, fd.Evidence)
				assert.NotEmpty(t, fd.Evidence.ValueSHA256)
			}
			require.Len(t, rep.Criteria, 3)
			assert.Equal(t, 1, rep.Criteria[0].Findings)
			require.Len(t, rep.BeforeFieldwork, 1)
			assert.Contains(t, rep.BeforeFieldwork[0].Text, first)
			assert.Equal(t, 1, rep.Controls[0].Findings[0].Rank)
		})
	}
}

func TestEvidenceAfterAsOfDoesNotCount(t *testing.T) {
	f := newFixture(t)
	c := f.control(t, "ACC-04", compliance.FreqQuarterly, 1, false)
	var ev []readiness.Evidence
	for _, o := range c.Occurrences {
		ev = append(ev, f.ev(o, f.asOf.Add(time.Hour), owner))
	}
	rep := f.review(3, []readiness.Control{c}, ev)
	require.Len(t, rep.Findings, 2)
	for _, fd := range rep.Findings {
		assert.Equal(t, readiness.TestPresent, fd.Test)
	}
}

func TestRanking(t *testing.T) {
	f := newFixture(t)
	// Nothing submitted anywhere: every sampled occurrence is a finding.
	cs := []readiness.Control{
		f.control(t, "AAA-01", compliance.FreqAnnual, 9, false),    // nothing due: no findings
		f.control(t, "BBB-01", compliance.FreqQuarterly, 5, false), // broad, not relied on
		f.control(t, "CCC-01", compliance.FreqQuarterly, 1, true),  // narrow, customer-relied
		f.control(t, "DDD-01", compliance.FreqQuarterly, 2, true),  // broader, customer-relied
		f.control(t, "EEE-01", compliance.FreqQuarterly, 5, false), // ties BBB on breadth
	}
	rep := f.review(11, cs, nil)
	var order []string
	for i, fd := range rep.Findings {
		assert.Equal(t, i+1, fd.Rank)
		if len(order) == 0 || order[len(order)-1] != fd.ControlID {
			order = append(order, fd.ControlID)
		}
	}
	assert.Equal(t, []string{"DDD-01", "CCC-01", "BBB-01", "EEE-01"}, order)
	var acts []string
	for _, a := range rep.BeforeFieldwork {
		acts = append(acts, a.ControlID)
	}
	assert.Equal(t, order, acts, "one action per control with findings, in rank order")
	// CC1.1 is covered by all four failing controls, two findings each.
	require.NotEmpty(t, rep.Criteria)
	assert.Equal(t, "CC1.1", rep.Criteria[0].Requirement)
	assert.Equal(t, 8, rep.Criteria[0].Findings)
	assert.Equal(t, []string{"BBB-01", "CCC-01", "DDD-01", "EEE-01"}, rep.Criteria[0].Controls)
	// Deterministic: the same input, the same report.
	assert.Equal(t, rep, f.review(11, cs, nil))
}
