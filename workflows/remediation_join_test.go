package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/activities"
)

// TestRemediationTakesOnAChangesGaps: while ACC-04 is being remediated, a
// change's round rebuilds the register with a new gap, GOV-07, and says so.
// The remediation reads the register (the signal names no gap), opens
// GOV-07's ticket with its owner, counts it, and completes only once both
// are closed. A second gaps-found signal, with nothing new in the
// register, starts nothing.
func TestRemediationTakesOnAChangesGaps(t *testing.T) {
	env := newRemediationEnv(t, remediationMocks{})
	in := remediationInput(t, "ACC-04")
	id := in.EngagementID
	gov07 := activities.RegisterEntry{ControlID: "GOV-07", Title: "Org chart", Rank: 1, Status: "missing", Owner: ownerEmail}
	var mid RemediationProgress
	env.RegisterDelayedCallback(func() {
		env.mu.Lock()
		env.register = []activities.RegisterEntry{gov07, {ControlID: "ACC-04", Rank: 2, Status: "missing", Owner: delegateEmail}}
		env.mu.Unlock()
		require.NoError(t, env.SignalWorkflowByID(RemediationWorkflowID(id), SignalGapsFound, GapsFound{Round: "tailoring-abc"}))
	}, 2*time.Hour)
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflowByID(RemediationWorkflowID(id), QueryRemediationProgress)
		require.NoError(t, err)
		require.NoError(t, v.Get(&mid))
		require.NoError(t, env.SignalWorkflowByID(RemediationWorkflowID(id), SignalGapsFound, GapsFound{Round: "forged"}))
		closeGap(t, env, id, "ACC-04")
	}, 3*time.Hour)
	env.RegisterDelayedCallback(func() { closeGap(t, env, id, "GOV-07") }, 5*time.Hour)
	env.ExecuteWorkflow("RemediationHarness", in)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var out harnessResult
	require.NoError(t, env.GetWorkflowResult(&out))

	assert.Equal(t, 2, mid.Gaps, "the change's gap is counted")
	assert.ElementsMatch(t, []string{"ACC-04", "GOV-07"}, mid.Open)
	assert.Equal(t, RemediationResult{Verified: 2}, out.Result, "remediation completes once the change's gap is closed too")
	assert.Contains(t, out.Last.WaitingFor, "2 of 2 gaps closed")

	opened := remediationCalls[activities.OpenRemediationInput](t, env, "OpenRemediation")
	require.Len(t, opened, 2, "one ticket per gap; the second signal opened nothing")
	assert.Equal(t, "GOV-07", opened[1].ControlID)
	assert.Equal(t, ownerEmail, opened[1].Owner, "the gap's owner from the register")
	assert.Equal(t, "Org chart", opened[1].Title)
	asked := remediationCalls[activities.NewGapsInput](t, env, "NewGaps")
	require.Len(t, asked, 3, "at the start, then once per signal")
	assert.Equal(t, []string{"ACC-04", "GOV-07"}, asked[2].Known)
}

// TestChangeRoundTellsRemediation: a change's round that finds a gap among
// its own controls sends gaps-found to the engagement's remediation; a
// round whose gaps are all elsewhere in the register does not.
func TestChangeRoundTellsRemediation(t *testing.T) {
	for _, tc := range []struct {
		name string
		gaps []activities.RegisterEntry
		told bool
	}{
		{"gap among its controls", []activities.RegisterEntry{{ControlID: "ACC-04"}, {ControlID: "GOV-07"}}, true},
		{"no gap among its controls", []activities.RegisterEntry{{ControlID: "GOV-07"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t)
			spec := testSpec(t)
			acts := &activities.Activities{}
			env.OnActivity(acts.RecordAssessment, mock.Anything, mock.Anything).Return(activities.RecordAssessmentResult{}, nil)
			env.OnActivity(acts.BuildRegister, mock.Anything, mock.Anything).Return(activities.BuildRegisterResult{Gaps: tc.gaps}, nil)
			var told []GapsFound
			env.OnSignalExternalWorkflow(mock.Anything, RemediationWorkflowID(spec.ID), "", SignalGapsFound, mock.Anything).Return(
				func(_, _, _, _ string, arg any) error {
					told = append(told, arg.(GapsFound))
					return nil
				})
			env.ExecuteWorkflow(GapAssessmentWorkflow, GapAssessmentInput{EngagementID: spec.ID, Spec: spec, Only: []string{"ACC-04"}, Round: "tailoring-abc"})
			require.NoError(t, env.GetWorkflowError())
			if tc.told {
				assert.Equal(t, []GapsFound{{Round: "tailoring-abc"}}, told)
			} else {
				assert.Empty(t, told)
			}
		})
	}
}
