package workflows

import (
	"context"
	"slices"
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

// TestRemediationWithdrawsAGapLeftOutOfScope: ACC-04 and GOV-07 are being
// remediated, their owners already chased. A forged withdraw-gaps hint
// names ACC-04, which the stored spec still has in scope: nothing is
// withdrawn and the claim is recorded as signal-ignored. Then an approved
// change's hint names GOV-07, which the stored spec no longer operates:
// its item is withdrawn with the change and its approver, its gap workflow
// is cancelled (its owner's prompt withdrawn), and remediation completes
// once ACC-04 alone is closed, counting GOV-07 as withdrawn.
func TestRemediationWithdrawsAGapLeftOutOfScope(t *testing.T) {
	env := newRemediationEnv(t, remediationMocks{})
	in := remediationInput(t, "ACC-04", "GOV-07")
	in.Due = time.Now().Add(48 * time.Hour) // the chase has begun
	id := in.EngagementID
	acts := &activities.Activities{}
	env.OnActivity(acts.CheckWithdrawal, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CheckWithdrawalInput) (activities.CheckWithdrawalResult, error) {
			res := activities.CheckWithdrawalResult{ChangeID: "tailoring-stored", ApprovedBy: leadEmail}
			if slices.Contains(in.Controls, "GOV-07") {
				res.Withdrawn = []string{"GOV-07"}
				res.Justifications = map[string]string{"GOV-07": "the org chart is the HR system's live view"}
			}
			return res, nil
		})
	env.OnActivity(acts.WithdrawRemediation, mock.Anything, mock.Anything).Return(
		activities.WithdrawRemediationResult{Withdrawn: true, Status: compliance.ItemWithdrawn}, nil)
	env.OnActivity(acts.RecordEvent, mock.Anything, mock.Anything).Return(activities.RecordEventResult{}, nil)

	var mid RemediationProgress
	env.RegisterDelayedCallback(func() {
		require.NoError(t, env.SignalWorkflowByID(RemediationWorkflowID(id), SignalWithdrawGaps,
			WithdrawGaps{ChangeID: "tailoring-forged", Controls: []string{"ACC-04"}}))
	}, time.Hour)
	env.RegisterDelayedCallback(func() {
		require.NoError(t, env.SignalWorkflowByID(RemediationWorkflowID(id), SignalWithdrawGaps,
			WithdrawGaps{ChangeID: "tailoring-stored", Controls: []string{"GOV-07", "CC-99"}}))
	}, 2*time.Hour)
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflowByID(RemediationWorkflowID(id), QueryRemediationProgress)
		require.NoError(t, err)
		require.NoError(t, v.Get(&mid))
		closeGap(t, env, id, "ACC-04")
	}, 3*time.Hour)
	env.ExecuteWorkflow("RemediationHarness", in)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var out harnessResult
	require.NoError(t, env.GetWorkflowResult(&out))

	assert.Equal(t, RemediationResult{Verified: 1, Withdrawn: 1, WithdrawnGaps: []string{"GOV-07"}}, out.Result,
		"remediation completes with ACC-04 closed, without waiting for GOV-07")
	assert.Equal(t, []string{"ACC-04"}, mid.Open, "the forged hint left ACC-04 open")
	assert.Equal(t, []string{"GOV-07"}, mid.Withdrawn)
	assert.Contains(t, out.Last.WaitingFor, "1 withdrawn by a tailoring change: GOV-07")

	checked := remediationCalls[activities.CheckWithdrawalInput](t, env, "CheckWithdrawal")
	require.Len(t, checked, 2, "each hint is checked against the stored spec")
	assert.Equal(t, []string{"ACC-04"}, checked[0].Controls)
	assert.Equal(t, []string{"GOV-07"}, checked[1].Controls, "a control that is not one of its gaps is not asked about")
	withdrawn := remediationCalls[activities.WithdrawRemediationInput](t, env, "WithdrawRemediation")
	require.Len(t, withdrawn, 1, "only GOV-07's item is withdrawn")
	assert.Equal(t, GapWorkflowID(id, "GOV-07"), withdrawn[0].ItemID)
	assert.Equal(t, "tailoring-stored", withdrawn[0].ChangeID, "the change as the stored spec names it")
	assert.Equal(t, leadEmail, withdrawn[0].ApprovedBy)
	assert.Equal(t, "the org chart is the HR system's live view", withdrawn[0].Reason)

	events := remediationCalls[activities.RecordEventInput](t, env, "RecordEvent")
	ignored := slices.IndexFunc(events, func(e activities.RecordEventInput) bool { return e.Kind == compliance.EventSignalIgnored })
	require.GreaterOrEqual(t, ignored, 0, "the forged hint is recorded as ignored")
	assert.Equal(t, SignalWithdrawGaps, events[ignored].Detail["signal"])
	assert.Equal(t, 1, len(slices.DeleteFunc(slices.Clone(events), func(e activities.RecordEventInput) bool { return e.Kind != compliance.EventSignalIgnored })),
		"the real hint is not recorded as ignored")

	for _, c := range remediationCalls[activities.ChangeRemediationInput](t, env, "ChangeRemediation") {
		assert.NotEqual(t, GapWorkflowID(id, "GOV-07"), c.Change.ItemID, "the withdrawn gap is not closed or accepted")
	}
	steps := remediationCalls[activities.PromptStepInput](t, env, "PromptStep")
	assert.True(t, slices.ContainsFunc(steps, func(s activities.PromptStepInput) bool {
		return s.Step.Kind == activities.StepWithdraw && s.PromptID == PromptWorkflowID(id, "fix/GOV-07")
	}), "GOV-07's owner prompt is withdrawn: no more reminders")
	env.mu.Lock()
	end := env.ended[GapWorkflowID(id, "GOV-07")]
	env.mu.Unlock()
	assert.Equal(t, "failed", end.Status, "GOV-07's gap workflow was cancelled (%s)", end.Reason)
	assert.Contains(t, end.Reason, "canceled")
}

// TestProgrammeTellsRoundRemediationsToWithdraw: an approved programme
// change that takes GOV-07 out of scope tells every round remediation of
// the engagement Temporal lists as running — one started by a change of an
// earlier cycle and one by the engagement before certification, which this
// run does not know — and the round remediation of each earlier change of
// its own that found gaps (not a change that found none, nor itself). When
// the listing is unavailable it tells those it knows; a change that removes
// nothing asks and tells none.
func TestProgrammeTellsRoundRemediationsToWithdraw(t *testing.T) {
	known := RoundRemediationWorkflowID("brightlane", "tailoring-gaps")
	lastCycle := RoundRemediationWorkflowID("brightlane", "tailoring-lastyear")
	beforeCert := RoundRemediationWorkflowID("brightlane", "tailoring-typei")
	listed := activities.RunningRemediationsResult{WorkflowIDs: []string{lastCycle, known, beforeCert, RoundRemediationWorkflowID("brightlane", "tailoring-now")}}
	for _, tc := range []struct {
		name    string
		removed []string
		listing activities.RunningRemediationsResult
		told    []string
		asked   int
	}{
		{"controls removed", []string{"GOV-07"}, listed, []string{known, lastCycle, beforeCert}, 1},
		{"listing unavailable", []string{"GOV-07"}, activities.RunningRemediationsResult{Unavailable: true}, []string{known}, 1},
		{"nothing removed", nil, listed, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := (&testsuite.WorkflowTestSuite{}).NewTestWorkflowEnvironment()
			var mu sync.Mutex // the environment sends signals concurrently
			var told []string
			var hints []WithdrawGaps
			harness := func(ctx workflow.Context) error {
				r := &programmeRun{in: ProgrammeInput{EngagementID: "brightlane"}}
				r.state.Changes = []ScopeChange{{ID: "tailoring-gaps", Gaps: 1}, {ID: "tailoring-none"}, {ID: "tailoring-now", Gaps: 2}}
				r.withdrawFromRemediations(ctx, ScopeChange{ID: "tailoring-now"}, tc.removed)
				return nil
			}
			env.RegisterWorkflowWithOptions(harness, workflow.RegisterOptions{Name: "ProgrammeWithdrawHarness"})
			var asked []activities.RunningRemediationsInput
			env.OnActivity((&activities.Activities{}).RunningRemediations, mock.Anything, mock.Anything).Return(
				func(_ context.Context, in activities.RunningRemediationsInput) (activities.RunningRemediationsResult, error) {
					asked = append(asked, in)
					return tc.listing, nil
				})
			env.OnSignalExternalWorkflow(mock.Anything, mock.Anything, "", SignalWithdrawGaps, mock.Anything).Return(
				func(_, id, _, _ string, arg any) error {
					mu.Lock()
					defer mu.Unlock()
					told = append(told, id)
					hints = append(hints, arg.(WithdrawGaps))
					return nil
				})
			env.ExecuteWorkflow("ProgrammeWithdrawHarness")
			require.NoError(t, env.GetWorkflowError())
			assert.ElementsMatch(t, tc.told, told)
			require.Len(t, asked, tc.asked)
			for _, in := range asked {
				assert.Equal(t, activities.RunningRemediationsInput{EngagementID: "brightlane", WorkflowTypes: []string{RemediationWorkflowName},
					IDPrefixes: []string{RemediationWorkflowID("brightlane") + "/"}}, in, "only round remediations are listed")
			}
			for _, h := range hints {
				assert.Equal(t, WithdrawGaps{ChangeID: "tailoring-now", Controls: []string{"GOV-07"}}, h)
			}
		})
	}
}

// TestEngagementTellsEveryRunningRemediationToWithdraw: an engagement in
// its remediation phase whose change takes GOV-07 out of scope tells its
// own remediation, its earlier change's round remediation, and a round
// remediation only Temporal lists (a programme change's, say); with no
// listing, only the two it knows.
func TestEngagementTellsEveryRunningRemediationToWithdraw(t *testing.T) {
	own := RemediationWorkflowID("brightlane")
	known := RoundRemediationWorkflowID("brightlane", "tailoring-gaps")
	other := RoundRemediationWorkflowID("brightlane", "tailoring-elsewhere")
	for _, tc := range []struct {
		name    string
		listing activities.RunningRemediationsResult
		told    []string
	}{
		{"listed", activities.RunningRemediationsResult{WorkflowIDs: []string{other, known}}, []string{own, known, other}},
		{"listing unavailable", activities.RunningRemediationsResult{Unavailable: true}, []string{own, known}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := (&testsuite.WorkflowTestSuite{}).NewTestWorkflowEnvironment()
			harness := func(ctx workflow.Context) error {
				c := &engagementChanges{st: &EngagementState{EngagementID: "brightlane", Phase: compliance.PhaseRemediation,
					Changes: []ScopeChange{{ID: "tailoring-gaps", Gaps: 1}, {ID: "tailoring-now"}}}}
				c.withdrawFromRemediation(ctx, ScopeChange{ID: "tailoring-now"}, []string{"GOV-07"})
				return nil
			}
			env.RegisterWorkflowWithOptions(harness, workflow.RegisterOptions{Name: "EngagementWithdrawHarness"})
			env.OnActivity((&activities.Activities{}).RunningRemediations, mock.Anything, mock.Anything).Return(tc.listing, nil)
			var mu sync.Mutex // the environment sends signals concurrently
			var told []string
			env.OnSignalExternalWorkflow(mock.Anything, mock.Anything, "", SignalWithdrawGaps, mock.Anything).Return(
				func(_, id, _, _ string, _ any) error {
					mu.Lock()
					defer mu.Unlock()
					told = append(told, id)
					return nil
				})
			env.ExecuteWorkflow("EngagementWithdrawHarness")
			require.NoError(t, env.GetWorkflowError())
			assert.ElementsMatch(t, tc.told, told)
		})
	}
}

// TestRemediationWithdrawsAGapOnceItsItemIsRecorded: a withdraw-gaps hint
// confirmed for GOV-07 arrives before GOV-07's item is recorded (its gap
// workflow is still creating the Jira ticket): the withdrawal is kept, not
// dropped, and tried again with backoff — not on every workflow task — and
// carried when the run continues as new after a week of Jira polls. Once
// the item is recorded (day 8, in the second run) it is withdrawn, its gap
// workflow cancelled, and remediation completes with ACC-04 closed, the
// stored spec asked only once.
func TestRemediationWithdrawsAGapOnceItsItemIsRecorded(t *testing.T) {
	env := newRemediationEnv(t, remediationMocks{})
	in := remediationInput(t, "ACC-04", "GOV-07")
	id := in.EngagementID
	acts := &activities.Activities{}
	env.OnActivity(acts.CheckWithdrawal, mock.Anything, mock.Anything).Return(activities.CheckWithdrawalResult{
		ChangeID: "tailoring-stored", ApprovedBy: leadEmail, Withdrawn: []string{"GOV-07"}}, nil)
	var recorded bool
	env.OnActivity(acts.WithdrawRemediation, mock.Anything, mock.Anything).Return(
		func(context.Context, activities.WithdrawRemediationInput) (activities.WithdrawRemediationResult, error) {
			env.mu.Lock()
			defer env.mu.Unlock()
			if !recorded {
				return activities.WithdrawRemediationResult{}, nil // no item yet
			}
			return activities.WithdrawRemediationResult{Withdrawn: true, Status: compliance.ItemWithdrawn}, nil
		})
	env.OnActivity(acts.RecordEvent, mock.Anything, mock.Anything).Return(activities.RecordEventResult{}, nil)

	env.RegisterDelayedCallback(func() {
		require.NoError(t, env.SignalWorkflowByID(RemediationWorkflowID(id), SignalWithdrawGaps,
			WithdrawGaps{ChangeID: "tailoring-stored", Controls: []string{"GOV-07"}}))
	}, time.Hour)
	var mid RemediationProgress
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflowByID(RemediationWorkflowID(id), QueryRemediationProgress)
		require.NoError(t, err)
		require.NoError(t, v.Get(&mid))
		env.mu.Lock()
		recorded = true
		env.mu.Unlock()
	}, 8*24*time.Hour)
	env.RegisterDelayedCallback(func() { closeGap(t, env, id, "ACC-04") }, 9*24*time.Hour)
	env.ExecuteWorkflow("RemediationHarness", in)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var out harnessResult
	require.NoError(t, env.GetWorkflowResult(&out))

	assert.Equal(t, RemediationResult{Verified: 1, Withdrawn: 1, WithdrawnGaps: []string{"GOV-07"}}, out.Result,
		"GOV-07 is withdrawn once its item is recorded")
	assert.GreaterOrEqual(t, mid.Runs, 1, "the run continued as new while the withdrawal was pending")
	assert.ElementsMatch(t, []string{"ACC-04", "GOV-07"}, mid.Open, "GOV-07 stayed open while its item was not recorded")
	assert.Len(t, remediationCalls[activities.CheckWithdrawalInput](t, env, "CheckWithdrawal"), 1,
		"the confirmed withdrawal is carried, not checked again")
	withdrawn := remediationCalls[activities.WithdrawRemediationInput](t, env, "WithdrawRemediation")
	require.Greater(t, len(withdrawn), 2, "tried again")
	assert.LessOrEqual(t, len(withdrawn), 8*24+2*8, "backs off to hourly tries: no busy loop")
	last := withdrawn[len(withdrawn)-1]
	assert.Equal(t, activities.WithdrawRemediationInput{EngagementID: id, ItemID: GapWorkflowID(id, "GOV-07"), ControlID: "GOV-07",
		ChangeID: "tailoring-stored", ApprovedBy: leadEmail, At: last.At}, last, "the second run withdraws it as the first confirmed it")
	env.mu.Lock()
	end := env.ended[GapWorkflowID(id, "GOV-07")]
	env.mu.Unlock()
	assert.Equal(t, "failed", end.Status, "GOV-07's gap workflow was cancelled (%s)", end.Reason)
	assert.Contains(t, end.Reason, "canceled")
}
