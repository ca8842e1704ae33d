package workflows

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
)

// TestTickCadenceTakesThePopulationBranches: the test cadence (TestHooks.OperatingTick)
// no longer turns off the per-event population import and summary, so the
// tests that run the scheduler in seconds run the path production takes.
func TestTickCadenceTakesThePopulationBranches(t *testing.T) {
	spec, plan := yearSpec(t)
	spec.Integrations.Populations = []compliance.Population{{Control: "CHG-01", JQL: "project = CHG"}}
	var mu sync.Mutex
	var questions []string
	fake := func(ctx workflow.Context, in PromptInput) (PromptResult, error) {
		mu.Lock()
		questions = append(questions, in.Question)
		mu.Unlock()
		return PromptResult{Outcome: OutcomeExpired}, nil
	}
	var ts testsuite.WorkflowTestSuite
	env := withIdentity(ts.NewTestWorkflowEnvironment())
	env.RegisterWorkflowWithOptions(OperatingWorkflow, workflow.RegisterOptions{Name: OperatingWorkflowName})
	env.RegisterWorkflowWithOptions(fake, workflow.RegisterOptions{Name: PromptWorkflowName})
	acts := &activities.Activities{}
	env.RegisterActivity(acts)
	env.OnActivity(acts.CheckDrift, mock.Anything, mock.Anything).Return(activities.CheckDriftResult{}, nil)
	imports := 0
	env.OnActivity(acts.ImportPopulation, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ImportPopulationInput) (activities.ImportPopulationResult, error) {
			mu.Lock()
			imports++
			mu.Unlock()
			return activities.ImportPopulationResult{Total: 3}, nil
		})
	env.OnActivity(acts.PopulationSummary, mock.Anything, mock.Anything).Return(activities.PopulationSummaryResult{Count: 3}, nil)
	env.SetStartTime(time.Date(2027, 2, 1, 9, 0, 0, 0, time.UTC))
	env.RegisterDelayedCallback(env.CancelWorkflow, 10*time.Minute)
	perQuestion(env)
	env.ExecuteWorkflow(OperatingWorkflow, OperatingInput{EngagementID: spec.ID, Spec: spec, Plan: plan,
		Test: &TestHooks{OperatingTick: time.Minute, OperatingControls: []string{"CHG-01"}}})
	require.True(t, env.IsWorkflowCompleted())

	mu.Lock()
	defer mu.Unlock()
	require.GreaterOrEqual(t, len(questions), 5, "one CHG-01 request a tick")
	for _, q := range questions {
		assert.Contains(t, q, "So far: 3 events recorded for this period, each approved and linked to its record.")
	}
	assert.GreaterOrEqual(t, imports, 2, "one import a batch of four ticks")
}
