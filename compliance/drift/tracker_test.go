package drift_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/drift"
)

// trackerCase is a random engagement: controls of every frequency over a
// window, evidence given at random moments (on time, late, after the
// grace, before its period, by someone who may not, a batch missing a
// day, corrections that come earlier or later), and a run of checks mostly
// a week apart, sometimes on the same day, sometimes back in time.
type trackerCase struct {
	window   compliance.Span
	controls [][]cadence.Occurrence
	subs     []drift.Submission
	checks   []time.Time
}

func randomTrackerCase(t testing.TB, seed uint64) trackerCase {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	cal := newYork(t, "2027-05-31", "2027-07-05", "2027-09-06", "2027-11-25")
	start := compliance.Date{Year: 2027, Month: time.Month(1 + r.IntN(6)), Day: 1}
	window := compliance.Span{Start: start, End: start.AddDays(180 + r.IntN(200))}
	freqs := []compliance.Frequency{compliance.FreqDaily, compliance.FreqWeekly, compliance.FreqMonthly, compliance.FreqQuarterly, compliance.FreqAnnual}
	c := trackerCase{window: window}
	n := 2 + r.IntN(8)
	for i := range n {
		occs := sched(t, cadence.ScheduleInput{ControlID: fmt.Sprintf("CTL-%02d", i), Frequency: freqs[r.IntN(len(freqs))], Window: window, Calendar: cal})
		c.controls = append(c.controls, occs)
		// How diligent this control's owner is.
		care := r.Float64()
		for _, o := range occs {
			if r.Float64() > care {
				continue // nothing given
			}
			s := drift.Submission{OccurrenceKey: o.Key(), By: "owner@example.com"}
			switch r.IntN(6) {
			case 0, 1:
				s.At = o.Due.Add(-time.Duration(r.IntN(72)) * time.Hour)
			case 2:
				s.At = o.Due.Add(time.Duration(1+r.IntN(100)) * time.Hour)
			case 3:
				s.At = o.GraceEnd.Add(time.Duration(1+r.IntN(24*90)) * time.Hour)
			case 4:
				s.At = o.Due.Add(-time.Hour)
				s.PerformedAt = o.Period.Start.AddDays(-3).In(cal.Location)
			default:
				s.At = o.Due.Add(time.Duration(r.IntN(48)-24) * time.Hour)
				s.Unauthorised = r.IntN(2) == 0
				if r.IntN(2) == 0 {
					s.MissingDays = []compliance.Date{o.Period.Start}
				}
			}
			c.subs = append(c.subs, s)
			if r.IntN(8) == 0 { // a second submission for the same occurrence
				again := s
				again.At = s.At.Add(time.Duration(r.IntN(200)-100) * time.Hour)
				c.subs = append(c.subs, again)
			}
		}
	}
	at := window.Start.AddDays(-10).In(cal.Location).Add(time.Duration(r.IntN(24)) * time.Hour)
	for range 30 + r.IntN(40) {
		c.checks = append(c.checks, at)
		switch r.IntN(10) {
		case 0:
			at = at.Add(time.Duration(r.IntN(20)) * time.Hour)
		case 1:
			at = at.Add(-time.Duration(r.IntN(24*20)) * time.Hour)
		default:
			at = at.Add(7*24*time.Hour + time.Duration(r.IntN(120)-60)*time.Minute)
		}
	}
	return c
}

// checkTrackerEqualsFullRebuild runs the checks on one tracker and compares
// each with a full rebuild (Assess per control, OnTimeRate over all) at the
// same instant.
func checkTrackerEqualsFullRebuild(t *testing.T, c trackerCase) (assessed, full int) {
	t.Helper()
	tr := drift.NewTracker(c.controls, c.window)
	var all []cadence.Occurrence
	for _, occs := range c.controls {
		all = append(all, occs...)
	}
	for _, now := range c.checks {
		got := tr.Check(c.subs, now)
		require.Len(t, got.Controls, len(c.controls))
		for i, occs := range c.controls {
			want := drift.Assess(occs, c.subs, now, c.window)
			require.Equal(t, want, got.Controls[i], "control %s at %s", occs[0].ControlID, now)
		}
		rate, due := drift.OnTimeRate(all, c.subs, now, c.window)
		require.Equal(t, due, got.Due, "due at %s", now)
		require.InDelta(t, rate, got.OnTimeRate, 1e-12, "on-time rate at %s", now)
		assessed += got.Assessed
		full += len(c.controls)
	}
	return assessed, full
}

// TestTrackerEqualsFullRebuild: on random engagements, every check of the
// incremental tracker equals the full rebuild at the same instant, and it
// re-assesses fewer controls than the rebuild does (these engagements are
// unkind: many daily and weekly controls, many misses, so the clock rules
// hold often; BenchmarkWeeklyDriftYear measures a realistic year).
func TestTrackerEqualsFullRebuild(t *testing.T) {
	assessed, full := 0, 0
	for seed := range uint64(30) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			a, f := checkTrackerEqualsFullRebuild(t, randomTrackerCase(t, seed))
			assessed, full = assessed+a, full+f
		})
	}
	t.Logf("controls assessed: %d incrementally, %d by full rebuilds", assessed, full)
	require.Less(t, assessed, full, "the tracker re-assessed every control at every check")
}

// FuzzTrackerEqualsFullRebuild is the property above over seeds the fuzzer
// picks.
// Each input is a whole engagement checked weekly for up to a year (about
// 70 inputs a second on two cores), so make test's smoke run takes fewer:
// fuzz smoke: 2000x
func FuzzTrackerEqualsFullRebuild(f *testing.F) {
	for _, s := range []uint64{0, 7, 1 << 40} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, seed uint64) {
		checkTrackerEqualsFullRebuild(t, randomTrackerCase(t, seed))
	})
}
