package engagement_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// Evidence for a period that has not begun is refused by the engagement's
// validator: a raw Temporal client reads the words the CLI prints (the
// service's refusal), and nothing reaches history or Postgres (issue 12:
// the check ran only in the service and the activity).
func TestRawClientEvidenceForTheFutureRefusedLikeTheCLI(t *testing.T) {
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	ctx := context.Background()
	spec, err := compliance.LoadSpec("../../examples/saas-startup.yaml")
	require.NoError(t, err)
	// A window that opens next month, whatever day the test runs.
	now := time.Now().UTC()
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0)
	last := first.AddDate(0, 6, -1)
	spec.Frameworks[0].Window = &compliance.ObservationWindow{Start: compliance.DateOf(first), End: compliance.DateOf(last)}
	spec.AuditDate = compliance.DateOf(last.AddDate(0, 0, 20))
	plan, err := compliance.PlanEngagement(spec, now)
	require.NoError(t, err)
	wid := workflows.EngagementWorkflowID(spec.ID)
	require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: wid,
		Revision: 1, Spec: *spec, Plan: plan, Phase: compliance.PhaseFieldwork, RecordedBy: "test", At: now}))
	const queue = "steadfast-evidence-future"
	w := worker.New(tmp.Client, queue, worker.Options{Interceptors: identity.Interceptors(nil)})
	workflows.Register(w, &activities.Activities{Store: db.Store})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	st := &workflows.EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Phase: compliance.PhaseFieldwork, Revision: 1,
		Spec: *spec, Plan: &plan, StartedAt: now, UpdatedAt: now}
	_, err = tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: wid, TaskQueue: queue},
		workflows.EngagementWorkflowName, workflows.EngagementInput{Spec: *spec, State: st})
	require.NoError(t, err)
	svc := &engagement.Service{Temporal: tmp.Client, Store: db.Store, TaskQueue: queue}

	key := "ACC-08/" + first.Format("2006-01")
	priya := compliance.Actor{Person: "priya@brightlane.io", Channel: compliance.ChannelCLI, Operator: "ops"}
	_, cliErr := svc.AddEvidence(ctx, engagement.AddEvidenceRequest{EngagementID: spec.ID, OccurrenceKey: key,
		Link: "https://drive.example/next-month", Actor: priya})
	require.Error(t, cliErr, "the CLI refuses evidence for next month")
	require.ErrorContains(t, cliErr, "which has not begun")

	h, err := tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: wid, UpdateName: workflows.UpdateAddEvidence, UpdateID: "raw/future-evidence",
		Args: []any{workflows.AddEvidenceRequest{Actor: priya, OccurrenceKey: key, Kind: workflows.EvidenceLink,
			Value: "https://drive.example/next-month"}},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	require.Error(t, err, "a raw client is refused too")
	assert.Contains(t, err.Error(), cliErr.Error(), "in the CLI's words")

	// Refused by the validator: no update was accepted into history, so no
	// activity ran and nothing was written.
	it := tmp.Client.GetWorkflowHistory(ctx, wid, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		require.NoError(t, err)
		assert.NotEqual(t, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED, e.GetEventType(), "update accepted into history")
		assert.NotEqual(t, "AddGivenEvidence", e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName())
	}
	var n int
	require.NoError(t, db.Store.Pool().QueryRow(ctx, "SELECT count(*) FROM evidence").Scan(&n))
	assert.Zero(t, n)
}
