package identity

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/compliance"
)

// claimed says who acts; unclaimed carries an actor but does not say so,
// as a request type that forgot ActorOf would.
type claimed struct{ Actor compliance.Actor }

func (c claimed) ActorOf() compliance.Actor { return c.Actor }

type unclaimed struct{ Actor compliance.Actor }

// decisions is a workflow with one update of each kind whose validators
// do what Steadfast's do: Require the request's actor first.
func decisions(ctx workflow.Context) error {
	if err := workflow.SetUpdateHandlerWithOptions(ctx, "claimed", func(workflow.Context, claimed) error { return nil },
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, r claimed) error { return Require(ctx, r.Actor) }}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, "unclaimed", func(workflow.Context, unclaimed) error { return nil },
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, r unclaimed) error { return Require(ctx, r.Actor) }}); err != nil {
		return err
	}
	return workflow.Sleep(ctx, 2*time.Hour)
}

type outcome struct{ rejected error }

func (o *outcome) callbacks() *testsuite.TestUpdateCallback {
	return &testsuite.TestUpdateCallback{OnReject: func(err error) { o.rejected = err }, OnAccept: func() {}, OnComplete: func(any, error) {}}
}

func TestInterceptorVerifiesEveryClaimedActor(t *testing.T) {
	key := []byte("k-0123456789abcdef-0123456789abcdef")
	const wid = "default-test-workflow-id"
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestWorkflowEnvironment()
	env.SetWorkerOptions(worker.Options{Interceptors: Interceptors(key)})
	env.RegisterWorkflow(decisions)
	var slack, cli, forged, stale, hidden, hiddenSlack outcome
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow("claimed", "u1", slack.callbacks(), claimed{SlackActor(key, wid, "u1", "priya@brightlane.io")})
		env.UpdateWorkflow("claimed", "u2", cli.callbacks(), claimed{compliance.Actor{Person: "maya@brightlane.io", Channel: compliance.ChannelCLI, Operator: "ops"}})
		env.UpdateWorkflow("claimed", "u3", forged.callbacks(), claimed{compliance.Actor{Person: "maya@brightlane.io", Channel: compliance.ChannelSlack}})
		env.UpdateWorkflow("claimed", "u4", stale.callbacks(), claimed{SlackActor(key, wid, "u1", "priya@brightlane.io")})
		env.UpdateWorkflow("unclaimed", "u5", hidden.callbacks(), unclaimed{compliance.Actor{Person: "maya@brightlane.io", Channel: compliance.ChannelCLI, Operator: "ops"}})
		env.UpdateWorkflow("unclaimed", "u6", hiddenSlack.callbacks(), unclaimed{compliance.Actor{Person: "maya@brightlane.io", Channel: compliance.ChannelSlack}})
	}, time.Hour)
	env.ExecuteWorkflow(decisions)
	require.NoError(t, env.GetWorkflowError())
	assert.NoError(t, slack.rejected, "an attested Slack actor")
	assert.NoError(t, cli.rejected, "a CLI operator")
	assert.ErrorIs(t, forged.rejected, compliance.ErrUnattested)
	assert.ErrorIs(t, stale.rejected, compliance.ErrUnattested, "a proof copied from another update")
	assert.Equal(t, errNotFound, hidden.rejected, "an actor the interceptor never saw is not trusted")
	assert.Equal(t, errNotFound, hiddenSlack.rejected)
}
