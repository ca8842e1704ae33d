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
	"github.com/steadfast-grc/steadfast/compliance/drift"
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
	// March 2027's period has begun, so its evidence can be given.
	env.SetStartTime(time.Date(2027, 4, 10, 9, 0, 0, 0, time.UTC))
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

// Evidence that cannot be true yet is refused by the validator, with the
// workflow's clock as today, before anything reaches history or an
// activity (issue 12: a raw client's evidence for a future period used to
// be accepted and then fail in the activity).
func TestEvidenceForAPeriodNotBegunIsRefusedByTheValidator(t *testing.T) {
	env := withIdentity(newEnv(t))
	acts := &activities.Activities{}
	spec := testSpec(t)
	plan, err := compliance.PlanEngagement(&spec, time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	env.OnActivity(acts.AuditDates, mock.Anything, mock.Anything).Return(activities.AuditDatesResult{}, nil)
	env.OnActivity(acts.AddGivenEvidence, mock.Anything, mock.Anything).Return(activities.AddGivenEvidenceResult{ID: 7}, nil)

	// The window opens on 2027-03-01; the workflow's clock says 2027-02-27
	// when the updates arrive (start plus one hour).
	env.SetStartTime(time.Date(2027, 2, 27, 8, 0, 0, 0, time.UTC))
	var future, performedLater, notInWindow, begun updateResult
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateAddEvidence, "evidence/future", callbacks(&future),
			AddEvidenceRequest{Actor: cliActor(delegateEmail), OccurrenceKey: "ACC-08/2027-03", Kind: EvidenceLink, Value: "https://x.example/a"})
		env.UpdateWorkflow(UpdateAddEvidence, "evidence/nowhere", callbacks(&notInWindow),
			AddEvidenceRequest{Actor: cliActor(delegateEmail), OccurrenceKey: "ACC-08/2031-03", Kind: EvidenceLink, Value: "https://x.example/a"})
	}, time.Hour)
	// Three days on, March has begun; a date of performance after today
	// is still refused.
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateAddEvidence, "evidence/later", callbacks(&performedLater),
			AddEvidenceRequest{Actor: cliActor(delegateEmail), OccurrenceKey: "ACC-08/2027-03", Kind: EvidenceLink, Value: "https://x.example/a",
				PerformedAt: time.Date(2027, 3, 20, 12, 0, 0, 0, time.UTC)})
		env.UpdateWorkflow(UpdateAddEvidence, "evidence/begun", callbacks(&begun),
			AddEvidenceRequest{Actor: cliActor(delegateEmail), OccurrenceKey: "ACC-08/2027-03", Kind: EvidenceLink, Value: "https://x.example/a"})
	}, 3*24*time.Hour+time.Hour)
	env.RegisterDelayedCallback(env.CancelWorkflow, 4*24*time.Hour)
	st := &EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Phase: compliance.PhaseFieldwork, Revision: 1, Spec: spec, Plan: &plan}
	env.ExecuteWorkflow(EngagementWorkflow, EngagementInput{Spec: spec, State: st})

	occ, err := activities.FindOccurrence(&spec, plan, "ACC-08", "ACC-08/2027-03")
	require.NoError(t, err)
	want := drift.CheckGiven(occ.Occurrence, drift.Given{At: time.Date(2027, 2, 27, 9, 0, 0, 0, time.UTC)})
	require.Error(t, want)
	require.EqualError(t, future.rejected, want.Error(), "the words the service and the activity use")
	assert.Contains(t, future.rejected.Error(), "which has not begun (today is 2027-02-27)")
	require.ErrorContains(t, notInWindow.rejected, "has no occurrence ACC-08/2031-03")
	require.ErrorContains(t, performedLater.rejected, "cannot have been performed on 2027-03-20, after today (2027-03-02)")
	require.NoError(t, begun.rejected)
	require.NoError(t, begun.err)
	env.AssertNumberOfCalls(t, "AddGivenEvidence", 1)
}
