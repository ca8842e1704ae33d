package workflows

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows/searchattr"
)

// TestClosingTheEngagementEndsTheProgrammesRoundRemediationForReal: on the
// dev server, with Postgres, a certified programme (waiting for its next
// report) takes a tailoring change the lead approves; its owner answers
// the change's round "missing", and with the engagement's remediation long
// over the round starts a remediation of its own, whose gap workflow opens
// an open item. The engagement knows nothing of the programme's change.
// Closing the engagement (cancelling it) cancels the programme, which ends
// although it waits for its report, and — found
// in Temporal's visibility by its Engagement attribute — the change's
// remediation, whose gap workflow is cancelled with it: nothing of the
// engagement but the programme itself runs any more, so no owner is
// chased.
//
// STEADFAST_UPDATE_HISTORIES=1 records the engagement's history (the
// close-every-round-remediation branch) and the programme's
// (programme-ends-on-cancel) for the replay test.
func TestClosingTheEngagementEndsTheProgrammesRoundRemediationForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal and Postgres")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	spec, plan := recordedSpec(ctx, t, db, nil)
	window := plannedWindow(t, spec, soc2Of2027)
	const queue = "steadfast-programme-round-close"
	realWorker(t, tmp, queue, &activities.Activities{Store: db.Store, Temporal: tmp.Client})

	engID, progID := certifiedEngagementForReal(ctx, t, tmp, queue, spec, plan, soc2Of2027), ProgrammeWorkflowID(spec.ID)
	_, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: progID, TaskQueue: queue},
		ProgrammeWorkflowName, ProgrammeInput{EngagementID: spec.ID, Spec: spec, Certifications: []postcert.Certification{soc2Of2027},
			Cycle: 2, Revision: 1, LastWindow: window, Test: &TestHooks{OperatingControls: []string{"ACC-04"}}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tmp.Client.TerminateWorkflow(context.Background(), progID, "", "test over") })

	answer := func(promptID, updateID, choice, by string) {
		t.Helper()
		h, err := tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: promptID, UpdateID: updateID,
			UpdateName: UpdateAnswerPrompt, WaitForStage: client.WorkflowUpdateStageCompleted,
			Args: []any{AnswerPromptRequest{Choice: choice, Actor: cli(by), Channel: "cli"}}})
		require.NoError(t, err)
		require.NoError(t, h.Get(ctx, nil))
	}
	h, err := tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: progID, UpdateID: "tailoring/1",
		UpdateName: UpdateChangeTailoring, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{ChangeTailoringRequest{Tailoring: newOwnerTailoring, Actor: cli(leadEmail)}}})
	require.NoError(t, err)
	var ch ScopeChange
	require.NoError(t, h.Get(ctx, &ch))
	lead := waitPromptKeyed(ctx, t, db, spec.ID, changePromptKey(ch), "the lead's question never opened")
	answer(lead.ID, "approve", "approve", leadEmail)
	owner := waitPromptKeyed(ctx, t, db, spec.ID, assessmentPromptGroup+ch.ID+"/ACC-02", "the change's round never asked the owner")
	answer(owner.ID, "missing", AssessMissing, ownerEmail)

	remID, gapID := RoundRemediationWorkflowID(spec.ID, ch.ID), RoundGapWorkflowID(spec.ID, ch.ID, "ACC-02")
	require.Eventually(t, func() bool {
		items, err := db.Store.Items(ctx, spec.ID)
		require.NoError(t, err)
		for _, it := range items {
			if it.ItemID == gapID {
				return it.Status == compliance.ItemOpen
			}
		}
		return false
	}, time.Minute, 100*time.Millisecond, "the change's gap got no open item")
	status := func(id string) enumspb.WorkflowExecutionStatus {
		d, err := tmp.Client.DescribeWorkflow(ctx, id, "")
		require.NoError(t, err)
		return d.RawResponse.GetWorkflowExecutionInfo().GetStatus()
	}
	require.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, status(remID), "the change's remediation runs")

	require.NoError(t, tmp.Client.CancelWorkflow(ctx, engID, ""))
	require.Eventually(t, func() bool { return status(engID) == enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED },
		time.Minute, 100*time.Millisecond, "the engagement never closed")
	for _, id := range []string{progID, remID, gapID} {
		require.Eventually(t, func() bool { return status(id) == enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED },
			time.Minute, 100*time.Millisecond, "%s outlived the closed engagement", id)
	}
	// Nothing of the engagement still runs, the programme waiting for its
	// report included (programme-ends-on-cancel): no prompt, gap or
	// remediation chases anyone.
	query := fmt.Sprintf("%s = '%s' AND ExecutionStatus = 'Running'", searchattr.Engagement.GetName(), spec.ID)
	var running []string
	require.Eventually(t, func() bool {
		resp, err := tmp.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		require.NoError(t, err)
		running = running[:0]
		for _, e := range resp.GetExecutions() {
			running = append(running, e.GetExecution().GetWorkflowId())
		}
		return len(running) == 0
	}, time.Minute, 200*time.Millisecond, "still running after the close: %v", running)
	assert.Empty(t, running)
	if updateHistories() {
		saveHistory(t, history(t, ctx, tmp.Client, engID, ""), "engagement_closed_programme_round_remediation.json")
		saveHistory(t, history(t, ctx, tmp.Client, progID, ""), "programme_closed_awaiting_report.json")
	}
}
