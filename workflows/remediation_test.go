package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
)

func gapInput(t *testing.T) GapRemediationInput {
	spec := testSpec(t)
	return GapRemediationInput{
		EngagementID: spec.ID, Spec: spec, Title: "Quarterly access review",
		Gap:   activities.RegisterEntry{ControlID: "ACC-04", Rank: 1, Status: "missing", Owner: delegateEmail},
		Owner: *spec.Person(delegateEmail), Due: time.Now().Add(30 * 24 * time.Hour),
	}
}

func TestGapClosesWhenJiraIsDoneAndEvidenceIsGiven(t *testing.T) {
	env := newEnv(t)
	var changes []compliance.ItemChange
	acts := &activities.Activities{}
	env.OnActivity(acts.OpenRemediation, mock.Anything, mock.Anything).Return(activities.OpenRemediationResult{TicketKey: "SEC-12", Label: "steadfast-brightlane-acc-04"}, nil)
	// Jira says the ticket is done when the gap checks the signal.
	env.OnActivity(acts.TicketDone, mock.Anything, activities.TicketDoneInput{TicketKey: "SEC-12"}).Return(activities.TicketDoneResult{Done: true, Category: "done"}, nil)
	env.OnActivity(acts.ChangeRemediation, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ChangeRemediationInput) (activities.ChangeRemediationResult, error) {
			assert.Equal(t, "SEC-12", in.TicketKey)
			changes = append(changes, in.Change)
			return activities.ChangeRemediationResult{}, nil
		})
	in := gapInput(t)
	var evidence, noLink updateResult
	env.RegisterDelayedCallback(func() {
		// The webhook is delivered twice; the poller reports it too.
		env.SignalWorkflow(SignalTicketChanged, TicketChange{WebhookID: "wh-1", Category: "done"})
		env.SignalWorkflow(SignalTicketChanged, TicketChange{WebhookID: "wh-1", Category: "done"})
	}, 2*24*time.Hour)
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryRemediation)
		require.NoError(t, err)
		var st GapRemediationState
		require.NoError(t, v.Get(&st))
		assert.Equal(t, "SEC-12", st.TicketKey)
		// The owner is asked for the evidence, and must give a link.
		id := PromptWorkflowID(in.EngagementID, "evidence/ACC-04")
		require.NoError(t, env.UpdateWorkflowByID(id, UpdateAnswerPrompt, "no-link", callbacks(&noLink), AnswerPromptRequest{Choice: "fixed", Actor: cli(delegateEmail)}))
		require.NoError(t, env.UpdateWorkflowByID(id, UpdateAnswerPrompt, "ok", callbacks(&evidence),
			AnswerPromptRequest{Choice: "fixed", Actor: slackAs(id, "ok", delegateEmail), Link: "https://drive.example/review-q1.pdf"}))
	}, 3*24*time.Hour)
	env.ExecuteWorkflow(GapRemediationWorkflow, in)
	require.NoError(t, env.GetWorkflowError())
	require.Error(t, noLink.rejected, "evidence needs a link")
	assert.Contains(t, noLink.rejected.Error(), "link")
	require.NoError(t, evidence.rejected)
	var res GapRemediationResult
	require.NoError(t, env.GetWorkflowResult(&res))
	assert.Equal(t, compliance.ItemVerified, res.Outcome)
	assert.Equal(t, "https://drive.example/review-q1.pdf", res.Evidence)
	require.Len(t, changes, 1)
	assert.Equal(t, "slack", changes[0].Channel)
}

func TestGapChasedAsDueDateNearsAndEscalated(t *testing.T) {
	env := newEnvWithoutSteps(t)
	mockRemediation(env)
	var steps []activities.PromptStepInput
	acts := &activities.Activities{}
	env.OnActivity(acts.PromptStep, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PromptStepInput) (activities.PromptStepResult, error) {
			steps = append(steps, in)
			return activities.PromptStepResult{}, nil
		})
	in := gapInput(t)
	start := time.Date(2027, 3, 1, 15, 0, 0, 0, time.UTC)
	env.SetStartTime(start)
	in.Due = start.Add(10 * 24 * time.Hour)
	var accept updateResult
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateAcceptGap, "accept", callbacks(&accept), AcceptGapRequest{Reason: "compensating control", Actor: cli(leadEmail)})
	}, 25*24*time.Hour)
	env.ExecuteWorkflow(GapRemediationWorkflow, in)
	require.NoError(t, env.GetWorkflowError())
	require.NoError(t, accept.rejected)
	require.NoError(t, accept.err)
	var res GapRemediationResult
	require.NoError(t, env.GetWorkflowResult(&res))
	assert.Equal(t, compliance.ItemAccepted, res.Outcome)
	require.NotEmpty(t, steps, "the owner was chased")
	var kinds []string
	for _, s := range steps {
		kinds = append(kinds, s.Step.Kind)
	}
	assert.Contains(t, kinds, activities.StepLead, "an overdue fix reaches the lead")
	assert.Contains(t, kinds, activities.StepSponsor, "and then the sponsor")
	assert.Equal(t, activities.StepWithdraw, kinds[len(kinds)-1], "accepting the gap withdraws the open question")
}

func TestGapCompleteValidator(t *testing.T) {
	cases := []struct {
		name string
		req  CompleteGapRequest
		want string
	}{
		{"stranger", CompleteGapRequest{Actor: cli(ownerEmail), Evidence: "https://x.example/e"}, "may not close"},
		{"no evidence", CompleteGapRequest{Actor: cli(delegateEmail)}, "needs a link"},
		{"not a link", CompleteGapRequest{Actor: cli(delegateEmail), Evidence: "in the drive"}, "needs a link"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t)
			mockRemediation(env)
			var bad, good updateResult
			env.RegisterDelayedCallback(func() {
				env.UpdateWorkflow(UpdateCompleteGap, "bad", callbacks(&bad), tc.req)
				env.UpdateWorkflow(UpdateCompleteGap, "good", callbacks(&good), CompleteGapRequest{Actor: cli(leadEmail), Evidence: "https://x.example/e"})
			}, time.Hour)
			env.ExecuteWorkflow(GapRemediationWorkflow, gapInput(t))
			require.Error(t, bad.rejected)
			assert.Contains(t, bad.rejected.Error(), tc.want)
			require.NoError(t, good.rejected, "the lead may close a gap with evidence")
			var res GapRemediationResult
			require.NoError(t, env.GetWorkflowResult(&res))
			assert.Equal(t, compliance.ItemVerified, res.Outcome)
			assert.Equal(t, leadEmail, res.By)
		})
	}
}

var _ = compliance.RoleLead

// TestGapAcceptedInTheRegisterSaysSoWhileRecording: a lead accepts a gap
// in the register just as remediation opens it. The gap reads the
// acceptance as it opens and records it; while that is being recorded its
// item is still open, and the service's accept-gap update (sent because
// the gap looked open) is refused. The query says who accepted it from
// the moment it was read, so the service knows nothing is left to stop
// (CI saw `starter gaps accept` fail with "already closed" in that gap).
func TestGapAcceptedInTheRegisterSaysSoWhileRecording(t *testing.T) {
	env := newEnv(t)
	acts := &activities.Activities{}
	env.OnActivity(acts.OpenRemediation, mock.Anything, mock.Anything).Return(
		activities.OpenRemediationResult{TicketKey: "SEC-12", AcceptedBy: leadEmail, AcceptReason: "minutes kept from Q2"}, nil)
	env.OnActivity(acts.ChangeRemediation, mock.Anything, mock.Anything).After(time.Hour).Return(activities.ChangeRemediationResult{}, nil)
	var mid GapRemediationState
	var again updateResult
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryRemediation)
		require.NoError(t, err)
		require.NoError(t, v.Get(&mid))
		env.UpdateWorkflow(UpdateAcceptGap, "again", callbacks(&again), AcceptGapRequest{Reason: "minutes kept from Q2", Actor: cli(leadEmail)})
	}, 30*time.Minute)
	env.ExecuteWorkflow(GapRemediationWorkflow, gapInput(t))
	require.NoError(t, env.GetWorkflowError())
	assert.Equal(t, compliance.ItemOpen, mid.Status, "the acceptance is still being recorded")
	assert.Equal(t, leadEmail, mid.AcceptedBy, "but the gap says who accepted it")
	require.Error(t, again.rejected)
	assert.Contains(t, again.rejected.Error(), "already closed")
	var res GapRemediationResult
	require.NoError(t, env.GetWorkflowResult(&res))
	assert.Equal(t, compliance.ItemAccepted, res.Outcome)
}
