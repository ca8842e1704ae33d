package workflows

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/activities"
)

// TestReadinessFixOneAcceptOneLeaveOne: the lead fixes one finding (a
// ticket or item is opened and the owner's evidence closes it), accepts one
// with a reason, and leaves one undecided, which the auditor will find as it
// is.
func TestReadinessFixOneAcceptOneLeaveOne(t *testing.T) {
	env := newEnv(t)
	spec := testSpec(t)
	acts := &activities.Activities{}
	findings := []activities.ReadinessFinding{
		{FindingID: "VUL-01/2027-W10/present", Rank: 1, ControlID: "VUL-01", Title: "Vulnerability scanning", Owner: leadEmail, Exception: "No evidence for week 10."},
		{FindingID: "ACC-04/2027-Q1/on-time", Rank: 2, ControlID: "ACC-04", Title: "Access reviews", Owner: leadEmail, Exception: "Q1 review raised retrospectively."},
		{FindingID: "LOG-03/2027-W12/by-owner", Rank: 3, ControlID: "LOG-03", Title: "Log review", Owner: leadEmail, Exception: "Given by someone else."},
	}
	env.OnActivity(acts.RunReadinessReview, mock.Anything, mock.Anything).Return(activities.RunReadinessResult{Seed: 7, Findings: findings}, nil)
	var mu sync.Mutex
	decided := map[string]activities.DecideFindingInput{}
	resolved := map[string]string{}
	env.OnActivity(acts.DecideFinding, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.DecideFindingInput) error {
		mu.Lock()
		defer mu.Unlock()
		decided[in.FindingID] = in
		return nil
	})
	env.OnActivity(acts.OpenFindingFix, mock.Anything, mock.Anything).Return(activities.OpenFindingFixResult{TicketKey: "SEC-9"}, nil)
	env.OnActivity(acts.ResolveFinding, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.ResolveFindingInput) error {
		mu.Lock()
		defer mu.Unlock()
		resolved[in.FindingID] = in.Evidence
		return nil
	})
	start := time.Date(2028, 1, 24, 15, 0, 0, 0, time.UTC)
	env.SetStartTime(start)
	in := ReadinessInput{EngagementID: "brightlane", Spec: spec, ReviewID: "r1", FixBy: start.Add(14 * 24 * time.Hour)}
	decide := func(f activities.ReadinessFinding, choice, note string) {
		r := &updateResult{}
		require.NoError(t, env.UpdateWorkflowByID(PromptWorkflowID("brightlane", findingKey("r1", "decide", f.FindingID)),
			UpdateAnswerPrompt, "d-"+f.FindingID, callbacks(r), answer(choice, leadEmail, note)))
		assert.NoError(t, r.rejected, "decision on %s", f.FindingID)
	}
	env.RegisterDelayedCallback(func() {
		decide(findings[0], DecisionFix, "")
		decide(findings[1], DecisionAccept, "the Q1 review was done on time but filed late; we accept the exception")
	}, 2*time.Hour)
	env.RegisterDelayedCallback(func() {
		r := &updateResult{}
		require.NoError(t, env.UpdateWorkflowByID(PromptWorkflowID("brightlane", findingKey("r1", "fix", findings[0].FindingID)),
			UpdateAnswerPrompt, "fix-1", callbacks(r), AnswerPromptRequest{Choice: "fixed", Link: "https://drive.example/scan-w10", Actor: cli(leadEmail)}))
		assert.NoError(t, r.rejected)
	}, 3*24*time.Hour)
	env.ExecuteWorkflow(ReadinessWorkflow, in)
	require.NoError(t, env.GetWorkflowError())
	var res ReadinessResult
	require.NoError(t, env.GetWorkflowResult(&res))
	assert.Equal(t, ReadinessResult{Findings: 3, Fixed: 1, Accepted: 1, Undecided: 1}, res)
	require.Len(t, decided, 2, "the undecided finding records no decision")
	assert.Equal(t, DecisionFix, decided[findings[0].FindingID].Decision)
	assert.Equal(t, DecisionAccept, decided[findings[1].FindingID].Decision)
	assert.Contains(t, decided[findings[1].FindingID].Reason, "accept the exception", "an accepted exception carries its reason")
	assert.Equal(t, map[string]string{findings[0].FindingID: "https://drive.example/scan-w10"}, resolved)
}

// TestReadinessAcceptNeedsAReason: accepting without a reason is refused by
// the prompt's validator, before anything is recorded.
func TestReadinessAcceptNeedsAReason(t *testing.T) {
	env := newEnv(t)
	acts := &activities.Activities{}
	f := activities.ReadinessFinding{FindingID: "VUL-01/2027-W10/present", Rank: 1, ControlID: "VUL-01", Owner: leadEmail}
	env.OnActivity(acts.RunReadinessReview, mock.Anything, mock.Anything).Return(activities.RunReadinessResult{Findings: []activities.ReadinessFinding{f}}, nil)
	env.OnActivity(acts.DecideFinding, mock.Anything, mock.Anything).Return(nil)
	start := time.Date(2028, 1, 24, 15, 0, 0, 0, time.UTC)
	env.SetStartTime(start)
	r := &updateResult{}
	env.RegisterDelayedCallback(func() {
		require.NoError(t, env.UpdateWorkflowByID(PromptWorkflowID("brightlane", findingKey("r1", "decide", f.FindingID)),
			UpdateAnswerPrompt, "d", callbacks(r), answer(DecisionAccept, leadEmail, "")))
	}, time.Hour)
	env.ExecuteWorkflow(ReadinessWorkflow, ReadinessInput{EngagementID: "brightlane", Spec: testSpec(t), ReviewID: "r1", FixBy: start.Add(10 * 24 * time.Hour)})
	require.NoError(t, env.GetWorkflowError())
	assert.Error(t, r.rejected, "accept needs a reason")
	var res ReadinessResult
	require.NoError(t, env.GetWorkflowResult(&res))
	assert.Equal(t, 1, res.Undecided)
}
