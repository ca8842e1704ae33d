package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// TestProgrammeTailoringChangeAcrossCyclesForReal: on the dev server, with
// Postgres, a certified programme waiting for its next report takes a
// tailoring change; the report arrives (the engagement records and
// signals it) while the lead's question is open, and the programme
// continues as new. The lead answers the question to the next run, which
// finds it by its workflow ID (it does not ask again), stores the spec and
// assesses the affected control; once its owner answers, the change reads
// "assessed" with its gap.
//
// STEADFAST_UPDATE_HISTORIES=1 records the first run (the
// tailoring-change-hand-over branch in the programme) for the replay test.
func TestProgrammeTailoringChangeAcrossCyclesForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal and Postgres")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	spec, _ := recordedSpec(ctx, t, db, withISO)
	window := plannedWindow(t, spec, soc2Of2027)

	const queue = "steadfast-programme-tailoring"
	realWorker(t, tmp, queue, &activities.Activities{Store: db.Store, Temporal: tmp.Client})

	id := ProgrammeWorkflowID(spec.ID)
	first, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue},
		ProgrammeWorkflowName, ProgrammeInput{EngagementID: spec.ID, Spec: spec, Certifications: []postcert.Certification{soc2Of2027},
			Cycle: 2, Revision: 1, LastWindow: window, Test: &TestHooks{OperatingControls: []string{"ACC-04"}}})
	require.NoError(t, err)
	defer func() { _ = tmp.Client.TerminateWorkflow(context.Background(), id, "", "test over") }()

	h, err := tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateID: "tailoring/1",
		UpdateName: UpdateChangeTailoring, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{ChangeTailoringRequest{Tailoring: newOwnerTailoring, Actor: cli(leadEmail)}}})
	require.NoError(t, err)
	var ch ScopeChange
	require.NoError(t, h.Get(ctx, &ch))
	promptID := PromptWorkflowID(spec.ID, changePromptKey(ch))
	waitPrompt := func(key, why string) compliance.Prompt { return waitPromptKeyed(ctx, t, db, spec.ID, key, why) }
	waitPrompt(changePromptKey(ch), "the lead's question never opened")

	// The report comes in while the lead has not answered: the run
	// continues as new, carrying the change with its question out.
	require.NoError(t, db.Store.RecordCertification(ctx, postgres.CertificationRow{EngagementID: spec.ID, Framework: isoOf2028.Framework,
		CertifiedOn: isoOf2028.Date, Reference: isoOf2028.Reference, RecordedBy: leadEmail, RecordedAt: time.Now()}))
	require.NoError(t, tmp.Client.SignalWorkflow(ctx, id, "", SignalCertified, isoOf2028))
	require.Eventually(t, func() bool {
		hist := history(t, ctx, tmp.Client, id, first.GetRunID())
		return hist.Events[len(hist.Events)-1].GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
	}, time.Minute, 100*time.Millisecond, "the programme never continued as new")
	desc, err := tmp.Client.DescribeWorkflow(ctx, promptID, "")
	require.NoError(t, err)
	assert.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, desc.RawResponse.GetWorkflowExecutionInfo().GetStatus(),
		"the lead's question outlived the run that asked")

	ans, err := tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: promptID, UpdateID: "approve",
		UpdateName: UpdateAnswerPrompt, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{AnswerPromptRequest{Choice: "approve", Actor: cli(leadEmail), Channel: "cli"}}})
	require.NoError(t, err)
	require.NoError(t, ans.Get(ctx, nil))

	ownerQ := waitPrompt(assessmentPromptGroup+ch.ID+"/ACC-02", "the change's assessment never asked the new owner")
	assert.Equal(t, ownerEmail, ownerQ.AddresseeEmail)
	ans, err = tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: ownerQ.ID, UpdateID: "missing",
		UpdateName: UpdateAnswerPrompt, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{AnswerPromptRequest{Choice: AssessMissing, Actor: cli(ownerEmail), Channel: "cli"}}})
	require.NoError(t, err)
	require.NoError(t, ans.Get(ctx, nil))
	var st ProgrammeState
	require.Eventually(t, func() bool {
		v, err := tmp.Client.QueryWorkflow(ctx, id, "", QueryProgramme)
		return err == nil && v.Get(&st) == nil && len(st.Changes) == 1 && st.Changes[0].Status == ChangeAssessed
	}, time.Minute, 100*time.Millisecond, "the change never read assessed (last %+v)", st)
	assert.Equal(t, 1, st.Changes[0].Gaps)

	ps, err := db.Store.Prompts(ctx, compliance.PromptFilter{EngagementID: spec.ID})
	require.NoError(t, err)
	leadQs := 0
	for _, p := range ps {
		if p.Key == changePromptKey(ch) {
			leadQs++
		}
	}
	assert.Equal(t, 1, leadQs, "the lead is asked once")
	assert.Equal(t, 0, runStarting(t, ctx, tmp.Client, id, first.GetRunID(), promptID), "by the first run")
	assert.Equal(t, 1, runStarting(t, ctx, tmp.Client, id, first.GetRunID(), changeAssessmentWorkflowID(spec.ID, ch.ID)), "assessed by the next")
	recorded, _, err := db.Store.SpecAndPlan(ctx, spec.ID)
	require.NoError(t, err)
	assert.Equal(t, newOwnerTailoring, recorded.Tailoring)
	if updateHistories() {
		saveHistory(t, history(t, ctx, tmp.Client, id, first.GetRunID()), "programme_tailoring_change_handover.json")
	}
}
