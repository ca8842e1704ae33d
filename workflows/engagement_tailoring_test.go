package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
)

// TestEngagementTailoringChange: in fieldwork (before certification) the
// engagement takes tailoring changes. A control owner is refused by the
// validator; a change the lead rejects records nothing and assesses
// nothing; a change the lead approves stores the spec as the next
// revision (which the scheduler reads) and assesses only the controls it
// affects, in its own round, and the engagement's spec follows.
func TestEngagementTailoringChange(t *testing.T) {
	env := newEnv(t)
	acts := &activities.Activities{}
	spec := testSpec(t)
	plan, err := compliance.PlanEngagement(&spec, time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	env.OnActivity(acts.AuditDates, mock.Anything, mock.Anything).Return(activities.AuditDatesResult{}, nil)
	var stored []activities.RecordSpecInput
	env.OnActivity(acts.RecordSpec, mock.Anything, mock.Anything).Run(func(args mock.Arguments) {
		stored = append(stored, args.Get(1).(activities.RecordSpecInput))
	}).Return(nil)
	// The lead rejects the first change put to them and approves the next.
	var asked []PromptInput
	env.OnWorkflow(PromptWorkflowName, mock.Anything, mock.Anything).Return(func(_ workflow.Context, in PromptInput) (PromptResult, error) {
		asked = append(asked, in)
		choice := "approve"
		if len(asked) == 1 {
			choice = "reject"
		}
		return PromptResult{Answer: &PromptAnswer{Choice: choice, By: leadEmail}}, nil
	})
	var assessed []GapAssessmentInput
	env.OnWorkflow(GapAssessmentWorkflowName, mock.Anything, mock.Anything).Return(func(_ workflow.Context, in GapAssessmentInput) (GapAssessmentResult, error) {
		assessed = append(assessed, in)
		return GapAssessmentResult{Gaps: []activities.RegisterEntry{{ControlID: "ACC-02"}, {ControlID: "ACC-08"}}}, nil
	})

	notApplicable := compliance.Tailoring{Controls: map[string]compliance.ControlTailoring{
		"GOV-07": {NotApplicable: true, Justification: "the org chart is the HR system's live view"}}}
	newOwner := compliance.Tailoring{Controls: map[string]compliance.ControlTailoring{
		"ACC-02": {Owner: ownerEmail, Justification: "Leo took over provisioning"}}}
	var byOwner, rejected, approved updateResult
	var afterReject, afterApprove EngagementStatus
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateChangeTailoring, "t/0", callbacks(&byOwner), ChangeTailoringRequest{Tailoring: notApplicable, Actor: cliActor(ownerEmail)})
		env.UpdateWorkflow(UpdateChangeTailoring, "t/1", callbacks(&rejected), ChangeTailoringRequest{Tailoring: notApplicable, Actor: cliActor(delegateEmail)})
	}, time.Hour)
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryStatus)
		require.NoError(t, err)
		require.NoError(t, v.Get(&afterReject))
		env.UpdateWorkflow(UpdateChangeTailoring, "t/2", callbacks(&approved), ChangeTailoringRequest{Tailoring: newOwner, Actor: cliActor(delegateEmail)})
	}, 2*time.Hour)
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryStatus)
		require.NoError(t, err)
		require.NoError(t, v.Get(&afterApprove))
	}, 3*time.Hour)
	env.RegisterDelayedCallback(env.CancelWorkflow, 4*time.Hour)
	// Closing the engagement cancels, by ID, the remediation the change's
	// round may have started for its gap (close-round-remediations).
	var cancelled []string
	env.OnRequestCancelExternalWorkflow(mock.Anything, mock.Anything, mock.Anything).Run(func(args mock.Arguments) {
		cancelled = append(cancelled, args.String(1))
	}).Return(nil).Maybe()
	env.SetStartTime(time.Date(2027, 4, 10, 9, 0, 0, 0, time.UTC))
	st := &EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Phase: compliance.PhaseFieldwork, Revision: 3, Spec: spec, Plan: &plan}
	env.ExecuteWorkflow(EngagementWorkflow, EngagementInput{Spec: spec, State: st})
	var canceled *temporal.CanceledError
	require.ErrorAs(t, env.GetWorkflowError(), &canceled, "it was still waiting for the certification")

	require.EqualError(t, byOwner.rejected, "leo@brightlane.io may not change the scope: only the lead, a lead delegate or the consultant")
	require.NoError(t, rejected.rejected)
	require.NoError(t, approved.rejected)
	require.NoError(t, approved.err)
	assert.Empty(t, approved.value.(ScopeChange).Risks)

	require.Len(t, afterReject.Changes, 1)
	assert.Equal(t, ChangeRejected, afterReject.Changes[0].Status)
	require.Len(t, asked, 2)
	assert.Equal(t, leadEmail, asked[0].To.Email, "the lead approves")
	assert.Equal(t, "scope-change/"+afterReject.Changes[0].ID, asked[0].Key)

	require.Len(t, stored, 1, "the rejected change stored nothing")
	assert.Equal(t, 4, stored[0].Revision, "the next revision after the engagement's")
	assert.Equal(t, EngagementWorkflowID(spec.ID), stored[0].WorkflowID)
	assert.Equal(t, newOwner, stored[0].Spec.Tailoring)
	require.Len(t, assessed, 1, "only the approved change is assessed")
	assert.Equal(t, []string{"ACC-02"}, assessed[0].Only, "only the control it affects")
	assert.Equal(t, afterApprove.Changes[1].ID, assessed[0].Round, "in the change's own round")
	assert.Equal(t, newOwner, assessed[0].Spec.Tailoring)

	require.Len(t, afterApprove.Changes, 2)
	assert.Equal(t, ChangeAssessed, afterApprove.Changes[1].Status)
	assert.Equal(t, 1, afterApprove.Changes[1].Gaps, "charged only with the gaps among its own controls")
	assert.Contains(t, cancelled, RoundRemediationWorkflowID(spec.ID, afterApprove.Changes[1].ID), "closing ends the change's remediation")
	assert.NotContains(t, cancelled, RoundRemediationWorkflowID(spec.ID, afterApprove.Changes[0].ID), "the rejected change found no gaps")
}
