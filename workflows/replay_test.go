package workflows

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"
)

// TestReplayCommittedHistories replays every history under
// testdata/histories with today's workflow code. A change that would break
// a running engagement (a new activity, a reordered step, a renamed signal)
// fails here; gate such changes with workflow.GetVersion.
//
// Refresh the histories with:
//
//	STEADFAST_UPDATE_HISTORIES=1 go test -run TestEngagementEndToEnd ./starter/
func TestReplayCommittedHistories(t *testing.T) {
	files, err := filepath.Glob("../testdata/histories/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files, "no committed histories to replay")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			RegisterWorkflows(r)
			require.NoError(t, r.ReplayWorkflowHistoryFromJSONFile(nil, f))
		})
	}
}
