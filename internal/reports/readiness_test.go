package reports_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/readiness"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/reports"
)

// TestBuildReadinessFindsExactlyThePlantedDeviations records brightlane with
// every occurrence due by 2027-06-15 evidenced on time by its owner, except
// for planted deviations, and checks the review finds exactly those:
//
//	OPS-15 monthly    March–May missing             → 3 × evidence-present
//	VUL-02 monthly    April retrospective           → not-retrospective
//	ACC-08 monthly    March given by the consultant → authorised-preparer
//	ACC-04 quarterly  Q1 late                       → on-time
//
// Monthly populations of three and a quarterly population of one are
// smaller than their samples, so every planted occurrence is drawn.
func TestBuildReadinessFindsExactlyThePlantedDeviations(t *testing.T) {
	ctx := context.Background()
	e := newEngagement(t)
	asOf := time.Date(2027, 6, 15, 12, 0, 0, 0, e.cal.Location)
	app, err := catalog.Default().ForSpec(e.spec)
	require.NoError(t, err)

	add := func(c *catalog.Control, o cadence.Occurrence, at time.Time, by string) {
		e.n++
		_, err := e.db.Store.AddEvidence(ctx, postgres.Evidence{
			EngagementID: e.spec.ID, ControlID: c.ID, OccurrenceKey: o.Key(),
			PeriodStart: o.Period.Start.In(e.cal.Location), PeriodEnd: o.Period.End.In(e.cal.Location), DueAt: o.Due,
			SubmittedAt: at, SubmittedBy: by, Channel: "cli", Kind: "link",
			Value: fmt.Sprintf("https://drive.example/%s", o.Key()), SubmissionKey: fmt.Sprintf("readiness/%d", e.n),
		})
		require.NoError(t, err)
	}
	want := map[string]readiness.Test{}
	for _, ac := range app.Controls {
		c := ac.Control
		occs, err := cadence.Schedule(cadence.ScheduleInput{ControlID: c.ID, Frequency: c.Frequency, Window: e.window, Calendar: e.cal})
		require.NoError(t, err)
		owner := e.spec.OwnerOf(c.Domain).Email
		for _, o := range occs {
			if o.Due.After(asOf) {
				continue
			}
			switch {
			case c.ID == "OPS-15" && o.Seq <= 3:
				want[o.Key()] = readiness.TestPresent
			case c.ID == "VUL-02" && o.Seq == 2:
				add(c, o, o.GraceEnd.Add(time.Hour), owner)
				want[o.Key()] = readiness.TestContemporary
			case c.ID == "ACC-08" && o.Seq == 1:
				add(c, o, o.Due.Add(-time.Hour), "sam@steadfast.example")
				want[o.Key()] = readiness.TestAuthorised
			case c.ID == "ACC-04" && o.Seq == 1:
				add(c, o, o.Due.Add(2*time.Hour), owner)
				want[o.Key()] = readiness.TestOnTime
			default:
				add(c, o, o.Due.Add(-time.Hour), owner)
			}
		}
	}

	rep, err := reports.BuildReadiness(ctx, e.db.Store, e.spec.ID, asOf, 2027)
	require.NoError(t, err)
	assert.Equal(t, "brightlane", rep.EngagementID)
	assert.Equal(t, e.window, rep.Window)
	assert.Equal(t, uint64(2027), rep.Seed)
	assert.Len(t, rep.Controls, len(app.Controls))
	assert.Positive(t, rep.Tested)

	got := map[string]readiness.Test{}
	for _, f := range rep.Findings {
		_, dup := got[f.OccurrenceKey]
		assert.False(t, dup, "one finding per planted occurrence: %s", f.OccurrenceKey)
		got[f.OccurrenceKey] = f.Test
	}
	assert.Equal(t, want, got)

	var acts []string
	for _, a := range rep.BeforeFieldwork {
		acts = append(acts, a.ControlID)
	}
	slices.Sort(acts)
	assert.Equal(t, []string{"ACC-04", "ACC-08", "OPS-15", "VUL-02"}, acts)

	for _, f := range rep.Findings {
		if f.Test != readiness.TestPresent {
			require.NotNil(t, f.Evidence, f.OccurrenceKey)
			assert.Equal(t, postgres.HashValue("https://drive.example/"+f.OccurrenceKey), f.Evidence.ValueSHA256)
		}
	}

	// The same seed repeats the draw; the unknown engagement is not found.
	again, err := reports.BuildReadiness(ctx, e.db.Store, e.spec.ID, asOf, 2027)
	require.NoError(t, err)
	assert.Equal(t, rep.Findings, again.Findings)
	_, err = reports.BuildReadiness(ctx, e.db.Store, "nobody", asOf, 1)
	assert.ErrorIs(t, err, postgres.ErrNotFound)
}
