package workflows

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
)

const (
	leadEmail     = "maya@brightlane.io"
	delegateEmail = "priya@brightlane.io"
	ownerEmail    = "leo@brightlane.io"
)

// testSpec is the SaaS start-up example, parsed the way the CLI parses it.
func testSpec(t *testing.T) compliance.Spec {
	t.Helper()
	s, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	require.NoError(t, err)
	return *s
}

// newEnv is a time-skipping environment with the real pure activity
// (AssessScope) and the Postgres writes mocked; the integration tests run
// the writes against a real database.
func newEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	env := newEnvWithoutSteps(t)
	env.OnActivity((&activities.Activities{}).PromptStep, mock.Anything, mock.Anything).Return(activities.PromptStepResult{}, nil)
	env.OnActivity((&activities.Activities{}).BatchStep, mock.Anything, mock.Anything).Return(activities.BatchStepResult{}, nil)
	return env
}

// newEnvWithoutSteps is newEnv for tests that watch the ladder's rungs
// with their own PromptStep mock.
func newEnvWithoutSteps(t *testing.T) *testsuite.TestWorkflowEnvironment {
	var ts testsuite.WorkflowTestSuite
	env := withIdentity(ts.NewTestWorkflowEnvironment())
	RegisterWorkflows(env)
	acts := &activities.Activities{}
	env.RegisterActivity(acts)
	env.OnActivity(acts.RecordScope, mock.Anything, mock.Anything).Return(activities.RecordScopeResult{}, nil)
	env.OnActivity(acts.RecordScopeDecision, mock.Anything, mock.Anything).Return(activities.RecordScopeDecisionResult{}, nil)
	env.OnActivity(acts.RecordEvent, mock.Anything, mock.Anything).Return(activities.RecordEventResult{}, nil)
	env.OnActivity(acts.RecordPhase, mock.Anything, mock.Anything).Return(activities.RecordPhaseResult{}, nil)
	env.OnActivity(acts.OpenPrompt, mock.Anything, mock.Anything).Return(activities.OpenPromptResult{Delivered: "cli"}, nil)
	env.OnActivity(acts.RecordPromptAnswer, mock.Anything, mock.Anything).Return(activities.RecordPromptAnswerResult{}, nil)
	env.OnActivity(acts.SyncDigest, mock.Anything, mock.Anything).Return(activities.SyncDigestResult{}, nil)
	mockBatchWrites(env)
	return env
}

// mockAssessment stubs the gap assessment's writes for tests that only
// pass through it (every prompt expires unanswered).
func mockAssessment(env *testsuite.TestWorkflowEnvironment) {
	acts := &activities.Activities{}
	env.OnActivity(acts.RecordAssessment, mock.Anything, mock.Anything).Return(activities.RecordAssessmentResult{}, nil)
	env.OnActivity(acts.BuildRegister, mock.Anything, mock.Anything).Return(activities.BuildRegisterResult{}, nil)
	mockRemediation(env)
}

// mockRemediation stubs the remediation records.
func mockRemediation(env *testsuite.TestWorkflowEnvironment) {
	acts := &activities.Activities{}
	env.OnActivity(acts.OpenRemediation, mock.Anything, mock.Anything).Return(activities.OpenRemediationResult{Label: "steadfast-x"}, nil)
	env.OnActivity(acts.ChangeRemediation, mock.Anything, mock.Anything).Return(activities.ChangeRemediationResult{}, nil)
	env.OnActivity(acts.NewGaps, mock.Anything, mock.Anything).Return(activities.NewGapsResult{}, nil)
	// The operating period's own tests run its schedule; here the window
	// has already closed, so the engagement passes through.
	env.OnActivity(acts.NextOccurrences, mock.Anything, mock.Anything).Return(activities.NextOccurrencesResult{WindowEnd: time.Unix(1, 0)}, nil)
	env.OnActivity(acts.NextBatches, mock.Anything, mock.Anything).Return(activities.NextBatchesResult{WindowEnd: time.Unix(1, 0)}, nil)
	env.OnActivity(acts.CheckDrift, mock.Anything, mock.Anything).Return(activities.CheckDriftResult{}, nil)
	// The scheduler backs its own window-closed report.
	env.OnActivity(acts.WindowClosed, mock.Anything, mock.Anything).Return(activities.WindowClosedResult{Closed: true, Seen: "completed"}, nil)
	// The readiness review's own tests plant findings; here it finds none.
	env.OnActivity(acts.RunReadinessReview, mock.Anything, mock.Anything).Return(activities.RunReadinessResult{}, nil)
}

// signoff answers the scope sign-off prompt of a revision, as
// `starter scope approve` and a Slack click both do.
func signoff(t *testing.T, env *testsuite.TestWorkflowEnvironment, rev int, updateID string, r *updateResult, req AnswerPromptRequest) {
	t.Helper()
	id := PromptWorkflowID("brightlane", fmt.Sprintf("scope-signoff/r%d", rev))
	require.NoError(t, env.UpdateWorkflowByID(id, UpdateAnswerPrompt, updateID, callbacks(r), req))
}

func answer(choice, by, note string) AnswerPromptRequest {
	return AnswerPromptRequest{Choice: choice, Actor: cli(by), Note: note, Channel: "cli"}
}

// updateResult captures one update's outcome.
type updateResult struct {
	rejected error
	err      error
	value    any
	done     bool
}

func callbacks(r *updateResult) *testsuite.TestUpdateCallback {
	return &testsuite.TestUpdateCallback{
		OnReject:   func(err error) { r.rejected, r.done = err, true },
		OnAccept:   func() {},
		OnComplete: func(v any, err error) { r.value, r.err, r.done = v, err, true },
	}
}

func decodePayloads(can *workflow.ContinueAsNewError, out any) error {
	return converter.GetDefaultDataConverter().FromPayloads(can.Input, out)
}

// tenYears is a run age no test reaches: tests of the phases' flow keep the
// engagement in one run (the testsuite ends a top-level workflow that
// continues as new).
const tenYears = 10 * 365 * 24 * time.Hour

// engagementParent runs an engagement as its child under the engagement's
// workflow ID. The testsuite starts a child's next run when it continues as
// new (a top-level workflow that does ends the test), so tests that run an
// engagement for months see it hand over as it would on a server.
func engagementParent(ctx workflow.Context, in EngagementInput) (EngagementResult, error) {
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: EngagementWorkflowID(in.Spec.ID)})
	var res EngagementResult
	err := workflow.ExecuteChildWorkflow(cctx, EngagementWorkflowName, in).Get(ctx, &res)
	return res, err
}

// runAsChild runs an engagement under engagementParent; query, update and
// signal it by EngagementWorkflowID.
func runAsChild(env *testsuite.TestWorkflowEnvironment, in EngagementInput) {
	env.RegisterWorkflow(engagementParent)
	env.ExecuteWorkflow(engagementParent, in)
}

// engagementStatus queries an engagement run by runAsChild. ok is false in
// the instant between two of its runs, when the testsuite has registered
// the next run but not yet its query handler (the testsuite then
// dereferences a nil handler, hence the recover).
func engagementStatus(t *testing.T, env *testsuite.TestWorkflowEnvironment, id string) (st EngagementStatus, ok bool) {
	t.Helper()
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	v, err := env.QueryWorkflowByID(EngagementWorkflowID(id), QueryStatus)
	require.NoError(t, err)
	require.NoError(t, v.Get(&st))
	return st, true
}
