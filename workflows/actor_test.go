package workflows

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/auditreq"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
	"github.com/steadfast-grc/steadfast/internal/identity"
)

// decisionUnderTest is one update that changes an engagement, with a
// workflow to send it to and the people it is and is not for.
type decisionUnderTest struct {
	name       string
	update     string
	workflowID string
	allowed    string
	outsider   string
	// refusal is the exact message an outsider gets.
	refusal string
	// accepted is empty when a valid actor's request is taken; otherwise
	// the refusal that follows the identity checks (a decide-scope update
	// on a run that signs off through its prompt).
	accepted string
	req      func(compliance.Actor) any
	// start builds the environment and runs the workflow, calling send an
	// hour in, when the decision is open.
	start func(t *testing.T, send func(env *testsuite.TestWorkflowEnvironment), plain bool) *testsuite.TestWorkflowEnvironment
}

// engagementHandlers hosts the engagement's certify and route-audit-request
// updates on a state in fieldwork, so their validators are tested without
// running a whole lifecycle (TestLifecycleFromSpecToCertifiedProgramme does
// that).
func engagementHandlers(ctx workflow.Context, st EngagementState) error {
	if err := registerCertify(ctx, &st); err != nil {
		return err
	}
	if err := registerAuditRouting(ctx, &st); err != nil {
		return err
	}
	return workflow.Await(ctx, func() bool { return false })
}

// runFor runs a workflow in env, sends the decision after an hour and stops
// the run after two if it is still going. plain runs it on a worker without
// the identity interceptor, as a plain worker.New would.
func runFor(env *testsuite.TestWorkflowEnvironment, send func(*testsuite.TestWorkflowEnvironment), plain bool, wf any, in any) *testsuite.TestWorkflowEnvironment {
	return runUntil(env, send, plain, 2*time.Hour, wf, in)
}

// runUntil is runFor stopping the run at stop; zero lets it end by itself.
func runUntil(env *testsuite.TestWorkflowEnvironment, send func(*testsuite.TestWorkflowEnvironment), plain bool, stop time.Duration, wf any, in any) *testsuite.TestWorkflowEnvironment {
	if plain {
		env.SetWorkerOptions(worker.Options{})
	}
	env.RegisterDelayedCallback(func() { send(env) }, time.Hour)
	if stop > 0 {
		env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, stop)
	}
	env.ExecuteWorkflow(wf, in)
	return env
}

func decisionsUnderTest(t *testing.T) []decisionUnderTest {
	spec := testSpec(t)
	cert := postcert.Certification{Framework: compliance.SOC2, Date: compliance.Date{Year: 2028, Month: 2, Day: 1},
		ReportPeriod: compliance.Span{Start: compliance.Date{Year: 2027, Month: 1, Day: 1}, End: compliance.Date{Year: 2027, Month: 12, Day: 31}}}
	office := compliance.System{Name: "London office", Kind: compliance.KindPhysical, Environment: "corporate", Scope: "in"}
	prompt := func(t *testing.T, send func(*testsuite.TestWorkflowEnvironment), plain bool) *testsuite.TestWorkflowEnvironment {
		return runFor(newPromptEnv(t, &stepLog{}), send, plain, PromptWorkflow, promptInput())
	}
	scoping := func(t *testing.T, send func(*testsuite.TestWorkflowEnvironment), plain bool) *testsuite.TestWorkflowEnvironment {
		return runFor(newEnv(t), send, plain, ScopingWorkflow, scopingInput(t))
	}
	rejected := func(t *testing.T, send func(*testsuite.TestWorkflowEnvironment), plain bool) *testsuite.TestWorkflowEnvironment {
		env := newEnv(t)
		env.RegisterDelayedCallback(func() {
			signoff(t, env, 1, "reject", &updateResult{}, answer(DecisionReject, leadEmail, "bring hubspot into scope"))
		}, 30*time.Minute)
		return runFor(env, send, plain, ScopingWorkflow, scopingInput(t))
	}
	gap := func(t *testing.T, send func(*testsuite.TestWorkflowEnvironment), plain bool) *testsuite.TestWorkflowEnvironment {
		env := newEnv(t)
		mockRemediation(env)
		return runFor(env, send, plain, GapRemediationWorkflow, gapInput(t))
	}
	programme := func(t *testing.T, send func(*testsuite.TestWorkflowEnvironment), plain bool) *testsuite.TestWorkflowEnvironment {
		env := newProgrammeEnv(t, time.Date(2028, 3, 20, 14, 0, 0, 0, time.UTC), 30*24*time.Hour)
		env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: ProgrammeWorkflowID("brightlane")})
		// The cycle ends (continuing as new) after a month; cancelling a
		// programme with children running races inside the test
		// environment.
		return runUntil(env.TestWorkflowEnvironment, send, plain, 0, ProgrammeWorkflow,
			ProgrammeInput{EngagementID: "brightlane", Spec: spec, Certifications: []postcert.Certification{cert}, Cycle: 1, Revision: 1})
	}
	engagement := func(t *testing.T, send func(*testsuite.TestWorkflowEnvironment), plain bool) *testsuite.TestWorkflowEnvironment {
		env := newEnv(t)
		env.SetStartTime(time.Date(2028, 2, 20, 9, 0, 0, 0, time.UTC))
		env.RegisterWorkflow(engagementHandlers)
		env.OnActivity((&activities.Activities{}).RecordCertification, mock.Anything, mock.Anything).Return(nil)
		return runFor(env, send, plain, engagementHandlers, EngagementState{EngagementID: "brightlane", Spec: spec, Phase: compliance.PhaseFieldwork})
	}
	due := time.Date(2028, 3, 1, 9, 0, 0, 0, time.UTC)
	return []decisionUnderTest{
		{name: "answer", update: UpdateAnswerPrompt, workflowID: testWorkflowID, allowed: owner.Email, outsider: "eve@client.example",
			refusal: "eve@client.example may not answer this question: it is for olu@client.example",
			req:     func(a compliance.Actor) any { return AnswerPromptRequest{Choice: "yes", Actor: a} }, start: prompt},
		{name: "reassign", update: UpdateReassignPrompt, workflowID: testWorkflowID, allowed: lead.Email, outsider: owner.Email,
			refusal: "olu@client.example may not reassign this question: only the lead (lee@client.example, del@client.example) may",
			req:     func(a compliance.Actor) any { return ReassignPromptRequest{To: other, Actor: a} }, start: prompt},
		{name: "decide scope", update: UpdateDecideScope, workflowID: testWorkflowID, allowed: leadEmail, outsider: ownerEmail,
			refusal:  "leo@brightlane.io may not decide the scope: only the lead or a lead delegate (maya@brightlane.io, priya@brightlane.io) may",
			accepted: "the lead signs the scope off by answering prompt prompt/brightlane/scope-signoff/r1 (`starter scope approve` does this for you)",
			req:      func(a compliance.Actor) any { return DecideScopeRequest{Decision: DecisionApprove, Actor: a} }, start: scoping},
		{name: "revise scope", update: UpdateReviseScope, workflowID: testWorkflowID, allowed: "sam@steadfast.example", outsider: ownerEmail,
			refusal: "leo@brightlane.io may not revise the scope: only the consultant, the lead or a lead delegate may",
			req:     func(a compliance.Actor) any { return ReviseScopeRequest{Spec: spec, Actor: a} }, start: rejected},
		{name: "complete gap", update: UpdateCompleteGap, workflowID: testWorkflowID, allowed: delegateEmail, outsider: ownerEmail,
			refusal: "leo@brightlane.io may not close ACC-04: its owner is priya@brightlane.io",
			req:     func(a compliance.Actor) any { return CompleteGapRequest{Evidence: "https://drive.example/e", Actor: a} }, start: gap},
		{name: "accept gap", update: UpdateAcceptGap, workflowID: testWorkflowID, allowed: leadEmail, outsider: ownerEmail,
			refusal: "leo@brightlane.io may not accept ACC-04: only the lead or a lead delegate may",
			req:     func(a compliance.Actor) any { return AcceptGapRequest{Reason: "compensating control", Actor: a} }, start: gap},
		{name: "certify", update: UpdateCertify, workflowID: testWorkflowID, allowed: "sam@steadfast.example", outsider: ownerEmail,
			refusal: "leo@brightlane.io may not record a certification: only the lead, a lead delegate or the consultant",
			req:     func(a compliance.Actor) any { return CertifyRequest{Certification: cert, Actor: a} }, start: engagement},
		{name: "route audit request", update: UpdateRouteAuditRequest, workflowID: testWorkflowID, allowed: leadEmail, outsider: ownerEmail,
			refusal: "leo@brightlane.io may not add the auditor's requests in brightlane: an auditor invited to it, the lead, a lead delegate or the consultant may",
			req: func(a compliance.Actor) any {
				return RouteAuditRequest{Actor: a, Prompt: PromptInput{EngagementID: "brightlane", Key: auditreq.PromptKey("PBC-1"), Kind: auditreq.PromptKind,
					Subject: "Audit request PBC-1", Question: "Q3 access review evidence", To: *spec.Person(ownerEmail),
					Choices: []compliance.PromptChoice{{Value: auditreq.ChoiceProvided, Label: "Provided", LinkRequired: true}},
					Policy:  spec.Reminders, Due: due}}
			}, start: engagement},
		{name: "add system", update: UpdateAddSystem, workflowID: ProgrammeWorkflowID("brightlane"), allowed: leadEmail, outsider: ownerEmail,
			refusal: "leo@brightlane.io may not change the scope: only the lead, a lead delegate or the consultant",
			req:     func(a compliance.Actor) any { return AddSystemRequest{System: office, Actor: a} }, start: programme},
		{name: "add framework", update: UpdateAddFramework, workflowID: ProgrammeWorkflowID("brightlane"), allowed: "sam@steadfast.example", outsider: ownerEmail,
			refusal: "leo@brightlane.io may not change the scope: only the lead, a lead delegate or the consultant",
			req: func(a compliance.Actor) any {
				return AddFrameworkRequest{Framework: compliance.Framework{ID: compliance.ISO27001, Version: compliance.ISO27001Version}, Actor: a}
			}, start: programme},
	}
}

// TestDecisionValidatorsCheckTheActor sends every decision as an outsider,
// through a forged channel, with missing, foreign and replayed proofs, and
// from the CLI without its operator: each is refused with its message.
// Then a valid Slack proof and a CLI operator are each taken.
func TestDecisionValidatorsCheckTheActor(t *testing.T) {
	otherKey := []byte("not-the-worker-key-0123456789abcdef-012")
	unattested := compliance.ErrUnattested.Error()
	for _, d := range decisionsUnderTest(t) {
		t.Run(d.name, func(t *testing.T) {
			forgedPerson := identity.SlackActor(testActorKey, d.workflowID, "u-forged-person", d.allowed)
			forgedPerson.Person = d.outsider
			refusals := []struct {
				name  string
				actor compliance.Actor
				want  string
			}{
				{"unauthorised person", cli(d.outsider), d.refusal},
				{"forged channel", compliance.Actor{Person: d.allowed, Channel: compliance.ChannelSlack}, unattested},
				{"forged web channel", compliance.Actor{Person: d.allowed, Channel: compliance.ChannelWeb, Proof: "00"}, unattested},
				{"proof made with another key", identity.SlackActor(otherKey, d.workflowID, "u-proof-made-with-another-key", d.allowed), unattested},
				{"proof of another update", identity.SlackActor(testActorKey, d.workflowID, "u-elsewhere", d.allowed), unattested},
				{"forged person", forgedPerson, unattested},
				{"cli without operator", compliance.Actor{Person: d.allowed, Channel: compliance.ChannelCLI}, "a command from the CLI needs its operator (the OS user, or set STEADFAST_OPERATOR)"},
				{"no actor", compliance.Actor{}, "say who is acting (--as EMAIL)"},
				{"the workflow channel", compliance.Actor{Person: d.allowed, Channel: compliance.ChannelWorkflow}, `channel "workflow" cannot act on an engagement (cli, slack or web)`},
			}
			results := make([]updateResult, len(refusals))
			d.start(t, func(env *testsuite.TestWorkflowEnvironment) {
				for i, r := range refusals {
					id := "u-" + strings.ReplaceAll(r.name, " ", "-")
					require.NoError(t, env.UpdateWorkflowByID(d.workflowID, d.update, id, callbacks(&results[i]), d.req(r.actor)))
				}
			}, false)
			for i, r := range refusals {
				require.Error(t, results[i].rejected, r.name)
				assert.Equal(t, r.want, results[i].rejected.Error(), r.name)
			}
			for _, valid := range []struct {
				name  string
				actor func(updateID string) compliance.Actor
			}{
				{"valid slack proof", func(u string) compliance.Actor { return slackAs(d.workflowID, u, d.allowed) }},
				{"cli operator", func(string) compliance.Actor { return cli(d.allowed) }},
			} {
				var res updateResult
				d.start(t, func(env *testsuite.TestWorkflowEnvironment) {
					require.NoError(t, env.UpdateWorkflowByID(d.workflowID, d.update, "u-valid", callbacks(&res), d.req(valid.actor("u-valid"))))
				}, false)
				if d.accepted != "" {
					require.Error(t, res.rejected, valid.name)
					assert.Equal(t, d.accepted, res.rejected.Error(), valid.name)
					continue
				}
				require.NoError(t, res.rejected, valid.name)
				require.NoError(t, res.err, valid.name)
			}
		})
	}
}

// TestDecisionsRefusedWithoutTheIdentityCheck: a worker built without the
// identity interceptor records no decision, even a valid one.
func TestDecisionsRefusedWithoutTheIdentityCheck(t *testing.T) {
	for _, d := range decisionsUnderTest(t) {
		t.Run(d.name, func(t *testing.T) {
			var res updateResult
			d.start(t, func(env *testsuite.TestWorkflowEnvironment) {
				require.NoError(t, env.UpdateWorkflowByID(d.workflowID, d.update, "u", callbacks(&res), d.req(cli(d.allowed))))
			}, true)
			require.Error(t, res.rejected)
			assert.Equal(t, identity.ErrNotChecked.Error(), res.rejected.Error())
		})
	}
}

// TestAnswerRecordsTheActorsChannel: the recorded channel and operator come
// from the verified actor, never from the old By/Channel fields.
func TestAnswerRecordsTheActorsChannel(t *testing.T) {
	for _, tc := range []struct {
		name          string
		actor         compliance.Actor
		channel, oper string
	}{
		{"cli", cli(owner.Email), compliance.ChannelCLI, "ops-test"},
		{"slack", slackAs(testWorkflowID, "u", owner.Email), compliance.ChannelSlack, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newPromptEnv(t, &stepLog{})
			var res updateResult
			env.RegisterDelayedCallback(func() {
				env.UpdateWorkflow(UpdateAnswerPrompt, "u", callbacks(&res),
					AnswerPromptRequest{Choice: "yes", Actor: tc.actor, By: "eve@client.example", Channel: compliance.ChannelWeb})
			}, time.Hour)
			env.ExecuteWorkflow(PromptWorkflow, promptInput())
			require.NoError(t, res.rejected)
			var out PromptResult
			require.NoError(t, env.GetWorkflowResult(&out))
			require.NotNil(t, out.Answer)
			assert.Equal(t, owner.Email, out.Answer.By)
			assert.Equal(t, tc.channel, out.Answer.Channel)
			assert.Equal(t, tc.oper, out.Answer.Operator)
		})
	}
}

// TestScopeRevisionCannotReplaceItsDeciders: after a rejection the
// consultant may revise the scope, but not name new people to sign it off;
// only the current lead may send such a revision, and the new deciders then
// decide it.
func TestScopeRevisionCannotReplaceItsDeciders(t *testing.T) {
	spec := testSpec(t)
	// The revision makes the consultant a lead delegate, so they could
	// approve their own revision.
	for i := range spec.People {
		if spec.People[i].Email == "sam@steadfast.example" {
			spec.People[i].Roles = append(spec.People[i].Roles, compliance.RoleLeadDelegate)
		}
	}
	var byConsultant, byDelegate, byLead updateResult
	env := newEnv(t)
	env.RegisterDelayedCallback(func() {
		signoff(t, env, 1, "reject", &updateResult{}, answer(DecisionReject, leadEmail, "bring hubspot into scope"))
	}, 30*time.Minute)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateReviseScope, "consultant", callbacks(&byConsultant), ReviseScopeRequest{Spec: spec, Actor: cli("sam@steadfast.example")})
		env.UpdateWorkflow(UpdateReviseScope, "delegate", callbacks(&byDelegate), ReviseScopeRequest{Spec: spec, Actor: cli(delegateEmail)})
		env.UpdateWorkflow(UpdateReviseScope, "lead", callbacks(&byLead), ReviseScopeRequest{Spec: spec, Actor: cli(leadEmail)})
	}, time.Hour)
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, 2*time.Hour)
	env.ExecuteWorkflow(ScopingWorkflow, scopingInput(t))
	want := "the revision changes who signs the scope off (maya@brightlane.io, priya@brightlane.io, sam@steadfast.example, was maya@brightlane.io, priya@brightlane.io); only the current lead (maya@brightlane.io) may send it"
	require.Error(t, byConsultant.rejected)
	assert.Equal(t, want, byConsultant.rejected.Error())
	require.Error(t, byDelegate.rejected, "a delegate cannot widen who decides either")
	assert.Equal(t, want, byDelegate.rejected.Error())
	require.NoError(t, byLead.rejected, "the current lead may")
	assert.Equal(t, ReviseScopeResult{Revision: 2}, byLead.value)
}

// TestAcceptGapSignalIsIgnored: the retired accept-gap signal, which any
// Temporal client can send, no longer closes a gap; the lead's update does.
func TestAcceptGapSignalIsIgnored(t *testing.T) {
	env := newEnv(t)
	mockRemediation(env)
	var accept updateResult
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalAcceptGap, AcceptGap{By: leadEmail, Reason: "an outsider's signal"})
	}, time.Hour)
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryRemediation)
		require.NoError(t, err)
		var st GapRemediationState
		require.NoError(t, v.Get(&st))
		assert.Equal(t, compliance.ItemOpen, st.Status, "the signal changed nothing")
		env.UpdateWorkflow(UpdateAcceptGap, "accept", callbacks(&accept), AcceptGapRequest{Reason: "compensating control", Actor: cli(leadEmail)})
	}, 2*time.Hour)
	env.ExecuteWorkflow(GapRemediationWorkflow, gapInput(t))
	require.NoError(t, env.GetWorkflowError())
	require.NoError(t, accept.rejected)
	var res GapRemediationResult
	require.NoError(t, env.GetWorkflowResult(&res))
	assert.Equal(t, compliance.ItemAccepted, res.Outcome)
	assert.Equal(t, leadEmail, res.By)
}
