package workflows

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"
)

// TestEventModelBoundsRealHistories replays every committed history (real
// runs on the dev server) through eventCounter and compares its estimate
// with the events the server recorded: the model must never count low, so
// the history-budget test's figures are upper bounds.
func TestEventModelBoundsRealHistories(t *testing.T) {
	files, err := filepath.Glob("../testdata/histories/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		var h struct {
			Events []struct {
				EventType string `json:"eventType"`
			} `json:"events"`
		}
		require.NoError(t, json.Unmarshal(raw, &h))
		// Tests that kill the worker leave timed-out workflow tasks, each
		// with its retry (timed out, scheduled, started): a crash, not the
		// workflow's own cost, and not modelled.
		server := len(h.Events)
		for _, e := range h.Events {
			if e.EventType == "EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT" || e.EventType == "EVENT_TYPE_WORKFLOW_TASK_FAILED" {
				server -= 3
			}
		}
		c := &eventCounter{}
		r, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{Interceptors: []interceptor.WorkerInterceptor{c}})
		require.NoError(t, err)
		RegisterWorkflows(r)
		require.NoError(t, r.ReplayWorkflowHistoryFromJSONFile(nil, f))
		c.mu.Lock() // the counts were written on the replayer's goroutines
		require.Len(t, c.runs, 1, f)
		est := c.runs[0].Events
		c.mu.Unlock()
		t.Logf("%-45s server %5d (%5d without crashes)  model %5d  (x%.2f)", filepath.Base(f), len(h.Events), server, est, float64(est)/float64(server))
		assert.GreaterOrEqual(t, est, server, "%s: the model counts low", filepath.Base(f))
	}
}
