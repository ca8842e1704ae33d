package reports_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance/readiness"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/reports"
)

// TestBuildReadinessSamplesRecordedEvents records CHG-01's changes in
// Postgres — one unapproved, one before the window — and checks the review
// samples the window's events, not the monthly attestations.
func TestBuildReadinessSamplesRecordedEvents(t *testing.T) {
	ctx := context.Background()
	e := newEngagement(t)
	loc := e.cal.Location
	at := func(m time.Month, d int) time.Time { return time.Date(2027, m, d, 11, 0, 0, 0, loc) }
	ev := func(key string, when time.Time, approved bool) postgres.PopulationEvent {
		p := postgres.PopulationEvent{EngagementID: e.spec.ID, ControlID: "CHG-01", EventKey: key, OccurredAt: when,
			Source: postgres.PopulationSourceRecorded, EvidenceRef: "https://github.example/pr/" + key, RecordedBy: "maya@brightlane.io"}
		if approved {
			p.ApprovedBy, p.ApprovedAt = "leo@brightlane.io", when.Add(-time.Hour)
		}
		return p
	}
	_, err := e.db.Store.RecordPopulationEvents(ctx, []postgres.PopulationEvent{
		ev("PR-1", at(2, 20), true), // before the window opens on 1 March
		ev("PR-2", at(3, 3), true), ev("PR-3", at(4, 7), false), ev("PR-4", at(5, 12), true),
		ev("PR-5", at(7, 1), true), // after the review date
	})
	require.NoError(t, err)

	rep, err := reports.BuildReadiness(ctx, e.db.Store, e.spec.ID, time.Date(2027, 6, 15, 12, 0, 0, 0, loc), 11)
	require.NoError(t, err)
	var chg readiness.ControlResult
	for _, c := range rep.Controls {
		if c.ID == "CHG-01" {
			chg = c
		}
	}
	assert.Equal(t, []string{"PR-2", "PR-3", "PR-4"}, chg.Population)
	assert.Equal(t, 3, chg.SampleSize)
	var found []string
	for _, f := range chg.Findings {
		found = append(found, f.OccurrenceKey+" "+string(f.Test))
	}
	assert.Equal(t, []string{"PR-3 approved-before-event"}, found)
}
