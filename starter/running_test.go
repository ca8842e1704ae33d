package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/jira"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// runningEngagement starts a dev server and a worker on db, starts spec's
// engagement in fieldwork (it takes updates and waits for a
// certification), and points the CLI at both. jc is the worker's Jira (nil:
// none configured).
func runningEngagement(t *testing.T, db testenv.Database, spec *compliance.Spec, plan compliance.Plan, jc *jira.Client) client.Client {
	t.Helper()
	tmp := testenv.DevServer(t)
	const queue = "steadfast-running"
	w := worker.New(tmp.Client, queue, worker.Options{Interceptors: identity.Interceptors(nil)})
	workflows.Register(w, &activities.Activities{Store: db.Store, Jira: jc})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	at := time.Now()
	st := &workflows.EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Phase: compliance.PhaseFieldwork, Revision: 1,
		Spec: *spec, Plan: &plan, StartedAt: at, UpdatedAt: at}
	_, err := tmp.Client.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: workflows.EngagementWorkflowID(spec.ID), TaskQueue: queue},
		workflows.EngagementWorkflowName, workflows.EngagementInput{Spec: *spec, State: st})
	require.NoError(t, err)
	t.Setenv("DATABASE_URL", db.URL)
	t.Setenv("TEMPORAL_ADDRESS", tmp.Address)
	t.Setenv("STEADFAST_TASK_QUEUE", queue)
	return tmp.Client
}
