package testenv

import (
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
)

// BillableActions is how many Temporal Cloud actions one history event
// stands for (docs.temporal.io/cloud/actions), counted so that nothing is
// counted twice across the histories of workflows that talk to each
// other: a run's start once on the run it starts (client start, child
// start or continue-as-new; not again as the parent's initiated event or
// the old run's continued event), a signal once where a workflow sends it
// (SignalsReceived below counts those a client sent), every activity
// attempt, timer, accepted update, marker, cancel request and
// search-attribute upsert but the SDK's own TemporalChangeVersion one.
// Rejected updates and queries are billed too but leave no event.
func BillableActions(ev *historypb.HistoryEvent) int {
	switch ev.GetEventType() {
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
		enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
		enumspb.EVENT_TYPE_TIMER_STARTED,
		enumspb.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
		enumspb.EVENT_TYPE_MARKER_RECORDED,
		enumspb.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
		return 1
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
		// A retry is one more attempt, billed again.
		if a := ev.GetActivityTaskStartedEventAttributes().GetAttempt(); a > 1 {
			return int(a) - 1
		}
	case enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
		for k := range ev.GetUpsertWorkflowSearchAttributesEventAttributes().GetSearchAttributes().GetIndexedFields() {
			if k != "TemporalChangeVersion" {
				return 1
			}
		}
	}
	return 0
}

// ClientSignal reports whether an event is a signal a client sent (from a
// webhook or the CLI), billed where it arrives; a workflow's signals are
// billed where they are sent.
func ClientSignal(ev *historypb.HistoryEvent) bool {
	if ev.GetEventType() != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED {
		return false
	}
	return ev.GetWorkflowExecutionSignaledEventAttributes().GetExternalWorkflowExecution() == nil
}
