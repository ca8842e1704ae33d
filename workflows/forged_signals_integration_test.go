package workflows

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/jira"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// The tests here send, with a plain Temporal client, the signals that
// workflows send each other and that once carried authority, and show
// that a forged one changes nothing (README: "Signals carry no
// authority").

// TestForgedWindowClosedForReal: on the dev server and Postgres, an
// engagement is in its operating window with the scheduler running, and
// has handed over to a new run (so only a report can say the window
// closed, as a month into any window). A plain client reports it closed. The engagement asks Temporal,
// finds the scheduler still running, records the report as ignored, and
// stays operating (in its status and in Postgres); the scheduler runs on.
// STEADFAST_UPDATE_HISTORIES=1 records the engagement's current run (the
// check-window-closed branch).
func TestForgedWindowClosedForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal and Postgres")
	}
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	spec := testSpec(t)
	now := time.Now().UTC()
	today := compliance.DateOf(now)
	first := time.Date(today.Year, today.Month, 1, 0, 0, 0, 0, time.UTC)
	// The window runs for four more months; the audit is after it.
	spec.Frameworks[0].Window = &compliance.ObservationWindow{Start: compliance.DateOf(first.AddDate(0, -2, 0)), End: compliance.DateOf(first.AddDate(0, 4, -1))}
	spec.AuditDate = compliance.DateOf(first.AddDate(0, 6, 0))
	plan, err := compliance.PlanEngagement(&spec, first.AddDate(0, -6, 0))
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: EngagementWorkflowID(spec.ID),
		Revision: 1, Spec: spec, Plan: plan, Phase: compliance.PhaseRemediated, RecordedBy: "test", At: now}))

	const queue = "steadfast-forged-window"
	realWorker(t, tmp, queue, &activities.Activities{Store: db.Store, Temporal: tmp.Client})

	id := EngagementWorkflowID(spec.ID)
	st := &EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Spec: spec, Plan: &plan, Phase: compliance.PhaseRemediated,
		Revision: 1, StartedAt: now, UpdatedAt: now}
	run, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE},
		EngagementWorkflowName, EngagementInput{Spec: spec, StartedBy: "test", State: st,
			Test: &TestHooks{ForceContinueAsNew: true, OperatingControls: []string{"ACC-08"}}})
	require.NoError(t, err)
	defer func() {
		_ = tmp.Client.TerminateWorkflow(context.Background(), id, "", "test over")
		_ = tmp.Client.TerminateWorkflow(context.Background(), OperatingWorkflowID(spec.ID), "", "test over")
	}()
	require.Eventually(t, func() bool {
		d, err := tmp.Client.DescribeWorkflow(ctx, OperatingWorkflowID(spec.ID), "")
		return err == nil && d.RawResponse.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
	}, time.Minute, 100*time.Millisecond, "the scheduler never started")
	require.Eventually(t, func() bool {
		d, err := tmp.Client.DescribeWorkflow(ctx, id, run.GetRunID())
		return err == nil && d.RawResponse.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW
	}, time.Minute, 100*time.Millisecond, "the first run never handed over")

	// A plain client claims the window has closed.
	require.NoError(t, tmp.Client.SignalWorkflow(ctx, id, "", SignalPhaseProgress,
		PhaseProgress{Phase: compliance.PhaseOperated, Revision: 1, At: time.Now()}))
	require.Eventually(t, func() bool {
		events, err := db.Store.Events(ctx, spec.ID)
		require.NoError(t, err)
		for _, e := range events {
			if e.Kind == compliance.EventSignalIgnored && e.Detail["signal"] == SignalPhaseProgress {
				return true
			}
		}
		return false
	}, time.Minute, 100*time.Millisecond, "the forged report was never checked and recorded as ignored")

	v, err := tmp.Client.QueryWorkflow(ctx, id, "", QueryStatus)
	require.NoError(t, err)
	var status EngagementStatus
	require.NoError(t, v.Get(&status))
	assert.Equal(t, compliance.PhaseOperating, status.Phase, "the forged report moved the engagement")
	var phase string
	require.NoError(t, db.Store.Pool().QueryRow(ctx, `SELECT phase FROM engagements WHERE id = $1`, spec.ID).Scan(&phase))
	assert.Equal(t, string(compliance.PhaseOperating), phase, "Postgres recorded a phase the forged report claimed")
	d, err := tmp.Client.DescribeWorkflow(ctx, OperatingWorkflowID(spec.ID), "")
	require.NoError(t, err)
	assert.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, d.RawResponse.GetWorkflowExecutionInfo().GetStatus(), "the scheduler runs on")
	if updateHistories() {
		saveHistory(t, history(t, ctx, tmp.Client, id, ""), "engagement_window_close_checked.json")
	}
}

// ignoredSignal waits for the engagement log to record a signal of name as
// ignored (its receiver checked it and found it unbacked).
func ignoredSignal(ctx context.Context, t *testing.T, db testenv.Database, engagementID, name string) map[string]any {
	t.Helper()
	var found map[string]any
	require.Eventually(t, func() bool {
		events, err := db.Store.Events(ctx, engagementID)
		require.NoError(t, err)
		for _, e := range events {
			if e.Kind == compliance.EventSignalIgnored && e.Detail["signal"] == name {
				found = e.Detail
				return true
			}
		}
		return false
	}, time.Minute, 100*time.Millisecond, "the forged %s signal was never checked and recorded as ignored", name)
	return found
}

// TestForgedTicketDoneForReal: on the dev server, Postgres and the Jira
// emulator, a gap's workflow has opened its ticket, which is in progress
// in Jira. A plain client signals ticket-changed "done" with the poller's
// delivery ID. The gap asks Jira, records the claim as ignored, and goes
// on chasing the fix: no evidence prompt, the item open. When the ticket
// is done in Jira, the poller's signal (the same delivery ID) moves the
// gap on to ask for the evidence. STEADFAST_UPDATE_HISTORIES=1 records
// the gap's history (the check-ticket-done branch).
func TestForgedTicketDoneForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal, Postgres and a Jira emulator")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	spec, _ := recordedSpec(ctx, t, db, nil)
	emu, jc := jiraForReal(t, spec)
	const queue = "steadfast-forged-ticket"
	realWorker(t, tmp, queue, &activities.Activities{Store: db.Store, Jira: jc, Temporal: tmp.Client})

	in := gapInput(t)
	in.Spec, in.EngagementID = spec, spec.ID
	id := GapWorkflowID(spec.ID, in.Gap.ControlID)
	run, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue}, GapRemediationWorkflowName, in)
	require.NoError(t, err)
	defer func() { _ = tmp.Client.TerminateWorkflow(context.Background(), id, "", "test over") }()
	state := func() GapRemediationState {
		v, err := tmp.Client.QueryWorkflow(ctx, id, "", QueryRemediation)
		require.NoError(t, err)
		var st GapRemediationState
		require.NoError(t, v.Get(&st))
		return st
	}
	var key string
	require.Eventually(t, func() bool { key = state().TicketKey; return key != "" }, time.Minute, 100*time.Millisecond, "the gap never opened its ticket")
	require.True(t, emu.SetCategory(key, jira.CategoryIndeterminate))
	evidencePrompt := PromptWorkflowID(spec.ID, "evidence/"+in.Gap.ControlID)

	// A plain client claims the ticket is done.
	require.NoError(t, tmp.Client.SignalWorkflow(ctx, id, "", SignalTicketChanged, TicketChange{WebhookID: "poll", Category: "done"}))
	detail := ignoredSignal(ctx, t, db, spec.ID, SignalTicketChanged)
	assert.Equal(t, key, detail["ticket"])
	assert.Contains(t, detail["why"], "not done")
	st := state()
	assert.False(t, st.TicketDone, "the gap took a done claim Jira does not back")
	assert.Equal(t, compliance.ItemOpen, st.Status)
	_, err = tmp.Client.DescribeWorkflow(ctx, evidencePrompt, "")
	var notFound *serviceerror.NotFound
	assert.True(t, errors.As(err, &notFound), "the owner was asked for evidence on a forged claim (%v)", err)
	items, err := db.Store.Items(ctx, spec.ID)
	require.NoError(t, err)
	require.Len(t, items, 1)
	assert.Equal(t, postgres.ItemOpen, items[0].Status)

	// Done in Jira: the poller's report moves the gap on.
	require.True(t, emu.SetCategory(key, jira.CategoryDone))
	require.NoError(t, tmp.Client.SignalWorkflow(ctx, id, "", SignalTicketChanged, TicketChange{WebhookID: "poll", Category: "done"}))
	require.Eventually(t, func() bool { return state().TicketDone }, time.Minute, 100*time.Millisecond, "the backed report was not taken")
	require.Eventually(t, func() bool {
		_, err := tmp.Client.DescribeWorkflow(ctx, evidencePrompt, "")
		return err == nil
	}, time.Minute, 100*time.Millisecond, "the owner was never asked for the evidence")
	if updateHistories() {
		saveHistory(t, history(t, ctx, tmp.Client, id, run.GetRunID()), "gap_remediation_ticket_checked.json")
	}
}

// TestForgedGapClosedForReal: on the dev server and Postgres, remediation
// has two gaps: ACC-04's workflow was started by an earlier run (so only
// Temporal, or a signal, can tell this run it ended), CHG-01's by this
// run. A plain client signals both verified. Remediation asks Temporal
// about ACC-04, finds it running, looks again shortly after, and counts
// neither; the items stay open. Then ACC-04 is really closed (the CLI
// path) and a signal with a false outcome arrives: remediation counts
// ACC-04 as its workflow ended, verified, not as the signal said.
// STEADFAST_UPDATE_HISTORIES=1 records the run (the gap-closed-hint
// branch; the old is in remediation_runs_completed.json).
func TestForgedGapClosedForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal and Postgres")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	spec, _ := recordedSpec(ctx, t, db, func(s *compliance.Spec) { s.Integrations.JiraProject = "" })
	const queue = "steadfast-forged-gap-closed"
	realWorker(t, tmp, queue, &activities.Activities{Store: db.Store, Temporal: tmp.Client})

	in := remediationInput(t, "ACC-04", "CHG-01")
	in.Spec, in.EngagementID, in.Test = spec, spec.ID, &TestHooks{GapClosedRecheck: 2 * time.Second}
	// ACC-04's workflow runs already, as an earlier run started it.
	gap := GapRemediationInput{EngagementID: spec.ID, Gap: in.Gaps[0], Title: in.Titles["ACC-04"], Owner: ownerByEmail(spec, in.Gaps[0].Owner), Due: in.Due, Spec: spec}
	_, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: GapWorkflowID(spec.ID, "ACC-04"), TaskQueue: queue}, GapRemediationWorkflowName, gap)
	require.NoError(t, err)
	in.State = &RemediationState{Started: []string{"ACC-04"}, Runs: 1}
	id := RemediationWorkflowID(spec.ID)
	run, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue}, RemediationWorkflowName, in)
	require.NoError(t, err)
	defer func() {
		for _, w := range []string{id, GapWorkflowID(spec.ID, "ACC-04"), GapWorkflowID(spec.ID, "CHG-01")} {
			_ = tmp.Client.TerminateWorkflow(context.Background(), w, "", "test over")
		}
	}()
	describes := func() int {
		n := 0
		for _, ev := range history(t, ctx, tmp.Client, id, run.GetRunID()).Events {
			if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil && a.GetActivityType().GetName() == "DescribeGaps" {
				n++
			}
		}
		return n
	}
	require.Eventually(t, func() bool { return describes() == 1 && len(progressOf(ctx, tmp.Client, id).Open) == 2 },
		time.Minute, 100*time.Millisecond, "remediation never started")

	// A plain client says both gaps were verified.
	for _, c := range []string{"ACC-04", "CHG-01"} {
		require.NoError(t, tmp.Client.SignalWorkflow(ctx, id, "", SignalGapClosed,
			GapOutcome{ControlID: c, WorkflowID: GapWorkflowID(spec.ID, c), Outcome: compliance.ItemVerified, By: "mallory@example.com"}))
	}
	require.Eventually(t, func() bool { return describes() >= 3 }, 2*time.Minute, 200*time.Millisecond,
		"remediation did not ask Temporal about the gap the signal named, then again shortly after")
	p := progressOf(ctx, tmp.Client, id)
	assert.ElementsMatch(t, []string{"ACC-04", "CHG-01"}, p.Open, "a forged signal closed a gap")
	assert.Zero(t, p.Verified+p.Accepted)
	items, err := db.Store.Items(ctx, spec.ID)
	require.NoError(t, err)
	for _, it := range items {
		assert.Equal(t, postgres.ItemOpen, it.Status, it.ControlID)
	}

	// ACC-04 is closed from the CLI path; its workflow has no parent to
	// report to, so the report comes from a plain client, with a false
	// outcome: the outcome counted is the workflow's own.
	h, err := tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: GapWorkflowID(spec.ID, "ACC-04"), UpdateID: "close",
		UpdateName: UpdateCompleteGap, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{CompleteGapRequest{Actor: cli(delegateEmail), Evidence: "https://drive.example/ACC-04"}}})
	require.NoError(t, err)
	require.NoError(t, h.Get(ctx, nil))
	require.NoError(t, tmp.Client.GetWorkflow(ctx, GapWorkflowID(spec.ID, "ACC-04"), "").Get(ctx, nil))
	require.NoError(t, tmp.Client.SignalWorkflow(ctx, id, "", SignalGapClosed,
		GapOutcome{ControlID: "ACC-04", WorkflowID: GapWorkflowID(spec.ID, "ACC-04"), Outcome: compliance.ItemAccepted, By: "mallory@example.com"}))
	require.Eventually(t, func() bool { p = progressOf(ctx, tmp.Client, id); return len(p.Open) == 1 }, time.Minute, 100*time.Millisecond,
		"the ended gap was not counted when its report came")
	assert.Equal(t, []string{"CHG-01"}, p.Open)
	assert.Equal(t, 1, p.Verified, "counted as its workflow ended, not as the signal said")
	assert.Zero(t, p.Accepted)

	h, err = tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: GapWorkflowID(spec.ID, "CHG-01"), UpdateID: "close",
		UpdateName: UpdateCompleteGap, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{CompleteGapRequest{Actor: cli(delegateEmail), Evidence: "https://drive.example/CHG-01"}}})
	require.NoError(t, err)
	require.NoError(t, h.Get(ctx, nil))
	var res RemediationResult
	require.NoError(t, tmp.Client.GetWorkflow(ctx, id, "").Get(ctx, &res))
	assert.Equal(t, RemediationResult{Verified: 2}, res)
	if updateHistories() {
		saveHistory(t, history(t, ctx, tmp.Client, id, run.GetRunID()), "remediation_gap_closed_hint.json")
	}
}
