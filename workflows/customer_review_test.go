package workflows

import (
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
