package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/internal/answers"
	"github.com/steadfast-grc/steadfast/internal/config"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/workflows"
)

// engagements is the starter's handle on running engagements. Commands and
// the integration tests share it, so tests exercise the CLI's code path.
type engagements struct {
	tc        client.Client
	taskQueue string
}

func dialEngagements(cfg config.Config) (*engagements, error) {
	tc, err := cfg.DialTemporal(cfg.Logger())
	if err != nil {
		return nil, err
	}
	return &engagements{tc: tc, taskQueue: cfg.TaskQueue}, nil
}

// ErrAlreadyRunning means an engagement with the spec's ID exists.
var ErrAlreadyRunning = errors.New("engagement already exists")

// start starts the engagement workflow for a parsed spec.
func (e *engagements) start(ctx context.Context, spec *compliance.Spec, by string) (client.WorkflowRun, error) {
	id := workflows.EngagementWorkflowID(spec.ID)
	run, err := e.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        id,
		TaskQueue: e.taskQueue,
		// An engagement ID names one client programme: never start a second
		// one under it, whether the first is running or finished.
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		// Without this the SDK quietly hands back the running engagement
		// and the consultant believes a new one started.
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, workflows.EngagementWorkflowName, workflows.EngagementInput{Spec: *spec, StartedBy: by})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil, fmt.Errorf("%w: %s (workflow %s, run %s); see `starter status %s`, or give the spec another id",
			ErrAlreadyRunning, spec.ID, id, started.RunId, spec.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("start engagement %s: %w", spec.ID, err)
	}
	return run, nil
}

// status asks the engagement workflow for its status.
func (e *engagements) status(ctx context.Context, id string) (workflows.EngagementStatus, error) {
	var st workflows.EngagementStatus
	resp, err := e.tc.QueryWorkflow(ctx, workflows.EngagementWorkflowID(id), "", workflows.QueryStatus)
	if err != nil {
		return st, notFound(id, fmt.Errorf("query status of %s: %w", id, err))
	}
	if err := resp.Get(&st); err != nil {
		return st, fmt.Errorf("decode status of %s: %w", id, err)
	}
	return st, nil
}

// scope asks the scoping child for its state.
func (e *engagements) scope(ctx context.Context, id string) (workflows.ScopeState, error) {
	var st workflows.ScopeState
	resp, err := e.tc.QueryWorkflow(ctx, workflows.ScopingWorkflowID(id), "", workflows.QueryScope)
	if err != nil {
		return st, notFound(id, fmt.Errorf("query scope of %s: %w", id, err))
	}
	if err := resp.Get(&st); err != nil {
		return st, fmt.Errorf("decode scope of %s: %w", id, err)
	}
	return st, nil
}

// decideScope sends the lead's decision as an update. The update ID is
// derived from the engagement, revision, decision and person, so running
// the same command twice records one decision.
func (e *engagements) decideScope(ctx context.Context, id string, req workflows.DecideScopeRequest) (workflows.ScopeDecision, error) {
	st, err := e.scope(ctx, id)
	if err != nil {
		return workflows.ScopeDecision{}, err
	}
	return e.decideAfter(ctx, st, req)
}

// awaitWorkflow waits up to ten seconds for a workflow to exist.
func (e *engagements) awaitWorkflow(ctx context.Context, id string) error {
	var nf *serviceerror.NotFound
	for range 100 {
		_, err := e.tc.DescribeWorkflow(ctx, id, "")
		if !errors.As(err, &nf) {
			return nil // found, or an error the update itself will report
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("%w: %s did not start", answers.ErrUnknownPrompt, id)
}

// settledScope waits briefly for the scope to move past a closed prompt.
func (e *engagements) settledScope(ctx context.Context, was workflows.ScopeState) (workflows.ScopeState, bool) {
	for range 50 {
		st, err := e.scope(ctx, was.EngagementID)
		if err == nil && st.SignoffPrompt != was.SignoffPrompt {
			return st, true
		}
		select {
		case <-ctx.Done():
			return was, false
		case <-time.After(100 * time.Millisecond):
		}
	}
	return was, false
}

func (e *engagements) decideAfter(ctx context.Context, st workflows.ScopeState, req workflows.DecideScopeRequest) (workflows.ScopeDecision, error) {
	var d workflows.ScopeDecision
	id := st.EngagementID
	if st.Status == workflows.ScopeApproved {
		// Re-running the command that approved it is not an error.
		for _, prev := range st.Decisions {
			if prev.Revision == st.Revision && prev.Decision == req.Decision && strings.EqualFold(prev.By, req.Actor.Person) {
				return prev, nil
			}
		}
		return d, fmt.Errorf("the scope of %s (revision %d) is already approved and cannot be decided again", id, st.Revision)
	}
	if req.Revision == 0 {
		req.Revision = st.Revision
	}
	if st.SignoffPrompt != "" {
		return e.answerSignoff(ctx, st, req)
	}
	updateID := fmt.Sprintf("scope-decision/%s/r%d/%s/%s", id, req.Revision, req.Decision, strings.ToLower(req.Actor.Person))
	h, err := e.tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.ScopingWorkflowID(id), UpdateID: updateID, UpdateName: workflows.UpdateDecideScope,
		Args: []any{req}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return d, notFound(id, fmt.Errorf("decide scope of %s: %w", id, err))
	}
	if err := h.Get(ctx, &d); err != nil {
		return d, fmt.Errorf("decide scope of %s: %w", id, err)
	}
	return d, nil
}

// answerSignoff decides the scope by answering the lead's sign-off prompt,
// the same path a Slack click takes, so the same rules apply.
func (e *engagements) answerSignoff(ctx context.Context, st workflows.ScopeState, req workflows.DecideScopeRequest) (workflows.ScopeDecision, error) {
	if req.Revision != st.Revision {
		return workflows.ScopeDecision{}, fmt.Errorf("you are deciding revision %d but the scope is now at revision %d; check `starter status` and decide again", req.Revision, st.Revision)
	}
	// Scoping names the prompt in the same step that starts it, so the
	// prompt workflow may be a moment behind the name.
	if err := e.awaitWorkflow(ctx, st.SignoffPrompt); err != nil {
		return workflows.ScopeDecision{}, err
	}
	ans := workflows.AnswerPromptRequest{Choice: req.Decision, Note: req.Reason, Actor: req.Actor}
	svc := answers.Service{Temporal: e.tc}
	got, err := svc.Answer(ctx, st.SignoffPrompt, cliUpdateID(st.SignoffPrompt, ans), ans)
	if errors.Is(err, answers.ErrUnknownPrompt) {
		// The prompt closed a moment ago (answered from Slack, say) and the
		// scope is catching up: decide against what it settles on.
		if next, ok := e.settledScope(ctx, st); ok {
			req.Revision = 0
			return e.decideAfter(ctx, next, req)
		}
	}
	if err != nil {
		return workflows.ScopeDecision{}, fmt.Errorf("decide scope of %s: %w", st.EngagementID, err)
	}
	return workflows.ScopeDecision{Revision: st.Revision, Decision: got.Choice, By: got.By, Reason: got.Note,
		Channel: got.Channel, UpdateID: got.UpdateID, At: got.At}, nil
}

// reviseScope sends a revised spec. The update ID hashes the spec, so
// retrying the same revision is a no-op.
func (e *engagements) reviseScope(ctx context.Context, id string, spec *compliance.Spec, by string) (workflows.ReviseScopeResult, error) {
	var res workflows.ReviseScopeResult
	body, err := json.Marshal(spec)
	if err != nil {
		return res, fmt.Errorf("encode revised spec: %w", err)
	}
	sum := sha256.Sum256(body)
	h, err := e.tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.ScopingWorkflowID(id), UpdateID: "scope-revise/" + id + "/" + hex.EncodeToString(sum[:8]),
		UpdateName: workflows.UpdateReviseScope, Args: []any{workflows.ReviseScopeRequest{Spec: *spec, Actor: identity.CLIActor(by)}},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return res, notFound(id, fmt.Errorf("revise scope of %s: %w", id, err))
	}
	if err := h.Get(ctx, &res); err != nil {
		return res, fmt.Errorf("revise scope of %s: %w", id, err)
	}
	return res, nil
}

// notFound rewrites Temporal's not-found into words about the engagement.
func notFound(id string, err error) error {
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return fmt.Errorf("no engagement %q is running or waiting for that (start one with `starter engage -f SPEC`; `starter list` shows them)", id)
	}
	return err
}
