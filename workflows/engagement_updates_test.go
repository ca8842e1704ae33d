package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
)

func cliActor(person string) compliance.Actor {
	return compliance.Actor{Person: person, Channel: compliance.ChannelCLI, Operator: "ops"}
}

// The engagement's own updates: the validator refuses whom the rules do
// not allow before anything reaches an activity, and an allowed update
// records with the update's ID as its key and the actor as given.
func TestEngagementUpdatesCheckWhoThenRecord(t *testing.T) {
	env := withIdentity(newEnv(t))
	acts := &activities.Activities{}
	spec := testSpec(t)
	plan, err := compliance.PlanEngagement(&spec, time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	// In fieldwork the engagement waits for the certification; the updates
	// arrive meanwhile, and the test ends by cancelling it.
	env.OnActivity(acts.AuditDates, mock.Anything, mock.Anything).Return(activities.AuditDatesResult{}, nil)
	var decided activities.GapDecisionInput
	env.OnActivity(acts.RecordGapDecision, mock.Anything, mock.Anything).Run(func(args mock.Arguments) {
		decided = args.Get(1).(activities.GapDecisionInput)
	}).Return(nil)
	var given activities.AddGivenEvidenceInput
	env.OnActivity(acts.AddGivenEvidence, mock.Anything, mock.Anything).Run(func(args mock.Arguments) {
		given = args.Get(1).(activities.AddGivenEvidenceInput)
	}).Return(activities.AddGivenEvidenceResult{ID: 7}, nil)

	var outsiderGap, leadGap, ownerEvidence, otherEvidence, badLink updateResult
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateDecideGap, "gap/1", callbacks(&outsiderGap),
			DecideGapRequest{Actor: cliActor(ownerEmail), ControlID: "ACC-04", Accept: true, Reason: "x"})
		env.UpdateWorkflow(UpdateDecideGap, "gap/2", callbacks(&leadGap),
			DecideGapRequest{Actor: cliActor(leadEmail), ControlID: "ACC-04", Accept: true, Reason: "auditor agreed"})
		// priya owns access (and is a lead delegate); leo owns governance.
		env.UpdateWorkflow(UpdateAddEvidence, "evidence/1", callbacks(&otherEvidence),
			AddEvidenceRequest{Actor: cliActor(ownerEmail), OccurrenceKey: "ACC-08/2027-03", Kind: EvidenceLink, Value: "https://x.example/a"})
		env.UpdateWorkflow(UpdateAddEvidence, "evidence/2", callbacks(&badLink),
			AddEvidenceRequest{Actor: cliActor(delegateEmail), OccurrenceKey: "ACC-08/2027-03", Kind: EvidenceLink, Value: "drive/march"})
		env.UpdateWorkflow(UpdateAddEvidence, "evidence/3", callbacks(&ownerEvidence),
			AddEvidenceRequest{Actor: cliActor(delegateEmail), OccurrenceKey: "ACC-08/2027-03", Kind: EvidenceLink, Value: " https://x.example/a "})
	}, time.Hour)
	env.RegisterDelayedCallback(env.CancelWorkflow, 2*time.Hour)
	st := &EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Phase: compliance.PhaseFieldwork, Revision: 1, Spec: spec, Plan: &plan}
	env.ExecuteWorkflow(EngagementWorkflow, EngagementInput{Spec: spec, State: st})
	var canceled *temporal.CanceledError
	require.ErrorAs(t, env.GetWorkflowError(), &canceled, "it was still waiting for the certification")

	require.ErrorContains(t, outsiderGap.rejected, "leo@brightlane.io may not decide on gaps: only the lead or a lead delegate may")
	require.ErrorContains(t, otherEvidence.rejected, "leo@brightlane.io may not give evidence for ACC-08")
	require.ErrorContains(t, badLink.rejected, "is not an http(s) link")
	require.NoError(t, leadGap.rejected)
	require.NoError(t, leadGap.err)
	require.NoError(t, ownerEvidence.rejected)
	require.NoError(t, ownerEvidence.err)
	env.AssertNumberOfCalls(t, "RecordGapDecision", 1)
	env.AssertNumberOfCalls(t, "AddGivenEvidence", 1)

	assert.Equal(t, activities.GapDecisionInput{EngagementID: spec.ID, ControlID: "ACC-04", Accept: true, Reason: "auditor agreed",
		By: leadEmail, UpdateID: "gap/2", At: decided.At}, decided)
	assert.False(t, decided.At.IsZero(), "recorded at the workflow's time")
	assert.Equal(t, "evidence/3", given.SubmissionKey, "a repeated update adds one row")
	assert.Equal(t, delegateEmail, given.By)
	assert.Equal(t, compliance.ChannelCLI, given.Channel)
	assert.Equal(t, "https://x.example/a", given.Value)
}
