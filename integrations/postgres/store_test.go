package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

func scopeRecord(t *testing.T) postgres.ScopeRecord {
	spec, err := compliance.LoadSpec("../../examples/payments-co.yaml")
	require.NoError(t, err)
	plan, err := compliance.PlanEngagement(spec, time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	return postgres.ScopeRecord{
		EngagementID: spec.ID, WorkflowID: "engagement/" + spec.ID, Revision: 1, Spec: *spec,
		Plan: plan, Risks: compliance.AssessScope(spec, plan), Phase: compliance.PhaseScoping,
		RecordedBy: "steadfast", At: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC),
	}
}

func count(t *testing.T, db testenv.Database, sql string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, db.Store.Pool().QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

func TestMigrateIsIdempotentAndSafeConcurrently(t *testing.T) {
	db := testenv.Postgres(t)
	ctx := context.Background()
	// Two workers starting at once, then a restart.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := postgres.Open(ctx, db.URL)
			if err != nil {
				errs[i] = err
				return
			}
			defer s.Close()
			errs[i] = s.Migrate(ctx)
		}()
	}
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	require.NoError(t, db.Store.Migrate(ctx))
	assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM goose_db_version WHERE version_id = 1 AND is_applied`))
}

func TestRecordScopeIsIdempotent(t *testing.T) {
	db := testenv.Postgres(t)
	ctx := context.Background()
	r := scopeRecord(t)
	require.NoError(t, db.Store.RecordScope(ctx, r))
	require.NoError(t, db.Store.RecordScope(ctx, r), "a retried activity writes the same record again")

	assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM engagements`))
	assert.Equal(t, len(r.Spec.Systems), count(t, db, `SELECT count(*) FROM systems WHERE engagement_id = $1`, r.EngagementID))
	assert.Equal(t, len(r.Spec.People), count(t, db, `SELECT count(*) FROM people WHERE engagement_id = $1`, r.EngagementID))
	assert.Equal(t, 3, count(t, db, `SELECT count(*) FROM engagement_frameworks WHERE engagement_id = $1`, r.EngagementID))
	assert.Equal(t, len(r.Risks), count(t, db, `SELECT count(*) FROM scope_risks WHERE engagement_id = $1`, r.EngagementID))
	assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM plans WHERE engagement_id = $1`, r.EngagementID))
	assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM engagement_events WHERE kind = 'scope-assessed'`))

	// A revision that drops a system removes its row and keeps revision 1's risks.
	r2 := r
	r2.Revision = 2
	r2.Spec.Systems = r.Spec.Systems[:len(r.Spec.Systems)-1]
	require.NoError(t, db.Store.RecordScope(ctx, r2))
	assert.Equal(t, len(r.Spec.Systems)-1, count(t, db, `SELECT count(*) FROM systems WHERE engagement_id = $1`, r.EngagementID))
	assert.Equal(t, 2, count(t, db, `SELECT count(*) FROM plans WHERE engagement_id = $1`, r.EngagementID))
	// A late retry of revision 1 cannot roll the engagement back.
	require.NoError(t, db.Store.RecordScope(ctx, r))
	assert.Equal(t, 2, count(t, db, `SELECT spec_revision FROM engagements WHERE id = $1`, r.EngagementID))

	list, err := db.Store.ListEngagements(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, []string{"iso27001", "pci-dss", "soc2"}, list[0].Frameworks)
	assert.Equal(t, "2028-02-14", list[0].AuditDate)
}

func TestRecordDecisionOnceAndConflicts(t *testing.T) {
	db := testenv.Postgres(t)
	ctx := context.Background()
	r := scopeRecord(t)
	require.NoError(t, db.Store.RecordScope(ctx, r))
	d := postgres.Decision{EngagementID: r.EngagementID, Revision: 1, Approved: true, By: "elena@ferrovia.example",
		Reason: "ok", Channel: postgres.ChannelCLI, UpdateID: "u1", At: time.Now().UTC()}
	require.NoError(t, db.Store.RecordDecision(ctx, d))
	require.NoError(t, db.Store.RecordDecision(ctx, d), "the same decision twice is a no-op")
	assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM scope_decisions`))
	assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM engagement_events WHERE kind = 'scope-approved'`))

	d.Approved = false
	err := db.Store.RecordDecision(ctx, d)
	require.ErrorIs(t, err, postgres.ErrConflictingDecision)
	assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM engagement_events WHERE kind LIKE 'scope-%ed' AND kind <> 'scope-assessed'`), "nothing half-written")
}

func TestEventLogIsAppendOnly(t *testing.T) {
	db := testenv.Postgres(t)
	ctx := context.Background()
	r := scopeRecord(t)
	require.NoError(t, db.Store.RecordScope(ctx, r))
	_, err := db.Store.Pool().Exec(ctx, `UPDATE engagement_events SET actor = 'mallory'`)
	require.ErrorContains(t, err, "append-only")
	_, err = db.Store.Pool().Exec(ctx, `DELETE FROM engagement_events`)
	require.ErrorContains(t, err, "append-only")
	events, err := db.Store.Events(ctx, r.EngagementID)
	require.NoError(t, err)
	require.Len(t, events, 1)
	assert.Equal(t, "steadfast", events[0].Actor)
}

func TestEvidenceIsAppendOnlyAndCorrectionsPoint(t *testing.T) {
	db := testenv.Postgres(t)
	ctx := context.Background()
	r := scopeRecord(t)
	require.NoError(t, db.Store.RecordScope(ctx, r))
	e := postgres.Evidence{
		EngagementID: r.EngagementID, ControlID: "ACC-04", OccurrenceKey: "ACC-04/2027-Q1",
		PeriodStart: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), PeriodEnd: time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC),
		DueAt: time.Date(2027, 4, 5, 17, 0, 0, 0, time.UTC), SubmittedAt: time.Date(2027, 4, 2, 9, 0, 0, 0, time.UTC),
		SubmittedBy: "Aisha@ferrovia.example", Channel: postgres.ChannelSlack, Kind: "link",
		Value: "https://drive.example/q1-review.pdf", SubmissionKey: "slack/abc",
	}
	id, err := db.Store.AddEvidence(ctx, e)
	require.NoError(t, err)
	again, err := db.Store.AddEvidence(ctx, e)
	require.NoError(t, err)
	assert.Equal(t, id, again, "a retried submission adds nothing")

	fix := e
	fix.Value, fix.SubmissionKey, fix.Corrects = "https://drive.example/q1-review-signed.pdf", "cli/fix", &id
	fix.SubmittedAt = e.SubmittedAt.Add(time.Hour)
	_, err = db.Store.AddEvidence(ctx, fix)
	require.NoError(t, err)

	all, err := db.Store.EvidenceFor(ctx, r.EngagementID)
	require.NoError(t, err)
	require.Len(t, all, 2, "the correction is a new row; the original stays")
	assert.Equal(t, postgres.HashValue("https://drive.example/q1-review.pdf"), all[0].ValueSHA256)
	assert.Equal(t, "aisha@ferrovia.example", all[0].SubmittedBy)
	require.NotNil(t, all[1].Corrects)
	assert.Equal(t, id, *all[1].Corrects)

	_, err = db.Store.Pool().Exec(ctx, `UPDATE evidence SET value = 'x'`)
	require.ErrorContains(t, err, "append-only")
	_, err = db.Store.Pool().Exec(ctx, `DELETE FROM evidence`)
	require.ErrorContains(t, err, "append-only")
}
