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
	return DecideScopeRequest{Decision: decision, Actor: cli(by), Reason: reason, Channel: "cli"}
}

func TestScopingSignOffByLeadThroughPrompt(t *testing.T) {
	env := newEnv(t)
	var res updateResult
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryScope)
		require.NoError(t, err)
		var st ScopeState
		require.NoError(t, v.Get(&st))
		assert.Equal(t, ScopeAwaitingDecision, st.Status)
		assert.Equal(t, []string{leadEmail}, st.WaitingOn)
		assert.Equal(t, "prompt/brightlane/scope-signoff/r1", st.SignoffPrompt)
		require.NotNil(t, st.Plan)
		signoff(t, env, 1, "u1", &res, answer(DecisionApprove, "Maya@Brightlane.io", "reviewed"))
	}, time.Hour)
	env.ExecuteWorkflow(ScopingWorkflow, scopingInput(t))

	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	require.NoError(t, res.rejected)
	require.NoError(t, res.err)

	var out ScopingResult
	require.NoError(t, env.GetWorkflowResult(&out))
	assert.Equal(t, 1, out.Revision)
	require.Len(t, out.Decisions, 1)
	d := out.Decisions[0]
	assert.Equal(t, DecisionApprove, d.Decision)
	assert.Equal(t, leadEmail, d.By, "emails are recorded lower-cased")
	assert.Equal(t, "u1", d.UpdateID)
	assert.Equal(t, "reviewed", d.Reason)
	assert.Equal(t, compliance.Date{Year: 2027, Month: 9, Day: 20}, out.Plan.AuditDate)
	assert.NotEmpty(t, out.Risks, "the example excludes a CRM with personal data")
}

func TestScopingDelegateMayDecide(t *testing.T) {
	env := newEnv(t)
	var res updateResult
	env.RegisterDelayedCallback(func() {
		signoff(t, env, 1, "u1", &res, answer(DecisionApprove, delegateEmail, ""))
	}, time.Hour)
	env.ExecuteWorkflow(ScopingWorkflow, scopingInput(t))
	require.NoError(t, res.rejected)
	require.True(t, env.IsWorkflowCompleted())
	var out ScopingResult
	require.NoError(t, env.GetWorkflowResult(&out))
	assert.Equal(t, delegateEmail, out.Decisions[0].By)
}

func TestScopingRejectionThenRevision(t *testing.T) {
	env := newEnv(t)
	var reject, revise, approve updateResult
	env.RegisterDelayedCallback(func() {
		signoff(t, env, 1, "reject", &reject, answer(DecisionReject, leadEmail, "bring hubspot into scope"))
	}, time.Hour)
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryScope)
		require.NoError(t, err)
		var st ScopeState
		require.NoError(t, v.Get(&st))
		assert.Equal(t, ScopeAwaitingRevision, st.Status)
		assert.Equal(t, []string{"sam@steadfast.example"}, st.WaitingOn, "a rejected scope waits on the consultant")
		assert.Empty(t, st.SignoffPrompt)

		spec := testSpec(t)
		for i := range spec.Systems {
			if spec.Systems[i].Name == "hubspot" {
				spec.Systems[i].Scope, spec.Systems[i].Rationale = compliance.ScopeIn, ""
			}
		}
		env.UpdateWorkflow(UpdateReviseScope, "revise", callbacks(&revise), ReviseScopeRequest{Spec: spec, Actor: cli("sam@steadfast.example")})
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
		signoff(t, env, 2, "approve", &approve, answer(DecisionApprove, leadEmail, ""))
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

// A scope awaiting sign-off cannot be replaced under the lead: a revised
// spec is taken only after a rejection, and the open sign-off stays.
func TestScopingRevisionBeforeRejectionRefused(t *testing.T) {
	env := newEnv(t)
	var revise, approve updateResult
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateReviseScope, "revise", callbacks(&revise), ReviseScopeRequest{Spec: testSpec(t), Actor: cli("sam@steadfast.example")})
	}, time.Hour)
	env.RegisterDelayedCallback(func() {
		signoff(t, env, 1, "approve", &approve, answer(DecisionApprove, leadEmail, ""))
	}, 2*time.Hour)
	env.ExecuteWorkflow(ScopingWorkflow, scopingInput(t))
	require.NoError(t, env.GetWorkflowError())
	require.Error(t, revise.rejected)
	assert.Equal(t, "revision 1 of the scope has not been rejected; a revised spec is taken only after the lead rejects the current one (starter scope reject)", revise.rejected.Error())
	require.NoError(t, approve.rejected)
	var out ScopingResult
	require.NoError(t, env.GetWorkflowResult(&out))
	assert.Equal(t, 1, out.Revision)
	require.Len(t, out.Decisions, 1)
}

func TestScopingValidatorRejects(t *testing.T) {
	cases := []struct {
		name string
		req  AnswerPromptRequest
		want string
	}{
		{"control owner is not a decider", answer(DecisionApprove, ownerEmail, ""), "may not answer"},
		{"stranger", answer(DecisionApprove, "eve@example.com", ""), "may not answer"},
		{"nobody", answer(DecisionApprove, "", ""), "say who is acting (--as EMAIL)"},
		{"reject without reason", answer(DecisionReject, leadEmail, "  "), "needs a note"},
		{"unknown choice", answer("maybe", leadEmail, ""), `"maybe" is not one of the choices (approve, reject)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t)
			var bad, good updateResult
			env.RegisterDelayedCallback(func() {
				signoff(t, env, 1, "bad", &bad, tc.req)
			}, time.Hour)
			env.RegisterDelayedCallback(func() {
				signoff(t, env, 1, "good", &good, answer(DecisionApprove, leadEmail, ""))
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
		signoff(t, env, 1, "first", &first, answer(DecisionReject, leadEmail, "missing the CRM"))
		signoff(t, env, 1, "second", &second, answer(DecisionApprove, delegateEmail, ""))
	}, time.Hour)
	env.RegisterDelayedCallback(func() {
		// Let the test end: the workflow is waiting for a revision.
		env.CancelWorkflow()
	}, 2*time.Hour)
	env.ExecuteWorkflow(ScopingWorkflow, scopingInput(t))
	require.NoError(t, first.rejected)
	require.Error(t, second.rejected)
	assert.Regexp(t, "being recorded|already answered", second.rejected.Error())
}

func TestScopingDecideUpdatePointsAtThePrompt(t *testing.T) {
	env := newEnv(t)
	var direct, good updateResult
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateDecideScope, "direct", callbacks(&direct), decide(DecisionApprove, leadEmail, ""))
		signoff(t, env, 1, "good", &good, answer(DecisionApprove, leadEmail, ""))
	}, time.Hour)
	env.ExecuteWorkflow(ScopingWorkflow, scopingInput(t))
	require.Error(t, direct.rejected)
	assert.Contains(t, direct.rejected.Error(), "prompt/brightlane/scope-signoff/r1")
	require.NoError(t, good.rejected)
}

func TestScopingRevisionForAnotherEngagementRejected(t *testing.T) {
	env := newEnv(t)
	var bad updateResult
	env.RegisterDelayedCallback(func() {
		spec := testSpec(t)
		spec.ID = "someone-else"
		env.UpdateWorkflow(UpdateReviseScope, "bad", callbacks(&bad), ReviseScopeRequest{Spec: spec, Actor: cli("sam@steadfast.example")})
	}, time.Hour)
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, 2*time.Hour)
	env.ExecuteWorkflow(ScopingWorkflow, scopingInput(t))
	require.Error(t, bad.rejected)
	assert.Contains(t, bad.rejected.Error(), "someone-else")
}

func TestScopingUnansweredSignoffIsAskedAgain(t *testing.T) {
	env := newEnv(t)
	var late updateResult
	// The first prompt's ladder expires after ten business days; the
	// second is answered.
	env.RegisterDelayedCallback(func() {
		id := PromptWorkflowID("brightlane", "scope-signoff/r1-2")
		require.NoError(t, env.UpdateWorkflowByID(id, UpdateAnswerPrompt, "late", callbacks(&late), answer(DecisionApprove, leadEmail, "")))
	}, 20*24*time.Hour)
	env.ExecuteWorkflow(ScopingWorkflow, scopingInput(t))
	require.NoError(t, env.GetWorkflowError())
	require.NoError(t, late.rejected)
	var out ScopingResult
	require.NoError(t, env.GetWorkflowResult(&out))
	require.Len(t, out.Decisions, 1)
}
