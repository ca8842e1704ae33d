package workflows

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// TestGapDecidedWhileItsItemIsOpened is the accepted gap TestEngagementEndToEnd
// once found still open after three minutes: the lead's acceptance (or the
// owner's evidence) reached a gap's workflow while its OpenRemediation
// activity was still running, so the handler's ChangeRemediation ran first,
// updated no row, and the item was then inserted 'open' by OpenRemediation,
// while the workflow ended believing the gap closed. The real activities
// write to Postgres; OpenRemediation is held (up to 1 s) until a change has
// run, which makes the old order certain: with the fix no change runs before
// the item exists, and the item ends closed.
func TestGapDecidedWhileItsItemIsOpened(t *testing.T) {
	cases := []struct {
		name, update string
		req          any
		want         string
	}{
		{"accepted", UpdateAcceptGap, AcceptGapRequest{Reason: "minutes kept from Q2; auditor agreed", Actor: cli(leadEmail)}, compliance.ItemAccepted},
		{"fixed", UpdateCompleteGap, CompleteGapRequest{Evidence: "https://drive.example/acc-04", Actor: cli(delegateEmail)}, compliance.ItemVerified},
	}
	db := testenv.Postgres(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			spec, _ := recordedSpec(ctx, t, db, func(s *compliance.Spec) { s.ID += "-" + tc.name })
			real := &activities.Activities{Store: db.Store}

			var ts testsuite.WorkflowTestSuite
			env := withIdentity(ts.NewTestWorkflowEnvironment())
			env.SetTestTimeout(30 * time.Second)
			RegisterWorkflows(env)
			env.RegisterActivity(real)
			changed := make(chan struct{})
			var once sync.Once
			env.OnActivity(real.OpenRemediation, mock.Anything, mock.Anything).Return(
				func(ctx context.Context, in activities.OpenRemediationInput) (activities.OpenRemediationResult, error) {
					select {
					case <-changed:
					case <-time.After(time.Second):
					}
					return real.OpenRemediation(ctx, in)
				})
			env.OnActivity(real.ChangeRemediation, mock.Anything, mock.Anything).Return(
				func(ctx context.Context, in activities.ChangeRemediationInput) (activities.ChangeRemediationResult, error) {
					res, err := real.ChangeRemediation(ctx, in)
					once.Do(func() { close(changed) })
					return res, err
				})

			in := gapInput(t)
			in.EngagementID, in.Spec = spec.ID, spec
			var decided updateResult
			// No delay: the update is handled while OpenRemediation runs.
			env.RegisterDelayedCallback(func() {
				env.UpdateWorkflow(tc.update, "decide", callbacks(&decided), tc.req)
			}, 0)
			env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: GapWorkflowID(spec.ID, in.Gap.ControlID)})
			env.ExecuteWorkflow(GapRemediationWorkflow, in)
			require.NoError(t, env.GetWorkflowError())
			require.NoError(t, decided.rejected)
			require.NoError(t, decided.err)
			var res GapRemediationResult
			require.NoError(t, env.GetWorkflowResult(&res))
			assert.Equal(t, tc.want, res.Outcome)

			items, err := db.Store.Items(ctx, spec.ID)
			require.NoError(t, err)
			require.Len(t, items, 1)
			assert.Equal(t, tc.want, items[0].Status, "the item in Postgres says what the workflow decided")
		})
	}
}
