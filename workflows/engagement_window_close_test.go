package workflows

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
)

// TestWindowClosedReportIsCheckedWithTheScheduler: the engagement's
// scheduler was started by an earlier run, so only its report says the
// window has closed. A report sent while the scheduler still runs (any
// Temporal client can send one) is checked, recorded as ignored and moves
// nothing; the same report once the scheduler has closed the window moves
// the engagement to operated, then.
func TestWindowClosedReportIsCheckedWithTheScheduler(t *testing.T) {
	env := newEnv(t)
	acts := &activities.Activities{}
	var mu sync.Mutex
	schedulerClosed := false
	var checks []activities.WindowClosedInput
	// Registered before mockAssessment's default, so it is the one used.
	env.OnActivity(acts.WindowClosed, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.WindowClosedInput) (activities.WindowClosedResult, error) {
			mu.Lock()
			defer mu.Unlock()
			checks = append(checks, in)
			if schedulerClosed {
				return activities.WindowClosedResult{Closed: true, Seen: "completed"}, nil
			}
			return activities.WindowClosedResult{Seen: "running"}, nil
		})
	mockAssessment(env)
	var ignored []activities.RecordEventInput
	var operatedAt time.Time
	env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, args converter.EncodedValues) {
		switch info.ActivityType.Name {
		case "RecordEvent":
			var in activities.RecordEventInput
			require.NoError(t, args.Get(&in))
			if in.Kind == compliance.EventSignalIgnored {
				ignored = append(ignored, in)
			}
		case "RecordPhase":
			var in activities.RecordPhaseInput
			require.NoError(t, args.Get(&in))
			if in.Phase == PhaseOperated {
				operatedAt = env.Now()
			}
		}
	})
	spec := testSpec(t)
	start := time.Date(2027, 3, 15, 9, 0, 0, 0, time.UTC)
	env.SetStartTime(start)
	plan, err := compliance.PlanEngagement(&spec, start.AddDate(0, -3, 0))
	require.NoError(t, err)

	report := PhaseProgress{Phase: compliance.PhaseOperated, Revision: 1, At: start}
	var early EngagementStatus
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalPhaseProgress, report) }, 24*time.Hour)
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryStatus)
		require.NoError(t, err)
		require.NoError(t, v.Get(&early))
	}, 2*24*time.Hour)
	closedAt := start.Add(10 * 24 * time.Hour)
	env.RegisterDelayedCallback(func() {
		mu.Lock()
		schedulerClosed = true
		mu.Unlock()
		env.SignalWorkflow(SignalPhaseProgress, report)
	}, 10*24*time.Hour)

	st := &EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Spec: spec, Plan: &plan, Phase: compliance.PhaseOperating,
		Revision: 1, OperatingStarted: true, StartedAt: start, UpdatedAt: start}
	env.ExecuteWorkflow(EngagementWorkflow, EngagementInput{Spec: spec, State: st, Test: &TestHooks{StopAt: PhaseOperated, RunAge: tenYears}})
	require.NoError(t, env.GetWorkflowError())

	assert.Equal(t, compliance.PhaseOperating, early.Phase, "an unbacked report moved the engagement")
	require.Len(t, ignored, 1, "the unbacked report is recorded as ignored, once")
	assert.Equal(t, SignalPhaseProgress, ignored[0].Detail["signal"])
	assert.Equal(t, "running", ignored[0].Detail["scheduler"])
	require.Len(t, checks, 2, "each report was checked")
	assert.Equal(t, OperatingWorkflowID(spec.ID), checks[0].WorkflowID)
	assert.Equal(t, QueryOperating, checks[0].Query)
	assert.False(t, operatedAt.Before(closedAt), "operated was recorded at %s, before the scheduler closed the window", operatedAt)
	var res EngagementResult
	require.NoError(t, env.GetWorkflowResult(&res))
	assert.Equal(t, PhaseOperated, res.Phase)
}
