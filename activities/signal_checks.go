package activities

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"

	"github.com/steadfast-grc/steadfast/integrations/jira"
)

// Signals carry no identity: anyone with access to the Temporal namespace
// can send one. The checks here let a workflow treat a signal as a hint
// and act only on what the source of truth says: the sending workflow's
// own state (read from Temporal) or the Jira issue itself.

// WindowClosedInput names the operating scheduler whose report the
// engagement received, and the query that answers its progress.
type WindowClosedInput struct {
	WorkflowID string
	Query      string
}

// WindowClosedResult says whether the scheduler has closed its window, and
// what was seen (for the log when it has not).
type WindowClosedResult struct {
	Closed bool
	// Seen is the scheduler's status: completed, running, not-found, ...
	Seen string
	// Unavailable says the worker has no Temporal client to ask.
	Unavailable bool
}

// WindowClosed asks Temporal whether the operating scheduler has closed
// its window: it completed, or it still runs and its query says closed
// (the scheduler marks itself closed before it reports, so the report and
// the query agree). A scheduler that failed, was terminated or never
// started has not closed the window. It only reads, so retrying is
// harmless.
func (a *Activities) WindowClosed(ctx context.Context, in WindowClosedInput) (WindowClosedResult, error) {
	if a.Temporal == nil {
		return WindowClosedResult{Unavailable: true, Seen: "no Temporal client"}, nil
	}
	desc, err := a.Temporal.DescribeWorkflow(ctx, in.WorkflowID, "")
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &notFound):
		return WindowClosedResult{Seen: "not-found"}, nil
	case err != nil:
		return WindowClosedResult{}, fmt.Errorf("describe %s: %w", in.WorkflowID, err)
	}
	status := desc.RawResponse.GetWorkflowExecutionInfo().GetStatus()
	res := WindowClosedResult{Seen: statusName(status)}
	switch status {
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		res.Closed = true
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		v, err := a.Temporal.QueryWorkflow(ctx, in.WorkflowID, "", in.Query)
		if err != nil {
			return WindowClosedResult{}, fmt.Errorf("query %s: %w", in.WorkflowID, err)
		}
		var p struct {
			Closed bool `json:"closed"`
		}
		if err := v.Get(&p); err != nil {
			return WindowClosedResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("read the %s query of %s: %w", in.Query, in.WorkflowID, err))
		}
		res.Closed = p.Closed
	}
	return res, nil
}

// TicketDoneInput names the gap's ticket as Steadfast recorded it when it
// opened it.
type TicketDoneInput struct {
	TicketKey string
}

// TicketDoneResult is the ticket's status category as Jira reports it now.
type TicketDoneResult struct {
	Done     bool
	Category string
	// Unavailable says Jira is not configured on this worker.
	Unavailable bool
}

// TicketDone asks Jira for the gap's own ticket, by the key recorded on the
// gap: a ticket-changed signal (from the webhook sink, the poller, or
// anyone else) is only a hint that it may have moved.
func (a *Activities) TicketDone(ctx context.Context, in TicketDoneInput) (TicketDoneResult, error) {
	if a.Jira == nil {
		return TicketDoneResult{Unavailable: true}, nil
	}
	st, err := a.Jira.Status(ctx, in.TicketKey)
	if err != nil {
		return TicketDoneResult{}, jiraError("read jira ticket "+in.TicketKey, err)
	}
	return TicketDoneResult{Done: st.Category == jira.CategoryDone, Category: st.Category}, nil
}
