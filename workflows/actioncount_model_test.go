package workflows

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// TestActionCounterMatchesHistories replays every committed history (real
// runs on the dev server) through actionCounter and compares its count
// with the billable events the server recorded, so the cost benchmark's
// counts (made in the testsuite, which keeps no history) are the server's.
func TestActionCounterMatchesHistories(t *testing.T) {
	files, err := filepath.Glob("../testdata/histories/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		var h historypb.History
		require.NoError(t, protojson.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(raw, &h))
		c := &actionCounter{}
		r, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{Interceptors: []interceptor.WorkerInterceptor{c}})
		require.NoError(t, err)
		RegisterWorkflows(r)
		require.NoError(t, r.ReplayWorkflowHistoryFromJSONFile(nil, f))
		runs := c.snapshot()
		require.Len(t, runs, 1, f)
		// A replay cannot see an activity's retries; the server billed them.
		server, retries := 0, 0
		for _, ev := range h.Events {
			server += testenv.BillableActions(ev)
			if testenv.ClientSignal(ev) {
				server++
			}
			if a := ev.GetActivityTaskStartedEventAttributes().GetAttempt(); a > 1 {
				retries += int(a) - 1
			}
		}
		// A client's signals arrive from outside the run: not in its count.
		clients := 0
		for _, ev := range h.Events {
			if testenv.ClientSignal(ev) {
				clients++
			}
		}
		assert.Equal(t, server-retries-clients, runs[0].total(), "%s: counted %v", filepath.Base(f), runs[0].Kinds)
	}
}
