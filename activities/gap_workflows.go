package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
)

// DescribeGapsInput names gap workflows whose end the remediation has not
// heard about.
type DescribeGapsInput struct {
	WorkflowIDs []string
}

// GapWorkflowEnd is how one gap workflow ended: its result's outcome
// (verified or accepted) when it completed, or its status and error when
// it did not.
type GapWorkflowEnd struct {
	WorkflowID string
	Status     string // completed, failed, terminated, canceled, timed-out, ...
	Outcome    string
	By         string
	Reason     string
}

// DescribeGapsResult lists the workflows that have ended; running ones are
// left out.
type DescribeGapsResult struct {
	Ended []GapWorkflowEnd
	// Unavailable says the worker has no Temporal client to ask.
	Unavailable bool
}

// DescribeGaps is the remediation's fallback for a gap whose own report
// (its gap-closed signal) never arrived: a workflow terminated by an
// operator, or one started by an earlier remediation that ended before
// reporting. It only reads, so retrying it is harmless.
func (a *Activities) DescribeGaps(ctx context.Context, in DescribeGapsInput) (DescribeGapsResult, error) {
	if a.Temporal == nil {
		return DescribeGapsResult{Unavailable: true}, nil
	}
	var res DescribeGapsResult
	for _, id := range in.WorkflowIDs {
		desc, err := a.Temporal.DescribeWorkflow(ctx, id, "")
		var notFound *serviceerror.NotFound
		switch {
		case errors.As(err, &notFound):
			continue // never started (or already deleted): nothing to learn
		case err != nil:
			return DescribeGapsResult{}, fmt.Errorf("describe %s: %w", id, err)
		}
		info := desc.RawResponse.GetWorkflowExecutionInfo()
		status := info.GetStatus()
		if status == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			continue
		}
		end := GapWorkflowEnd{WorkflowID: id, Status: statusName(status)}
		var out struct{ Outcome, By string }
		if err := a.Temporal.GetWorkflow(ctx, id, info.GetExecution().GetRunId()).Get(ctx, &out); err != nil {
			end.Reason = err.Error()
		} else {
			end.Outcome, end.By = out.Outcome, out.By
		}
		res.Ended = append(res.Ended, end)
	}
	return res, nil
}

// statusName is a workflow status as a short lower-case word.
func statusName(s enumspb.WorkflowExecutionStatus) string {
	switch s {
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		return "completed"
	case enumspb.WORKFLOW_EXECUTION_STATUS_FAILED:
		return "failed"
	case enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED:
		return "terminated"
	case enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:
		return "canceled"
	case enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
		return "timed-out"
	case enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW:
		return "continued-as-new"
	}
	return strings.ToLower(s.String())
}
