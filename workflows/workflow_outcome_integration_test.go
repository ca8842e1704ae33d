package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// TestWorkflowOutcomeForReal: what activities.WorkflowOutcome tells a run
// that waits for a workflow it did not start, on the dev server. A
// workflow nobody started is not-found (the run starts it); one still
// running when the call's time is nearly up is running (the run asks
// again), without the call failing; one terminated says so, with why. (A
// completed one's result is read in TestTailoringChangeSurvivesHandOversForReal.)
func TestWorkflowOutcomeForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal")
	}
	tmp := testenv.DevServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	acts := &activities.Activities{Temporal: tmp.Client}

	res, err := acts.WorkflowOutcome(ctx, activities.WorkflowOutcomeInput{WorkflowID: "nobody/started/this"})
	require.NoError(t, err)
	assert.Equal(t, "not-found", res.Status)

	// No worker polls this queue: the workflow stays running.
	const id = "outcome/running"
	_, err = tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: "steadfast-nobody-polls"}, PromptWorkflowName, PromptInput{})
	require.NoError(t, err)
	// Six seconds to go: it stops polling 300ms before them (or, on a
	// slow machine, when they are up).
	short, stop := context.WithTimeout(ctx, 6*time.Second)
	defer stop()
	res, err = acts.WorkflowOutcome(short, activities.WorkflowOutcomeInput{WorkflowID: id})
	require.NoError(t, err, "running is an answer, not an error")
	assert.Equal(t, "running", res.Status, "%+v", res)

	require.NoError(t, tmp.Client.TerminateWorkflow(ctx, id, "", "the test is done with it"))
	res, err = acts.WorkflowOutcome(ctx, activities.WorkflowOutcomeInput{WorkflowID: id})
	require.NoError(t, err)
	assert.Equal(t, "terminated", res.Status)
	assert.NotEmpty(t, res.Error)

	res, err = (&activities.Activities{}).WorkflowOutcome(ctx, activities.WorkflowOutcomeInput{WorkflowID: id})
	require.NoError(t, err)
	assert.True(t, res.Unavailable, "a worker without a Temporal client cannot ask")
}
