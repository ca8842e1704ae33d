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
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/jira"
	"github.com/steadfast-grc/steadfast/integrations/jira/jiraemu"
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
	f := twoGapsInRemediationForReal(ctx, t, "steadfast-withdraw-gaps", TestHooks{}, nil)
	db, tmp, spec := f.db, f.tmp, f.spec

	// Both gaps are chased (due in two days): their owners' prompts open.
	waitPromptKeyed(ctx, t, db, spec.ID, "fix/ACC-04", "ACC-04's owner is never chased")
	fixGOV07 := waitPromptKeyed(ctx, t, db, spec.ID, "fix/GOV-07", "GOV-07's owner is never chased")
	var ticket string
	require.Eventually(t, func() bool {
		it := itemOf(ctx, t, db, spec.ID, f.gov07)
		if it != nil {
			ticket = it.TicketKey
		}
		return ticket != "" && itemOf(ctx, t, db, spec.ID, f.acc04) != nil
	}, time.Minute, 100*time.Millisecond, "the gaps' items and tickets are opened")

	// A forged hint: ACC-04 is in scope by the stored spec.
	require.NoError(t, tmp.Client.SignalWorkflow(ctx, f.remediation, "", SignalWithdrawGaps,
		WithdrawGaps{ChangeID: "tailoring-forged", Controls: []string{"ACC-04"}}))

	ch := f.makeGOV07NotApplicable(ctx, t)

	// GOV-07 is withdrawn: item, workflow, prompt, ticket, log.
	f.waitGOV07Withdrawn(ctx, t, ch)
	require.Eventually(t, func() bool {
		ps, err := db.Store.Prompts(ctx, compliance.PromptFilter{EngagementID: spec.ID, Status: compliance.PromptWithdrawn})
		require.NoError(t, err)
		return slices.ContainsFunc(ps, func(p compliance.Prompt) bool { return p.ID == fixGOV07.ID })
	}, time.Minute, 200*time.Millisecond, "GOV-07's owner prompt is withdrawn")
	tk, ok := f.emu.Issue(ticket)
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
	first := itemOf(ctx, t, db, spec.ID, f.acc04)
	require.NotNil(t, first)
	assert.Equal(t, compliance.ItemOpen, first.Status, "the forged hint withdrew nothing")
	d, err := tmp.Client.DescribeWorkflow(ctx, f.acc04, "")
	require.NoError(t, err)
	assert.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, d.RawResponse.GetWorkflowExecutionInfo().GetStatus())
	f.closeACC04AndFinish(ctx, t)

	if updateHistories() {
		saveHistory(t, history(t, ctx, tmp.Client, f.id, f.runID), "engagement_tailoring_withdraw_gaps.json")
		saveHistory(t, history(t, ctx, tmp.Client, f.remediation, ""), "remediation_withdrawn_gap.json")
	}
}

// TestWithdrawalWaitsForTheItemForReal: as above, but Jira refuses (503)
// to create GOV-07's ticket, so its gap workflow's OpenRemediation keeps
// retrying and its item is not recorded when the approved change's
// withdraw-gaps hint is acted on. The remediation keeps the confirmed
// withdrawal pending and arms its retry timer (Test.WithdrawRetry, not a
// minute). Jira recovers, the ticket and item are created, and the next
// try withdraws the item with the change's note and cancels the gap
// workflow; remediation completes once ACC-04 is closed.
// STEADFAST_UPDATE_HISTORIES=1 records the remediation's run (the
// not-recorded path of versionRemediationWithdraw: the retry timer, the
// withdrawal tried again).
func TestWithdrawalWaitsForTheItemForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal and Postgres")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	const retry = 2 * time.Second
	f := twoGapsInRemediationForReal(ctx, t, "steadfast-withdraw-pending", TestHooks{WithdrawRetry: retry},
		func(emu *jiraemu.Emulator) { emu.RefuseCreates("GOV-07", time.Second) })
	db, tmp, spec := f.db, f.tmp, f.spec

	// ACC-04's item and ticket are opened; GOV-07's ticket is refused, so
	// its item is not recorded.
	waitPromptKeyed(ctx, t, db, spec.ID, "fix/ACC-04", "ACC-04's owner is never chased")
	require.Eventually(t, func() bool {
		it := itemOf(ctx, t, db, spec.ID, f.acc04)
		return it != nil && it.TicketKey != ""
	}, time.Minute, 100*time.Millisecond, "ACC-04's item and ticket are opened")
	require.Eventually(t, func() bool { return refusedCreates(f.emu) > 0 }, time.Minute, 100*time.Millisecond,
		"GOV-07's ticket is never asked for")
	require.Nil(t, itemOf(ctx, t, db, spec.ID, f.gov07), "GOV-07's item waits for its ticket")

	ch := f.makeGOV07NotApplicable(ctx, t)

	// The hint is acted on: the withdrawal is confirmed, its item is not
	// there, and the retry timer is armed.
	require.Eventually(t, func() bool {
		return retryArmed(history(t, ctx, tmp.Client, f.remediation, ""), retry)
	}, time.Minute, 200*time.Millisecond, "the remediation never tries to withdraw GOV-07 and arms no retry")
	require.Nil(t, itemOf(ctx, t, db, spec.ID, f.gov07), "Jira still refuses GOV-07's ticket")
	d, err := tmp.Client.DescribeWorkflow(ctx, f.gov07, "")
	require.NoError(t, err)
	require.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, d.RawResponse.GetWorkflowExecutionInfo().GetStatus(),
		"GOV-07's gap workflow still opens its item")

	// Jira recovers: the ticket and item are created, and the pending
	// withdrawal withdraws the item on its next try.
	f.emu.StopFailing()
	item := f.waitGOV07Withdrawn(ctx, t, ch)
	require.NotEmpty(t, item.TicketKey, "the item was opened with its ticket once Jira recovered")
	require.Eventually(t, func() bool {
		tk, ok := f.emu.Issue(item.TicketKey)
		return ok && tk.Category == jira.CategoryDone
	}, time.Minute, 200*time.Millisecond, "the withdrawn gap's ticket is closed")
	f.closeACC04AndFinish(ctx, t)

	h := history(t, ctx, tmp.Client, f.remediation, "")
	assert.True(t, retryArmed(h, retry), "the retry timer")
	assert.Equal(t, 1, scheduled(h, "CheckWithdrawal"), "a pending withdrawal is not checked again")
	assert.GreaterOrEqual(t, scheduled(h, "WithdrawRemediation"), 2, "tried, then tried again once the item is recorded")
	if updateHistories() {
		saveHistory(t, h, "remediation_withdraw_pending_item.json")
	}
}

// twoGapsFixture is an engagement in remediation (dev server, Postgres,
// the Jira emulator) with two gaps, ACC-04 and GOV-07, each with its gap
// workflow.
type twoGapsFixture struct {
	db                        testenv.Database
	tmp                       testenv.Temporal
	emu                       *jiraemu.Emulator
	spec                      compliance.Spec
	id, runID                 string
	acc04, gov07, remediation string
}

// twoGapsInRemediationForReal starts the engagement in remediation, with
// hooks (StopAt set to the operating phase) and a real worker on queue;
// jiraFirst, when given, sets up the emulator before anything calls it.
// The test's end terminates the engagement.
func twoGapsInRemediationForReal(ctx context.Context, t *testing.T, queue string, hooks TestHooks, jiraFirst func(*jiraemu.Emulator)) twoGapsFixture {
	t.Helper()
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	spec, plan := recordedSpec(ctx, t, db, nil)
	require.NotEmpty(t, spec.Integrations.JiraProject)
	emu, jc := jiraForReal(t, spec)
	if jiraFirst != nil {
		jiraFirst(emu)
	}
	realWorker(t, tmp, queue, &activities.Activities{Store: db.Store, Temporal: tmp.Client, Jira: jc})

	id := EngagementWorkflowID(spec.ID)
	now := time.Now().UTC()
	gaps := []activities.RegisterEntry{
		{ControlID: "ACC-04", Title: "Access reviews", Rank: 1, Status: "missing", Owner: delegateEmail},
		{ControlID: "GOV-07", Title: "Org chart", Rank: 2, Status: "missing", Owner: ownerEmail},
	}
	st := &EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Spec: spec, Plan: &plan, Phase: compliance.PhaseRemediation,
		Revision: 1, StartedAt: now, UpdatedAt: now, Gaps: gaps, RemediationDue: now.Add(48 * time.Hour)}
	hooks.StopAt = compliance.PhaseOperating
	run, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE},
		EngagementWorkflowName, EngagementInput{Spec: spec, StartedBy: "test", State: st, Test: &hooks})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tmp.Client.TerminateWorkflow(context.Background(), id, "", "test over") })
	return twoGapsFixture{db: db, tmp: tmp, emu: emu, spec: spec, id: id, runID: run.GetRunID(),
		acc04: GapWorkflowID(spec.ID, "ACC-04"), gov07: GapWorkflowID(spec.ID, "GOV-07"), remediation: RemediationWorkflowID(spec.ID)}
}

// makeGOV07NotApplicable is the consultant's change making GOV-07 not
// applicable, approved by the lead; it returns the change.
func (f twoGapsFixture) makeGOV07NotApplicable(ctx context.Context, t *testing.T) ScopeChange {
	t.Helper()
	next := f.spec.Tailoring
	next.Controls = maps.Clone(f.spec.Tailoring.Controls)
	if next.Controls == nil {
		next.Controls = map[string]compliance.ControlTailoring{}
	}
	next.Controls["GOV-07"] = compliance.ControlTailoring{NotApplicable: true, Justification: "the org chart is the HR system's live view"}
	h, err := f.tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: f.id, UpdateID: "tailoring/gov-07",
		UpdateName: UpdateChangeTailoring, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{ChangeTailoringRequest{Tailoring: next, Actor: cli(delegateEmail)}}})
	require.NoError(t, err)
	var ch ScopeChange
	require.NoError(t, h.Get(ctx, &ch))
	asked := waitPromptKeyed(ctx, t, f.db, f.spec.ID, changePromptKey(ch), "the lead is never asked about the change")
	ans, err := f.tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: asked.ID, UpdateID: "approve",
		UpdateName: UpdateAnswerPrompt, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{AnswerPromptRequest{Choice: "approve", Actor: cli(leadEmail), Channel: "cli"}}})
	require.NoError(t, err)
	require.NoError(t, ans.Get(ctx, nil))
	return ch
}

// waitGOV07Withdrawn waits for GOV-07's item to read withdrawn, with the
// change's note, and its gap workflow to end cancelled; it returns the
// item.
func (f twoGapsFixture) waitGOV07Withdrawn(ctx context.Context, t *testing.T, ch ScopeChange) *postgres.RemediationItem {
	t.Helper()
	var item *postgres.RemediationItem
	require.Eventually(t, func() bool {
		item = itemOf(ctx, t, f.db, f.spec.ID, f.gov07)
		return item != nil && item.Status == compliance.ItemWithdrawn
	}, 2*time.Minute, 200*time.Millisecond, "GOV-07's item is never withdrawn")
	assert.Equal(t, compliance.GapWithdrawnNote(ch.ID, "GOV-07", leadEmail, "the org chart is the HR system's live view"), item.Note)
	assert.Contains(t, item.Note, ch.ID)
	assert.Contains(t, item.Note, "approved by "+leadEmail)
	assert.Empty(t, item.EvidenceLink, "withdrawn, not closed with evidence")
	require.Eventually(t, func() bool {
		d, err := f.tmp.Client.DescribeWorkflow(ctx, f.gov07, "")
		return err == nil && d.RawResponse.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED
	}, time.Minute, 200*time.Millisecond, "GOV-07's gap workflow is cancelled")
	return item
}

// closeACC04AndFinish closes ACC-04 with evidence and waits for the
// remediation to complete with GOV-07 withdrawn and the engagement to move
// on; GOV-07's item stays withdrawn.
func (f twoGapsFixture) closeACC04AndFinish(ctx context.Context, t *testing.T) {
	t.Helper()
	closeForReal(ctx, t, f.tmp.Client, f.acc04, "https://drive.example/acc-04")
	var out RemediationResult
	require.NoError(t, f.tmp.Client.GetWorkflow(ctx, f.remediation, "").Get(ctx, &out))
	assert.Equal(t, RemediationResult{Verified: 1, Withdrawn: 1, WithdrawnGaps: []string{"GOV-07"}}, out)
	require.NoError(t, f.tmp.Client.GetWorkflow(ctx, f.id, f.runID).Get(ctx, nil), "the engagement moves on")
	item := itemOf(ctx, t, f.db, f.spec.ID, f.gov07)
	require.NotNil(t, item)
	assert.Equal(t, compliance.ItemWithdrawn, item.Status, "still withdrawn")
}

// refusedCreates counts the issue creates the emulator refused.
func refusedCreates(emu *jiraemu.Emulator) int {
	n := 0
	for _, c := range emu.Calls() {
		if c.Method == "POST" && c.Path == "/rest/api/2/issue" && c.Status == 503 {
			n++
		}
	}
	return n
}

// retryArmed says whether a remediation's history started a timer of
// after once a WithdrawRemediation had completed: a pending withdrawal's
// retry.
func retryArmed(h *historypb.History, after time.Duration) bool {
	withdrawn := map[int64]bool{} // scheduled event IDs of WithdrawRemediation
	tried := false
	for _, ev := range h.Events {
		if s := ev.GetActivityTaskScheduledEventAttributes(); s.GetActivityType().GetName() == "WithdrawRemediation" {
			withdrawn[ev.GetEventId()] = true
		}
		if c := ev.GetActivityTaskCompletedEventAttributes(); c != nil && withdrawn[c.GetScheduledEventId()] {
			tried = true
		}
		if ts := ev.GetTimerStartedEventAttributes(); tried && ts != nil && ts.GetStartToFireTimeout().AsDuration() == after {
			return true
		}
	}
	return false
}

// scheduled counts the activities of this type a history scheduled.
func scheduled(h *historypb.History, activityType string) int {
	n := 0
	for _, ev := range h.Events {
		if ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName() == activityType {
			n++
		}
	}
	return n
}
