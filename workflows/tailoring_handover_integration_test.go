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

// TestTailoringChangeSurvivesHandOversForReal: on the dev server, with
// Postgres, an engagement in fieldwork hands over to a new run every few
// seconds (TestHooks.RunAge). A tailoring change is proposed; the run hands
// over while the lead's question is open; the lead answers it (the same
// question, asked once) to a later run, which finds it by its workflow ID
// through the Temporal client (activities.WorkflowOutcome), stores the
// spec and starts the re-assessment; the run hands over again while the
// new owner has not answered; once the owner answers, the run of the day
// finds the assessment's end and the change reads "assessed" with its gap.
//
// STEADFAST_UPDATE_HISTORIES=1 records the run that asked the lead and
// handed over, and the run that read the lead's answer and started the
// assessment (versionChangeHandOver's branch), for the replay test.
func TestTailoringChangeSurvivesHandOversForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal and Postgres")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	spec, plan := recordedSpec(ctx, t, db, nil)

	const queue = "steadfast-tailoring-handover"
	realWorker(t, tmp, queue, &activities.Activities{Store: db.Store, Temporal: tmp.Client})

	id := EngagementWorkflowID(spec.ID)
	now := time.Now().UTC()
	st := &EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Spec: spec, Plan: &plan, Phase: compliance.PhaseFieldwork,
		Revision: 1, StartedAt: now, UpdatedAt: now}
	first, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE},
		EngagementWorkflowName, EngagementInput{Spec: spec, StartedBy: "test", State: st, Test: &TestHooks{RunAge: 6 * time.Second}})
	require.NoError(t, err)
	defer func() { _ = tmp.Client.CancelWorkflow(context.Background(), id, "") }()

	status := func() (EngagementStatus, bool) {
		v, err := tmp.Client.QueryWorkflow(ctx, id, "", QueryStatus)
		var s EngagementStatus
		return s, err == nil && v.Get(&s) == nil
	}
	h, err := tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateID: "tailoring/1",
		UpdateName: UpdateChangeTailoring, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{ChangeTailoringRequest{Tailoring: newOwnerTailoring, Actor: cli(delegateEmail)}}})
	require.NoError(t, err)
	var ch ScopeChange
	require.NoError(t, h.Get(ctx, &ch))
	assert.Equal(t, []string{"ACC-02"}, ch.NewControls)

	// The lead's question opens, and the run hands over while it is open.
	promptID := PromptWorkflowID(spec.ID, changePromptKey(ch))
	waitPrompt := func(key, why string) compliance.Prompt { return waitPromptKeyed(ctx, t, db, spec.ID, key, why) }
	asked := waitPrompt(changePromptKey(ch), "the lead's question never opened")
	assert.Equal(t, promptID, asked.ID)
	assert.Equal(t, leadEmail, asked.AddresseeEmail)
	asker := runStarting(t, ctx, tmp.Client, id, first.GetRunID(), promptID)
	var s EngagementStatus
	require.Eventually(t, func() bool {
		var ok bool
		s, ok = status()
		return ok && s.Runs > asker
	}, time.Minute, 100*time.Millisecond, "the run never handed over while the lead's question was open")
	require.Len(t, s.Changes, 1)
	assert.Equal(t, ChangeProposed, s.Changes[0].Status)
	assert.True(t, s.Changes[0].LeadAsked)

	// The lead approves, to a run that did not ask.
	ans, err := tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: promptID, UpdateID: "approve",
		UpdateName: UpdateAnswerPrompt, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{AnswerPromptRequest{Choice: "approve", Actor: cli(leadEmail), Channel: "cli"}}})
	require.NoError(t, err)
	require.NoError(t, ans.Get(ctx, nil))

	// The re-assessment asks the new owner; the run hands over again
	// before the owner answers.
	round := assessmentPromptGroup + ch.ID + "/"
	ownerQ := waitPrompt(round+"ACC-02", "the re-assessment never asked the new owner")
	assert.Equal(t, ownerEmail, ownerQ.AddresseeEmail)
	starter := runStarting(t, ctx, tmp.Client, id, first.GetRunID(), changeAssessmentWorkflowID(spec.ID, ch.ID))
	require.Greater(t, starter, asker, "the run that asked the lead did not start the assessment")
	require.Eventually(t, func() bool {
		var ok bool
		s, ok = status()
		return ok && len(s.Changes) == 1 && s.Changes[0].Status == ChangeApproved && s.Runs > starter
	}, time.Minute, 100*time.Millisecond, "the run never handed over while the re-assessment ran (last %+v)", s)

	ans, err = tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: ownerQ.ID, UpdateID: "missing",
		UpdateName: UpdateAnswerPrompt, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{AnswerPromptRequest{Choice: AssessMissing, Actor: cli(ownerEmail), Channel: "cli"}}})
	require.NoError(t, err)
	require.NoError(t, ans.Get(ctx, nil))
	require.Eventually(t, func() bool {
		var ok bool
		s, ok = status()
		return ok && len(s.Changes) == 1 && s.Changes[0].Status == ChangeAssessed
	}, time.Minute, 100*time.Millisecond, "the change never read assessed (last %+v)", s)
	assert.Equal(t, 1, s.Changes[0].Gaps, "the control the owner says is not in place")
	assert.Greater(t, s.Runs, starter, "a later run than the one that started the assessment")

	// Asked once, carried out once, assessed once.
	ps, err := db.Store.Prompts(ctx, compliance.PromptFilter{EngagementID: spec.ID})
	require.NoError(t, err)
	leadQs, ownerQs := 0, 0
	for _, p := range ps {
		switch {
		case p.Key == changePromptKey(ch):
			leadQs++
		case strings.HasPrefix(p.Key, round):
			ownerQs++
		}
	}
	assert.Equal(t, 1, leadQs, "the lead is asked once")
	assert.Equal(t, 1, ownerQs, "the owner is asked once")
	recorded, _, err := db.Store.SpecAndPlan(ctx, spec.ID)
	require.NoError(t, err)
	assert.Equal(t, newOwnerTailoring, recorded.Tailoring)

	// Each child was started once, by one run: the lead's question by the
	// first (abandoned, so it outlived the run), the assessment by a later.
	runs := runChain(t, ctx, tmp.Client, id, first.GetRunID())
	assert.Equal(t, asker, runStarting(t, ctx, tmp.Client, id, first.GetRunID(), promptID))
	assert.Equal(t, starter, runStarting(t, ctx, tmp.Client, id, first.GetRunID(), changeAssessmentWorkflowID(spec.ID, ch.ID)))
	for _, ev := range history(t, ctx, tmp.Client, id, runs[asker]).Events {
		if a := ev.GetStartChildWorkflowExecutionInitiatedEventAttributes(); a != nil && a.GetWorkflowId() == promptID {
			assert.Equal(t, enumspb.PARENT_CLOSE_POLICY_ABANDON, a.GetParentClosePolicy())
		}
	}
	if updateHistories() {
		saveHistory(t, history(t, ctx, tmp.Client, id, runs[asker]), "engagement_tailoring_change_lead_handover.json")
		saveHistory(t, history(t, ctx, tmp.Client, id, runs[starter]), "engagement_tailoring_change_assessment_handover.json")
	}
}

// runChain lists a workflow's runs from the given one, following each
// continue-as-new to the run it started.
func runChain(t *testing.T, ctx context.Context, c client.Client, workflowID, runID string) []string {
	t.Helper()
	var runs []string
	for runID != "" {
		runs = append(runs, runID)
		hist := history(t, ctx, c, workflowID, runID)
		last := hist.Events[len(hist.Events)-1]
		runID = last.GetWorkflowExecutionContinuedAsNewEventAttributes().GetNewExecutionRunId()
	}
	return runs
}

// runStarting is the index (from 0, the first run) of the one run that
// started the child with this workflow ID; it fails if none or several did.
func runStarting(t *testing.T, ctx context.Context, c client.Client, workflowID, firstRun, childID string) int {
	t.Helper()
	found := -1
	for i, run := range runChain(t, ctx, c, workflowID, firstRun) {
		for _, ev := range history(t, ctx, c, workflowID, run).Events {
			if ev.GetStartChildWorkflowExecutionInitiatedEventAttributes().GetWorkflowId() == childID {
				require.Equal(t, -1, found, "%s was started by two runs", childID)
				found = i
			}
		}
	}
	require.GreaterOrEqual(t, found, 0, "no run started %s", childID)
	return found
}
