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

// TestHandOverForReal runs the long phases' hand-over on the dev server and
// Postgres: an engagement enters its operating period after its window has
// closed, starts the window's scheduler (abandoned, so it outlives the run),
// and hands over to a new run at once (TestHooks.ForceContinueAsNew). The
// scheduler finds the window closed and tells the engagement by workflow ID
// — whichever run is current — and the engagement records the window as
// operated. With STEADFAST_UPDATE_HISTORIES=1 it writes the first run's
// history (the versionHandOver branch, ending in continue-as-new) and the
// scheduler's (the versionWindowClosedReport branch) for the replay test.
func TestHandOverForReal(t *testing.T) {
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
	spec.Frameworks[0].Window = &compliance.ObservationWindow{Start: compliance.DateOf(first.AddDate(0, -5, 0)), End: compliance.DateOf(first.AddDate(0, -1, -1))}
	// The audit is two months off: the readiness review is weeks away.
	spec.AuditDate = today.AddDays(60)
	plan, err := compliance.PlanEngagement(&spec, first.AddDate(0, -9, 0))
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: EngagementWorkflowID(spec.ID),
		Revision: 1, Spec: spec, Plan: plan, Phase: compliance.PhaseRemediated, RecordedBy: "test", At: now}))

	const queue = "steadfast-handover"
	// The engagement checks the scheduler's report with Temporal, as the
	// worker's activities do.
	realWorker(t, tmp, queue, &activities.Activities{Store: db.Store, Temporal: tmp.Client})

	st := &EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Spec: spec, Plan: &plan, Phase: compliance.PhaseRemediated,
		Revision: 1, StartedAt: now, UpdatedAt: now}
	run, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: EngagementWorkflowID(spec.ID), TaskQueue: queue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE},
		EngagementWorkflowName, EngagementInput{Spec: spec, StartedBy: "test", State: st,
			Test: &TestHooks{ForceContinueAsNew: true, OperatingControls: []string{"ACC-08"}}})
	require.NoError(t, err)

	// The first run hands over; the scheduler it abandoned closes the
	// window and the current run records it.
	var status EngagementStatus
	require.Eventually(t, func() bool {
		v, err := tmp.Client.QueryWorkflow(ctx, EngagementWorkflowID(spec.ID), "", QueryStatus)
		if err != nil {
			return false
		}
		return v.Get(&status) == nil && status.Phase == PhaseOperated && status.Runs >= 1
	}, time.Minute, 200*time.Millisecond, "the engagement never recorded its window closed after a hand-over (last %+v)", status)
	firstRun, err := tmp.Client.DescribeWorkflow(ctx, EngagementWorkflowID(spec.ID), run.GetRunID())
	require.NoError(t, err)
	assert.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW, firstRun.RawResponse.GetWorkflowExecutionInfo().GetStatus())
	// The scheduler completes in the workflow task after its report was
	// delivered, which on a loaded machine can come after the query.
	require.Eventually(t, func() bool {
		sched, err := tmp.Client.DescribeWorkflow(ctx, OperatingWorkflowID(spec.ID), "")
		return err == nil && sched.RawResponse.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
	}, 30*time.Second, 100*time.Millisecond, "the scheduler outlived the run that started it and closed")
	var phase string
	require.Eventually(t, func() bool {
		err := db.Store.Pool().QueryRow(ctx, `SELECT phase FROM engagements WHERE id = $1`, spec.ID).Scan(&phase)
		return err == nil && phase == string(PhaseOperated)
	}, 30*time.Second, 100*time.Millisecond, "Postgres never recorded the window operated (phase %q)", phase)

	if os.Getenv("STEADFAST_UPDATE_HISTORIES") == "1" {
		writeRunHistory(t, ctx, tmp.Client, EngagementWorkflowID(spec.ID), run.GetRunID(), "engagement_operating_v6_handover.json")
		writeRunHistory(t, ctx, tmp.Client, OperatingWorkflowID(spec.ID), "", "operating_window_closed_report.json")
	}
}

// writeRunHistory saves one run's history as JSON under testdata/histories.
func writeRunHistory(t *testing.T, ctx context.Context, tc client.Client, workflowID, runID, name string) {
	t.Helper()
	var h historypb.History
	it := tc.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		h.Events = append(h.Events, ev)
	}
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(&h)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join("..", "testdata", "histories", name), b, 0o644))
	t.Logf("wrote %s (%d events)", name, len(h.Events))
}
