package workflows

import (
	"context"
	"sync"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
)

// standInTemporalReads stands in, in the testsuite (which has no Temporal
// server to ask), for the reads the worker makes of Temporal before it
// believes a signal. DescribeGaps answers from the environment's own gap
// workflows as they complete; WindowClosed backs the scheduler's report,
// since the tests that use this send no forged one (those are
// TestWindowClosedReportIsCheckedWithTheScheduler and the dev-server
// tests, where the real activity asks the real server).
func standInTemporalReads(env *testsuite.TestWorkflowEnvironment) {
	var mu sync.Mutex
	ended := map[string]activities.GapWorkflowEnd{}
	env.SetOnChildWorkflowCompletedListener(func(info *workflow.Info, result converter.EncodedValue, err error) {
		if info.WorkflowType.Name != GapRemediationWorkflowName {
			return
		}
		end := activities.GapWorkflowEnd{WorkflowID: info.WorkflowExecution.ID, Status: "completed"}
		var out GapRemediationResult
		switch {
		case err != nil:
			end.Status, end.Reason = "failed", err.Error()
		case result != nil && result.Get(&out) == nil:
			end.Outcome, end.By = out.Outcome, out.By
		}
		mu.Lock()
		defer mu.Unlock()
		ended[end.WorkflowID] = end
	})
	acts := &activities.Activities{}
	env.OnActivity(acts.DescribeGaps, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.DescribeGapsInput) (activities.DescribeGapsResult, error) {
			mu.Lock()
			defer mu.Unlock()
			var res activities.DescribeGapsResult
			for _, id := range in.WorkflowIDs {
				if e, ok := ended[id]; ok {
					res.Ended = append(res.Ended, e)
				}
			}
			return res, nil
		})
	env.OnActivity(acts.WindowClosed, mock.Anything, mock.Anything).Return(activities.WindowClosedResult{Closed: true, Seen: "completed"}, nil)
}
