package workflows

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/custreview"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// TestCustomerAnswerReturnedForReal: on the dev server, with Postgres, a
// raw client gets the refusals the CLI gets when it returns an answer: an
// owner may not, a blank reason is refused, an unanswered question has no
// answer to return, an approved one is not returned. The lead returns Q1's
// answer with a reason: the record says returned, with the reason, once;
// the owner is asked again in a second prompt carrying the reason and
// their first answer; their new answer is recorded and approved.
//
// STEADFAST_UPDATE_HISTORIES=1 records the review's history under
// testdata/histories.
func TestCustomerAnswerReturnedForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal and Postgres")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	pr := programmeForReal(ctx, t, "steadfast-customer-return")
	db, tmp, spec, id, update := pr.db, pr.tmp, pr.spec, pr.id, pr.update
	due := compliance.DateOf(time.Now().AddDate(0, 0, 10))
	var imp ImportCustomerReviewResult
	require.NoError(t, update(id, UpdateImportCustomerReview, "import", ImportCustomerReviewRequest{Customer: "Acme Bank", Due: due, Format: "csv",
		FileName: "acme.csv", Questions: []custreview.Question{
			{ID: "Q1", Text: "How often do you review access?", Ref: "ACC-04"},
			{ID: "Q2", Text: "Who triages alerts?", Ref: "CC7.2"}}, Actor: cli(leadEmail)}, &imp))
	wid := imp.WorkflowID
	defer func() { _ = tmp.Client.TerminateWorkflow(context.Background(), wid, "", "test over") }()
	question := func(qid string) postgres.CustomerQuestion {
		qs, err := db.Store.CustomerQuestions(ctx, spec.ID, imp.ReviewID)
		require.NoError(t, err)
		for _, q := range qs {
			if q.QuestionID == qid {
				return q
			}
		}
		t.Fatalf("no question %s", qid)
		return postgres.CustomerQuestion{}
	}
	prompt := func(key string) postgres.Prompt {
		pid := PromptWorkflowID(spec.ID, key)
		var found postgres.Prompt
		require.Eventually(t, func() bool {
			ps, err := db.Store.Prompts(ctx, compliance.PromptFilter{EngagementID: spec.ID, Status: "open"})
			require.NoError(t, err)
			for _, p := range ps {
				if p.ID == pid {
					found = p
					return true
				}
			}
			return false
		}, time.Minute, 200*time.Millisecond, "prompt %s", pid)
		return found
	}
	const why = "Say how often, and link the last review's record."
	ret := func(updateID, qid, reason, who string) error {
		return update(wid, UpdateReturnAnswer, updateID, ReturnAnswerRequest{QuestionID: qid, Reason: reason, Actor: cli(who)}, nil)
	}
	require.ErrorContains(t, ret("return-unanswered", "Q1", why, leadEmail), "no answer to return (it is routed)")

	first := prompt("customer-review/" + imp.ReviewID + "/Q1")
	require.NoError(t, update(first.ID, UpdateAnswerPrompt, "answer-1", AnswerPromptRequest{Choice: ChoiceAnswer,
		Note: "We review it.", Link: "https://wiki.example/ev", Actor: cli(first.AddresseeEmail)}, nil))
	require.Eventually(t, func() bool { return question("Q1").Status == custreview.StatusAnswered }, time.Minute, 200*time.Millisecond)

	require.ErrorContains(t, ret("return-by-owner", "Q1", why, "leo@brightlane.io"), "may not return")
	require.ErrorContains(t, ret("return-blank", "Q1", " \t ", leadEmail), "say why")
	require.ErrorContains(t, ret("return-long", "Q1", strings.Repeat("x", custreview.MaxText+1), leadEmail), "at most")
	assert.Equal(t, custreview.StatusAnswered, question("Q1").Status, "nothing refused changed the record")

	var got ReviewQuestion
	require.NoError(t, update(wid, UpdateReturnAnswer, "return-1", ReturnAnswerRequest{QuestionID: "Q1", Reason: why, Actor: cli(leadEmail)}, &got))
	assert.Equal(t, custreview.StatusReturned, got.Status)
	q := question("Q1")
	assert.Equal(t, custreview.StatusReturned, q.Status)
	assert.Equal(t, why, q.ReturnedReason)
	assert.Equal(t, leadEmail, q.ReturnedBy)
	assert.Equal(t, 1, q.Returns)
	assert.Equal(t, "We review it.", q.Answer, "the first answer stays until the new one replaces it")
	require.ErrorContains(t, ret("return-twice", "Q1", why, leadEmail), "already returned")
	require.ErrorContains(t, update(wid, UpdateApproveAnswer, "approve-returned", ApproveAnswerRequest{QuestionID: "Q1", Actor: cli(leadEmail)}, nil),
		"no answer to approve")

	second := prompt("customer-review/" + imp.ReviewID + "/Q1/round-2")
	assert.NotEqual(t, first.ID, second.ID)
	assert.Contains(t, second.Question, why)
	assert.Contains(t, second.Question, `"We review it."`)
	assert.Equal(t, first.AddresseeEmail, second.AddresseeEmail)
	assert.True(t, first.DueAt.Equal(second.DueAt), "due as the first: %s, %s", first.DueAt, second.DueAt)
	require.NoError(t, update(second.ID, UpdateAnswerPrompt, "answer-2", AnswerPromptRequest{Choice: ChoiceAnswer,
		Note: "Quarterly; the Q3 review is linked.", Link: "https://wiki.example/q3", Actor: cli(second.AddresseeEmail)}, nil))
	require.Eventually(t, func() bool {
		return update(wid, UpdateApproveAnswer, "approve-Q1", ApproveAnswerRequest{QuestionID: "Q1", Actor: cli(leadEmail)}, nil) == nil
	}, time.Minute, 300*time.Millisecond)
	q = question("Q1")
	assert.Equal(t, custreview.StatusApproved, q.Status)
	assert.Equal(t, "Quarterly; the Q3 review is linked.", q.Answer)
	assert.Equal(t, second.ID, q.PromptID)
	require.ErrorContains(t, ret("return-approved", "Q1", why, leadEmail), "already approved")

	var events int
	require.NoError(t, db.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM engagement_events WHERE engagement_id = $1 AND kind = $2`,
		spec.ID, compliance.EventCustomerAnswerReturned).Scan(&events))
	assert.Equal(t, 1, events, "one return, one event")

	// Q2 answered and approved: the review ends.
	p2 := prompt("customer-review/" + imp.ReviewID + "/Q2")
	require.NoError(t, update(p2.ID, UpdateAnswerPrompt, "answer-q2", AnswerPromptRequest{Choice: ChoiceAnswer,
		Note: "The on-call engineer.", Link: "https://wiki.example/oncall", Actor: cli(p2.AddresseeEmail)}, nil))
	require.Eventually(t, func() bool {
		return update(wid, UpdateApproveAnswer, "approve-Q2", ApproveAnswerRequest{QuestionID: "Q2", Actor: cli(leadEmail)}, nil) == nil
	}, time.Minute, 300*time.Millisecond)
	var st CustomerReviewState
	require.NoError(t, tmp.Client.GetWorkflow(ctx, wid, "").Get(ctx, &st), "the review ends when every answer is approved")
	assert.Equal(t, 1, st.Questions[0].Returns)
	if updateHistories() {
		saveHistory(t, history(t, ctx, tmp.Client, wid, ""), "customer_review_returned_answered_again.json")
	}
}
