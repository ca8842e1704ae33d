package workflows

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
)

// harnessResult is what the test parent saw of remediation.
type harnessResult struct {
	Result RemediationResult
	Last   PhaseProgress
}

// remediationHarness stands in for the engagement: it runs remediation as
// its child (so the test environment follows the child's continue-as-new)
// and keeps the last progress it reported.
func remediationHarness(ctx workflow.Context, in RemediationInput) (harnessResult, error) {
	in.ParentWorkflowID = workflow.GetInfo(ctx).WorkflowExecution.ID
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: RemediationWorkflowID(in.EngagementID)})
	child := workflow.ExecuteChildWorkflow(cctx, RemediationWorkflowName, in)
	var out harnessResult
	var err error
	done := false
	sel := workflow.NewSelector(ctx)
	sel.AddFuture(child, func(f workflow.Future) { err, done = f.Get(ctx, &out.Result), true })
	sel.AddReceive(workflow.GetSignalChannel(ctx, SignalPhaseProgress), func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, &out.Last) })
	for !done {
		sel.Select(ctx)
	}
	for workflow.GetSignalChannel(ctx, SignalPhaseProgress).ReceiveAsync(&out.Last) {
	}
	return out, err
}

// remediationEnv is a time-skipping environment for remediation with its
// records mocked; every activity started is kept (in order) for the
// assertions.
type remediationEnv struct {
	*testsuite.TestWorkflowEnvironment
	mu      sync.Mutex
	started []startedActivity
	// ended is what DescribeGaps reports, by workflow ID.
	ended map[string]activities.GapWorkflowEnd
	// register holds the stored register's gaps NewGaps reads.
	register []activities.RegisterEntry
}

type startedActivity struct {
	name string
	args converter.EncodedValues
}

// remediationMocks: OpenRemediation fails for the controls in fail and
// reports the lead's earlier acceptance for those in accepted; a Jira poll
// takes pollTakes.
type remediationMocks struct {
	fail, accepted []string
	pollTakes      time.Duration
}

func newRemediationEnv(t *testing.T, m remediationMocks) *remediationEnv {
	fail, accepted := m.fail, m.accepted
	env := &remediationEnv{TestWorkflowEnvironment: withIdentity(newEnv(t)), ended: map[string]activities.GapWorkflowEnd{}}
	env.SetTestTimeout(time.Minute)
	env.RegisterWorkflowWithOptions(remediationHarness, workflow.RegisterOptions{Name: "RemediationHarness"})
	acts := &activities.Activities{}
	env.OnActivity(acts.OpenRemediation, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.OpenRemediationInput) (activities.OpenRemediationResult, error) {
			for _, c := range fail {
				if c == in.ControlID {
					return activities.OpenRemediationResult{}, temporal.NewNonRetryableApplicationError("owner unknown", activities.ErrTypeBadInput, nil)
				}
			}
			res := activities.OpenRemediationResult{TicketKey: "SEC-" + in.ControlID, Label: "steadfast-" + in.ControlID}
			for _, c := range accepted {
				if c == in.ControlID {
					res.AcceptedBy, res.AcceptReason = leadEmail, "compensating control"
				}
			}
			return res, nil
		})
	env.OnActivity(acts.ChangeRemediation, mock.Anything, mock.Anything).Return(activities.ChangeRemediationResult{}, nil)
	env.OnActivity(acts.PollTickets, mock.Anything, mock.Anything).Return(activities.PollTicketsResult{}, nil).After(m.pollTakes)
	env.OnActivity(acts.Escalate, mock.Anything, mock.Anything).Return(activities.EscalateResult{}, nil)
	env.OnActivity(acts.DescribeGaps, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.DescribeGapsInput) (activities.DescribeGapsResult, error) {
			env.mu.Lock()
			defer env.mu.Unlock()
			var res activities.DescribeGapsResult
			for _, id := range in.WorkflowIDs {
				if e, ok := env.ended[id]; ok {
					res.Ended = append(res.Ended, e)
				}
			}
			return res, nil
		})
	env.OnActivity(acts.NewGaps, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.NewGapsInput) (activities.NewGapsResult, error) {
			env.mu.Lock()
			defer env.mu.Unlock()
			var res activities.NewGapsResult
			for _, g := range env.register {
				if !slices.Contains(in.Known, g.ControlID) {
					res.Gaps = append(res.Gaps, g)
				}
			}
			return res, nil
		})
	env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, args converter.EncodedValues) {
		env.mu.Lock()
		defer env.mu.Unlock()
		env.started = append(env.started, startedActivity{name: info.ActivityType.Name, args: args})
	})
	// DescribeGaps reads how a gap workflow really ended: so does the
	// mock, from the environment's own children.
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
		env.mu.Lock()
		defer env.mu.Unlock()
		env.ended[end.WorkflowID] = end
	})
	return env
}

// calls returns the inputs of every start of one activity.
func remediationCalls[T any](t *testing.T, env *remediationEnv, name string) []T {
	t.Helper()
	env.mu.Lock()
	defer env.mu.Unlock()
	var out []T
	for _, s := range env.started {
		if s.name == name {
			var in T
			require.NoError(t, s.args.Get(&in))
			out = append(out, in)
		}
	}
	return out
}

func remediationInput(t *testing.T, controls ...string) RemediationInput {
	spec := testSpec(t)
	in := RemediationInput{EngagementID: spec.ID, Spec: spec, Due: time.Now().Add(90 * 24 * time.Hour), Titles: map[string]string{}, Test: &TestHooks{JiraPollEvery: time.Hour}}
	for i, c := range controls {
		in.Gaps = append(in.Gaps, activities.RegisterEntry{ControlID: c, Rank: i + 1, Status: "missing", Owner: delegateEmail})
		in.Titles[c] = "Control " + c
	}
	return in
}

// closeGap closes a gap from the CLI path (the complete update on the
// gap's workflow).
func closeGap(t *testing.T, env *remediationEnv, engagementID, control string) {
	t.Helper()
	r := &updateResult{}
	require.NoError(t, env.UpdateWorkflowByID(GapWorkflowID(engagementID, control), UpdateCompleteGap, "close-"+control, callbacks(r),
		CompleteGapRequest{Actor: cli(leadEmail), Evidence: "https://drive.example/" + control}))
	require.NoError(t, r.rejected)
}

// TestRemediationContinuesAsNewWhileGapsStayOpen: with Jira polled hourly,
// remediation continues as new after a week of polls while gaps are still
// open; the gap workflows live on, and one closed in the second run (its
// start was the first run's) reports to the run that is current. The
// result counts every gap once: two verified, one accepted, one failed.
func TestRemediationContinuesAsNewWhileGapsStayOpen(t *testing.T) {
	env := newRemediationEnv(t, remediationMocks{fail: []string{"LOG-02"}, accepted: []string{"VUL-01"}})
	in := remediationInput(t, "ACC-04", "LOG-02", "VUL-01", "CHG-01")
	id := in.EngagementID
	env.RegisterDelayedCallback(func() { closeGap(t, env, id, "ACC-04") }, 24*time.Hour)
	var mid RemediationProgress
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflowByID(RemediationWorkflowID(id), QueryRemediationProgress)
		require.NoError(t, err)
		require.NoError(t, v.Get(&mid))
		closeGap(t, env, id, "CHG-01")
	}, 10*24*time.Hour)
	env.ExecuteWorkflow("RemediationHarness", in)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var out harnessResult
	require.NoError(t, env.GetWorkflowResult(&out))

	assert.Equal(t, RemediationResult{Verified: 2, Accepted: 1, Failed: 1, FailedGaps: []string{"LOG-02"}}, out.Result)
	assert.Equal(t, 1, mid.Runs, "the first run continued as new after a week of polls")
	assert.Equal(t, []string{"CHG-01"}, mid.Open, "CHG-01 was still open across the boundary")
	assert.GreaterOrEqual(t, mid.Polls, remediationPollsPerRun)
	require.Len(t, mid.Failed, 1)
	assert.Equal(t, "LOG-02", mid.Failed[0].ControlID)
	// Each gap's workflow was started once, across both runs.
	opened := remediationCalls[activities.OpenRemediationInput](t, env, "OpenRemediation")
	var controls []string
	for _, o := range opened {
		controls = append(controls, o.ControlID)
	}
	assert.ElementsMatch(t, []string{"ACC-04", "LOG-02", "VUL-01", "CHG-01"}, controls)
	// The second run asked Temporal about the gap it did not start.
	described := remediationCalls[activities.DescribeGapsInput](t, env, "DescribeGaps")
	require.NotEmpty(t, described)
	assert.Equal(t, []string{GapWorkflowID(id, "CHG-01")}, described[0].WorkflowIDs)
	env.AssertNumberOfCalls(t, "Escalate", 1)
	assert.Contains(t, out.Last.WaitingFor, "3 of 4 gaps closed", "the failed gap is not counted as closed")
	assert.Contains(t, out.Last.WaitingFor, "1 failed, escalated to the lead: LOG-02")
}

// TestRemediationCountsAGapClosedAtTheBoundaryOnce: two gap-closed
// signals name gaps this run started while a Jira poll is running, and
// Temporal suggests continuing as new. The gaps still run: the signals are
// hints (anyone can send one) and this run's futures would say, so the run
// continues as new carrying no outcome. The next run asks Temporal how its
// gaps ended (two have, since), counts those once, and takes a third
// signal, for a gap still running, only as a prompt to ask: it counts that
// gap when its workflow has ended and says so.
func TestRemediationCountsAGapClosedAtTheBoundaryOnce(t *testing.T) {
	env := newRemediationEnv(t, remediationMocks{pollTakes: 10 * time.Minute})
	env.SetDetachedChildWait(false)
	in := remediationInput(t, "ACC-04", "CHG-01", "VUL-01")
	id := in.EngagementID
	acc := GapOutcome{ControlID: "ACC-04", WorkflowID: GapWorkflowID(id, "ACC-04"), Outcome: compliance.ItemVerified, By: leadEmail}
	chg := GapOutcome{ControlID: "CHG-01", WorkflowID: GapWorkflowID(id, "CHG-01"), Outcome: compliance.ItemAccepted, By: leadEmail}
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: RemediationWorkflowID(id)})
	env.RegisterDelayedCallback(func() {
		env.SetContinueAsNewSuggested(true)
		env.SignalWorkflow(SignalGapClosed, acc)
		env.SignalWorkflow(SignalGapClosed, chg)
	}, time.Hour+time.Minute) // during the first poll
	env.ExecuteWorkflow(RemediationWorkflow, in)
	var can *workflow.ContinueAsNewError
	require.True(t, errors.As(env.GetWorkflowError(), &can), "continued as new, got %v", env.GetWorkflowError())
	var next RemediationInput
	require.NoError(t, decodePayloads(can, &next))
	require.NotNil(t, next.State)
	assert.Empty(t, next.State.Outcomes, "signals for gaps that still run were counted")
	assert.ElementsMatch(t, []string{"ACC-04", "CHG-01", "VUL-01"}, next.State.Started)
	assert.Equal(t, 1, next.State.Runs)

	// The next run: ACC-04 and CHG-01 have ended since (as their signals
	// said); VUL-01 is named by a signal while it still runs, then ends
	// and its own signal comes.
	env2 := newRemediationEnv(t, remediationMocks{})
	env2.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: RemediationWorkflowID(id)})
	end := func(o GapOutcome) {
		env2.mu.Lock()
		defer env2.mu.Unlock()
		env2.ended[o.WorkflowID] = activities.GapWorkflowEnd{WorkflowID: o.WorkflowID, Status: "completed", Outcome: o.Outcome, By: o.By}
	}
	end(acc)
	end(chg)
	vul := GapOutcome{ControlID: "VUL-01", WorkflowID: GapWorkflowID(id, "VUL-01"), Outcome: compliance.ItemVerified, By: leadEmail}
	env2.RegisterDelayedCallback(func() { env2.SignalWorkflow(SignalGapClosed, vul) }, time.Minute)
	var mid RemediationProgress
	env2.RegisterDelayedCallback(func() {
		v, err := env2.QueryWorkflow(QueryRemediationProgress)
		require.NoError(t, err)
		require.NoError(t, v.Get(&mid))
	}, 30*time.Minute)
	env2.RegisterDelayedCallback(func() {
		end(vul)
		env2.SignalWorkflow(SignalGapClosed, vul)
	}, time.Hour)
	env2.ExecuteWorkflow(RemediationWorkflow, next)
	require.NoError(t, env2.GetWorkflowError())
	var res RemediationResult
	require.NoError(t, env2.GetWorkflowResult(&res))
	assert.Equal(t, RemediationResult{Verified: 2, Accepted: 1}, res)
	assert.Equal(t, []string{"VUL-01"}, mid.Open, "a signal for a gap still running counted it")
	assert.Equal(t, 2, mid.Verified+mid.Accepted)
	assert.Empty(t, remediationCalls[activities.OpenRemediationInput](t, env2, "OpenRemediation"), "no gap workflow is started twice")
	described := remediationCalls[activities.DescribeGapsInput](t, env2, "DescribeGaps")
	require.Len(t, described, 4, "at the run's start, at the first signal, a minute later, and at the second signal")
	assert.ElementsMatch(t, []string{GapWorkflowID(id, "ACC-04"), GapWorkflowID(id, "CHG-01"), GapWorkflowID(id, "VUL-01")}, described[0].WorkflowIDs)
	for _, d := range described[1:] {
		assert.Equal(t, []string{GapWorkflowID(id, "VUL-01")}, d.WorkflowIDs, "only the open gap is described")
	}
}

// TestRemediationReportsAndEscalatesAFailedGap: a gap whose workflow fails
// is not dropped: it is recorded as remediation-failed, escalated to the
// lead, shown in the progress and counted; remediation still completes
// once every gap has ended.
func TestRemediationReportsAndEscalatesAFailedGap(t *testing.T) {
	env := newRemediationEnv(t, remediationMocks{fail: []string{"LOG-02"}, accepted: []string{"VUL-01"}})
	in := remediationInput(t, "LOG-02", "VUL-01")
	in.Spec.Integrations.JiraProject = "" // no polling: one run
	env.ExecuteWorkflow("RemediationHarness", in)
	require.NoError(t, env.GetWorkflowError())
	var out harnessResult
	require.NoError(t, env.GetWorkflowResult(&out))
	assert.Equal(t, RemediationResult{Accepted: 1, Failed: 1, FailedGaps: []string{"LOG-02"}}, out.Result)

	env.AssertNumberOfCalls(t, "Escalate", 1)
	esc := remediationCalls[activities.EscalateInput](t, env, "Escalate")
	require.Len(t, esc, 1)
	assert.Equal(t, "gap-failed/LOG-02", esc[0].Key)
	assert.Contains(t, esc[0].Reason, "owner unknown", "the lead reads why it failed")
	require.Len(t, esc[0].Tell, 1)
	assert.Equal(t, leadEmail, esc[0].Tell[0].Email)
	var failed []activities.RecordEventInput
	for _, e := range remediationCalls[activities.RecordEventInput](t, env, "RecordEvent") {
		if e.Kind == compliance.EventItemFailed {
			failed = append(failed, e)
		}
	}
	require.Len(t, failed, 1, "the failure is recorded once in the engagement log")
	assert.Equal(t, "LOG-02", failed[0].Detail["control"])
	assert.Contains(t, out.Last.WaitingFor, "1 failed, escalated to the lead: LOG-02")
}

// TestRemediationCancelledCancelsItsGaps: gap workflows outlive a run, so
// cancelling remediation (the engagement stopping) cancels them too: the
// one this run started through its context, and the one an earlier run
// started by an explicit cancel request. Otherwise they would chase their
// owners for an engagement that has stopped (the environment waits for
// abandoned children, so a gap left running would go on to ask its owner).
func TestRemediationCancelledCancelsItsGaps(t *testing.T) {
	env := newRemediationEnv(t, remediationMocks{})
	in := remediationInput(t, "ACC-04", "CHG-01")
	in.Spec.Integrations.JiraProject = ""
	in.State = &RemediationState{Started: []string{"ACC-04"}, Runs: 1} // ACC-04 is an earlier run's
	var cancelled []string
	env.OnRequestCancelExternalWorkflow(mock.Anything, mock.Anything, mock.Anything).Return(
		func(_ string, workflowID, _ string) error { cancelled = append(cancelled, workflowID); return nil })
	env.RegisterDelayedCallback(env.CancelWorkflow, time.Hour)
	env.ExecuteWorkflow(RemediationWorkflow, in)
	require.True(t, env.IsWorkflowCompleted())
	var canceled *temporal.CanceledError
	require.ErrorAs(t, env.GetWorkflowError(), &canceled)
	assert.Equal(t, []string{GapWorkflowID(in.EngagementID, "ACC-04")}, cancelled, "the earlier run's gap is cancelled explicitly")
	assert.Empty(t, remediationCalls[activities.OpenPromptInput](t, env, "OpenPrompt"), "no gap went on to chase its owner")
}
