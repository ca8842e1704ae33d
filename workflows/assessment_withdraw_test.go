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
	"go.temporal.io/sdk/temporal"

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
	assert.Equal(t, 1, res.Answered, "nor is the answer given before the change")
	assert.Zero(t, res.Unanswered)

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

// TestEngagementWithdrawsFromRunningAssessment: while the first gap
// assessment waits on every owner, the consultant makes GOV-07 not
// applicable and the lead approves. The engagement stores the spec and
// tells the assessment, which checks the stored spec and closes GOV-07's
// question — only that one — and records it as withdrawn by the change.
func TestEngagementWithdrawsFromRunningAssessment(t *testing.T) {
	env := newEnvWithoutSteps(t)
	acts := &activities.Activities{}
	spec := testSpec(t)
	plan, err := compliance.PlanEngagement(&spec, time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	env.OnActivity(acts.RecordSpec, mock.Anything, mock.Anything).Return(nil)
	var mu sync.Mutex
	recorded := map[string]compliance.ControlAssessment{}
	env.OnActivity(acts.RecordAssessment, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordAssessmentInput) (activities.RecordAssessmentResult, error) {
			mu.Lock()
			defer mu.Unlock()
			recorded[in.Assessment.ControlID] = in.Assessment
			return activities.RecordAssessmentResult{}, nil
		})
	var checked []activities.CheckWithdrawalInput
	env.OnActivity(acts.CheckWithdrawal, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CheckWithdrawalInput) (activities.CheckWithdrawalResult, error) {
			checked = append(checked, in)
			return activities.CheckWithdrawalResult{Withdrawn: in.Controls, ChangeID: "tailoring-stored"}, nil
		})
	var withdrawn []string
	env.OnActivity(acts.PromptStep, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PromptStepInput) (activities.PromptStepResult, error) {
			mu.Lock()
			defer mu.Unlock()
			if in.Step.Kind == activities.StepWithdraw {
				withdrawn = append(withdrawn, in.PromptID)
			}
			return activities.PromptStepResult{}, nil
		})
	gov07 := compliance.Tailoring{Controls: map[string]compliance.ControlTailoring{
		"GOV-07": {NotApplicable: true, Justification: "the org chart is the HR system's live view"}}}
	var change updateResult
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateChangeTailoring, "t/1", callbacks(&change), ChangeTailoringRequest{Tailoring: gov07, Actor: cliActor(delegateEmail)})
	}, time.Hour)
	var approved updateResult
	env.RegisterDelayedCallback(func() {
		id := PromptWorkflowID(spec.ID, "scope-change/"+change.value.(ScopeChange).ID)
		require.NoError(t, env.UpdateWorkflowByID(id, UpdateAnswerPrompt, "approve", callbacks(&approved),
			AnswerPromptRequest{Choice: "approve", Actor: cli(leadEmail)}))
	}, 2*time.Hour)
	var before []string
	var status EngagementStatus
	env.RegisterDelayedCallback(func() {
		mu.Lock()
		before = append(before, withdrawn...)
		mu.Unlock()
		v, err := env.QueryWorkflow(QueryStatus)
		require.NoError(t, err)
		require.NoError(t, v.Get(&status))
		env.CancelWorkflow()
	}, 3*time.Hour)
	st := &EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Phase: PhaseScoped, Revision: 1, Spec: spec, Plan: &plan}
	env.ExecuteWorkflow(EngagementWorkflow, EngagementInput{Spec: spec, State: st})
	var canceled *temporal.CanceledError
	require.ErrorAs(t, env.GetWorkflowError(), &canceled)

	require.NoError(t, change.rejected)
	require.NoError(t, change.err)
	id := change.value.(ScopeChange).ID
	require.Len(t, checked, 1, "the hint is checked against the stored spec")
	assert.Equal(t, activities.CheckWithdrawalInput{EngagementID: spec.ID, Controls: []string{"GOV-07"}}, checked[0])
	require.NoError(t, approved.rejected)
	assert.Equal(t, []string{PromptWorkflowID(spec.ID, assessmentPromptGroup+"GOV-07")}, before, "only GOV-07's question is withdrawn")
	as := recorded["GOV-07"]
	assert.Equal(t, "not-applicable", as.Status)
	assert.Contains(t, as.Note, "tailoring-stored took GOV-07 out of scope", "the change as the stored spec names it")
	assert.Equal(t, compliance.PhaseGapAssessment, status.Phase)
	require.Len(t, status.Changes, 1)
	assert.Equal(t, id, status.Changes[0].ID)
	assert.Equal(t, ChangeAssessed, status.Changes[0].Status, "nothing to assess again")
}
