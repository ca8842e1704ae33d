package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/compliance"
)

func TestEngagementRunsScopingAsChildAndAnswersStatus(t *testing.T) {
	env := newEnv(t)
	mockAssessment(env)
	spec := testSpec(t)
	var waiting, afterDecision EngagementStatus
	var approve updateResult
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryStatus)
		require.NoError(t, err)
		require.NoError(t, v.Get(&waiting))
		signoff(t, env, 1, "approve", &approve, answer(DecisionApprove, leadEmail, "scope reviewed with the CTO"))
	}, time.Hour)
	env.ExecuteWorkflow(EngagementWorkflow, EngagementInput{Spec: spec, StartedBy: "sam", Test: &TestHooks{StopAt: compliance.PhaseFieldwork, RunAge: tenYears}})

	require.NoError(t, env.GetWorkflowError())
	require.NoError(t, approve.rejected)
	// Status still answers once the scope is signed off.
	v, err := env.QueryWorkflow(QueryStatus)
	require.NoError(t, err)
	require.NoError(t, v.Get(&afterDecision))

	assert.Equal(t, compliance.PhaseScoping, waiting.Phase)
	assert.Equal(t, "brightlane", waiting.EngagementID)
	assert.Equal(t, []string{"soc2"}, waiting.Frameworks)
	assert.Equal(t, []string{leadEmail}, waiting.WaitingOn)
	assert.Contains(t, waiting.WaitingFor, "sign-off")
	require.NotNil(t, waiting.Plan, "the child reported its plan to the engagement")
	assert.NotEmpty(t, waiting.Risks)

	assert.Equal(t, compliance.PhaseFieldwork, afterDecision.Phase, "scoping hands over to the gap assessment, remediation, the operating period and the readiness review")
	assert.Empty(t, afterDecision.WaitingOn)
	require.Len(t, afterDecision.Decisions, 1)
	assert.Equal(t, "scope reviewed with the CTO", afterDecision.Decisions[0].Reason)

	var res EngagementResult
	require.NoError(t, env.GetWorkflowResult(&res))
	assert.Equal(t, compliance.PhaseFieldwork, res.Phase)
	require.NotNil(t, res.Plan)
}

func TestEngagementContinuesAsNewWithItsState(t *testing.T) {
	env := newEnv(t)
	spec := testSpec(t)
	env.RegisterDelayedCallback(func() {
		signoff(t, env, 1, "approve", &updateResult{}, answer(DecisionApprove, leadEmail, ""))
	}, time.Hour)
	env.ExecuteWorkflow(EngagementWorkflow, EngagementInput{Spec: spec, Test: &TestHooks{ForceContinueAsNew: true, StopAt: compliance.PhaseFieldwork, RunAge: tenYears}})

	err := env.GetWorkflowError()
	require.Error(t, err)
	var can *workflow.ContinueAsNewError
	require.ErrorAs(t, err, &can)
	assert.Equal(t, EngagementWorkflowName, can.WorkflowType.Name)

	// The next run starts from the carried state, not from scratch.
	next := newEnv(t)
	mockAssessment(next)
	var in EngagementInput
	require.NoError(t, decodePayloads(can, &in))
	require.NotNil(t, in.State)
	require.NotNil(t, in.Test)
	assert.False(t, in.Test.ForceContinueAsNew, "the test hook fires once")
	assert.Equal(t, compliance.PhaseFieldwork, in.Test.StopAt, "the other hooks carry on")
	assert.Equal(t, 1, in.State.Runs)
	assert.Equal(t, PhaseScoped, in.State.Phase)
	require.Len(t, in.State.Decisions, 1)
	next.ExecuteWorkflow(EngagementWorkflow, in)
	require.NoError(t, next.GetWorkflowError())
	var res EngagementResult
	require.NoError(t, next.GetWorkflowResult(&res))
	assert.Equal(t, compliance.PhaseFieldwork, res.Phase, "the new run carries on from the carried phase")
	assert.Equal(t, 1, res.Revision)
}
