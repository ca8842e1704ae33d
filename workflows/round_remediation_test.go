package workflows

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
)

// roundHarness stands in for the engagement in its operating period: it
// runs a change's round as its child and stays up long enough for the
// remediation the round abandoned to run its course.
func roundHarness(ctx workflow.Context, in GapAssessmentInput) (GapAssessmentResult, error) {
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: changeAssessmentWorkflowID(in.EngagementID, in.Round)})
	var res GapAssessmentResult
	if err := workflow.ExecuteChildWorkflow(cctx, GapAssessmentWorkflowName, in).Get(ctx, &res); err != nil {
		return res, err
	}
	return res, workflow.Sleep(ctx, 60*24*time.Hour)
}

// TestRoundRemediatesItsGapsOnceRemediationHasEnded: a change approved in
// the operating period re-assesses ACC-04, whose gap was remediated and
// closed in the first round. The engagement's remediation has completed,
// so gaps-found reaches no one: the round starts a remediation of its own,
// named by the change, whose gap workflow (named by the change too, as
// gap/ACC-04 has already run) opens an item with the change's ticket
// label, asks the owner under the change's keys, is due 30 days on, and
// closes only with evidence. The first-round gap is not touched.
func TestRoundRemediatesItsGapsOnceRemediationHasEnded(t *testing.T) {
	env := newRemediationEnv(t, remediationMocks{})
	env.RegisterWorkflowWithOptions(roundHarness, workflow.RegisterOptions{Name: "RoundHarness"})
	spec := testSpec(t)
	id, round := spec.ID, "tailoring-abc"
	acts := &activities.Activities{}
	env.OnActivity(acts.RecordAssessment, mock.Anything, mock.Anything).Return(activities.RecordAssessmentResult{}, nil)
	acc04 := activities.RegisterEntry{ControlID: "ACC-04", Title: "Access reviews", Rank: 1, Status: "missing", Owner: delegateEmail}
	env.OnActivity(acts.BuildRegister, mock.Anything, mock.Anything).Return(activities.BuildRegisterResult{
		Gaps: []activities.RegisterEntry{acc04, {ControlID: "GOV-07", Rank: 2, Status: "missing", Owner: ownerEmail}}}, nil)
	env.OnSignalExternalWorkflow(mock.Anything, RemediationWorkflowID(id), "", SignalGapsFound, mock.Anything).Return(
		errors.New("workflow execution already completed"))
	env.mu.Lock()
	env.ended[RemediationWorkflowID(id)] = activities.GapWorkflowEnd{WorkflowID: RemediationWorkflowID(id), Status: "completed"}
	env.mu.Unlock()
	gapID := RoundGapWorkflowID(id, round, "ACC-04")
	var roundResult RemediationResult
	remediated := false
	env.SetOnChildWorkflowCompletedListener(func(info *workflow.Info, result converter.EncodedValue, err error) {
		switch info.WorkflowExecution.ID {
		case RoundRemediationWorkflowID(id, round):
			if err == nil && result != nil && result.Get(&roundResult) == nil {
				remediated = true
			}
		case gapID:
			// What DescribeGaps reads (newRemediationEnv's listener,
			// which this one replaces).
			end := activities.GapWorkflowEnd{WorkflowID: gapID, Status: "completed"}
			var out GapRemediationResult
			if err == nil && result != nil && result.Get(&out) == nil {
				end.Outcome, end.By = out.Outcome, out.By
			}
			env.mu.Lock()
			env.ended[gapID] = end
			env.mu.Unlock()
		}
	})
	var open GapRemediationState
	noLink, withLink := &updateResult{}, &updateResult{}
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflowByID(gapID, QueryRemediation)
		require.NoError(t, err, "the change's gap has its own workflow")
		require.NoError(t, v.Get(&open))
		require.NoError(t, env.UpdateWorkflowByID(gapID, UpdateCompleteGap, "no-link", callbacks(noLink), CompleteGapRequest{Actor: cli(delegateEmail)}))
	}, 40*24*time.Hour)
	env.RegisterDelayedCallback(func() {
		require.NoError(t, env.UpdateWorkflowByID(gapID, UpdateCompleteGap, "close", callbacks(withLink),
			CompleteGapRequest{Actor: cli(delegateEmail), Evidence: "https://drive.example/acc-04-review"}))
	}, 41*24*time.Hour)

	start := env.Now()
	env.ExecuteWorkflow("RoundHarness", GapAssessmentInput{EngagementID: id, Spec: spec, Only: []string{"ACC-04"}, Round: round})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())

	assert.Error(t, noLink.rejected, "closed only with evidence")
	require.NoError(t, withLink.rejected)
	require.True(t, withLink.done)
	assert.True(t, remediated, "the round's remediation completed")
	assert.Equal(t, RemediationResult{Verified: 1}, roundResult)
	assert.Equal(t, compliance.ItemOpen, open.Status)
	opened := remediationCalls[activities.OpenRemediationInput](t, env, "OpenRemediation")
	require.Len(t, opened, 1, "only the change's own gap, not GOV-07 from elsewhere in the register")
	assert.Equal(t, gapID, opened[0].ItemID)
	assert.Equal(t, "ACC-04", opened[0].ControlID)
	assert.Equal(t, round, opened[0].Round, "its ticket gets the change's label")
	assert.Equal(t, delegateEmail, opened[0].Owner)
	assert.WithinDuration(t, compliance.ChangeGapDue(opened[0].At, spec.AuditDate), opened[0].Due, time.Second)
	assert.True(t, opened[0].Due.After(start.Add(6*24*time.Hour)), "due a sensible time ahead: %v", opened[0].Due)
	changed := remediationCalls[activities.ChangeRemediationInput](t, env, "ChangeRemediation")
	require.Len(t, changed, 1)
	assert.Equal(t, gapID, changed[0].Change.ItemID)
	assert.Equal(t, compliance.ItemVerified, changed[0].Change.Status)
	assert.Equal(t, "https://drive.example/acc-04-review", changed[0].Change.Evidence)
	described := remediationCalls[activities.DescribeGapsInput](t, env, "DescribeGaps")
	require.NotEmpty(t, described)
	assert.Equal(t, []string{RemediationWorkflowID(id)}, described[0].WorkflowIDs, "the round asked whether remediation had ended")
	assert.Empty(t, remediationCalls[activities.NewGapsInput](t, env, "NewGaps"), "a round's remediation takes on no other gap")
}
