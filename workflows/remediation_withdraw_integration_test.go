package workflows

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/jira"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// TestTailoringWithdrawsGapFromRemediationForReal: an engagement is in
// remediation (dev server, Postgres, the Jira emulator) with two gaps,
// ACC-04 and GOV-07, each with its item, Jira ticket and owner being
// chased. A forged withdraw-gaps signal naming ACC-04 changes nothing and
// is recorded as signal-ignored. Then the consultant makes GOV-07 not
// applicable and the lead approves: GOV-07's gap workflow is cancelled,
// its owner's prompt closes as withdrawn, its item reads withdrawn with a
// note naming the change and the lead, its ticket is commented on and
// done, and the withdrawal is in the engagement's log; ACC-04 stays open.
// Remediation then completes once ACC-04 alone is closed.
// STEADFAST_UPDATE_HISTORIES=1 records the engagement's run
// (versionTailoringWithdrawGaps) and the remediation's
// (versionRemediationWithdraw).
func TestTailoringWithdrawsGapFromRemediationForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal and Postgres")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	spec, plan := recordedSpec(ctx, t, db, nil)
	require.NotEmpty(t, spec.Integrations.JiraProject)
	emu, jc := jiraForReal(t, spec)
	const queue = "steadfast-withdraw-gaps"
	realWorker(t, tmp, queue, &activities.Activities{Store: db.Store, Temporal: tmp.Client, Jira: jc})

	id := EngagementWorkflowID(spec.ID)
	now := time.Now().UTC()
	gaps := []activities.RegisterEntry{
		{ControlID: "ACC-04", Title: "Access reviews", Rank: 1, Status: "missing", Owner: delegateEmail},
		{ControlID: "GOV-07", Title: "Org chart", Rank: 2, Status: "missing", Owner: ownerEmail},
	}
	st := &EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Spec: spec, Plan: &plan, Phase: compliance.PhaseRemediation,
		Revision: 1, StartedAt: now, UpdatedAt: now, Gaps: gaps, RemediationDue: now.Add(48 * time.Hour)}
	run, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE},
		EngagementWorkflowName, EngagementInput{Spec: spec, StartedBy: "test", State: st, Test: &TestHooks{StopAt: compliance.PhaseOperating}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tmp.Client.TerminateWorkflow(context.Background(), id, "", "test over") })

	acc04, gov07 := GapWorkflowID(spec.ID, "ACC-04"), GapWorkflowID(spec.ID, "GOV-07")
	// Both gaps are chased (due in two days): their owners' prompts open.
	waitPromptKeyed(ctx, t, db, spec.ID, "fix/ACC-04", "ACC-04's owner is never chased")
	fixGOV07 := waitPromptKeyed(ctx, t, db, spec.ID, "fix/GOV-07", "GOV-07's owner is never chased")
	var ticket string
	require.Eventually(t, func() bool {
		it := itemOf(ctx, t, db, spec.ID, gov07)
		if it != nil {
			ticket = it.TicketKey
		}
		return ticket != "" && itemOf(ctx, t, db, spec.ID, acc04) != nil
	}, time.Minute, 100*time.Millisecond, "the gaps' items and tickets are opened")

	// A forged hint: ACC-04 is in scope by the stored spec.
	remediation := RemediationWorkflowID(spec.ID)
	require.NoError(t, tmp.Client.SignalWorkflow(ctx, remediation, "", SignalWithdrawGaps,
		WithdrawGaps{ChangeID: "tailoring-forged", Controls: []string{"ACC-04"}}))

	next := spec.Tailoring
	next.Controls = maps.Clone(spec.Tailoring.Controls)
	if next.Controls == nil {
		next.Controls = map[string]compliance.ControlTailoring{}
	}
	next.Controls["GOV-07"] = compliance.ControlTailoring{NotApplicable: true, Justification: "the org chart is the HR system's live view"}
	h, err := tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateID: "tailoring/gov-07",
		UpdateName: UpdateChangeTailoring, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{ChangeTailoringRequest{Tailoring: next, Actor: cli(delegateEmail)}}})
	require.NoError(t, err)
	var ch ScopeChange
	require.NoError(t, h.Get(ctx, &ch))
	asked := waitPromptKeyed(ctx, t, db, spec.ID, changePromptKey(ch), "the lead is never asked about the change")
	ans, err := tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: asked.ID, UpdateID: "approve",
		UpdateName: UpdateAnswerPrompt, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{AnswerPromptRequest{Choice: "approve", Actor: cli(leadEmail), Channel: "cli"}}})
	require.NoError(t, err)
	require.NoError(t, ans.Get(ctx, nil))

	// GOV-07 is withdrawn: item, workflow, prompt, ticket, log.
	var item *postgres.RemediationItem
	require.Eventually(t, func() bool {
		item = itemOf(ctx, t, db, spec.ID, gov07)
		return item != nil && item.Status == compliance.ItemWithdrawn
	}, time.Minute, 200*time.Millisecond, "GOV-07's item is never withdrawn")
	assert.Equal(t, compliance.GapWithdrawnNote(ch.ID, "GOV-07", leadEmail, "the org chart is the HR system's live view"), item.Note)
	assert.Contains(t, item.Note, ch.ID)
	assert.Contains(t, item.Note, "approved by "+leadEmail)
	assert.Empty(t, item.EvidenceLink, "withdrawn, not closed with evidence")
	require.Eventually(t, func() bool {
		d, err := tmp.Client.DescribeWorkflow(ctx, gov07, "")
		return err == nil && d.RawResponse.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED
	}, time.Minute, 200*time.Millisecond, "GOV-07's gap workflow is cancelled")
	require.Eventually(t, func() bool {
		ps, err := db.Store.Prompts(ctx, compliance.PromptFilter{EngagementID: spec.ID, Status: compliance.PromptWithdrawn})
		require.NoError(t, err)
		return slices.ContainsFunc(ps, func(p compliance.Prompt) bool { return p.ID == fixGOV07.ID })
	}, time.Minute, 200*time.Millisecond, "GOV-07's owner prompt is withdrawn")
	tk, ok := emu.Issue(ticket)
	require.True(t, ok)
	assert.Equal(t, jira.CategoryDone, tk.Category, "the withdrawn gap's ticket is closed")
	events, err := db.Store.Events(ctx, spec.ID)
	require.NoError(t, err)
	assert.True(t, slices.ContainsFunc(events, func(e postgres.Event) bool {
		return e.Kind == compliance.EventItemWithdrawn && e.Detail["change"] == ch.ID && e.Actor == leadEmail
	}), "the withdrawal is in the engagement's log")
	assert.True(t, slices.ContainsFunc(events, func(e postgres.Event) bool {
		return e.Kind == compliance.EventSignalIgnored && e.Detail["signal"] == SignalWithdrawGaps
	}), "the forged hint is recorded as ignored")

	// ACC-04 is untouched; closing it completes remediation.
	first := itemOf(ctx, t, db, spec.ID, acc04)
	require.NotNil(t, first)
	assert.Equal(t, compliance.ItemOpen, first.Status, "the forged hint withdrew nothing")
	d, err := tmp.Client.DescribeWorkflow(ctx, acc04, "")
	require.NoError(t, err)
	assert.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, d.RawResponse.GetWorkflowExecutionInfo().GetStatus())
	closeForReal(ctx, t, tmp.Client, acc04, "https://drive.example/acc-04")
	var out RemediationResult
	require.NoError(t, tmp.Client.GetWorkflow(ctx, remediation, "").Get(ctx, &out))
	assert.Equal(t, RemediationResult{Verified: 1, Withdrawn: 1, WithdrawnGaps: []string{"GOV-07"}}, out)
	require.NoError(t, tmp.Client.GetWorkflow(ctx, id, run.GetRunID()).Get(ctx, nil), "the engagement moves on")
	item = itemOf(ctx, t, db, spec.ID, gov07)
	require.NotNil(t, item)
	assert.Equal(t, compliance.ItemWithdrawn, item.Status, "still withdrawn")

	if updateHistories() {
		saveHistory(t, history(t, ctx, tmp.Client, id, run.GetRunID()), "engagement_tailoring_withdraw_gaps.json")
		saveHistory(t, history(t, ctx, tmp.Client, remediation, ""), "remediation_withdrawn_gap.json")
	}
}
