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

// checkedKey marks a validator's context as having passed the interceptor;
// its value is the actors the interceptor verified.
type checkedKey struct{}

// errNotFound means a validator asked about an actor the interceptor never
// saw: the request type does not implement Claimant, so nothing verified it.
var errNotFound = errors.New("this request's actor was not verified (its type does not say who acts: ActorOf); it is refused")

// Checked reports whether the identity interceptor verified the actors of
// the update whose validator holds ctx.
func Checked(ctx workflow.Context) bool {
	_, ok := ctx.Value(checkedKey{}).([]compliance.Actor)
	return ok
}

// Require returns ErrNotChecked unless the interceptor ran, and refuses an
// actor it did not verify; validators call it first with the request's
// actor.
func Require(ctx workflow.Context, a compliance.Actor) error {
	verified, ok := ctx.Value(checkedKey{}).([]compliance.Actor)
	if !ok {
		return ErrNotChecked
	}
	for _, v := range verified {
		if v == a {
			return nil
		}
	}
	return errNotFound
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
	verified := []compliance.Actor{}
	for _, arg := range in.Args {
		c, ok := arg.(Claimant)
		if !ok {
			continue
		}
		a := c.ActorOf()
		// An answer to one item of an owner batch is attested for the
		// item's prompt ID, which names the batch's workflow.
		bound := wid
		if it, ok := arg.(ItemClaimant); ok {
			if batch, isItem := compliance.BatchOfItem(it.ItemOf()); isItem && batch == wid {
				bound = it.ItemOf()
			}
		}
		if err := compliance.VerifyAttestation(i.key, bound, uid, a); err != nil {
			return err
		}
		verified = append(verified, a)
	}
	return i.Next.ValidateUpdate(workflow.WithValue(ctx, checkedKey{}, verified), in)
}

// ItemClaimant is a request about one item of an owner batch: its actor
// is attested for the item's prompt ID (compliance.BatchItemID) rather than
// for the batch's workflow ID, since Slack and the web know the item.
type ItemClaimant interface {
	Claimant
	ItemOf() string
}

// Interceptors is the worker's interceptor list with the identity check, for
// worker.Options{Interceptors: ...} in the worker and in tests that build
// their own worker.
func Interceptors(key []byte) []interceptor.WorkerInterceptor {
	return []interceptor.WorkerInterceptor{NewInterceptor(key)}
}
