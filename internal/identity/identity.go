// Package identity is where the worker checks who is acting before a
// workflow sees a decision. Every update request that changes an engagement
// carries a compliance.Actor; the worker interceptor here verifies its
// attestation (bound to the workflow and the update) before the update's
// validator runs, and marks the validator's context so a validator can tell
// it was checked. A worker built without the interceptor therefore refuses
// every decision instead of trusting a payload field.
//
// The paths that authenticate people build their actors here too: the CLI
// (CLIActor: an operator with Temporal credentials acting for --as) and the
// Slack handler (SlackActor: a person found from a signed Slack request,
// attested with the shared key).
package identity

import (
	"errors"

	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/compliance"
)

// Claimant is an update request that says who is acting.
type Claimant interface {
	ActorOf() compliance.Actor
}

// ErrNotChecked refuses a decision on a worker that runs without the
// identity interceptor: nobody has checked who is acting, so nothing is
// recorded.
var ErrNotChecked = errors.New("this worker does not check who is acting (it runs without Steadfast's identity check), so it records no decisions; run the Steadfast worker")

// checkedKey marks a validator's context as having passed the interceptor.
type checkedKey struct{}

// Checked reports whether the identity interceptor verified the actors of
// the update whose validator holds ctx.
func Checked(ctx workflow.Context) bool {
	ok, _ := ctx.Value(checkedKey{}).(bool)
	return ok
}

// Require returns ErrNotChecked unless the interceptor ran; validators call
// it first.
func Require(ctx workflow.Context) error {
	if !Checked(ctx) {
		return ErrNotChecked
	}
	return nil
}

// NewInterceptor returns the worker interceptor that verifies actors with
// key (STEADFAST_ACTOR_KEY). With an empty key only CLI actors pass: slack
// and web need an attestation nobody on this worker could have made.
func NewInterceptor(key []byte) interceptor.WorkerInterceptor {
	return &workerInterceptor{key: append([]byte(nil), key...)}
}

type workerInterceptor struct {
	interceptor.WorkerInterceptorBase
	key []byte
}

func (w *workerInterceptor) InterceptWorkflow(_ workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	i := &inbound{key: w.key}
	i.Next = next
	return i
}

type inbound struct {
	interceptor.WorkflowInboundInterceptorBase
	key []byte
}

// ValidateUpdate verifies every actor in the update's arguments, then lets
// the validator run with a context that says so. The SDK does not run
// validation on replay, so a key rotated since is never needed to replay.
func (i *inbound) ValidateUpdate(ctx workflow.Context, in *interceptor.UpdateInput) error {
	wid := workflow.GetInfo(ctx).WorkflowExecution.ID
	uid := workflow.GetCurrentUpdateInfo(ctx).ID
	for _, arg := range in.Args {
		c, ok := arg.(Claimant)
		if !ok {
			continue
		}
		if err := compliance.VerifyAttestation(i.key, wid, uid, c.ActorOf()); err != nil {
			return err
		}
	}
	return i.Next.ValidateUpdate(workflow.WithValue(ctx, checkedKey{}, true), in)
}

// Interceptors is the worker's interceptor list with the identity check, for
// worker.Options{Interceptors: ...} in the worker and in tests that build
// their own worker.
func Interceptors(key []byte) []interceptor.WorkerInterceptor {
	return []interceptor.WorkerInterceptor{NewInterceptor(key)}
}
