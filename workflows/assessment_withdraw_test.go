package workflows

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
)

// TestGapAssessmentWithdrawsControlsLeftOutOfScope: a withdraw-controls
// signal names three controls of a running assessment. The stored spec
// (CheckWithdrawal) confirms two: the open question of the first is
// cancelled — its prompt closes as withdrawn — and the second, answered
// "missing" before the change, is recorded again; both are recorded as not
// applicable naming the change, and the result leaves them out. The third,
// still in scope by the stored spec, is asked and answered as usual: the
// signal alone withdraws nothing.
func TestGapAssessmentWithdrawsControlsLeftOutOfScope(t *testing.T) {
	env := newEnvWithoutSteps(t)
	spec := testSpec(t)
	acts := &activities.Activities{}
	plan, err := acts.PlanAssessment(context.Background(), activities.PlanAssessmentInput{Spec: spec})
	require.NoError(t, err)
	open, answered, kept := plan.Controls[0], plan.Controls[1], plan.Controls[2]
	only := []string{open.ControlID, answered.ControlID, kept.ControlID}

	var mu sync.Mutex
	recorded := map[string]compliance.ControlAssessment{}
	env.OnActivity(acts.RecordAssessment, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordAssessmentInput) (activities.RecordAssessmentResult, error) {
			mu.Lock()
			defer mu.Unlock()
			recorded[in.Assessment.ControlID] = in.Assessment
			return activities.RecordAssessmentResult{}, nil
		})
	steps := map[string][]string{}
	env.OnActivity(acts.PromptStep, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PromptStepInput) (activities.PromptStepResult, error) {
			mu.Lock()
			defer mu.Unlock()
			steps[in.PromptID] = append(steps[in.PromptID], in.Step.Kind)
			return activities.PromptStepResult{}, nil
		})
	var checked []string
	env.OnActivity(acts.CheckWithdrawal, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CheckWithdrawalInput) (activities.CheckWithdrawalResult, error) {
			checked = append(checked, in.Controls...)
			return activities.CheckWithdrawalResult{Withdrawn: []string{open.ControlID, answered.ControlID}, ChangeID: "tailoring-abc123",
				Justifications: map[string]string{open.ControlID: "no office"}}, nil
		})
	env.OnActivity(acts.BuildRegister, mock.Anything, mock.Anything).Return(activities.BuildRegisterResult{}, nil)

	answer := func(c activities.ControlToAssess, choice, note string) {
		id := PromptWorkflowID(spec.ID, assessmentPromptGroup+c.ControlID)
		var r updateResult
		require.NoError(t, env.UpdateWorkflowByID(id, UpdateAnswerPrompt, "a-"+c.ControlID, callbacks(&r),
			AnswerPromptRequest{Choice: choice, Note: note, Actor: cli(c.Owner.Email)}))
		require.NoError(t, r.rejected)
	}
	env.RegisterDelayedCallback(func() { answer(answered, AssessMissing, "") }, time.Hour)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalWithdrawControls, WithdrawControls{ChangeID: "tailoring-abc123", Controls: []string{open.ControlID, answered.ControlID, kept.ControlID, "NOT-OURS"}})
	}, 2*time.Hour)
	env.RegisterDelayedCallback(func() { answer(kept, AssessImplemented, "the review export, quarterly") }, 3*time.Hour)

	env.ExecuteWorkflow(GapAssessmentWorkflow, GapAssessmentInput{EngagementID: spec.ID, Spec: spec, Only: only})
	require.NoError(t, env.GetWorkflowError())
	var res GapAssessmentResult
	require.NoError(t, env.GetWorkflowResult(&res))

	assert.ElementsMatch(t, only, checked, "only the assessment's own controls are checked, each once")
	assert.Equal(t, []WithdrawnControl{
		{ControlID: open.ControlID, ChangeID: "tailoring-abc123", Reason: "no office"},
		{ControlID: answered.ControlID, ChangeID: "tailoring-abc123"},
	}, res.Withdrawn)
	assert.Equal(t, 1, res.Controls, "withdrawn controls are not counted")

	openPrompt := PromptWorkflowID(spec.ID, assessmentPromptGroup+open.ControlID)
	assert.Equal(t, []string{activities.StepWithdraw}, steps[openPrompt], "the owner's question is closed as withdrawn, not chased")

	for _, c := range []activities.ControlToAssess{open, answered} {
		as := recorded[c.ControlID]
		assert.Equal(t, "not-applicable", as.Status, c.ControlID)
		assert.False(t, as.Unanswered, c.ControlID)
		assert.Contains(t, as.Note, "Withdrawn: tailoring-abc123 took "+c.ControlID+" out of scope", c.ControlID)
		assert.Equal(t, compliance.ChannelWorkflow, as.AnsweredVia)
	}
	assert.True(t, strings.HasSuffix(recorded[answered.ControlID].Note, "; answered missing before the change"))
	assert.Equal(t, "implemented", recorded[kept.ControlID].Status, "a control still in scope is assessed as usual")
}
