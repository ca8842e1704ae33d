package workflows

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"
)

// billableInHistory counts one run's billable actions from its history the
// way Temporal Cloud bills them: a run's start once (a child start and a
// continue-as-new are counted on the run they start, not also as the
// parent's initiated event or the old run's continued event), every
// activity attempt, timer, signal sent, update accepted, marker, upsert
// and cancel request.
func billableInHistory(h *historypb.History) (n, retries int) {
	for _, ev := range h.Events {
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
			enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
			enumspb.EVENT_TYPE_TIMER_STARTED,
			enumspb.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
			enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
			enumspb.EVENT_TYPE_MARKER_RECORDED,
			enumspb.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
			n++
		case enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
			// The SDK's own TemporalChangeVersion upsert (made with a
			// version marker) is not billed.
			for k := range ev.GetUpsertWorkflowSearchAttributesEventAttributes().GetSearchAttributes().GetIndexedFields() {
				if k != "TemporalChangeVersion" {
					n++
					break
				}
			}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
			// A retry is one more attempt, billed again.
			if a := ev.GetActivityTaskStartedEventAttributes().GetAttempt(); a > 1 {
				n += int(a) - 1
				retries += int(a) - 1
			}
		}
	}
	return n, retries
}

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
		server, retries := billableInHistory(&h)
		assert.Equal(t, server-retries, runs[0].total(), "%s: counted %v", filepath.Base(f), runs[0].Kinds)
	}
}
