package engagement

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
	"go.temporal.io/sdk/temporal"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/internal/answers"
	"github.com/steadfast-grc/steadfast/workflows"
)

// ErrAlreadyRunning means an engagement with the spec's ID exists.
var ErrAlreadyRunning = errors.New("engagement already exists")

// StartRequest starts an engagement from a parsed spec.
type StartRequest struct {
	Spec  *compliance.Spec
	Actor compliance.Actor
}

// StartResult is the started engagement's workflow run, and the lead who
// signs its scope off (empty when the spec names none).
type StartResult struct {
	Run  client.WorkflowRun
	Lead string
}

// Start starts the engagement workflow. An engagement ID names one client
// programme: a second one under it is refused, running or finished.
func (s *Service) Start(ctx context.Context, req StartRequest) (StartResult, error) {
	if req.Spec == nil {
		return StartResult{}, errors.New("no spec to start")
	}
	if err := checkActor(req.Actor); err != nil {
		return StartResult{}, err
	}
	tc, err := s.temporal()
	if err != nil {
		return StartResult{}, err
	}
	spec := req.Spec
	if err := s.checkStart(spec); err != nil {
		return StartResult{}, err
	}
	id := workflows.EngagementWorkflowID(spec.ID)
	run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                s.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		// Without this the SDK quietly hands back the running engagement
		// and the consultant believes a new one started.
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		// What the Temporal UI shows and visibility queries find.
		TypedSearchAttributes: workflows.EngagementStartAttributes(*spec),
		StaticSummary:         workflows.EngagementSummary(*spec),
	}, workflows.EngagementWorkflowName, workflows.EngagementInput{Spec: *spec, StartedBy: req.Actor.Recorded()})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return StartResult{}, fmt.Errorf("%w: %s (workflow %s, run %s); see `starter status %s`, or give the spec another id",
			ErrAlreadyRunning, spec.ID, id, started.RunId, spec.ID)
	}
	if err != nil {
		return StartResult{}, fmt.Errorf("start engagement %s: %w", spec.ID, err)
	}
	res := StartResult{Run: run}
	if leads := spec.PeopleWithRole(compliance.RoleLead); len(leads) > 0 {
		res.Lead = leads[0].Email
	}
	return res, nil
}

// ScopeRequest names an engagement whose scope to read.
type ScopeRequest struct{ EngagementID string }

// Scope is the scoping workflow's state.
func (s *Service) Scope(ctx context.Context, req ScopeRequest) (workflows.ScopeState, error) {
	var st workflows.ScopeState
	if err := s.query(ctx, req.EngagementID, workflows.ScopingWorkflowID(req.EngagementID), workflows.QueryScope, &st); err != nil {
		return st, fmt.Errorf("scope of %s: %w", req.EngagementID, err)
	}
	return st, nil
}

// DecideScopeRequest is the lead's sign-off or rejection of the current
// scope revision (Revision 0: the current one).
type DecideScopeRequest struct {
	EngagementID string
	Decision     string
	Reason       string
	Revision     int
	Actor        compliance.Actor
}

// DecideScope records the decision. Where the scope is waiting on its
// sign-off prompt it answers the prompt (the same path a Slack click takes,
// so the same rules apply); running the same decision twice records one.
func (s *Service) DecideScope(ctx context.Context, req DecideScopeRequest) (workflows.ScopeDecision, error) {
	if err := checkActor(req.Actor); err != nil {
		return workflows.ScopeDecision{}, err
	}
	st, err := s.Scope(ctx, ScopeRequest{EngagementID: req.EngagementID})
	if err != nil {
		return workflows.ScopeDecision{}, err
	}
	return s.decideAfter(ctx, st, req)
}

func (s *Service) decideAfter(ctx context.Context, st workflows.ScopeState, req DecideScopeRequest) (workflows.ScopeDecision, error) {
	var d workflows.ScopeDecision
	id, by := st.EngagementID, req.Actor.Person
	if st.Status == workflows.ScopeApproved {
		// Re-running the command that approved it is not an error.
		for _, prev := range st.Decisions {
			if prev.Revision == st.Revision && prev.Decision == req.Decision && strings.EqualFold(prev.By, by) {
				return prev, nil
			}
		}
		return d, fmt.Errorf("the scope of %s (revision %d) is already approved and cannot be decided again", id, st.Revision)
	}
	if req.Revision == 0 {
		req.Revision = st.Revision
	}
	if st.SignoffPrompt != "" {
		return s.answerSignoff(ctx, st, req)
	}
	wreq := decideScopePayload(req)
	updateID := fmt.Sprintf("scope-decision/%s/r%d/%s/%s", id, req.Revision, req.Decision, strings.ToLower(by))
	if err := s.update(ctx, id, workflows.ScopingWorkflowID(id), workflows.UpdateDecideScope, updateID, wreq, &d); err != nil {
		return d, fmt.Errorf("decide scope of %s: %w", id, err)
	}
	return d, nil
}

// answerSignoff decides the scope by answering the lead's sign-off prompt.
func (s *Service) answerSignoff(ctx context.Context, st workflows.ScopeState, req DecideScopeRequest) (workflows.ScopeDecision, error) {
	if req.Revision != st.Revision {
		return workflows.ScopeDecision{}, fmt.Errorf("you are deciding revision %d but the scope is now at revision %d; check `starter status` and decide again", req.Revision, st.Revision)
	}
	// Scoping names the prompt in the same step that starts it, so the
	// prompt workflow may be a moment behind the name.
	if err := s.awaitWorkflow(ctx, st.SignoffPrompt); err != nil {
		return workflows.ScopeDecision{}, err
	}
	got, err := s.Answer(ctx, AnswerRequest{PromptID: st.SignoffPrompt, Choice: req.Decision, Note: req.Reason, Actor: req.Actor})
	if errors.Is(err, answers.ErrUnknownPrompt) || s.answeredBefore(ctx, st, err) {
		// The prompt closed a moment ago, or was answered and is closing
		// (answered from Slack, say), and the scope is catching up: decide
		// against what it settles on, so the refusal does not depend on how
		// far the scope got ("already approved", not "already answered").
		if next, ok := s.settledScope(ctx, st); ok {
			req.Revision = 0
			return s.decideAfter(ctx, next, req)
		}
	}
	if err != nil {
		return workflows.ScopeDecision{}, fmt.Errorf("decide scope of %s: %w", st.EngagementID, err)
	}
	return workflows.ScopeDecision{Revision: st.Revision, Decision: got.Choice, By: got.By, Reason: got.Note,
		Channel: got.Channel, UpdateID: got.UpdateID, At: got.At}, nil
}

// awaitWorkflow waits up to ten seconds for a workflow to exist.
func (s *Service) awaitWorkflow(ctx context.Context, id string) error {
	tc, err := s.temporal()
	if err != nil {
		return err
	}
	var nf *serviceerror.NotFound
	for range 100 {
		_, err := tc.DescribeWorkflow(ctx, id, "")
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

// answeredBefore says whether the sign-off prompt refused this answer
// because another one was recorded first. Only a refusal is checked (one
// query more), and not a re-run with another note, which says so itself.
func (s *Service) answeredBefore(ctx context.Context, st workflows.ScopeState, err error) bool {
	var refused *temporal.ApplicationError
	var again AlreadyAnsweredError
	if !errors.As(err, &refused) || errors.As(err, &again) {
		return false
	}
	var p workflows.PromptState
	if qerr := s.query(ctx, st.EngagementID, st.SignoffPrompt, workflows.QueryPrompt, &p); qerr != nil {
		return false
	}
	return p.Status == compliance.PromptAnswered
}

// settledScope waits briefly for the scope to move past a closed prompt.
func (s *Service) settledScope(ctx context.Context, was workflows.ScopeState) (workflows.ScopeState, bool) {
	for range 50 {
		st, err := s.Scope(ctx, ScopeRequest{EngagementID: was.EngagementID})
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

// ReviseScopeRequest sends a revised spec after a rejection.
type ReviseScopeRequest struct {
	EngagementID string
	Spec         *compliance.Spec
	Actor        compliance.Actor
}

// ReviseScope hands the revised spec to the scoping workflow, which
// re-checks the scope risks, re-plans and asks the lead again. The update
// ID hashes the spec, so retrying the same revision is a no-op.
func (s *Service) ReviseScope(ctx context.Context, req ReviseScopeRequest) (workflows.ReviseScopeResult, error) {
	var res workflows.ReviseScopeResult
	if err := checkActor(req.Actor); err != nil {
		return res, err
	}
	if req.Spec == nil {
		return res, errors.New("no revised spec")
	}
	if req.Spec.ID != req.EngagementID {
		return res, fmt.Errorf("the spec's id is %q but you are revising %q", req.Spec.ID, req.EngagementID)
	}
	body, err := json.Marshal(req.Spec)
	if err != nil {
		return res, fmt.Errorf("encode revised spec: %w", err)
	}
	sum := sha256.Sum256(body)
	id := req.EngagementID
	err = s.update(ctx, id, workflows.ScopingWorkflowID(id), workflows.UpdateReviseScope, "scope-revise/"+id+"/"+hex.EncodeToString(sum[:8]),
		reviseScopePayload(req.Spec, req.Actor), &res)
	if err != nil {
		return res, fmt.Errorf("revise scope of %s: %w", id, err)
	}
	return res, nil
}

// checkStart applies compliance's start rule on today in the client's zone.
func (s *Service) checkStart(spec *compliance.Spec) error {
	cal, err := compliance.NewCalendar(spec.Reminders)
	if err != nil {
		return fmt.Errorf("calendar of %s: %w", spec.ID, err)
	}
	// A spec that did not come through catalog.LoadSpec (the web, a test)
	// still has its tailoring and its references checked against the
	// library before anything starts.
	if _, err := catalog.Default().Tailor(spec); err != nil {
		return err
	}
	if probs := catalog.Default().CheckSpecRefs(spec); len(probs) > 0 {
		return fmt.Errorf("spec %s: %s", spec.ID, strings.Join(probs, "; "))
	}
	return spec.CheckStart(compliance.DateOf(s.now().In(cal.Location)))
}
