package workflows

import (
	"context"
	"errors"
	"fmt"
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
	"github.com/steadfast-grc/steadfast/integrations/jira/jiraemu"
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
	emu := jiraemu.New()
	defer emu.Close()
	for i, p := range spec.People {
		emu.AddUser(p.Email, fmt.Sprintf("acct-%d", i))
	}
	jc, err := jira.New(jira.Config{BaseURL: emu.URL(), Email: jiraemu.Email, APIToken: jiraemu.APIToken})
	require.NoError(t, err)
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
