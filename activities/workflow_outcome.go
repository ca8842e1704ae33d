package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// WorkflowOutcomeInput names a workflow whose end a run waits for without
// being its parent: an earlier run of the same workflow started it (an
// abandoned child outlives the run that started it), and a child's future
// does not cross a continue-as-new.
type WorkflowOutcomeInput struct {
	WorkflowID string
}

// WorkflowOutcomeResult is how the workflow ended.
type WorkflowOutcomeResult struct {
	// Status: completed, failed, terminated, canceled, timed-out,
	// not-found (never started, or gone past retention), or running
	// (still, when the activity's time was up).
	Status string
	// Result is the workflow's result, as JSON, when it completed.
	Result json.RawMessage `json:",omitempty"`
	// Error is why it did not complete.
	Error string `json:",omitempty"`
	// Unavailable says the worker has no Temporal client to ask.
	Unavailable bool `json:",omitempty"`
}

// outcomeHeartbeat is how often WorkflowOutcome tells Temporal it is still
// waiting: well inside the heartbeat timeout the workflow gives it, so a
// worker that dies is noticed and the wait goes on on another.
const outcomeHeartbeat = 10 * time.Second

// outcomeMargin is how long before its deadline WorkflowOutcome stops
// waiting and answers "running" (a twentieth of the time it has, when that
// is less).
const outcomeMargin = 30 * time.Second

// heartbeatUntil tells Temporal the activity of ctx is alive until done
// ends.
func heartbeatUntil(done, ctx context.Context) {
	t := time.NewTicker(outcomeHeartbeat)
	defer t.Stop()
	for {
		select {
		case <-done.Done():
			return
		case <-t.C:
			activity.RecordHeartbeat(ctx)
		}
	}
}

// deadlineSlack is how near its deadline a poll that reports a timeout
// counts as out of time although its context has not yet said so.
const deadlineSlack = time.Second

// pollTimedOut says whether err is the poll's own deadline, reported by the
// server or the gRPC layer a moment before pctx's timer fired (the deadline
// travels with the call, and under load the answer can beat the timer).
// A timeout well before the deadline is some other call's: it is an error,
// and the activity is retried.
func pollTimedOut(pctx context.Context, err error) bool {
	var server *serviceerror.DeadlineExceeded
	timeout := errors.Is(err, context.DeadlineExceeded) || errors.As(err, &server) ||
		status.Code(err) == codes.DeadlineExceeded
	if !timeout {
		return false
	}
	deadline, ok := pctx.Deadline()
	return ok && time.Until(deadline) < deadlineSlack
}

// WorkflowOutcome waits for a workflow to end, through the Temporal client
// (a long poll on its history, following continue-as-new), and returns its
// result or how it failed; if it is still running as the activity's own
// deadline nears, it says so ("running") and the workflow asks again. The
// workflow may run for weeks (an assessment's owners answering), so the
// deadline is long and it heartbeats meanwhile: a worker that dies is
// retried elsewhere, which adds nothing to the waiting run's history. It
// only reads, so retrying it is harmless.
func (a *Activities) WorkflowOutcome(ctx context.Context, in WorkflowOutcomeInput) (WorkflowOutcomeResult, error) {
	if a.Temporal == nil {
		return WorkflowOutcomeResult{Unavailable: true}, nil
	}
	if in.WorkflowID == "" {
		return WorkflowOutcomeResult{}, nonRetryable(ErrTypeBadInput, errors.New("no workflow ID to wait for"))
	}
	hctx, stop := context.WithCancel(ctx)
	defer stop()
	if activity.IsActivity(ctx) {
		go heartbeatUntil(hctx, ctx)
	}
	// The poll ends a little before the activity's own deadline, so a
	// workflow still running is an answer ("running"), not a timeout.
	pctx := ctx
	if deadline, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		pctx, cancel = context.WithDeadline(ctx, deadline.Add(-min(outcomeMargin, time.Until(deadline)/20)))
		defer cancel()
	}
	var raw json.RawMessage
	err := a.Temporal.GetWorkflow(pctx, in.WorkflowID, "").Get(pctx, &raw)
	var notFound *serviceerror.NotFound
	switch {
	case err == nil:
		return WorkflowOutcomeResult{Status: "completed", Result: raw}, nil
	case errors.Is(ctx.Err(), context.Canceled):
		// The run that waits has handed over or closed.
		return WorkflowOutcomeResult{}, fmt.Errorf("wait for %s: %w", in.WorkflowID, ctx.Err())
	case pctx.Err() != nil, pollTimedOut(pctx, err):
		// Out of time, the poll's or (on a slow machine) the activity's
		// own: still running as far as anyone knows.
		return WorkflowOutcomeResult{Status: "running"}, nil
	case errors.As(err, &notFound):
		return WorkflowOutcomeResult{Status: "not-found"}, nil
	}
	// It ended without a result: say how.
	desc, derr := a.Temporal.DescribeWorkflow(ctx, in.WorkflowID, "")
	if derr != nil {
		return WorkflowOutcomeResult{}, fmt.Errorf("describe %s after %v: %w", in.WorkflowID, err, derr)
	}
	status := desc.RawResponse.GetWorkflowExecutionInfo().GetStatus()
	if status == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		// The poll failed, not the workflow: wait again.
		return WorkflowOutcomeResult{}, fmt.Errorf("wait for %s: %w", in.WorkflowID, err)
	}
	return WorkflowOutcomeResult{Status: statusName(status), Error: err.Error()}, nil
}
