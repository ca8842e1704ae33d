package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

func change(eng, key string, at time.Time) postgres.PopulationEvent {
	return postgres.PopulationEvent{EngagementID: eng, ControlID: "CHG-01", EventKey: key, OccurredAt: at,
		Source: postgres.PopulationSourceJira, Summary: "deploy " + key, RecordedBy: "steadfast",
		EvidenceRef: "https://client.atlassian.net/browse/" + key}
}

func TestPopulationEventsReimportAddsNothingAndFillsApproval(t *testing.T) {
	db := testenv.Postgres(t)
	ctx := context.Background()
	r := scopeRecord(t)
	require.NoError(t, db.Store.RecordScope(ctx, r))
	eng := r.EngagementID
	day := time.Date(2027, 3, 4, 10, 0, 0, 0, time.UTC)

	first := []postgres.PopulationEvent{change(eng, "CHG-1", day), change(eng, "CHG-2", day.Add(24*time.Hour))}
	n, err := db.Store.RecordPopulationEvents(ctx, first)
	require.NoError(t, err)
	assert.Equal(t, 2, n)

	// The same import again adds nothing and logs nothing.
	n, err = db.Store.RecordPopulationEvents(ctx, first)
	require.NoError(t, err)
	assert.Equal(t, 0, n)
	assert.Equal(t, 2, count(t, db, `SELECT count(*) FROM population_events`))
	assert.Equal(t, 2, count(t, db, `SELECT count(*) FROM engagement_events WHERE kind = 'population-event-recorded'`))

	// CHG-1 was approved in Jira after the first import: the approval is
	// filled in; a summary edited in Jira does not rewrite the record.
	again := change(eng, "CHG-1", day)
	again.Summary = "edited later"
	again.ApprovedBy, again.ApprovedAt = "cab@client.example", day.Add(-time.Hour)
	n, err = db.Store.RecordPopulationEvents(ctx, []postgres.PopulationEvent{again, change(eng, "CHG-3", day.Add(48*time.Hour))})
	require.NoError(t, err)
	assert.Equal(t, 1, n, "only CHG-3 is new")

	// A later, different approval does not replace the first.
	other := again
	other.ApprovedBy, other.ApprovedAt = "mallory@client.example", day
	_, err = db.Store.RecordPopulationEvents(ctx, []postgres.PopulationEvent{other})
	require.NoError(t, err)

	all, err := db.Store.PopulationEvents(ctx, eng, "", time.Time{}, time.Time{})
	require.NoError(t, err)
	require.Len(t, all, 3)
	assert.Equal(t, "CHG-1", all[0].EventKey)
	assert.Equal(t, "deploy CHG-1", all[0].Summary)
	assert.Equal(t, "cab@client.example", all[0].ApprovedBy)
	assert.True(t, all[0].ApprovedAt.Equal(day.Add(-time.Hour)))
	assert.True(t, all[0].Approved())
	assert.False(t, all[1].Approved())
	assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM engagement_events WHERE kind = 'population-event-completed'`))

	// The table refuses a rewrite from any writer, not only the store.
	_, err = db.Store.Pool().Exec(ctx, `UPDATE population_events SET occurred_at = now()`)
	require.ErrorContains(t, err, "append-only")
}

func TestPopulationEventsFilterByControlAndTime(t *testing.T) {
	db := testenv.Postgres(t)
	ctx := context.Background()
	r := scopeRecord(t)
	require.NoError(t, db.Store.RecordScope(ctx, r))
	eng := r.EngagementID
	mar := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	hire := postgres.PopulationEvent{EngagementID: eng, ControlID: "PPL-01", EventKey: "hire-7", OccurredAt: mar.Add(time.Hour),
		Source: postgres.PopulationSourceRecorded, RecordedBy: "maya@client.example"}
	_, err := db.Store.RecordPopulationEvents(ctx, []postgres.PopulationEvent{
		change(eng, "CHG-1", mar.Add(-time.Second)), change(eng, "CHG-2", mar), change(eng, "CHG-3", mar.AddDate(0, 1, 0)), hire,
	})
	require.NoError(t, err)

	march, err := db.Store.PopulationEvents(ctx, eng, "CHG-01", mar, mar.AddDate(0, 1, 0))
	require.NoError(t, err)
	require.Len(t, march, 1, "from is inclusive, to is exclusive")
	assert.Equal(t, "CHG-2", march[0].EventKey)

	all, err := db.Store.PopulationEvents(ctx, eng, "", mar, time.Time{})
	require.NoError(t, err)
	assert.Len(t, all, 3)
	none, err := db.Store.PopulationEvents(ctx, "someone-else", "", time.Time{}, time.Time{})
	require.NoError(t, err)
	assert.Empty(t, none)
}

func TestPopulationEventsRefusesBadInputAndWritesNothing(t *testing.T) {
	db := testenv.Postgres(t)
	ctx := context.Background()
	r := scopeRecord(t)
	require.NoError(t, db.Store.RecordScope(ctx, r))
	eng := r.EngagementID
	at := time.Date(2027, 3, 4, 10, 0, 0, 0, time.UTC)

	halfApproved := change(eng, "CHG-2", at)
	halfApproved.ApprovedBy = "cab@client.example"
	noKey := change(eng, " ", at)
	badSource := change(eng, "CHG-3", at)
	badSource.Source = "slack"
	noTime := change(eng, "CHG-4", time.Time{})
	noRecorder := change(eng, "CHG-5", at)
	noRecorder.RecordedBy = " "
	// The table refuses these for any writer; the store names the problem.
	for bad, why := range map[*postgres.PopulationEvent]string{&halfApproved: "both who approved and when", &noKey: "no event key",
		&badSource: "not jira or recorded", &noTime: "no time it occurred", &noRecorder: "no recorder"} {
		_, err := db.Store.RecordPopulationEvents(ctx, []postgres.PopulationEvent{change(eng, "CHG-1", at), *bad})
		require.ErrorIs(t, err, postgres.ErrInvalidPopulationEvent)
		assert.ErrorContains(t, err, why)
		assert.ErrorIs(t, bad.Validate(), compliance.ErrInvalidPopulationEvent, "compliance's rule refuses it first")
	}
	// An unknown engagement fails in the database, after CHG-1 was written
	// in the same transaction: it is rolled back.
	_, err := db.Store.RecordPopulationEvents(ctx, []postgres.PopulationEvent{change(eng, "CHG-1", at), change("nobody", "CHG-9", at)})
	require.Error(t, err)
	assert.Equal(t, 0, count(t, db, `SELECT count(*) FROM population_events`), "nothing half-written")
	assert.Equal(t, 0, count(t, db, `SELECT count(*) FROM engagement_events WHERE kind LIKE 'population-%'`))
}
