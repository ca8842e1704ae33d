package engagement_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// The moment between a sign-off prompt's answer and the scope recording
// it as the decision: the prompt is answered but still open, and the scope
// still names it. Two stand-ins hold that moment open on a real server (the
// real workflows pass through it in milliseconds, which is how the
// end-to-end test met it on the Postgres-backed cluster): the prompt
// refuses a second answer as PromptWorkflow's validator does and answers
// its query as answered; the scope settles on the approval when signalled.
const (
	settleSignal = "settle"
	lead         = "maya@brightlane.io"
)

func answeredPromptStandIn(ctx workflow.Context) error {
	state := workflows.PromptState{Status: compliance.PromptAnswered,
		Answer: &workflows.PromptAnswer{Choice: workflows.DecisionApprove, By: lead}}
	if err := workflow.SetQueryHandler(ctx, workflows.QueryPrompt, func() (workflows.PromptState, error) { return state, nil }); err != nil {
		return err
	}
	err := workflow.SetUpdateHandlerWithOptions(ctx, workflows.UpdateAnswerPrompt,
		func(workflow.Context, workflows.AnswerPromptRequest) (workflows.PromptAnswer, error) {
			return *state.Answer, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(workflow.Context, workflows.AnswerPromptRequest) error {
			return errors.New("this question was already answered (approve by " + lead + ")")
		}})
	if err != nil {
		return err
	}
	return workflow.Await(ctx, func() bool { return false })
}

func settlingScopeStandIn(ctx workflow.Context, eng, prompt string) error {
	state := workflows.ScopeState{EngagementID: eng, Status: workflows.ScopeAwaitingDecision, Revision: 1, SignoffPrompt: prompt}
	if err := workflow.SetQueryHandler(ctx, workflows.QueryScope, func() (workflows.ScopeState, error) { return state, nil }); err != nil {
		return err
	}
	workflow.GetSignalChannel(ctx, settleSignal).Receive(ctx, nil)
	state.Status, state.SignoffPrompt = workflows.ScopeApproved, ""
	state.Decisions = []workflows.ScopeDecision{{Revision: 1, Decision: workflows.DecisionApprove, By: lead, Channel: "slack"}}
	return workflow.Await(ctx, func() bool { return false })
}

func TestDecideScopeWhileTheAnsweredPromptCloses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal")
	}
	tmp := testenv.DevServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const queue, eng = "signoff-race", "brightlane"
	prompt := workflows.PromptWorkflowID(eng, "scope-signoff/r1")
	w := worker.New(tmp.Client, queue, worker.Options{Interceptors: identity.Interceptors(nil)})
	w.RegisterWorkflowWithOptions(answeredPromptStandIn, workflow.RegisterOptions{Name: "AnsweredPrompt"})
	w.RegisterWorkflowWithOptions(settlingScopeStandIn, workflow.RegisterOptions{Name: "SettlingScope"})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	_, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: prompt, TaskQueue: queue}, "AnsweredPrompt")
	require.NoError(t, err)
	_, err = tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.ScopingWorkflowID(eng), TaskQueue: queue}, "SettlingScope", eng, prompt)
	require.NoError(t, err)

	svc := &engagement.Service{Temporal: tmp.Client, TaskQueue: queue}
	go func() {
		time.Sleep(time.Second) // the scope records the decision while the service asks
		_ = tmp.Client.SignalWorkflow(ctx, workflows.ScopingWorkflowID(eng), "", settleSignal, nil)
	}()
	_, err = svc.DecideScope(ctx, engagement.DecideScopeRequest{EngagementID: eng, Decision: workflows.DecisionReject,
		Reason: "HubSpot is in scope", Actor: identity.CLIActor(lead)})
	require.ErrorContains(t, err, "already approved", "the refusal says what the scope settled on, not which step lost the race")

	// The lead re-running the approval they gave is not an error.
	d, err := svc.DecideScope(ctx, engagement.DecideScopeRequest{EngagementID: eng, Decision: workflows.DecisionApprove, Actor: identity.CLIActor(lead)})
	require.NoError(t, err)
	require.Equal(t, workflows.DecisionApprove, d.Decision)
}
