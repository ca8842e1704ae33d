package workflows

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
)

func TestEngagementAssessesEveryControlAfterSignOff(t *testing.T) {
	env := newEnv(t)
	// The remediation due date below is fixed, so the clock is too: from a
	// later day the owner's closing (20 days in) fell after it.
	env.SetStartTime(time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC))
	spec := testSpec(t)
	acts := &activities.Activities{}
	plan, err := acts.PlanAssessment(context.Background(), activities.PlanAssessmentInput{Spec: spec})
	require.NoError(t, err)
	require.Greater(t, len(plan.Controls), 100, "a SOC 2 programme has well over a hundred controls")

	var mu sync.Mutex
	recorded := map[string]compliance.ControlAssessment{}
	env.OnActivity(acts.RecordAssessment, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordAssessmentInput) (activities.RecordAssessmentResult, error) {
			mu.Lock()
			defer mu.Unlock()
			recorded[in.Assessment.ControlID] = in.Assessment
			return activities.RecordAssessmentResult{}, nil
		})
	due := time.Date(2026, 12, 22, 22, 0, 0, 0, time.UTC)
	env.OnActivity(acts.BuildRegister, mock.Anything, mock.Anything).Return(activities.BuildRegisterResult{
		Controls: len(plan.Controls), RemediationDue: due,
		Gaps: []activities.RegisterEntry{{ControlID: plan.Controls[0].ControlID, Rank: 1, Owner: plan.Controls[0].Owner.Email}},
	}, nil)
	mockRemediation(env)
	// The owner closes the gap with its evidence once remediation starts.
	var closing updateResult
	env.RegisterDelayedCallback(func() {
		require.NoError(t, env.UpdateWorkflowByID(GapWorkflowID(spec.ID, plan.Controls[0].ControlID), UpdateCompleteGap, "done", callbacks(&closing),
			CompleteGapRequest{Actor: cli(plan.Controls[0].Owner.Email), Evidence: "https://drive.example/minutes-q1", Channel: "cli"}))
	}, 20*24*time.Hour)

	env.RegisterDelayedCallback(func() {
		signoff(t, env, 1, "approve", &updateResult{}, answer(DecisionApprove, leadEmail, ""))
	}, time.Hour)
	unsampleable, unanswered := plan.Controls[0], plan.Controls[len(plan.Controls)-1]
	var rejected []error
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryStatus)
		require.NoError(t, err)
		var st EngagementStatus
		require.NoError(t, v.Get(&st))
		assert.Equal(t, compliance.PhaseGapAssessment, st.Phase)
		require.NotNil(t, st.Assessment)
		assert.Equal(t, len(plan.Controls), st.Assessment.Controls)
		assert.NotEmpty(t, st.WaitingOn, "the status names the owners still to answer")

		for _, c := range plan.Controls[:len(plan.Controls)-1] {
			choice, note := AssessImplemented, "access review export in the GRC drive, quarterly, by IT"
			if c.ControlID == unsampleable.ControlID {
				choice, note = AssessUnsampleable, "reviews happen but only some are minuted"
			}
			var r updateResult
			id := PromptWorkflowID(spec.ID, assessmentPromptGroup+c.ControlID)
			require.NoError(t, env.UpdateWorkflowByID(id, UpdateAnswerPrompt, "a-"+c.ControlID, callbacks(&r),
				AnswerPromptRequest{Choice: choice, Note: note, Actor: slackAs(id, "a-"+c.ControlID, c.Owner.Email)}))
			if r.rejected != nil {
				rejected = append(rejected, r.rejected)
			}
		}
	}, 2*time.Hour)
	env.ExecuteWorkflow(EngagementWorkflow, EngagementInput{Spec: spec, Test: &TestHooks{StopAt: compliance.PhaseFieldwork, RunAge: tenYears}})
	require.NoError(t, env.GetWorkflowError())
	assert.Empty(t, rejected)

	var res EngagementResult
	require.NoError(t, env.GetWorkflowResult(&res))
	assert.Equal(t, compliance.PhaseFieldwork, res.Phase)
	require.NoError(t, closing.rejected)
	require.Len(t, recorded, len(plan.Controls), "every applicable control is recorded")

	gap := recorded[unanswered.ControlID]
	assert.True(t, gap.Unanswered, "an unanswered control says so")
	assert.Equal(t, "missing", gap.Status, "and is treated as missing")

	weak := recorded[unsampleable.ControlID]
	assert.Equal(t, "implemented", weak.Status)
	assert.True(t, weak.EvidenceExists)
	assert.False(t, weak.Sampleable, "exists but cannot be evidenced the way the auditor samples")
	assert.Equal(t, "slack", weak.AnsweredVia)

	ok := recorded[plan.Controls[1].ControlID]
	assert.Equal(t, "implemented", ok.Status)
	assert.True(t, ok.Sampleable)
	assert.Equal(t, plan.Controls[1].Owner.Email, ok.AnsweredBy)

	v, err := env.QueryWorkflow(QueryStatus)
	require.NoError(t, err)
	var st EngagementStatus
	require.NoError(t, v.Get(&st))
	assert.Equal(t, 1, st.GapsFound)
	assert.Equal(t, 1, st.Verified)
	assert.Empty(t, st.WaitingOn)
}
