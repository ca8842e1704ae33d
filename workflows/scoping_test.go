package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
)

func scopingInput(t *testing.T) ScopingInput {
	spec := testSpec(t)
	return ScopingInput{EngagementID: spec.ID, Spec: spec, Revision: 1}
}

func decide(decision, by, reason string) DecideScopeRequest {
	return DecideScopeRequest{Decision: decision, By: by, Reason: reason, Channel: "cli"}
}

func TestScopingSignOffByLead(t *testing.T) {
	env := newEnv(t)
	var res updateResult
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryScope)
		require.NoError(t, err)
		var st ScopeState
		require.NoError(t, v.Get(&st))
		assert.Equal(t, ScopeAwaitingDecision, st.Status)
		assert.Equal(t, []string{leadEmail}, st.WaitingOn)
		require.NotNil(t, st.Plan)
		env.UpdateWorkflow(UpdateDecideScope, "u1", callbacks(&res), decide(DecisionApprove, "Maya@Brightlane.io", "reviewed"))
	}, time.Hour)
	env.ExecuteWorkflow(ScopingWorkflow, scopingInput(t))

	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	require.NoError(t, res.rejected)
	require.NoError(t, res.err)
	d := res.value.(ScopeDecision)
	assert.Equal(t, leadEmail, d.By, "emails are recorded lower-cased")
	assert.Equal(t, "u1", d.UpdateID)

	var out ScopingResult
	require.NoError(t, env.GetWorkflowResult(&out))
	assert.Equal(t, 1, out.Revision)
	require.Len(t, out.Decisions, 1)
	assert.Equal(t, DecisionApprove, out.Decisions[0].Decision)
	assert.Equal(t, compliance.Date{Year: 2027, Month: 9, Day: 20}, out.Plan.AuditDate)
	assert.NotEmpty(t, out.Risks, "the example excludes a CRM with personal data")
}

func TestScopingDelegateMayDecide(t *testing.T) {
	env := newEnv(t)
	var res updateResult
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateDecideScope, "u1", callbacks(&res), decide(DecisionApprove, delegateEmail, ""))
	}, time.Hour)
	env.ExecuteWorkflow(ScopingWorkflow, scopingInput(t))
	require.NoError(t, res.rejected)
	require.True(t, env.IsWorkflowCompleted())
}

func TestScopingRejectionThenRevision(t *testing.T) {
	env := newEnv(t)
	var reject, revise, approve updateResult
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateDecideScope, "reject", callbacks(&reject), decide(DecisionReject, leadEmail, "bring hubspot into scope"))
	}, time.Hour)
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryScope)
		require.NoError(t, err)
		var st ScopeState
		require.NoError(t, v.Get(&st))
		assert.Equal(t, ScopeAwaitingRevision, st.Status)
		assert.Equal(t, []string{"sam@steadfast.example"}, st.WaitingOn, "a rejected scope waits on the consultant")

		spec := testSpec(t)
		for i := range spec.Systems {
			if spec.Systems[i].Name == "hubspot" {
				spec.Systems[i].Scope, spec.Systems[i].Rationale = compliance.ScopeIn, ""
			}
		}
		env.UpdateWorkflow(UpdateReviseScope, "revise", callbacks(&revise), ReviseScopeRequest{Spec: spec, By: "sam@steadfast.example"})
	}, 2*time.Hour)
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryScope)
		require.NoError(t, err)
		var st ScopeState
		require.NoError(t, v.Get(&st))
		assert.Equal(t, 2, st.Revision)
		assert.Equal(t, ScopeAwaitingDecision, st.Status)
		for _, r := range st.Risks {
			assert.NotEqual(t, compliance.RuleExcludedSensitiveData, r.Rule, "revision 2 brought hubspot into scope")
		}
		env.UpdateWorkflow(UpdateDecideScope, "approve", callbacks(&approve), decide(DecisionApprove, leadEmail, ""))
	}, 3*time.Hour)
	env.ExecuteWorkflow(ScopingWorkflow, scopingInput(t))

	require.NoError(t, env.GetWorkflowError())
	require.NoError(t, reject.rejected)
	require.NoError(t, revise.rejected)
	assert.Equal(t, ReviseScopeResult{Revision: 2}, revise.value)
	require.NoError(t, approve.rejected)
	var out ScopingResult
	require.NoError(t, env.GetWorkflowResult(&out))
	assert.Equal(t, 2, out.Revision)
	require.Len(t, out.Decisions, 2)
	assert.Equal(t, DecisionReject, out.Decisions[0].Decision)
	assert.Equal(t, "bring hubspot into scope", out.Decisions[0].Reason)
	assert.Equal(t, DecisionApprove, out.Decisions[1].Decision)
}

func TestScopingValidatorRejects(t *testing.T) {
	cases := []struct {
		name string
		req  DecideScopeRequest
		want string
	}{
		{"control owner is not a decider", decide(DecisionApprove, ownerEmail, ""), "may not decide"},
		{"stranger", decide(DecisionApprove, "eve@example.com", ""), "may not decide"},
		{"nobody", decide(DecisionApprove, "", ""), "who is deciding"},
		{"reject without reason", decide(DecisionReject, leadEmail, "  "), "needs a reason"},
		{"unknown choice", decide("maybe", leadEmail, ""), "decision must be"},
		{"stale revision", DecideScopeRequest{Decision: DecisionApprove, By: leadEmail, Revision: 7}, "revision 7"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t)
			var bad, good updateResult
			env.RegisterDelayedCallback(func() {
				env.UpdateWorkflow(UpdateDecideScope, "bad", callbacks(&bad), tc.req)
			}, time.Hour)
			env.RegisterDelayedCallback(func() {
				env.UpdateWorkflow(UpdateDecideScope, "good", callbacks(&good), decide(DecisionApprove, leadEmail, ""))
			}, 2*time.Hour)
			env.ExecuteWorkflow(ScopingWorkflow, scopingInput(t))
			require.Error(t, bad.rejected)
			assert.Contains(t, bad.rejected.Error(), tc.want)
			require.NoError(t, good.rejected, "a valid decision after a rejected one still lands")
			var out ScopingResult
			require.NoError(t, env.GetWorkflowResult(&out))
			assert.Len(t, out.Decisions, 1, "the rejected update recorded nothing")
		})
	}
}

func TestScopingSecondDecisionRejected(t *testing.T) {
	env := newEnv(t)
	var first, second updateResult
	// Both arrive in the same instant: the second must see the first.
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateDecideScope, "first", callbacks(&first), decide(DecisionReject, leadEmail, "missing the CRM"))
		env.UpdateWorkflow(UpdateDecideScope, "second", callbacks(&second), decide(DecisionApprove, delegateEmail, ""))
	}, time.Hour)
	env.RegisterDelayedCallback(func() {
		// Let the test end: the workflow is waiting for a revision.
		env.CancelWorkflow()
	}, 2*time.Hour)
	env.ExecuteWorkflow(ScopingWorkflow, scopingInput(t))
	require.NoError(t, first.rejected)
	require.Error(t, second.rejected)
	assert.Regexp(t, "being recorded|already rejected", second.rejected.Error())
}

func TestScopingApprovedCannotBeDecidedAgain(t *testing.T) {
	env := newEnv(t)
	var first, again updateResult
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateDecideScope, "first", callbacks(&first), decide(DecisionApprove, leadEmail, ""))
	}, time.Hour)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateDecideScope, "again", callbacks(&again), decide(DecisionReject, leadEmail, "changed my mind"))
	}, time.Hour+time.Second)
	env.ExecuteWorkflow(ScopingWorkflow, scopingInput(t))
	require.NoError(t, first.rejected)
	if again.done { // the workflow may already have closed, which also refuses it
		require.Error(t, again.rejected)
		assert.Contains(t, again.rejected.Error(), "already approved")
	}
	var out ScopingResult
	require.NoError(t, env.GetWorkflowResult(&out))
	assert.Len(t, out.Decisions, 1)
}

func TestScopingRevisionForAnotherEngagementRejected(t *testing.T) {
	env := newEnv(t)
	var bad updateResult
	env.RegisterDelayedCallback(func() {
		spec := testSpec(t)
		spec.ID = "someone-else"
		env.UpdateWorkflow(UpdateReviseScope, "bad", callbacks(&bad), ReviseScopeRequest{Spec: spec, By: "sam@steadfast.example"})
	}, time.Hour)
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, 2*time.Hour)
	env.ExecuteWorkflow(ScopingWorkflow, scopingInput(t))
	require.Error(t, bad.rejected)
	assert.Contains(t, bad.rejected.Error(), "someone-else")
}
