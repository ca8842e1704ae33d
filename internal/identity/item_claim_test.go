package identity

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/compliance"
)

// itemClaim is a request about one item of an owner batch.
type itemClaim struct {
	Item  string
	Actor compliance.Actor
}

func (c itemClaim) ActorOf() compliance.Actor { return c.Actor }
func (c itemClaim) ItemOf() string            { return c.Item }

func batch(ctx workflow.Context) error {
	if err := workflow.SetUpdateHandlerWithOptions(ctx, "item", func(workflow.Context, itemClaim) error { return nil },
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, r itemClaim) error { return Require(ctx, r.Actor) }}); err != nil {
		return err
	}
	return workflow.Sleep(ctx, 2*time.Hour)
}

// TestItemClaimsAreBoundToTheirBatch: Slack and the web attest an answer
// for the item's prompt ID; the interceptor accepts that proof only for an
// item of the workflow it arrived at, never for another batch's item or a
// proof made for the batch and replayed against an item.
func TestItemClaimsAreBoundToTheirBatch(t *testing.T) {
	key := []byte("k-0123456789abcdef-0123456789abcdef")
	const wid = "prompt/e/batch/week-2027-W14/priya@brightlane.io"
	item := compliance.BatchItemID(wid, "evidence/ACC-08/2027-03")
	other := compliance.BatchItemID("prompt/e/batch/week-2027-W14/leo@brightlane.io", "evidence/ACC-08/2027-03")
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestWorkflowEnvironment()
	env.SetWorkerOptions(worker.Options{Interceptors: Interceptors(key)})
	env.SetStartWorkflowOptions(clientOptions(wid))
	env.RegisterWorkflow(batch)
	var good, elsewhere, moved outcome
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow("item", "u1", good.callbacks(), itemClaim{Item: item, Actor: SlackActor(key, item, "u1", "priya@brightlane.io")})
		// A proof for another batch's item, sent here naming that item.
		env.UpdateWorkflow("item", "u2", elsewhere.callbacks(), itemClaim{Item: other, Actor: SlackActor(key, other, "u2", "priya@brightlane.io")})
		// A proof for one item, sent naming another of this batch.
		env.UpdateWorkflow("item", "u3", moved.callbacks(), itemClaim{Item: compliance.BatchItemID(wid, "evidence/VUL-01/2027-03"),
			Actor: SlackActor(key, item, "u3", "priya@brightlane.io")})
	}, time.Hour)
	env.ExecuteWorkflow(batch)
	require.NoError(t, env.GetWorkflowError())
	assert.NoError(t, good.rejected, "attested for this batch's item")
	assert.ErrorIs(t, elsewhere.rejected, compliance.ErrUnattested)
	assert.ErrorIs(t, moved.rejected, compliance.ErrUnattested)
}

func clientOptions(id string) client.StartWorkflowOptions { return client.StartWorkflowOptions{ID: id} }
