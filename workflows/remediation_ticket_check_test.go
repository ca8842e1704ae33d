package workflows

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
)

// TestTicketDoneIsCheckedWithJira: a ticket-changed signal saying "done"
// while Jira says the ticket is still open (any Temporal client can send
// one, with the poller's delivery ID) is checked, recorded as ignored and
// changes nothing: the owner is still chased for the fix. Once Jira says
// done, the poller's report, with the same delivery ID as the forgery,
// moves the gap on: the owner is asked for the evidence.
func TestTicketDoneIsCheckedWithJira(t *testing.T) {
	env := newEnv(t)
	acts := &activities.Activities{}
	var mu sync.Mutex
	category := "indeterminate"
	var checked []string
	env.OnActivity(acts.OpenRemediation, mock.Anything, mock.Anything).Return(activities.OpenRemediationResult{TicketKey: "SEC-12", Label: "steadfast-brightlane-acc-04"}, nil)
	env.OnActivity(acts.ChangeRemediation, mock.Anything, mock.Anything).Return(activities.ChangeRemediationResult{}, nil)
	env.OnActivity(acts.TicketDone, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.TicketDoneInput) (activities.TicketDoneResult, error) {
			mu.Lock()
			defer mu.Unlock()
			checked = append(checked, in.TicketKey)
			return activities.TicketDoneResult{Done: category == "done", Category: category}, nil
		})
	var ignored []activities.RecordEventInput
	var prompts []string
	env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, args converter.EncodedValues) {
		switch info.ActivityType.Name {
		case "RecordEvent":
			var in activities.RecordEventInput
			require.NoError(t, args.Get(&in))
			if in.Kind == compliance.EventSignalIgnored {
				ignored = append(ignored, in)
			}
		case "OpenPrompt":
			var in activities.OpenPromptInput
			require.NoError(t, args.Get(&in))
			prompts = append(prompts, in.Prompt.Key)
		}
	})
	in := gapInput(t)
	state := func() GapRemediationState {
		v, err := env.QueryWorkflow(QueryRemediation)
		require.NoError(t, err)
		var st GapRemediationState
		require.NoError(t, v.Get(&st))
		return st
	}
	var afterForgery GapRemediationState
	var promptsAfterForgery []string
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalTicketChanged, TicketChange{WebhookID: "poll", Category: "done"})
	}, 24*time.Hour)
	env.RegisterDelayedCallback(func() {
		afterForgery = state()
		promptsAfterForgery = append([]string(nil), prompts...)
		mu.Lock()
		category = "done"
		mu.Unlock()
		env.SignalWorkflow(SignalTicketChanged, TicketChange{WebhookID: "poll", Category: "done"})
	}, 2*24*time.Hour)
	var afterDone GapRemediationState
	var evidence updateResult
	env.RegisterDelayedCallback(func() {
		afterDone = state()
		id := PromptWorkflowID(in.EngagementID, "evidence/ACC-04")
		require.NoError(t, env.UpdateWorkflowByID(id, UpdateAnswerPrompt, "ok", callbacks(&evidence),
			AnswerPromptRequest{Choice: "fixed", Actor: cli(delegateEmail), Link: "https://drive.example/review-q1.pdf"}))
	}, 3*24*time.Hour)
	env.ExecuteWorkflow(GapRemediationWorkflow, in)
	require.NoError(t, env.GetWorkflowError())
	require.NoError(t, evidence.rejected)

	assert.False(t, afterForgery.TicketDone, "a done claim Jira does not back was taken")
	assert.Equal(t, compliance.ItemOpen, afterForgery.Status)
	assert.NotContains(t, promptsAfterForgery, "evidence/ACC-04", "the owner was asked for evidence on a forged claim")
	require.Len(t, ignored, 1, "the forged claim is recorded as ignored")
	assert.Equal(t, SignalTicketChanged, ignored[0].Detail["signal"])
	assert.Equal(t, "SEC-12", ignored[0].Detail["ticket"])
	assert.Equal(t, []string{"SEC-12", "SEC-12"}, checked, "each claim is checked against the gap's own ticket")
	assert.True(t, afterDone.TicketDone, "the poller's report, once Jira says done, was dropped as a repeat of the forgery")
	assert.Contains(t, prompts, "evidence/ACC-04")
	var res GapRemediationResult
	require.NoError(t, env.GetWorkflowResult(&res))
	assert.Equal(t, compliance.ItemVerified, res.Outcome)
}
