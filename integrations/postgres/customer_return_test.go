package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/custreview"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// TestAnswerReturnedThenAnsweredAgain: a return is recorded once (a
// retried step changes nothing and appends no second event), only from
// answered; the question keeps the first answer until the second prompt
// is recorded and answered; the new answer is approved as usual, and a
// return of an approved answer changes nothing.
func TestAnswerReturnedThenAnsweredAgain(t *testing.T) {
	ctx := context.Background()
	db, rec, review, at := importedReview(ctx, t,
		custreview.Routed{Question: custreview.Question{ID: "Q1", Text: "Access reviews?"}, Controls: []string{"ACC-04"}, Owner: "aisha@ferrovia.example"})
	id := rec.EngagementID
	change := func(c custreview.Change) {
		t.Helper()
		c.EngagementID, c.ReviewID, c.QuestionID, c.At = id, review, "Q1", at
		at = at.Add(time.Hour)
		require.NoError(t, db.Store.ChangeQuestion(ctx, c))
	}
	q1 := func() postgres.CustomerQuestion {
		t.Helper()
		qs, err := db.Store.CustomerQuestions(ctx, id, review)
		require.NoError(t, err)
		return qs[0]
	}
	events := func() int {
		var n int
		require.NoError(t, db.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM engagement_events WHERE kind = $1`,
			compliance.EventCustomerAnswerReturned).Scan(&n))
		return n
	}
	ret := custreview.Change{Returned: &custreview.Return{Reason: " Say how often. ", By: "Elena@ferrovia.example"}, Key: "return/1"}
	change(ret)
	assert.Equal(t, custreview.StatusRouted, q1().Status, "nothing to return before an answer")
	assert.Zero(t, events())

	change(custreview.Change{PromptID: "prompt/1", Key: "prompt"})
	change(custreview.Change{Answer: &custreview.Answer{Text: "We do.", Evidence: "https://wiki/1", By: "aisha@ferrovia.example"}, Key: "answer/1"})
	change(ret)
	change(ret) // retried
	q := q1()
	assert.Equal(t, custreview.StatusReturned, q.Status)
	assert.Equal(t, "Say how often.", q.ReturnedReason)
	assert.Equal(t, "elena@ferrovia.example", q.ReturnedBy)
	assert.Equal(t, 1, q.Returns)
	assert.Equal(t, "We do.", q.Answer, "the first answer stays until the new one")
	assert.Equal(t, 1, events(), "one return, one event")

	change(custreview.Change{PromptID: "prompt/1/round-2", Key: "prompt"})
	change(custreview.Change{Answer: &custreview.Answer{Text: "Quarterly.", Evidence: "https://wiki/2", By: "aisha@ferrovia.example"}, Key: "answer/2"})
	q = q1()
	assert.Equal(t, custreview.StatusAnswered, q.Status)
	assert.Equal(t, "prompt/1/round-2", q.PromptID)
	assert.Equal(t, "Quarterly.", q.Answer)
	assert.Equal(t, "Say how often.", q.ReturnedReason, "the lead still reads what the new answer replies to")

	change(custreview.Change{ApprovedBy: "elena@ferrovia.example", Key: "approve"})
	change(custreview.Change{Returned: &custreview.Return{Reason: "late", By: "elena@ferrovia.example"}, Key: "return/2"})
	q = q1()
	assert.Equal(t, custreview.StatusApproved, q.Status, "an approved answer is not returned")
	assert.Equal(t, 1, q.Returns)
	assert.Equal(t, 1, events())
	change(custreview.Change{PromptID: "prompt/other", Key: "prompt"})
	assert.Equal(t, "prompt/1/round-2", q1().PromptID, "only a returned question takes a new prompt")
}
