package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// engaged is a fresh database holding one engagement.
func engagedDB(t *testing.T) (testenv.Database, string) {
	t.Helper()
	db := testenv.Postgres(t)
	r := scopeRecord(t)
	require.NoError(t, db.Store.RecordScope(context.Background(), r))
	return db, r.EngagementID
}

var reviewAsOf = time.Date(2027, 12, 10, 9, 0, 0, 0, time.UTC)

func readinessReview(engagementID, id string, at time.Time, findings ...postgres.Finding) postgres.ReadinessReview {
	return postgres.ReadinessReview{
		EngagementID: engagementID, ReviewID: id, AsOf: at, Seed: 0xfedcba9876543210, Risk: "moderate",
		Report: []byte(`{"controls_tested": 2}`), Findings: findings,
	}
}

func lateFinding(rank int, exception string) postgres.Finding {
	return postgres.Finding{ControlID: "ACC-04", OccurrenceKey: "ACC-04/2027-Q2", Test: "on-time", Severity: "medium",
		Exception: exception, Rank: rank}
}

func missedFinding() postgres.Finding {
	return postgres.Finding{ControlID: "CHG-01", OccurrenceKey: "CHG-01/2027-05", Test: "evidence-present", Severity: "high",
		Exception: "For 1 of 25 monthly occurrences sampled, evidence was not provided.", Rank: 1}
}

func TestFindingIDIsStable(t *testing.T) {
	assert.Equal(t, "ACC-04/2027-Q2/on-time", postgres.FindingID("ACC-04", "ACC-04/2027-Q2", "on-time"))
	assert.Equal(t, "ACC-04/2027-Q2/on-time", postgres.FindingID("ACC-04", "2027-Q2", "on-time"))
}

func TestSaveReadinessReviewIsIdempotent(t *testing.T) {
	db, id := engagedDB(t)
	ctx := context.Background()
	r := readinessReview(id, "rr-1", reviewAsOf, missedFinding(), lateFinding(2, "provided 6 days late"))
	require.NoError(t, db.Store.SaveReadinessReview(ctx, r))
	require.NoError(t, db.Store.SaveReadinessReview(ctx, r), "a retried activity saves the same review again")

	assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM readiness_reviews`))
	assert.Equal(t, 2, count(t, db, `SELECT count(*) FROM readiness_findings`))
	assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM engagement_events WHERE kind = $1`, postgres.EventReadinessReviewed))

	got, err := db.Store.LatestReadinessReview(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, uint64(0xfedcba9876543210), got.Seed, "a seed above MaxInt64 survives the bigint")
	assert.Equal(t, "moderate", got.Risk)
	assert.True(t, got.AsOf.Equal(reviewAsOf))
	assert.JSONEq(t, `{"controls_tested": 2}`, string(got.Report))
	require.Len(t, got.Findings, 2)
	assert.Equal(t, "CHG-01/2027-05/evidence-present", got.Findings[0].FindingID, "ranked")
	assert.Equal(t, "rr-1", got.Findings[0].ReviewID)
	assert.Empty(t, got.Findings[0].Decision)

	_, err = db.Store.LatestReadinessReview(ctx, "no-such-engagement")
	assert.ErrorIs(t, err, postgres.ErrNotFound)
}

func TestSaveReadinessReviewRefusesBadInput(t *testing.T) {
	db, id := engagedDB(t)
	ctx := context.Background()
	assert.Error(t, db.Store.SaveReadinessReview(ctx, readinessReview(id, "", reviewAsOf)))
	bad := readinessReview(id, "rr-bad", reviewAsOf)
	bad.Report = []byte(`{"unterminated`)
	assert.ErrorContains(t, db.Store.SaveReadinessReview(ctx, bad), "not valid JSON")
	assert.ErrorContains(t, db.Store.SaveReadinessReview(ctx, readinessReview(id, "rr-dup", reviewAsOf, missedFinding(), missedFinding())), "listed twice")
	assert.ErrorContains(t, db.Store.SaveReadinessReview(ctx, readinessReview(id, "rr-nocontrol", reviewAsOf, postgres.Finding{Test: "on-time", Severity: "low"})), "no control")
	sev := missedFinding()
	sev.Severity = "catastrophic"
	assert.Error(t, db.Store.SaveReadinessReview(ctx, readinessReview(id, "rr-sev", reviewAsOf, sev)), "severity is high, medium or low")
	assert.Equal(t, 0, count(t, db, `SELECT count(*) FROM readiness_reviews`), "nothing half-saved")

	empty := readinessReview(id, "rr-empty", reviewAsOf)
	empty.Report = nil
	require.NoError(t, db.Store.SaveReadinessReview(ctx, empty))
	got, err := db.Store.LatestReadinessReview(ctx, id)
	require.NoError(t, err)
	assert.JSONEq(t, `{}`, string(got.Report))
	assert.Empty(t, got.Findings)
}

func TestLaterReviewKeepsDecisions(t *testing.T) {
	db, id := engagedDB(t)
	ctx := context.Background()
	require.NoError(t, db.Store.SaveReadinessReview(ctx, readinessReview(id, "rr-1", reviewAsOf, missedFinding(), lateFinding(2, "provided 6 days late"))))
	late := postgres.FindingID("ACC-04", "ACC-04/2027-Q2", "on-time")
	require.NoError(t, db.Store.DecideFinding(ctx, postgres.FindingDecision{
		EngagementID: id, FindingID: late, Decision: postgres.DecisionAccept, Reason: "one-off: owner on leave; delegate added",
		By: "Elena@Ferrovia.example", At: reviewAsOf.Add(time.Hour), Key: "decide-1",
	}))

	// The next review finds the late review again (re-ranked, reworded) and
	// no longer finds the missed change evidence.
	later := reviewAsOf.AddDate(0, 0, 7)
	rewritten := lateFinding(1, "provided 6 days after it was due")
	rewritten.RemediationItem = "GRC-42"
	require.NoError(t, db.Store.SaveReadinessReview(ctx, readinessReview(id, "rr-2", later, rewritten)))

	fs, err := db.Store.ReadinessFindings(ctx, id)
	require.NoError(t, err)
	require.Len(t, fs, 2)
	assert.Equal(t, late, fs[0].FindingID, "the latest review's findings come first")
	assert.Equal(t, "rr-2", fs[0].ReviewID)
	assert.Equal(t, 1, fs[0].Rank)
	assert.Equal(t, "provided 6 days after it was due", fs[0].Exception)
	assert.Equal(t, postgres.DecisionAccept, fs[0].Decision, "the decision survives the later review")
	assert.Equal(t, "elena@ferrovia.example", fs[0].DecidedBy)
	require.NotNil(t, fs[0].DecidedAt)
	assert.Equal(t, "GRC-42", fs[0].RemediationItem)
	assert.Equal(t, "rr-1", fs[1].ReviewID, "a finding not found again is still listed with the review that found it")

	// The earlier review saved again late (a retry) does not undo the later one.
	require.NoError(t, db.Store.SaveReadinessReview(ctx, readinessReview(id, "rr-1", reviewAsOf, missedFinding(), lateFinding(2, "provided 6 days late"))))
	fs, err = db.Store.ReadinessFindings(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "rr-2", fs[0].ReviewID)
	assert.Equal(t, 1, fs[0].Rank)

	// A remediation item learnt after a review was saved is filled in on a retry.
	missed := missedFinding()
	missed.RemediationItem = "GRC-43"
	require.NoError(t, db.Store.SaveReadinessReview(ctx, readinessReview(id, "rr-1", reviewAsOf, missed, lateFinding(2, "provided 6 days late"))))
	fs, err = db.Store.ReadinessFindings(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "GRC-43", fs[1].RemediationItem)
	assert.Equal(t, "GRC-42", fs[0].RemediationItem, "a recorded item is not replaced")
}

func TestDecideFinding(t *testing.T) {
	db, id := engagedDB(t)
	ctx := context.Background()
	require.NoError(t, db.Store.SaveReadinessReview(ctx, readinessReview(id, "rr-1", reviewAsOf, missedFinding(), lateFinding(2, "late"))))
	missed := postgres.FindingID("CHG-01", "CHG-01/2027-05", "evidence-present")
	late := postgres.FindingID("ACC-04", "ACC-04/2027-Q2", "on-time")
	decide := func(finding, decision, reason, key string, at time.Time) error {
		return db.Store.DecideFinding(ctx, postgres.FindingDecision{EngagementID: id, FindingID: finding, Decision: decision,
			Reason: reason, By: "elena@ferrovia.example", At: at, Key: key})
	}

	t.Run("refusals", func(t *testing.T) {
		err := decide("NOPE/2027-01/on-time", postgres.DecisionFix, "", "k-unknown", reviewAsOf)
		assert.True(t, errors.Is(err, postgres.ErrNotFound), "unknown finding: %v", err)
		assert.ErrorContains(t, decide(late, postgres.DecisionAccept, "  ", "k-noreason", reviewAsOf), "needs a reason")
		assert.ErrorContains(t, decide(late, "ignore", "", "k-bad", reviewAsOf), "not fix or accept")
		assert.ErrorIs(t, decide(late, "ignore", "", "k-bad", reviewAsOf), compliance.ErrInvalidFindingDecision,
			"the table holds compliance's rule, and the store says so")
		assert.ErrorContains(t, decide(late, postgres.DecisionFix, "", "", reviewAsOf), "key")
		assert.Equal(t, 0, count(t, db, `SELECT count(*) FROM finding_decisions`))
	})

	t.Run("idempotent on the key", func(t *testing.T) {
		require.NoError(t, decide(missed, postgres.DecisionFix, "", "k-1", reviewAsOf.Add(time.Hour)))
		require.NoError(t, decide(missed, postgres.DecisionFix, "", "k-1", reviewAsOf.Add(time.Hour)))
		assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM finding_decisions`))
		assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM engagement_events WHERE kind = $1`, postgres.EventFindingDecided))
	})

	t.Run("the latest decision counts", func(t *testing.T) {
		require.NoError(t, decide(late, postgres.DecisionFix, "", "k-2", reviewAsOf.Add(time.Hour)))
		require.NoError(t, decide(late, postgres.DecisionAccept, "owner on leave; delegate added", "k-3", reviewAsOf.Add(2*time.Hour)))
		// A decision arriving late but made earlier does not win.
		require.NoError(t, decide(late, postgres.DecisionFix, "", "k-4", reviewAsOf.Add(90*time.Minute)))

		fs, err := db.Store.ReadinessFindings(ctx, id)
		require.NoError(t, err)
		byID := map[string]postgres.Finding{}
		for _, f := range fs {
			byID[f.FindingID] = f
		}
		assert.Equal(t, postgres.DecisionFix, byID[missed].Decision)
		assert.Equal(t, postgres.DecisionAccept, byID[late].Decision)
		assert.Equal(t, "owner on leave; delegate added", byID[late].Reason)

		accepted, err := db.Store.AcceptedExceptions(ctx, id)
		require.NoError(t, err)
		require.Len(t, accepted, 1)
		assert.Equal(t, late, accepted[0].FindingID)

		// The mirrored columns agree with the decision log.
		assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM readiness_findings WHERE decision = 'accept' AND finding_id = $1`, late))
		assert.Equal(t, 4, count(t, db, `SELECT count(*) FROM finding_decisions`))
	})

	t.Run("decisions are append-only", func(t *testing.T) {
		pool := db.Store.Pool()
		_, err := pool.Exec(ctx, `UPDATE finding_decisions SET decision = 'fix' WHERE decision = 'accept'`)
		assert.ErrorContains(t, err, "append-only")
		_, err = pool.Exec(ctx, `DELETE FROM finding_decisions`)
		assert.ErrorContains(t, err, "append-only")
		_, err = pool.Exec(ctx, `TRUNCATE finding_decisions`)
		assert.Error(t, err)
		_, err = pool.Exec(ctx, `INSERT INTO finding_decisions (engagement_id, finding_id, decision, decided_by, decided_at, decision_key)
			VALUES ($1, $2, 'accept', 'x@y.example', now(), 'k-sql')`, id, late)
		assert.Error(t, err, "the table itself refuses an acceptance without a reason")
		assert.Equal(t, 4, count(t, db, `SELECT count(*) FROM finding_decisions`))
	})
}

func TestReadinessReportIsStoredAsJSON(t *testing.T) {
	db, id := engagedDB(t)
	ctx := context.Background()
	rep, err := json.Marshal(map[string]any{"seed": "18364758544493064720", "findings": []string{"a"}})
	require.NoError(t, err)
	r := readinessReview(id, "rr-1", reviewAsOf)
	r.Report = rep
	require.NoError(t, db.Store.SaveReadinessReview(ctx, r))
	assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM readiness_reviews WHERE report->>'seed' = '18364758544493064720'`))
}
