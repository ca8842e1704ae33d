package workflows

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// TestLateGapsFoundJoinsForReal: remediation's last gap ends and a change's
// round says gaps-found in the same moment (dev server, Postgres; the worker
// stopped while both arrive, so one workflow task carries them and the
// gap's end is taken first). Before versionRemediationLateJoin the run
// completed with the hint unread, the round having seen its signal
// delivered; now it reads the register, takes the round's gap on and
// completes only once that is closed too. STEADFAST_UPDATE_HISTORIES=1
// records it (remediation_late_join.json).
func TestLateGapsFoundJoinsForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal and Postgres")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	spec, plan := recordedSpec(ctx, t, db, func(s *compliance.Spec) { s.Integrations.JiraProject = "" })
	const queue = "steadfast-remediation-late-join"
	acts := &activities.Activities{Store: db.Store, Temporal: tmp.Client}
	planned, err := acts.PlanAssessment(ctx, activities.PlanAssessmentInput{Spec: spec})
	require.NoError(t, err)
	i := slices.IndexFunc(planned.Controls, func(c activities.ControlToAssess) bool { return c.ControlID != "ACC-04" })
	later := planned.Controls[i]
	assess := func(missing ...string) {
		for _, c := range planned.Controls {
			as := compliance.ControlAssessment{EngagementID: spec.ID, ControlID: c.ControlID, OwnerEmail: c.Owner.Email,
				Status: "implemented", EvidenceExists: true, Sampleable: true}
			if slices.Contains(missing, c.ControlID) {
				as.Status, as.EvidenceExists, as.Sampleable = "missing", false, false
			}
			require.NoError(t, db.Store.RecordAssessment(ctx, as))
		}
		_, err := acts.BuildRegister(ctx, activities.BuildRegisterInput{Spec: spec, Plan: &plan, At: time.Now()})
		require.NoError(t, err)
	}
	assess("ACC-04")

	w1 := worker.New(tmp.Client, queue, worker.Options{Interceptors: identity.Interceptors(testActorKey)})
	Register(w1, acts)
	require.NoError(t, w1.Start())
	// ACC-04's gap workflow, as an earlier run started it: the remediation
	// learns its end by reading it (DescribeGaps), on a hint or daily.
	gin := gapInput(t)
	gin.Spec, gin.EngagementID = spec, spec.ID
	gapID := GapWorkflowID(spec.ID, "ACC-04")
	_, err = tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: gapID, TaskQueue: queue}, GapRemediationWorkflowName, gin)
	require.NoError(t, err)
	in := remediationInput(t, "ACC-04")
	in.Spec, in.State = spec, &RemediationState{Started: []string{"ACC-04"}}
	id := RemediationWorkflowID(spec.ID)
	_, err = tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue}, RemediationWorkflowName, in)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(progressOf(ctx, tmp.Client, id).Open) == 1 }, time.Minute, 100*time.Millisecond)
	require.Eventually(t, func() bool {
		items, err := db.Store.Items(ctx, spec.ID)
		return err == nil && len(items) == 1
	}, time.Minute, 100*time.Millisecond, "ACC-04's item is opened")
	w1.Stop()

	// While no worker runs: ACC-04's gap ends (an operator stops it), its
	// end is hinted, and a change's round rebuilds the register with a new
	// gap and says so.
	require.NoError(t, tmp.Client.TerminateWorkflow(ctx, gapID, "", "operator stopped it"))
	require.NoError(t, tmp.Client.SignalWorkflow(ctx, id, "", SignalGapClosed, GapOutcome{ControlID: "ACC-04", WorkflowID: gapID, Outcome: compliance.ItemVerified}))
	assess("ACC-04", later.ControlID)
	require.NoError(t, tmp.Client.SignalWorkflow(ctx, id, "", SignalGapsFound, GapsFound{Round: "tailoring-late"}))
	realWorker(t, tmp, queue, acts)

	require.Eventually(t, func() bool { return slices.Contains(progressOf(ctx, tmp.Client, id).Open, later.ControlID) }, time.Minute, 100*time.Millisecond,
		"the round's gap was left to no one")
	closeForReal(ctx, t, tmp.Client, GapWorkflowID(spec.ID, later.ControlID), "https://drive.example/late")
	var out RemediationResult
	require.NoError(t, tmp.Client.GetWorkflow(ctx, id, "").Get(ctx, &out))
	assert.Equal(t, 1, out.Verified, "the late gap closed with evidence")
	assert.Equal(t, []string{"ACC-04"}, out.FailedGaps, "the stopped gap is reported, as before")

	if updateHistories() {
		saveHistory(t, history(t, ctx, tmp.Client, id, ""), "remediation_late_join.json")
	}
}
