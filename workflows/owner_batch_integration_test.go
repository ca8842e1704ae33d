package workflows

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// TestOwnerBatchesForReal runs the scheduler on the dev server with
// Postgres on the test cadence, for two controls with one owner: each tick
// the owner gets one batch (versionOwnerBatches) whose items are prompt
// rows of their own. One item is answered through a raw Temporal client
// the way the CLI sends it (the batch's update naming the item); its row
// is answered and its evidence recorded against its own occurrence, while
// the other item stays open. An outsider is refused by the validator.
//
// STEADFAST_UPDATE_HISTORIES=1 records the scheduler's history
// (operating_owner_batches.json) and the batch's (owner_batch.json).
func TestOwnerBatchesForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal and Postgres")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	spec, plan := recordedSpec(ctx, t, db, nil)
	const queue = "steadfast-owner-batches"
	realWorker(t, tmp, queue, &activities.Activities{Store: db.Store, Temporal: tmp.Client})

	id := OperatingWorkflowID(spec.ID)
	run, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE}, OperatingWorkflowName, OperatingInput{
		EngagementID: spec.ID, Spec: spec, Plan: plan, Revision: 1,
		Test: &TestHooks{OperatingTick: 3 * time.Second, OperatingControls: []string{"ACC-08", "ACC-04"}}})
	require.NoError(t, err)
	defer func() { _ = tmp.Client.TerminateWorkflow(context.Background(), id, "", "test over") }()

	// The first batch: two items, each a prompt row of its own.
	var items []compliance.Prompt
	require.Eventually(t, func() bool {
		ps, err := db.Store.Prompts(ctx, compliance.PromptFilter{EngagementID: spec.ID})
		require.NoError(t, err)
		byBatch := map[string][]compliance.Prompt{}
		for _, p := range ps {
			if batch, ok := compliance.BatchOfItem(p.ID); ok {
				byBatch[batch] = append(byBatch[batch], p)
			}
		}
		for _, b := range byBatch {
			if len(b) == 2 {
				items = b
				return true
			}
		}
		return false
	}, time.Minute, 200*time.Millisecond, "no batch of two items was asked")
	batch, _ := compliance.BatchOfItem(items[0].ID)
	owner := items[0].AddresseeEmail
	assert.Equal(t, owner, items[1].AddresseeEmail)

	send := func(updateID, item, as string) error {
		h, err := tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: batch, UpdateID: updateID, UpdateName: UpdateAnswerBatchItem,
			Args: []any{AnswerBatchItemRequest{Item: item, AnswerPromptRequest: AnswerPromptRequest{Choice: "evidence",
				Link: "https://wiki.example/" + updateID, Actor: cli(as)}}}, WaitForStage: client.WorkflowUpdateStageCompleted})
		if err != nil {
			return err
		}
		return h.Get(ctx, nil)
	}
	err = send("outsider", items[0].ID, "someone@brightlane.io")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "may not answer")
	require.NoError(t, send("answer-1", items[0].ID, owner))

	ps, err := db.Store.Prompts(ctx, compliance.PromptFilter{EngagementID: spec.ID})
	require.NoError(t, err)
	status := map[string]string{}
	for _, p := range ps {
		status[p.ID] = p.Status
	}
	assert.Equal(t, compliance.PromptAnswered, status[items[0].ID])
	assert.Equal(t, compliance.PromptOpen, status[items[1].ID], "the other item is still open")
	evs, err := db.Store.EvidenceFor(ctx, spec.ID)
	require.NoError(t, err)
	require.Len(t, evs, 1)
	assert.Equal(t, strings.TrimPrefix(items[0].Key, "evidence/"), evs[0].OccurrenceKey)

	// Caught up, the scheduler sleeps to its next batch: record both then.
	h := history(t, ctx, tmp.Client, id, run.GetRunID())
	require.Eventually(t, func() bool {
		h = history(t, ctx, tmp.Client, id, run.GetRunID())
		return h.Events[len(h.Events)-1].GetEventType() == enumspb.EVENT_TYPE_TIMER_STARTED
	}, time.Minute, 200*time.Millisecond, "the scheduler never caught up")
	started := 0
	for _, ev := range h.Events {
		if ev.GetStartChildWorkflowExecutionInitiatedEventAttributes().GetWorkflowType().GetName() == OwnerBatchWorkflowName {
			started++
		}
	}
	assert.Positive(t, started, "the scheduler started owner batches")
	if updateHistories() {
		saveHistory(t, h, "operating_owner_batches.json")
		saveHistory(t, history(t, ctx, tmp.Client, batch, ""), "owner_batch.json")
	}
}
