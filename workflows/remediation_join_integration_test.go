package workflows

import (
	"context"
	"slices"
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

// TestChangeRoundJoinsRemediationForReal: remediation of ACC-04 runs (dev
// server, Postgres, real activities). A forged gaps-found signal joins
// nothing: the register holds no new gap. Then a change's round assesses
// one control, whose owner answers "missing"; the round rebuilds the
// register and tells the remediation, which takes the new gap on — its
// item opened with its owner, counted in the progress — and completes only
// once both gaps are closed. STEADFAST_UPDATE_HISTORIES=1 records the
// remediation (versionRemediationJoin) and the round
// (versionRoundTellsRemediation).
func TestChangeRoundJoinsRemediationForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal and Postgres")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	spec, plan := recordedSpec(ctx, t, db, nil)
	const queue = "steadfast-remediation-join"
	acts := &activities.Activities{Store: db.Store, Temporal: tmp.Client}
	realWorker(t, tmp, queue, acts)

	// The first assessment's answers: every control in place but ACC-04.
	planned, err := acts.PlanAssessment(ctx, activities.PlanAssessmentInput{Spec: spec})
	require.NoError(t, err)
	i := slices.IndexFunc(planned.Controls, func(c activities.ControlToAssess) bool { return c.ControlID != "ACC-04" })
	changed := planned.Controls[i]
	for _, c := range planned.Controls {
		as := compliance.ControlAssessment{EngagementID: spec.ID, ControlID: c.ControlID, OwnerEmail: c.Owner.Email,
			Status: "implemented", EvidenceExists: true, Sampleable: true}
		if c.ControlID == "ACC-04" {
			as.Status, as.EvidenceExists, as.Sampleable = "missing", false, false
		}
		require.NoError(t, db.Store.RecordAssessment(ctx, as))
	}

	in := remediationInput(t, "ACC-04")
	in.Spec = spec
	id := RemediationWorkflowID(spec.ID)
	_, err = tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE}, RemediationWorkflowName, in)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(progressOf(ctx, tmp.Client, id).Open) == 1 }, time.Minute, 100*time.Millisecond)

	// Forged: anyone with Temporal access can send it; nothing is new.
	require.NoError(t, tmp.Client.SignalWorkflow(ctx, id, "", SignalGapsFound, GapsFound{Round: "forged"}))

	// The change's round: one control, its owner says it is missing.
	round := "tailoring-test"
	assessment := GapAssessmentWorkflowID(spec.ID) + "/" + round
	_, err = tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: assessment, TaskQueue: queue}, GapAssessmentWorkflowName,
		GapAssessmentInput{EngagementID: spec.ID, Spec: spec, Plan: &plan, Revision: 2, Only: []string{changed.ControlID}, Round: round})
	require.NoError(t, err)
	question := PromptWorkflowID(spec.ID, assessmentPromptGroup+round+"/"+changed.ControlID)
	require.Eventually(t, func() bool {
		h, err := tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: question, UpdateID: "answer",
			UpdateName: UpdateAnswerPrompt, WaitForStage: client.WorkflowUpdateStageCompleted,
			Args: []any{AnswerPromptRequest{Choice: AssessMissing, Actor: cli(changed.Owner.Email)}}})
		return err == nil && h.Get(ctx, nil) == nil
	}, time.Minute, 200*time.Millisecond, "the owner answers the round's question")
	var res GapAssessmentResult
	require.NoError(t, tmp.Client.GetWorkflow(ctx, assessment, "").Get(ctx, &res))

	require.Eventually(t, func() bool { return len(progressOf(ctx, tmp.Client, id).Open) == 2 }, time.Minute, 100*time.Millisecond,
		"the round's gap never joined the remediation")
	p := progressOf(ctx, tmp.Client, id)
	assert.Equal(t, 2, p.Gaps)
	assert.ElementsMatch(t, []string{"ACC-04", changed.ControlID}, p.Open)
	owners := map[string]string{}
	require.Eventually(t, func() bool {
		items, err := db.Store.Items(ctx, spec.ID)
		require.NoError(t, err)
		for _, it := range items {
			owners[it.ControlID] = it.OwnerEmail
		}
		return len(owners) == 2
	}, time.Minute, 100*time.Millisecond, "the new gap's item is opened")
	assert.Equal(t, map[string]string{"ACC-04": delegateEmail, changed.ControlID: changed.Owner.Email}, owners,
		"one item per gap, the new one with its owner; the forged signal opened none")

	for _, c := range []string{"ACC-04", changed.ControlID} {
		h, err := tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: GapWorkflowID(spec.ID, c), UpdateID: "close",
			UpdateName: UpdateCompleteGap, WaitForStage: client.WorkflowUpdateStageCompleted,
			Args: []any{CompleteGapRequest{Actor: cli(leadEmail), Evidence: "https://drive.example/" + c}}})
		require.NoError(t, err)
		require.NoError(t, h.Get(ctx, nil))
	}
	var out RemediationResult
	require.NoError(t, tmp.Client.GetWorkflow(ctx, id, "").Get(ctx, &out))
	assert.Equal(t, RemediationResult{Verified: 2}, out, "remediation completed with the change's gap closed too")

	if updateHistories() {
		saveHistory(t, history(t, ctx, tmp.Client, id, ""), "remediation_joined_change_gap.json")
		saveHistory(t, history(t, ctx, tmp.Client, assessment, ""), "gap_assessment_round_tells_remediation.json")
	}
}
