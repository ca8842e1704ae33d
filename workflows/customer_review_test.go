package workflows

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance/custreview"
)

// The lead may map an unmapped question while the review is still reading
// its answer library; the question is then asked once, by the mapping,
// not a second time by the first round of prompts. (Asked twice, the
// second prompt failed to start as a duplicate, was recorded as
// "unanswered", and the guard on the record then dropped the owner's real
// answer: the lifecycle test's flake.) A second mapping of the same
// question is refused.
func TestMappedWhileReadingTheLibraryIsAskedOnce(t *testing.T) {
	env := newEnv(t)
	start := time.Date(2027, 9, 1, 9, 0, 0, 0, time.UTC)
	env.SetStartTime(start)
	acts := &activities.Activities{}
	env.OnActivity(acts.AnswerLibrary, mock.Anything, mock.Anything).After(2*time.Hour).Return(activities.AnswerLibraryResult{}, nil)
	var mu sync.Mutex
	var changes []custreview.Change
	env.OnActivity(acts.ChangeQuestion, mock.Anything, mock.Anything).Run(func(args mock.Arguments) {
		mu.Lock()
		defer mu.Unlock()
		changes = append(changes, args.Get(1).(activities.ChangeQuestionInput).Change)
	}).Return(nil)
	asked := map[string]int{}
	env.OnWorkflow(PromptWorkflowName, mock.Anything, mock.Anything).Return(func(_ workflow.Context, in PromptInput) (PromptResult, error) {
		mu.Lock()
		defer mu.Unlock()
		asked[in.Key]++
		return PromptResult{Outcome: OutcomeAnswered, Answer: &PromptAnswer{Choice: ChoiceAnswer, Note: "We do.", By: in.To.Email, UpdateID: "u-" + in.Key}}, nil
	})
	var first, second updateResult
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateMapQuestion, "map/1", callbacks(&first), MapQuestionRequest{QuestionID: "Q2", Ref: "ACC-04", Actor: cliActor(leadEmail)})
		env.UpdateWorkflow(UpdateMapQuestion, "map/2", callbacks(&second), MapQuestionRequest{QuestionID: "Q2", Ref: "CHG-01", Actor: cliActor(leadEmail)})
	}, time.Hour)
	spec := testSpec(t)
	env.ExecuteWorkflow(CustomerReviewWorkflow, CustomerReviewInput{EngagementID: spec.ID, ReviewID: "acme-2027-09-15", Customer: "Acme",
		Due: start.AddDate(0, 0, 14), Spec: spec, Questions: []custreview.Routed{
			{Question: custreview.Question{ID: "Q1", Text: "a?"}, Controls: []string{"ACC-04"}, Owner: "priya@brightlane.io"},
			{Question: custreview.Question{ID: "Q2", Text: "b?", Ref: "SIG-2"}}}})
	require.NoError(t, env.GetWorkflowError())
	require.NoError(t, first.rejected)
	require.NoError(t, first.err)
	assert.Error(t, second.rejected, "the question is already being mapped or mapped")

	assert.Equal(t, map[string]int{"customer-review/acme-2027-09-15/Q1": 1, "customer-review/acme-2027-09-15/Q2": 1}, asked)
	var st CustomerReviewState
	require.NoError(t, env.GetWorkflowResult(&st))
	for _, q := range st.Questions {
		assert.Equal(t, custreview.StatusAnswered, q.Status, q.ID)
	}
	for _, c := range changes {
		assert.False(t, c.Unanswered, "nothing is recorded unanswered: %+v", c)
	}
}

// The lead returns an owner's answer with a reason: only the lead (an
// owner is refused), only with a reason, only an answer not yet approved.
// The question is returned and the review waits (an approval is refused
// meanwhile); the owner is asked again in a second prompt of its own,
// whose question carries the reason and their previous answer, due as the
// first; their new answer is recorded, and the lead approves it.
func TestReturnedAnswerIsAskedAgainThenApproved(t *testing.T) {
	env := newEnv(t)
	start := time.Date(2027, 9, 1, 9, 0, 0, 0, time.UTC)
	env.SetStartTime(start)
	acts := &activities.Activities{}
	env.OnActivity(acts.AnswerLibrary, mock.Anything, mock.Anything).Return(activities.AnswerLibraryResult{}, nil)
	var mu sync.Mutex
	var changes []custreview.Change
	env.OnActivity(acts.ChangeQuestion, mock.Anything, mock.Anything).Run(func(args mock.Arguments) {
		mu.Lock()
		defer mu.Unlock()
		changes = append(changes, args.Get(1).(activities.ChangeQuestionInput).Change)
	}).Return(nil)
	const rid, first, second = "acme-2027-09-15", "We do.", "Quarterly, by each system's owner; the last review is linked."
	const why = "Say how often, and link the last review."
	var prompts []PromptInput
	env.OnWorkflow(PromptWorkflowName, mock.Anything, mock.Anything).Return(func(ctx workflow.Context, in PromptInput) (PromptResult, error) {
		mu.Lock()
		prompts = append(prompts, in)
		mu.Unlock()
		note := first
		if strings.HasSuffix(in.Key, "/round-2") {
			note = second
			// The owner takes three hours to answer again.
			if err := workflow.Sleep(ctx, 3*time.Hour); err != nil {
				return PromptResult{}, err
			}
		}
		return PromptResult{Outcome: OutcomeAnswered, Answer: &PromptAnswer{Choice: ChoiceAnswer, Note: note, Link: "https://wiki.example/acc-04",
			By: in.To.Email, UpdateID: "u-" + in.Key}}, nil
	})
	var byOwner, noReason, returned, approveEarly, again, approved, approvedTwice updateResult
	// when runs then once Q1 is as cond wants, looking every minute: each
	// step waits on the review's state, not on a time the test environment
	// may skip to before a child's end is recorded.
	var when func(cond func(ReviewQuestion) bool, then func())
	when = func(cond func(ReviewQuestion) bool, then func()) {
		env.RegisterDelayedCallback(func() {
			v, err := env.QueryWorkflow(QueryCustomerReview)
			require.NoError(t, err)
			var st CustomerReviewState
			require.NoError(t, v.Get(&st))
			if cond(st.Questions[0]) {
				then()
				return
			}
			when(cond, then)
		}, time.Minute)
	}
	is := func(status, answer string) func(ReviewQuestion) bool {
		return func(q ReviewQuestion) bool { return q.Status == status && q.Answer == answer }
	}
	when(is(custreview.StatusAnswered, first), func() {
		env.UpdateWorkflow(UpdateReturnAnswer, "return/owner", callbacks(&byOwner), ReturnAnswerRequest{QuestionID: "Q1", Reason: why, Actor: cliActor("leo@brightlane.io")})
		env.UpdateWorkflow(UpdateReturnAnswer, "return/empty", callbacks(&noReason), ReturnAnswerRequest{QuestionID: "Q1", Reason: "  ", Actor: cliActor(leadEmail)})
		env.UpdateWorkflow(UpdateReturnAnswer, "return/1", callbacks(&returned), ReturnAnswerRequest{QuestionID: "Q1", Reason: " " + why + "\n", Actor: cliActor(leadEmail)})
		// Returned, the review waits on the owner (who takes three hours).
		when(is(custreview.StatusReturned, first), func() {
			env.UpdateWorkflow(UpdateApproveAnswer, "approve/early", callbacks(&approveEarly), ApproveAnswerRequest{QuestionID: "Q1", Actor: cliActor(leadEmail)})
			env.UpdateWorkflow(UpdateReturnAnswer, "return/again", callbacks(&again), ReturnAnswerRequest{QuestionID: "Q1", Reason: why, Actor: cliActor(leadEmail)})
			when(is(custreview.StatusAnswered, second), func() {
				env.UpdateWorkflow(UpdateApproveAnswer, "approve/1", callbacks(&approved), ApproveAnswerRequest{QuestionID: "Q1", Actor: cliActor(leadEmail)})
				when(is(custreview.StatusApproved, second), func() {
					env.UpdateWorkflow(UpdateReturnAnswer, "return/approved", callbacks(&approvedTwice), ReturnAnswerRequest{QuestionID: "Q1", Reason: why, Actor: cliActor(leadEmail)})
				})
			})
		})
	})
	spec := testSpec(t)
	env.ExecuteWorkflow(CustomerReviewWorkflow, CustomerReviewInput{EngagementID: spec.ID, ReviewID: rid, Customer: "Acme",
		Due: start.AddDate(0, 0, 14), Spec: spec, Questions: []custreview.Routed{
			{Question: custreview.Question{ID: "Q1", Text: "Do you review access?"}, Controls: []string{"ACC-04"}, Owner: "priya@brightlane.io"},
			{Question: custreview.Question{ID: "Q2", Text: "b?"}, Controls: []string{"ACC-04"}, Owner: "priya@brightlane.io"}}})
	require.NoError(t, env.GetWorkflowError())

	assert.ErrorContains(t, byOwner.rejected, "may not return")
	assert.ErrorContains(t, noReason.rejected, "say why")
	require.NoError(t, returned.rejected)
	require.NoError(t, returned.err)
	got := returned.value.(ReviewQuestion)
	assert.Equal(t, custreview.StatusReturned, got.Status)
	assert.Equal(t, why, got.ReturnedReason, "the reason is recorded trimmed")
	assert.Equal(t, leadEmail, got.ReturnedBy)

	assert.ErrorContains(t, approveEarly.rejected, "no answer to approve (it is returned)")
	assert.ErrorContains(t, again.rejected, "already returned")

	require.Len(t, prompts, 3, "Q1 twice, Q2 once")
	var q1 []PromptInput
	for _, p := range prompts {
		if strings.Contains(p.Key, "/Q1") {
			q1 = append(q1, p)
		}
	}
	require.Len(t, q1, 2)
	assert.Equal(t, "customer-review/"+rid+"/Q1", q1[0].Key, "the first round keeps the key every earlier review had")
	assert.Equal(t, "customer-review/"+rid+"/Q1/round-2", q1[1].Key)
	assert.NotEqual(t, PromptWorkflowID(spec.ID, q1[0].Key), PromptWorkflowID(spec.ID, q1[1].Key))
	for _, want := range []string{why, strconv.Quote(first), leadEmail, "Do you review access?"} {
		assert.Contains(t, q1[1].Question, want)
	}
	assert.NotContains(t, q1[0].Question, why)
	assert.Contains(t, q1[1].Subject, "returned")
	assert.Equal(t, q1[0].Due, q1[1].Due, "asked again, due as the first time")
	assert.Equal(t, q1[0].Until, q1[1].Until)
	assert.Equal(t, q1[0].To, q1[1].To)

	require.NoError(t, approved.rejected)
	require.NoError(t, approved.err)
	assert.ErrorContains(t, approvedTwice.rejected, "already approved")
	var st CustomerReviewState
	require.NoError(t, env.GetWorkflowResult(&st))
	assert.Equal(t, custreview.StatusApproved, st.Questions[0].Status)
	assert.Equal(t, second, st.Questions[0].Answer, "the new answer is the one approved")
	assert.Equal(t, 1, st.Questions[0].Returns)

	var kinds []string
	for _, c := range changes {
		if c.QuestionID != "Q1" {
			continue
		}
		switch {
		case c.PromptID != "":
			kinds = append(kinds, "prompt "+c.PromptID)
		case c.Answer != nil:
			kinds = append(kinds, "answer "+c.Answer.Text)
		case c.Returned != nil:
			assert.Equal(t, custreview.Return{Reason: why, By: leadEmail}, *c.Returned)
			assert.Equal(t, "return/1", c.Key, "keyed by the update")
			kinds = append(kinds, "returned")
		case c.ApprovedBy != "":
			kinds = append(kinds, "approved")
		default:
			kinds = append(kinds, fmt.Sprintf("%+v", c))
		}
	}
	assert.Equal(t, []string{"prompt " + PromptWorkflowID(spec.ID, q1[0].Key), "answer " + first, "returned",
		"prompt " + PromptWorkflowID(spec.ID, q1[1].Key), "answer " + second, "approved"}, kinds)
}
