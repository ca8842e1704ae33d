package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// TestGapDecidedAsItOpensForReal is TestGapDecidedWhileItsItemIsOpened on
// the dev server: the lead's acceptance (or the owner's evidence) is sent
// the moment the gap's workflow starts, as the CLI's `gaps accept` does
// when remediation has just begun, and the item in Postgres ends closed.
//
// STEADFAST_UPDATE_HISTORIES=1 records both histories (versionDecideAfterOpen
// taken in each handler) under testdata/histories.
func TestGapDecidedAsItOpensForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal and Postgres")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	const queue = "steadfast-gap-open-race"
	realWorker(t, tmp, queue, &activities.Activities{Store: db.Store, Temporal: tmp.Client})

	cases := []struct {
		name, update, history string
		req                   any
		want                  string
	}{
		{"accepted", UpdateAcceptGap, "gap_remediation_accepted_as_opened.json",
			AcceptGapRequest{Reason: "minutes kept from Q2; auditor agreed", Actor: cli(leadEmail)}, compliance.ItemAccepted},
		{"fixed", UpdateCompleteGap, "gap_remediation_fixed_as_opened.json",
			CompleteGapRequest{Evidence: "https://drive.example/acc-04", Actor: cli(delegateEmail)}, compliance.ItemVerified},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec, _ := recordedSpec(ctx, t, db, func(s *compliance.Spec) { s.ID += "-" + tc.name })
			in := gapInput(t)
			in.EngagementID, in.Spec = spec.ID, spec
			id := GapWorkflowID(spec.ID, in.Gap.ControlID)
			run, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue}, GapRemediationWorkflowName, in)
			require.NoError(t, err)
			h, err := tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateID: "decide", UpdateName: tc.update,
				WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{tc.req}})
			require.NoError(t, err)
			require.NoError(t, h.Get(ctx, nil))
			var res GapRemediationResult
			require.NoError(t, run.Get(ctx, &res))
			assert.Equal(t, tc.want, res.Outcome)

			items, err := db.Store.Items(ctx, spec.ID)
			require.NoError(t, err)
			require.Len(t, items, 1)
			assert.Equal(t, tc.want, items[0].Status, "the item in Postgres says what the workflow decided")
			if updateHistories() {
				saveHistory(t, history(t, ctx, tmp.Client, id, run.GetRunID()), tc.history)
			}
		})
	}
}
