package workflows

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// TestRemediationRunsForReal runs remediation on the Temporal dev server,
// real activities, Postgres and the Jira emulator, with Temporal told to
// suggest continue-as-new after 60 events and Jira polled as often as the dev server fires timers (about once a second), so
// the remediation continues as new many times while its gaps are open.
// One gap is closed from the CLI path after several runs (its workflow was
// started by the first run); one is terminated by an operator, which no
// report can tell (DescribeGaps finds it: recorded, escalated, counted
// failed); the last is closed after that. No run grows past the budget.
//
// STEADFAST_UPDATE_HISTORIES=1 records the first and the last run, and the
// closed gap's history, under testdata/histories.
func TestRemediationRunsForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal, Postgres and a Jira emulator")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	db := testenv.Postgres(t)
	tmp := testenv.DevServerWith(t, "--dynamic-config-value", "limit.historyCount.suggestContinueAsNew=60")
	spec, _ := recordedSpec(ctx, t, db, nil)
	emu, jc := jiraForReal(t, spec)

	const queue = "steadfast-remediation"
	realWorker(t, tmp, queue, &activities.Activities{Store: db.Store, Jira: jc, Temporal: tmp.Client})

	in := remediationInput(t, "ACC-04", "LOG-02", "CHG-01")
	in.Spec, in.Test = spec, &TestHooks{JiraPollEvery: 50 * time.Millisecond}
	id := RemediationWorkflowID(spec.ID)
	run, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE}, RemediationWorkflowName, in)
	require.NoError(t, err)
	first := run.GetRunID()
	began := time.Now()
	mark := func(what string) {
		t.Logf("%6.1fs %s: %+v", time.Since(began).Seconds(), what, progressOf(ctx, tmp.Client, id))
	}

	progress := func() RemediationProgress { return progressOf(ctx, tmp.Client, id) }
	closeFromCLI := func(control string) {
		h, err := tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: GapWorkflowID(spec.ID, control), UpdateID: "close",
			UpdateName: UpdateCompleteGap, WaitForStage: client.WorkflowUpdateStageCompleted,
			Args: []any{CompleteGapRequest{Actor: cli(delegateEmail), Evidence: "https://drive.example/" + control}}})
		require.NoError(t, err)
		require.NoError(t, h.Get(ctx, nil))
	}

	// Several runs go by while every gap is open.
	require.Eventually(t, func() bool { return progress().Runs >= 2 }, time.Minute, 50*time.Millisecond, "remediation never continued as new")
	require.Len(t, progress().Open, 3)
	mark("continued as new twice")
	closeFromCLI("ACC-04")
	require.Eventually(t, func() bool { p := progress(); return len(p.Open) == 2 }, time.Minute, 50*time.Millisecond, "ACC-04's end never reached the current run")

	// An operator terminates LOG-02's workflow: no signal; the next run's
	// DescribeGaps finds it.
	mark("ACC-04 counted")
	require.NoError(t, tmp.Client.TerminateWorkflow(ctx, GapWorkflowID(spec.ID, "LOG-02"), "", "operator stopped it"))
	require.Eventually(t, func() bool { p := progress(); return len(p.Failed) == 1 }, time.Minute, 50*time.Millisecond, "the terminated gap was never found")
	p := progress()
	assert.Equal(t, "LOG-02", p.Failed[0].ControlID)
	assert.Contains(t, p.Failed[0].Reason, "terminated")

	mark("LOG-02 failed")
	runsBefore := p.Runs
	require.Eventually(t, func() bool { return progress().Runs > runsBefore }, time.Minute, 50*time.Millisecond)
	closeFromCLI("CHG-01")

	mark("CHG-01 closed")
	var res RemediationResult
	require.NoError(t, tmp.Client.GetWorkflow(ctx, id, "").Get(ctx, &res))
	assert.Equal(t, RemediationResult{Verified: 2, Failed: 1, FailedGaps: []string{"LOG-02"}}, res)

	// The failure is in the engagement log once, and the lead was told once.
	events, err := db.Store.Events(ctx, spec.ID)
	require.NoError(t, err)
	kinds := map[string]int{}
	for _, ev := range events {
		kinds[ev.Kind]++
	}
	assert.Equal(t, 1, kinds[compliance.EventItemFailed])
	assert.Equal(t, 1, kinds[activities.EventEscalated])
	items, err := db.Store.Items(ctx, spec.ID)
	require.NoError(t, err)
	status := map[string]string{}
	for _, it := range items {
		status[it.ControlID] = it.Status
	}
	assert.Equal(t, map[string]string{"ACC-04": compliance.ItemVerified, "LOG-02": compliance.ItemOpen, "CHG-01": compliance.ItemVerified}, status,
		"the failed gap stays open")
	assert.Len(t, emu.Issues(), 3, "one ticket per gap, however many runs")

	// Every run stayed within the budget; walk the chain of runs.
	runs := 0
	largest := 0
	for runID := first; runID != ""; runs++ {
		h := history(t, ctx, tmp.Client, id, runID)
		largest = max(largest, len(h.Events))
		polls, perPoll := pollCost(h)
		t.Logf("run %d: %d events, %d Jira polls, %d events per idle poll", runs+1, len(h.Events), polls, perPoll)
		last := h.Events[len(h.Events)-1]
		runID = last.GetWorkflowExecutionContinuedAsNewEventAttributes().GetNewExecutionRunId()
		if runs == 0 && updateHistories() {
			saveHistory(t, h, "remediation_runs_continued.json")
		}
		if escalates(h) && updateHistories() {
			saveHistory(t, h, "remediation_runs_gap_failed.json")
		}
		if runID == "" && updateHistories() {
			saveHistory(t, h, "remediation_runs_completed.json")
		}
	}
	t.Logf("remediation: %d runs, largest run %d events", runs, largest)
	assert.Greater(t, runs, 3)
	assert.Less(t, largest, remediationEventBudget)
	if updateHistories() {
		saveHistory(t, history(t, ctx, tmp.Client, GapWorkflowID(spec.ID, "ACC-04"), ""), "gap_remediation_reports_end.json")
	}
}

// progressOf queries the current run; Runs is -1 when it cannot answer.
func progressOf(ctx context.Context, c client.Client, id string) RemediationProgress {
	var p RemediationProgress
	v, err := c.QueryWorkflow(ctx, id, "", QueryRemediationProgress)
	if err == nil {
		err = v.Get(&p)
	}
	if err != nil {
		return RemediationProgress{Runs: -1}
	}
	return p
}

// recordScopeInput is the engagement's row, which remediation items and
// events refer to.
func recordScopeInput(spec compliance.Spec, plan compliance.Plan) postgres.ScopeRecord {
	return postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: EngagementWorkflowID(spec.ID), Revision: 1, Spec: spec, Plan: plan,
		Phase: compliance.PhaseRemediation, RecordedBy: "test", At: time.Now()}
}

// updateHistories: STEADFAST_UPDATE_HISTORIES=1 re-records the committed
// histories.
func updateHistories() bool { return os.Getenv("STEADFAST_UPDATE_HISTORIES") == "1" }

// pollCost counts a run's Jira polls and the events between two polls in
// a row when nothing else happened (the smallest gap): the idle cost.
func pollCost(h *historypb.History) (polls, perPoll int) {
	last := int64(0)
	for _, ev := range h.Events {
		if ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName() != "PollTickets" {
			continue
		}
		if polls++; last > 0 && (perPoll == 0 || int(ev.GetEventId()-last) < perPoll) {
			perPoll = int(ev.GetEventId() - last)
		}
		last = ev.GetEventId()
	}
	return polls, perPoll
}

// escalates says whether a run escalated something to the lead.
func escalates(h *historypb.History) bool {
	for _, ev := range h.Events {
		if ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName() == "Escalate" {
			return true
		}
	}
	return false
}

// history reads one run's history.
func history(t *testing.T, ctx context.Context, c client.Client, workflowID, runID string) *historypb.History {
	t.Helper()
	var h historypb.History
	it := c.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		h.Events = append(h.Events, ev)
	}
	return &h
}

// saveHistory writes a history where TestReplayCommittedHistories replays it.
func saveHistory(t *testing.T, h *historypb.History, name string) {
	t.Helper()
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(h)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join("..", "testdata", "histories", name), b, 0o644))
	t.Logf("wrote %s (%d events)", name, len(h.Events))
}
