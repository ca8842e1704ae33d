package workflows

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
)

// perQuestion pins a test of the scheduler to the question-by-question
// path that runs recorded before versionOwnerBatches keep taking.
func perQuestion(env *testsuite.TestWorkflowEnvironment) {
	env.OnGetVersion(versionOwnerBatches, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
}

// batchSteps records what BatchStep was asked to do.
type batchSteps struct {
	mu      sync.Mutex
	steps   []activities.BatchStepInput
	answers []activities.RecordBatchAnswerInput
	opened  []activities.OpenBatchInput
}

// mockBatchActivities stands in for the batch's activities: ladders as the
// real PlanLadder lays them out, every step and answer captured.
func (b *batchSteps) mock(env *testsuite.TestWorkflowEnvironment) {
	acts := &activities.Activities{}
	env.RegisterActivity(acts)
	env.OnActivity(acts.OpenBatch, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.OpenBatchInput) (activities.OpenBatchResult, error) {
			b.mu.Lock()
			b.opened = append(b.opened, in)
			b.mu.Unlock()
			var res activities.OpenBatchResult
			for _, l := range in.Ladders {
				planned, err := acts.PlanLadder(ctx, l)
				if err != nil {
					return res, err
				}
				res.Ladders = append(res.Ladders, planned.Steps)
			}
			res.Delivered = "cli"
			return res, nil
		})
	env.OnActivity(acts.BatchStep, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.BatchStepInput) (activities.BatchStepResult, error) {
			b.mu.Lock()
			b.steps = append(b.steps, in)
			b.mu.Unlock()
			return activities.BatchStepResult{}, nil
		})
	env.OnActivity(acts.RecordBatchAnswer, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordBatchAnswerInput) (activities.RecordBatchAnswerResult, error) {
			b.mu.Lock()
			b.answers = append(b.answers, in)
			b.mu.Unlock()
			return activities.RecordBatchAnswerResult{}, nil
		})
}

// weekBatch is an owner's week of three evidence requests, all due on
// the same Friday.
func weekBatch(t *testing.T) (OwnerBatchInput, time.Time) {
	spec := testSpec(t)
	cal, err := compliance.NewCalendar(spec.Reminders)
	require.NoError(t, err)
	owner := compliance.Person{Name: "Leo", Email: ownerEmail}
	start := cal.At(compliance.Date{Year: 2027, Month: 4, Day: 5}, 10) // a Monday
	due := cal.At(compliance.Date{Year: 2027, Month: 4, Day: 9}, 17)
	grace := cal.At(compliance.Date{Year: 2027, Month: 4, Day: 16}, 17)
	in := OwnerBatchInput{EngagementID: spec.ID, Key: cadence.WeekBatchKey(owner.Email, due, cal.Location), Kind: cadence.BatchWeek,
		To: owner, Leads: spec.PeopleWithRole(compliance.RoleLead), Sponsors: spec.PeopleWithRole(compliance.RoleSponsor), Policy: spec.Reminders}
	for _, c := range []string{"ACC-08", "CHG-01", "VUL-01"} {
		req := activities.EvidenceRequest{ControlID: c, OccurrenceKey: c + "/2027-03", PeriodStart: cal.At(compliance.Date{Year: 2027, Month: 3, Day: 1}, 0),
			PeriodEnd: cal.At(compliance.Date{Year: 2027, Month: 3, Day: 31}, 0), Due: due, GraceEnd: grace}
		in.Items = append(in.Items, BatchItem{Key: "evidence/" + c + "/2027-03", Kind: PromptKindEvidence, Subject: c, Question: "Evidence for " + c,
			Choices: evidenceChoices, Evidence: &req, Due: due, Until: grace})
	}
	return in, start
}

// TestLateItemInABatchEscalatesAlone plants one late item in a week's
// batch: the two answered on time are never chased, and the late one
// climbs its own ladder (lead at the deadline, sponsor after it, expiry at
// the grace) alone, each rung naming only it.
func TestLateItemInABatchEscalatesAlone(t *testing.T) {
	in, start := weekBatch(t)
	id := OwnerBatchWorkflowID(in.EngagementID, in.Key)
	late := compliance.BatchItemID(id, in.Items[2].Key)
	var ts testsuite.WorkflowTestSuite
	env := withIdentity(ts.NewTestWorkflowEnvironment())
	env.RegisterWorkflowWithOptions(OwnerBatchWorkflow, workflow.RegisterOptions{Name: OwnerBatchWorkflowName})
	rec := &batchSteps{}
	rec.mock(env)
	env.SetStartTime(start)
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: id})
	var first, second, dup updateResult
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateAnswerBatchItem, "u1", callbacks(&first), AnswerBatchItemRequest{Item: compliance.BatchItemID(id, in.Items[0].Key),
			AnswerPromptRequest: AnswerPromptRequest{Choice: "evidence", Link: "https://wiki.example/acc-08", Actor: cli(ownerEmail)}})
	}, 24*time.Hour)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateAnswerBatchItem, "u2", callbacks(&second), AnswerBatchItemRequest{Item: compliance.BatchItemID(id, in.Items[1].Key),
			AnswerPromptRequest: AnswerPromptRequest{Choice: "evidence", Link: "https://wiki.example/chg-01", Actor: cli(ownerEmail)}})
	}, 48*time.Hour)
	env.RegisterDelayedCallback(func() {
		// The same item again is refused: answered once.
		env.UpdateWorkflow(UpdateAnswerBatchItem, "u3", callbacks(&dup), AnswerBatchItemRequest{Item: compliance.BatchItemID(id, in.Items[1].Key),
			AnswerPromptRequest: AnswerPromptRequest{Choice: "evidence", Link: "https://wiki.example/other", Actor: cli(ownerEmail)}})
	}, 50*time.Hour)
	env.ExecuteWorkflow(OwnerBatchWorkflow, in)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	require.NoError(t, first.rejected)
	require.NoError(t, second.rejected)
	require.Error(t, dup.rejected)
	assert.Contains(t, dup.rejected.Error(), "already answered")

	var res OwnerBatchResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Len(t, res.Items, 3)
	assert.Equal(t, compliance.PromptAnswered, res.Items[0].Status)
	assert.Equal(t, compliance.PromptAnswered, res.Items[1].Status)
	assert.Equal(t, compliance.PromptExpired, res.Items[2].Status)
	assert.Empty(t, res.Items[0].Steps, "an item answered before its deadline is never chased")
	assert.Empty(t, res.Items[1].Steps)

	rec.mu.Lock()
	defer rec.mu.Unlock()
	require.NotEmpty(t, rec.steps)
	var kinds []string
	for _, s := range rec.steps {
		assert.Equal(t, []string{late}, s.PromptIDs, "%s escalated only the late item", s.Step.Name)
		kinds = append(kinds, s.Step.Kind)
	}
	assert.Contains(t, kinds, activities.StepLead)
	assert.Contains(t, kinds, activities.StepSponsor)
	assert.Equal(t, activities.StepExpire, kinds[len(kinds)-1])
	// Each answer is recorded against its own occurrence, with its own
	// update ID as the evidence's key.
	require.Len(t, rec.answers, 2)
	for i, a := range rec.answers {
		require.NotNil(t, a.Evidence)
		assert.Equal(t, in.Items[i].Evidence.OccurrenceKey, a.Evidence.Request.OccurrenceKey)
		assert.Equal(t, "u"+string(rune('1'+i)), a.Evidence.SubmissionKey)
		assert.Equal(t, compliance.BatchItemID(id, in.Items[i].Key), a.Answer.PromptID)
	}
	require.Len(t, rec.opened, 1, "one activity opens the whole batch")
	assert.Len(t, rec.opened[0].Prompts, 3)
}

// TestBatchItemAnswerRules: an item is answered under the same rules as a
// prompt of its own — only its addressee (or a delegate), only a known
// item of this batch, only a valid choice with what it needs.
func TestBatchItemAnswerRules(t *testing.T) {
	in, start := weekBatch(t)
	id := OwnerBatchWorkflowID(in.EngagementID, in.Key)
	var ts testsuite.WorkflowTestSuite
	env := withIdentity(ts.NewTestWorkflowEnvironment())
	env.RegisterWorkflowWithOptions(OwnerBatchWorkflow, workflow.RegisterOptions{Name: OwnerBatchWorkflowName})
	rec := &batchSteps{}
	rec.mock(env)
	env.SetStartTime(start)
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: id})
	var outsider, unknown, noLink, reassignByOwner, reassign updateResult
	item := compliance.BatchItemID(id, in.Items[0].Key)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateAnswerBatchItem, "o", callbacks(&outsider), AnswerBatchItemRequest{Item: item,
			AnswerPromptRequest: AnswerPromptRequest{Choice: "evidence", Link: "https://x.example", Actor: cli("someone@brightlane.io")}})
		env.UpdateWorkflow(UpdateAnswerBatchItem, "u", callbacks(&unknown), AnswerBatchItemRequest{Item: id + compliance.BatchItemSeparator + "evidence/NOPE/2027-03",
			AnswerPromptRequest: AnswerPromptRequest{Choice: "evidence", Link: "https://x.example", Actor: cli(ownerEmail)}})
		env.UpdateWorkflow(UpdateAnswerBatchItem, "n", callbacks(&noLink), AnswerBatchItemRequest{Item: item,
			AnswerPromptRequest: AnswerPromptRequest{Choice: "evidence", Actor: cli(ownerEmail)}})
		env.UpdateWorkflow(UpdateReassignBatchItem, "r0", callbacks(&reassignByOwner), ReassignBatchItemRequest{Item: item,
			ReassignPromptRequest: ReassignPromptRequest{To: compliance.Person{Email: delegateEmail}, Actor: cli(ownerEmail)}})
		env.UpdateWorkflow(UpdateReassignBatchItem, "r1", callbacks(&reassign), ReassignBatchItemRequest{Item: item,
			ReassignPromptRequest: ReassignPromptRequest{To: compliance.Person{Email: delegateEmail}, Actor: cli(leadEmail)}})
	}, time.Hour)
	env.RegisterDelayedCallback(env.CancelWorkflow, 2*time.Hour)
	acts := &activities.Activities{}
	env.OnActivity(acts.ReassignPrompt, mock.Anything, mock.Anything).Return(activities.ReassignPromptResult{}, nil)
	env.ExecuteWorkflow(OwnerBatchWorkflow, in)
	require.True(t, env.IsWorkflowCompleted())
	require.Error(t, outsider.rejected)
	assert.Contains(t, outsider.rejected.Error(), "may not answer")
	require.Error(t, unknown.rejected)
	assert.Contains(t, unknown.rejected.Error(), "not a question of this batch")
	require.Error(t, noLink.rejected)
	require.Error(t, reassignByOwner.rejected, "only the lead reassigns")
	require.NoError(t, reassign.rejected)
	require.NoError(t, reassign.err)
	var res OwnerBatchResult
	require.NoError(t, env.GetWorkflowResult(&res))
	assert.Equal(t, delegateEmail, res.Items[0].To, "the reassigned item moved alone")
	assert.Equal(t, ownerEmail, res.Items[1].To)
	for _, it := range res.Items {
		assert.Equal(t, compliance.PromptWithdrawn, it.Status, "cancelling withdraws every open item")
	}
	assert.Empty(t, rec.answers, "nothing refused was recorded")
}

// answerByPromptID answers a prompt as internal/answers routes it: a
// prompt of its own by its ID, an owner batch's item through its batch.
func answerByPromptID(env *testsuite.TestWorkflowEnvironment, promptID, updateID string, r *updateResult, req AnswerPromptRequest) error {
	if batch, ok := compliance.BatchOfItem(promptID); ok {
		return env.UpdateWorkflowByID(batch, UpdateAnswerBatchItem, updateID, callbacks(r), AnswerBatchItemRequest{Item: promptID, AnswerPromptRequest: req})
	}
	return env.UpdateWorkflowByID(promptID, UpdateAnswerPrompt, updateID, callbacks(r), req)
}

// mockBatchWrites stubs an owner batch's Postgres writes for tests that
// pass through the operating period: ladders as PlanLadder lays them out.
func mockBatchWrites(env *testsuite.TestWorkflowEnvironment) {
	acts := &activities.Activities{}
	env.OnActivity(acts.OpenBatch, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.OpenBatchInput) (activities.OpenBatchResult, error) {
			res := activities.OpenBatchResult{Delivered: "cli"}
			for _, l := range in.Ladders {
				planned, err := acts.PlanLadder(ctx, l)
				if err != nil {
					return res, err
				}
				res.Ladders = append(res.Ladders, planned.Steps)
			}
			return res, nil
		})
	env.OnActivity(acts.RecordBatchAnswer, mock.Anything, mock.Anything).Return(activities.RecordBatchAnswerResult{}, nil)
}
