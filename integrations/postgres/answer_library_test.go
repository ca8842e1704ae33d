package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/custreview"
	"github.com/steadfast-grc/steadfast/compliance/report"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// TestLibraryAnswersReconfirmedAfterEvidenceOrReport: new evidence of a
// control takes the approved answers resting on it out of the library,
// in the same transaction; its owner re-confirms (rewriting it) and the
// lead approves it back; a new report unsettles every answer.
func TestLibraryAnswersReconfirmedAfterEvidenceOrReport(t *testing.T) {
	ctx := context.Background()
	db, rec, review, at := importedReview(ctx, t,
		custreview.Routed{Question: custreview.Question{ID: "Q1", Text: "Access reviews?"}, Controls: []string{"ACC-04"}, Owner: "aisha@ferrovia.example"},
		custreview.Routed{Question: custreview.Question{ID: "Q2", Text: "Changes?"}, Controls: []string{"CHG-01"}, Owner: "jonas@ferrovia.example"})
	id := rec.EngagementID
	for i, q := range []string{"Q1", "Q2"} {
		for _, c := range []custreview.Change{
			{QuestionID: q, Answer: &custreview.Answer{Text: "We do.", Evidence: "https://wiki/" + q, By: "owner"}, Key: "a"},
			{QuestionID: q, ApprovedBy: "elena@ferrovia.example", Key: "b"}} {
			c.EngagementID, c.ReviewID, c.At = id, review, at.Add(time.Duration(i)*time.Minute)
			require.NoError(t, db.Store.ChangeQuestion(ctx, c))
		}
	}
	lib, err := db.Store.AnswerLibrary(ctx, id)
	require.NoError(t, err)
	require.Len(t, lib, 2)

	// Evidence of ACC-04 given before the approval unsettles nothing; after it, Q1.
	ev := postgres.Evidence{EngagementID: id, ControlID: "ACC-04", OccurrenceKey: "ACC-04/2027-Q1",
		PeriodStart: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), PeriodEnd: time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC),
		DueAt: at, SubmittedAt: at.Add(-time.Hour), SubmittedBy: "aisha@ferrovia.example", Channel: postgres.ChannelCLI, Kind: "link",
		Value: "https://drive.example/old.pdf", SubmissionKey: "cli/old"}
	_, err = db.Store.AddEvidence(ctx, ev)
	require.NoError(t, err)
	ev.SubmittedAt, ev.Value, ev.SubmissionKey = at.Add(time.Hour), "https://drive.example/q1.pdf", "cli/new"
	_, err = db.Store.AddEvidence(ctx, ev)
	require.NoError(t, err)
	_, err = db.Store.AddEvidence(ctx, ev)
	require.NoError(t, err, "a retried submission")
	lib, err = db.Store.AnswerLibrary(ctx, id)
	require.NoError(t, err)
	require.Len(t, lib, 1, "Q1 is no longer offered")
	assert.Equal(t, "Q2", lib[0].QuestionID)
	un, err := db.Store.Unsettled(ctx, id)
	require.NoError(t, err)
	require.Len(t, un, 1)
	assert.Equal(t, "Q1", un[0].QuestionID)
	assert.Equal(t, review, un[0].ReviewID)
	assert.Contains(t, un[0].ReconfirmWhy, "new evidence of ACC-04 (ACC-04/2027-Q1)")
	assert.Equal(t, "owner", un[0].Reconfirm().WaitsOn())
	assert.Equal(t, custreview.StatusApproved, un[0].Status, "the customer already has it: its status stands")

	spec := &rec.Spec
	step := postgres.LibraryStep{EngagementID: id, ReviewID: review, QuestionID: "Q1", Spec: spec, At: at.Add(2 * time.Hour)}
	s := step
	s.By, s.Approve, s.Key = "elena@ferrovia.example", true, "k0"
	_, err = db.Store.StepAnswer(ctx, s)
	require.True(t, errors.Is(err, postgres.ErrRefused), "the lead approves only after the owner: %v", err)
	s = step
	s.By, s.Key = "jonas@ferrovia.example", "k1"
	_, err = db.Store.StepAnswer(ctx, s)
	require.ErrorContains(t, err, "only its owner")
	s.By, s.Rewrite, s.Key = "Aisha@ferrovia.example", "We do, quarterly; see the Q1 review.", "k2"
	q, err := db.Store.StepAnswer(ctx, s)
	require.NoError(t, err)
	assert.Equal(t, "lead", q.Reconfirm().WaitsOn())
	_, err = db.Store.StepAnswer(ctx, s)
	require.NoError(t, err, "the same step retried")
	s = step
	s.By, s.Approve, s.Key = "marcus@ferrovia.example", true, "k3"
	_, err = db.Store.StepAnswer(ctx, s)
	require.ErrorContains(t, err, "may not triage or approve")
	s.By, s.Key = "elena@ferrovia.example", "k4"
	q, err = db.Store.StepAnswer(ctx, s)
	require.NoError(t, err)
	assert.False(t, q.Reconfirm().Pending())
	lib, err = db.Store.AnswerLibrary(ctx, id)
	require.NoError(t, err)
	require.Len(t, lib, 2, "back in the library")
	assert.Equal(t, "We do, quarterly; see the Q1 review.", lib[0].Answer, "newest approval first, in its owner's new words")

	// A new report unsettles every answer approved before it.
	k := report.Key{EngagementID: id, Framework: compliance.SOC2, Date: compliance.Date{Year: 2027, Month: 6, Day: 1}}
	require.NoError(t, db.Store.RecordReport(ctx, k, report.Report{Framework: k.Framework, Date: k.Date, Opinion: report.Unqualified},
		"elena@ferrovia.example", at.Add(24*time.Hour)))
	lib, err = db.Store.AnswerLibrary(ctx, id)
	require.NoError(t, err)
	assert.Empty(t, lib)
	un, err = db.Store.Unsettled(ctx, id)
	require.NoError(t, err)
	assert.Len(t, un, 2)
	assert.Equal(t, 2, count(t, db, `SELECT count(*) FROM engagement_events WHERE kind = $1 AND detail->>'why' LIKE 'the soc2%'`,
		compliance.EventCustomerAnswerUnsettled))
}

// importedReview records the scope of the test engagement and imports one
// customer review of these questions into it, on a fresh database; at is
// the import's time.
func importedReview(ctx context.Context, t *testing.T, qs ...custreview.Routed) (db testenv.Database, rec postgres.ScopeRecord, review string, at time.Time) {
	t.Helper()
	db = testenv.Postgres(t)
	rec = scopeRecord(t)
	require.NoError(t, db.Store.RecordScope(ctx, rec))
	id := rec.EngagementID
	review = "acme-2027-05-01"
	at = time.Date(2027, 4, 1, 9, 0, 0, 0, time.UTC)
	require.NoError(t, db.Store.ImportCustomerReview(ctx, postgres.CustomerReview{EngagementID: id, ReviewID: review, Customer: "Acme",
		Due: compliance.Date{Year: 2027, Month: 5, Day: 1}, Format: "csv", FileName: "a.csv", ImportedBy: "elena@ferrovia.example", ImportedAt: at}, qs))
	return db, rec, review, at
}
