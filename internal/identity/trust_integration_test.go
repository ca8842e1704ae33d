package identity_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/auditreq"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

const (
	lead      = "maya@brightlane.io"
	delegate  = "priya@brightlane.io"
	outsider  = "leo@brightlane.io" // a control owner, not someone who decides
	queue     = "trust"
	actorKey  = "trust-test-actor-key-0123456789abcdef-0123"
	operator  = "ops-trust"
	gapID     = "ACC-04"
	unattestd = "only Steadfast's own Slack and web paths can act through them"
)

// rawDecision is one decision a plain Temporal client can send: which
// workflow, which update, the request for an actor, and who may make it.
type rawDecision struct {
	name       string
	workflowID string
	update     string
	allowed    string
	req        func(a compliance.Actor) any
	// legacy is the request as it was before actors (By and Channel).
	legacy func(by, channel string) map[string]any
}

// TestRawClientRefusedLikeTheCLI is issue 11's "done when": against the
// Temporal dev server and Postgres, with the worker's registration and its
// identity interceptor, a plain Temporal client sends every decision as a
// person who may not make it, as the right person through a forged "slack"
// channel, and in the old payload shape that claimed slack in a field. Every
// one is refused, nothing changes, and for the answer, the certification,
// the scope revision and the added framework the message is exactly what
// the CLI prints for the same refusal (the starter binary is run).
func TestRawClientRefusedLikeTheCLI(t *testing.T) {
	tmp := testenv.DevServer(t)
	db := testenv.Postgres(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	// The worker as worker/main builds it: every workflow and activity,
	// behind the identity interceptor.
	w := worker.New(tmp.Client, queue, worker.Options{Interceptors: identity.Interceptors([]byte(actorKey))})
	workflows.Register(w, &activities.Activities{Store: db.Store})
	require.NoError(t, w.Start())
	defer w.Stop()

	spec, err := compliance.LoadSpec("../../examples/saas-startup.yaml")
	require.NoError(t, err)
	eng := spec.ID
	_, err = tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.EngagementWorkflowID(eng), TaskQueue: queue},
		workflows.EngagementWorkflowName, workflows.EngagementInput{Spec: *spec, StartedBy: "sam@steadfast.example"})
	require.NoError(t, err)
	signoff := awaitSignoff(t, ctx, tmp.Client, eng)

	// A gap in remediation, and a certified programme, started as the
	// engagement starts them.
	gapWF := workflows.GapWorkflowID(eng, gapID)
	_, err = tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: gapWF, TaskQueue: queue}, workflows.GapRemediationWorkflowName,
		workflows.GapRemediationInput{EngagementID: eng, Spec: *spec, Title: "Quarterly access review", Owner: *spec.Person(delegate),
			Gap: activities.RegisterEntry{ControlID: gapID, Rank: 1, Status: "missing", Owner: delegate}, Due: time.Now().Add(30 * 24 * time.Hour)})
	require.NoError(t, err)
	cert := postcert.Certification{Framework: compliance.SOC2, Date: compliance.DateOf(time.Now().AddDate(0, 0, -1)),
		ReportPeriod: compliance.Span{Start: compliance.DateOf(time.Now().AddDate(-1, -1, 0)), End: compliance.DateOf(time.Now().AddDate(0, -1, 0))}}
	_, err = tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.ProgrammeWorkflowID(eng), TaskQueue: queue}, workflows.ProgrammeWorkflowName,
		workflows.ProgrammeInput{EngagementID: eng, Spec: *spec, Certifications: []postcert.Certification{cert}, Cycle: 1, Revision: 1})
	require.NoError(t, err)

	office := compliance.System{Name: "London office", Kind: compliance.KindPhysical, Environment: "corporate", Scope: "in"}
	iso := compliance.Framework{ID: compliance.ISO27001, Version: compliance.ISO27001Version}
	auditPrompt := workflows.PromptInput{EngagementID: eng, Key: auditreq.PromptKey("PBC-1"), Kind: auditreq.PromptKind, Subject: "Audit request PBC-1",
		Question: "Q3 access review evidence", To: *spec.Person(delegate), Policy: spec.Reminders, Due: time.Now().Add(5 * 24 * time.Hour),
		Choices: []compliance.PromptChoice{{Value: auditreq.ChoiceProvided, Label: "Provided", LinkRequired: true}}}
	decisions := []rawDecision{
		{"answer", signoff, workflows.UpdateAnswerPrompt, lead,
			func(a compliance.Actor) any {
				return workflows.AnswerPromptRequest{Choice: workflows.DecisionApprove, Actor: a}
			},
			func(by, ch string) map[string]any {
				return map[string]any{"Choice": workflows.DecisionApprove, "By": by, "Channel": ch}
			}},
		{"reassign", signoff, workflows.UpdateReassignPrompt, lead,
			func(a compliance.Actor) any {
				return workflows.ReassignPromptRequest{To: *spec.Person(delegate), Actor: a}
			},
			func(by, _ string) map[string]any { return map[string]any{"To": spec.Person(delegate), "By": by} }},
		{"decide scope", workflows.ScopingWorkflowID(eng), workflows.UpdateDecideScope, lead,
			func(a compliance.Actor) any {
				return workflows.DecideScopeRequest{Decision: workflows.DecisionApprove, Actor: a}
			},
			func(by, ch string) map[string]any {
				return map[string]any{"Decision": workflows.DecisionApprove, "By": by, "Channel": ch}
			}},
		{"revise scope", workflows.ScopingWorkflowID(eng), workflows.UpdateReviseScope, "sam@steadfast.example",
			func(a compliance.Actor) any { return workflows.ReviseScopeRequest{Spec: *spec, Actor: a} },
			func(by, _ string) map[string]any { return map[string]any{"Spec": spec, "By": by} }},
		{"complete gap", gapWF, workflows.UpdateCompleteGap, delegate,
			func(a compliance.Actor) any {
				return workflows.CompleteGapRequest{Evidence: "https://drive.example/q1", Actor: a}
			},
			func(by, ch string) map[string]any {
				return map[string]any{"Evidence": "https://drive.example/q1", "By": by, "Channel": ch}
			}},
		{"accept gap", gapWF, workflows.UpdateAcceptGap, lead,
			func(a compliance.Actor) any {
				return workflows.AcceptGapRequest{Reason: "compensating control", Actor: a}
			},
			func(by, _ string) map[string]any { return map[string]any{"Reason": "compensating control", "By": by} }},
		{"certify", workflows.EngagementWorkflowID(eng), workflows.UpdateCertify, lead,
			func(a compliance.Actor) any { return workflows.CertifyRequest{Certification: cert, Actor: a} },
			func(by, _ string) map[string]any { return map[string]any{"Certification": cert, "By": by} }},
		{"route audit request", workflows.EngagementWorkflowID(eng), workflows.UpdateRouteAuditRequest, lead,
			func(a compliance.Actor) any { return workflows.RouteAuditRequest{Prompt: auditPrompt, Actor: a} },
			func(by, _ string) map[string]any { return map[string]any{"Prompt": auditPrompt, "By": by} }},
		{"add system", workflows.ProgrammeWorkflowID(eng), workflows.UpdateAddSystem, lead,
			func(a compliance.Actor) any { return workflows.AddSystemRequest{System: office, Actor: a} },
			func(by, _ string) map[string]any { return map[string]any{"System": office, "By": by} }},
		{"add framework", workflows.ProgrammeWorkflowID(eng), workflows.UpdateAddFramework, lead,
			func(a compliance.Actor) any { return workflows.AddFrameworkRequest{Framework: iso, Actor: a} },
			func(by, _ string) map[string]any { return map[string]any{"Framework": iso, "By": by} }},
	}

	// What the plain client was told, by decision, for the outsider.
	told := map[string]string{}
	for _, d := range decisions {
		t.Run(d.name, func(t *testing.T) {
			attempts := []struct {
				name string
				arg  any
				want string
			}{
				// A raw client can claim to be an operator acting for
				// anyone; the rules still decide.
				{"outsider", d.req(compliance.Actor{Person: outsider, Channel: compliance.ChannelCLI, Operator: "mallory"}), ""},
				{"forged slack", d.req(compliance.Actor{Person: d.allowed, Channel: compliance.ChannelSlack}), unattestd},
				{"forged slack proof", d.req(compliance.Actor{Person: d.allowed, Channel: compliance.ChannelSlack, Proof: strings.Repeat("ab", 32)}), unattestd},
				{"old payload claiming slack", d.legacy(d.allowed, compliance.ChannelSlack), "say who is acting (--as EMAIL)"},
			}
			for _, at := range attempts {
				msg := refusal(t, ctx, tmp.Client, d.workflowID, d.update, at.arg)
				if at.want == "" {
					assert.True(t, strings.HasPrefix(msg, outsider+" may not "), "%s: %q", at.name, msg)
					told[d.name] = msg
					continue
				}
				assert.Equal(t, at.want, msg, at.name)
			}
		})
	}

	// Nothing changed: the sign-off is still open, the gap open, the
	// engagement uncertified, the programme's scope unchanged.
	var scope workflows.ScopeState
	query(t, ctx, tmp.Client, workflows.ScopingWorkflowID(eng), workflows.QueryScope, &scope)
	assert.Equal(t, workflows.ScopeAwaitingDecision, scope.Status)
	assert.Empty(t, scope.Decisions)
	var st workflows.EngagementStatus
	query(t, ctx, tmp.Client, workflows.EngagementWorkflowID(eng), workflows.QueryStatus, &st)
	assert.Empty(t, st.Certifications)
	assert.Zero(t, st.AuditRequests)
	var prog workflows.ProgrammeState
	query(t, ctx, tmp.Client, workflows.ProgrammeWorkflowID(eng), workflows.QueryProgramme, &prog)
	assert.Empty(t, prog.Changes)

	// The retired accept-gap signal: Temporal takes it, the gap ignores it.
	require.NoError(t, tmp.Client.SignalWorkflow(ctx, gapWF, "", workflows.SignalAcceptGap, workflows.AcceptGap{By: lead, Reason: "signalled"}))
	awaitProcessed(t, ctx, tmp.Client, gapWF, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)
	var gap workflows.GapRemediationState
	query(t, ctx, tmp.Client, gapWF, workflows.QueryRemediation, &gap)
	assert.Equal(t, compliance.ItemOpen, gap.Status, "an unauthenticated signal closes nothing")

	// The CLI, for the same refusals, prints the same words.
	starter := buildStarter(t)
	cli := func(args ...string) string {
		cmd := exec.CommandContext(ctx, starter, args...)
		cmd.Env = append(os.Environ(), "TEMPORAL_ADDRESS="+tmp.Address, "STEADFAST_TASK_QUEUE="+queue, "DATABASE_URL="+db.URL,
			"STEADFAST_OPERATOR="+operator, "LOG_LEVEL=error")
		out, err := cmd.CombinedOutput()
		require.Error(t, err, "the CLI must fail: %s", out)
		t.Logf("starter %s: %s", strings.Join(args, " "), out)
		return strings.TrimSpace(string(out))
	}
	assert.Equal(t, "error: "+told["answer"],
		cli("answer", signoff, "--choice", workflows.DecisionApprove, "--as", outsider))
	assert.Equal(t, "error: record certification of "+eng+": "+told["certify"],
		cli("certified", eng, "--framework", "soc2", "--date", cert.Date.String(), "--report-period",
			cert.ReportPeriod.Start.String()+".."+cert.ReportPeriod.End.String(), "--as", outsider))
	assert.Equal(t, "error: revise scope of "+eng+": "+told["revise scope"],
		cli("scope", "revise", eng, "-f", "../../examples/saas-startup.yaml", "--as", outsider))
	assert.Equal(t, "error: change the scope of "+eng+": "+told["add framework"],
		cli("framework", "add", eng, "iso27001", "--as", outsider))

	// The lead, through the CLI's actor, is taken: the gap is accepted and
	// recorded as the lead, by the operator, through the CLI.
	accepted := update(t, ctx, tmp.Client, gapWF, workflows.UpdateAcceptGap, "cli/accept",
		workflows.AcceptGapRequest{Reason: "compensating control", Actor: compliance.Actor{Person: lead, Channel: compliance.ChannelCLI, Operator: operator}})
	require.NoError(t, accepted)
	var res workflows.GapRemediationResult
	require.NoError(t, tmp.Client.GetWorkflow(ctx, gapWF, "").Get(ctx, &res))
	assert.Equal(t, compliance.ItemAccepted, res.Outcome)
	assert.Equal(t, lead, res.By)
	if os.Getenv("STEADFAST_UPDATE_HISTORIES") == "1" {
		writeHistory(t, ctx, tmp.Client, gapWF, "gap_remediation_signal_ignored_update_accepted.json")
	}
}

// refusal sends an update as a plain client and returns the refusal's
// message; an accepted update fails the test.
func refusal(t *testing.T, ctx context.Context, c client.Client, workflowID, name string, arg any) string {
	t.Helper()
	err := update(t, ctx, c, workflowID, name, "", arg)
	require.Error(t, err, "%s to %s was accepted", name, workflowID)
	var app *temporal.ApplicationError
	require.True(t, errors.As(err, &app), "a validator's refusal, got %v", err)
	return app.Message()
}

func update(t *testing.T, ctx context.Context, c client.Client, workflowID, name, id string, arg any) error {
	t.Helper()
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: workflowID, UpdateName: name, UpdateID: id,
		Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err != nil {
		return err
	}
	return h.Get(ctx, nil)
}

func query(t *testing.T, ctx context.Context, c client.Client, workflowID, name string, out any) {
	t.Helper()
	v, err := c.QueryWorkflow(ctx, workflowID, "", name)
	require.NoError(t, err)
	require.NoError(t, v.Get(out))
}

// awaitSignoff waits for the lead's sign-off prompt to be running.
func awaitSignoff(t *testing.T, ctx context.Context, c client.Client, eng string) string {
	t.Helper()
	for ctx.Err() == nil {
		v, err := c.QueryWorkflow(ctx, workflows.ScopingWorkflowID(eng), "", workflows.QueryScope)
		var st workflows.ScopeState
		if err == nil && v.Get(&st) == nil && st.SignoffPrompt != "" {
			if _, err := c.QueryWorkflow(ctx, st.SignoffPrompt, "", workflows.QueryPrompt); err == nil {
				return st.SignoffPrompt
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the scope sign-off was never asked")
	return ""
}

// awaitProcessed waits until a workflow task completed after the last
// event of a kind, so a query sees its effect.
func awaitProcessed(t *testing.T, ctx context.Context, c client.Client, workflowID string, kind enumspb.EventType) {
	t.Helper()
	for ctx.Err() == nil {
		seen, done := false, false
		it := c.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			require.NoError(t, err)
			switch {
			case ev.GetEventType() == kind:
				seen, done = true, false
			case seen && ev.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
				done = true
			}
		}
		if done {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s never processed a %s", workflowID, kind)
}

func buildStarter(t *testing.T) string {
	t.Helper()
	root, err := testenv.RepoRoot()
	require.NoError(t, err)
	bin := filepath.Join(t.TempDir(), "starter")
	out, err := exec.Command("go", "build", "-o", bin, filepath.Join(root, "starter")).CombinedOutput()
	require.NoError(t, err, "build starter: %s", out)
	return bin
}

// writeHistory saves a history for TestReplayCommittedHistories.
func writeHistory(t *testing.T, ctx context.Context, c client.Client, workflowID, name string) {
	t.Helper()
	var h historypb.History
	it := c.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		h.Events = append(h.Events, ev)
	}
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(&h)
	require.NoError(t, err)
	root, err := testenv.RepoRoot()
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(root, "testdata", "histories", name), b, 0o644))
	t.Logf("wrote %s (%d events)", name, len(h.Events))
}
