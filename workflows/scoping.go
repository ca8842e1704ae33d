package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
)

// a is only used for typed activity references; the worker registers the
// real Activities struct.
var a *activities.Activities

// scopingRun is the scoping workflow's state. Update handlers and the main
// loop share it; the workflow's single-threaded execution makes that safe.
type scopingRun struct {
	in        ScopingInput
	spec      compliance.Spec
	revision  int
	status    string
	plan      *compliance.Plan
	risks     []compliance.ScopeRisk
	decisions []ScopeDecision
	// pending is a revised spec waiting for the main loop to assess it.
	pending *ReviseScopeRequest
	// deciding is true while a decision's record is being written; the
	// decision joins decisions only once it is stored.
	deciding bool
	// signoffPrompt is the open sign-off prompt's workflow ID, if any.
	signoffPrompt string
}

// versionSignoffPrompt gates asking the lead through a prompt workflow.
const versionSignoffPrompt = "scope-signoff-prompt"

// Sign-off prompt choices.
var signoffChoices = []compliance.PromptChoice{
	{Value: DecisionApprove, Label: "Approve the scope"},
	{Value: DecisionReject, Label: "Reject (say why)", NoteRequired: true},
}

// askLead asks the lead to sign the scope off through a prompt child and
// records the answer as the scope decision. It returns early, withdrawing
// the prompt, when a revised spec arrives. An expired prompt (the ladder has
// told the lead and the sponsor) is asked again: a scope is never approved
// by silence.
func (r *scopingRun) askLead(ctx workflow.Context, rev int) error {
	leads := r.spec.PeopleWithRole(compliance.RoleLead)
	to := leads[0]
	var delegates []string
	for _, d := range r.deciders() {
		if !strings.EqualFold(d, to.Email) {
			delegates = append(delegates, d)
		}
	}
	for attempt := 1; ; attempt++ {
		key := fmt.Sprintf("scope-signoff/r%d", rev)
		if attempt > 1 {
			key = fmt.Sprintf("%s-%d", key, attempt)
		}
		r.signoffPrompt = PromptWorkflowID(r.in.EngagementID, key)
		cctx, cancel := workflow.WithCancel(ctx)
		cctx = workflow.WithChildOptions(cctx, workflow.ChildWorkflowOptions{
			WorkflowID:            r.signoffPrompt,
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
			ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_REQUEST_CANCEL,
		})
		child := askPrompt(cctx, PromptInput{
			EngagementID: r.in.EngagementID, Key: key, Kind: "scope-signoff",
			Subject:  fmt.Sprintf("Scope of %s, revision %d", r.spec.Client.Name, rev),
			Question: fmt.Sprintf("Do you approve the audit scope (revision %d) and the plan worked back from %s?", rev, r.spec.AuditDate),
			Why:      fmt.Sprintf("The scope decides what the report will claim; %d scope risk(s) were found. Review them with `starter status %s`.", len(r.risks), r.in.EngagementID),
			Choices:  signoffChoices, To: to, Delegates: delegates, Leads: leads,
			Sponsors: r.spec.PeopleWithRole(compliance.RoleSponsor), Policy: r.spec.Reminders,
			SlackChannel: r.spec.Integrations.SlackChannel,
		})
		var res PromptResult
		var childErr error
		done := false
		workflow.Go(ctx, func(g workflow.Context) {
			childErr = child.Get(g, &res)
			done = true
		})
		if err := workflow.Await(ctx, func() bool { return done || r.pending != nil }); err != nil {
			cancel()
			return err
		}
		if !done { // a revised spec arrived: withdraw the question
			cancel()
			if err := workflow.Await(ctx, func() bool { return done }); err != nil {
				return err
			}
			r.signoffPrompt = ""
			return nil
		}
		if res.Outcome != OutcomeAnswered {
			r.signoffPrompt = ""
		}
		cancel()
		if childErr != nil {
			return fmt.Errorf("ask %s to sign off the scope: %w", to.Email, childErr)
		}
		if res.Outcome != OutcomeAnswered || res.Answer == nil {
			continue
		}
		// The prompt stays named until its answer is the recorded
		// decision, so nobody can slip another decision in between.
		ans := res.Answer
		r.deciding = true
		err := r.recordDecision(ctx, ScopeDecision{
			Revision: rev, Decision: ans.Choice, By: ans.By, Reason: ans.Note,
			Channel: ans.Channel, Operator: ans.Operator, UpdateID: ans.UpdateID, At: ans.At,
		})
		r.deciding, r.signoffPrompt = false, ""
		return err
	}
}

// ScopingWorkflow checks a spec for scope risks, works the plan back from
// the audit date, records both, and waits for the lead to sign the scope
// off. A rejection waits for a revised spec and starts over; it returns
// only when a revision is approved.
func ScopingWorkflow(ctx workflow.Context, in ScopingInput) (ScopingResult, error) {
	r := &scopingRun{in: in, spec: in.Spec, revision: max(in.Revision, 1), status: ScopeAssessing}
	if err := r.registerHandlers(ctx); err != nil {
		return ScopingResult{}, err
	}
	for {
		if err := r.assess(ctx); err != nil {
			return ScopingResult{}, err
		}
		r.status = ScopeAwaitingDecision
		r.report(ctx)

		// Wait for a decision on this revision or a revised spec. Since
		// version 1 the lead is asked through a sign-off prompt (Slack,
		// reminders, escalation); runs started before that keep waiting
		// for the decide-scope update.
		rev := r.revision
		if workflow.GetVersion(ctx, versionSignoffPrompt, workflow.DefaultVersion, 1) >= 1 {
			if err := r.askLead(ctx, rev); err != nil {
				return ScopingResult{}, err
			}
		} else if err := workflow.Await(ctx, func() bool { return r.pending != nil || r.decidedOn(rev) }); err != nil {
			return ScopingResult{}, err
		}
		if r.pending == nil && r.approvedOn(rev) {
			break
		}
		if r.pending == nil { // rejected: the consultant must revise
			r.status = ScopeAwaitingRevision
			r.report(ctx)
			if err := workflow.Await(ctx, func() bool { return r.pending != nil }); err != nil {
				return ScopingResult{}, err
			}
		}
		r.spec, r.revision = r.pending.Spec, r.revision+1
		r.pending = nil
		r.status = ScopeAssessing
	}
	r.status = ScopeApproved
	r.report(ctx)
	// An update handler may still be finishing its activity; let it.
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return ScopingResult{}, err
	}
	return ScopingResult{Spec: r.spec, Revision: r.revision, Plan: *r.plan, Risks: r.risks, Decisions: r.decisions}, nil
}

func (r *scopingRun) assess(ctx workflow.Context) error {
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	var res activities.AssessScopeResult
	if err := workflow.ExecuteActivity(actx, a.AssessScope, activities.AssessScopeInput{Spec: r.spec, Now: workflow.Now(ctx)}).Get(ctx, &res); err != nil {
		return fmt.Errorf("assess scope revision %d: %w", r.revision, err)
	}
	r.plan, r.risks = &res.Plan, res.Risks
	err := workflow.ExecuteActivity(actx, a.RecordScope, activities.RecordScopeInput{
		WorkflowID: EngagementWorkflowID(r.in.EngagementID), Revision: r.revision, Spec: r.spec,
		Plan: res.Plan, Risks: res.Risks, Phase: compliance.PhaseScoping, By: "steadfast", At: workflow.Now(ctx),
	}).Get(ctx, nil)
	if err != nil {
		return fmt.Errorf("record scope revision %d: %w", r.revision, err)
	}
	return nil
}

func (r *scopingRun) decidedOn(rev int) bool {
	for _, d := range r.decisions {
		if d.Revision == rev {
			return true
		}
	}
	return false
}

func (r *scopingRun) approvedOn(rev int) bool {
	for _, d := range r.decisions {
		if d.Revision == rev && d.Decision == DecisionApprove {
			return true
		}
	}
	return false
}

// deciders are the emails allowed to decide the scope: the leads and the
// people the lead has delegated to.
func (r *scopingRun) deciders() []string { return decidersOf(r.spec) }

func decidersOf(spec compliance.Spec) []string {
	var out []string
	for _, p := range spec.People {
		if spec.MayDecide(p.Email) {
			out = append(out, strings.ToLower(p.Email))
		}
	}
	return out
}

// sameSet reports whether two lists hold the same strings.
func sameSet(x, y []string) bool {
	if len(x) != len(y) {
		return false
	}
	for _, s := range x {
		if !contains(y, s) {
			return false
		}
	}
	return true
}

func (r *scopingRun) leads() []string {
	var out []string
	for _, p := range r.spec.PeopleWithRole(compliance.RoleLead) {
		out = append(out, strings.ToLower(p.Email))
	}
	return out
}

func (r *scopingRun) consultants() []string {
	var out []string
	for _, p := range r.spec.PeopleWithRole(compliance.RoleConsultant) {
		out = append(out, strings.ToLower(p.Email))
	}
	if len(out) == 0 {
		out = []string{"the consultant"}
	}
	return out
}

func (r *scopingRun) waitingOn() ([]string, string) {
	switch r.status {
	case ScopeAwaitingDecision:
		return r.leads(), fmt.Sprintf("scope sign-off of revision %d", r.revision)
	case ScopeAwaitingRevision:
		return r.consultants(), fmt.Sprintf("a revised spec (revision %d was rejected)", r.revision)
	}
	return nil, ""
}

func (r *scopingRun) state() ScopeState {
	who, _ := r.waitingOn()
	return ScopeState{
		EngagementID: r.in.EngagementID, Status: r.status, Revision: r.revision, Plan: r.plan,
		Risks: r.risks, WaitingOn: who, Deciders: r.deciders(), Decisions: r.decisions,
		SignoffPrompt: r.signoffPrompt,
	}
}

// report tells the engagement what scoping is doing, so its status query
// answers without asking the child.
func (r *scopingRun) report(ctx workflow.Context) {
	if r.in.ParentWorkflowID == "" {
		return
	}
	who, what := r.waitingOn()
	p := PhaseProgress{
		Phase: compliance.PhaseScoping, Revision: r.revision, Plan: r.plan, Risks: r.risks,
		WaitingOn: who, WaitingFor: what, Decisions: r.decisions, At: workflow.Now(ctx),
	}
	// Fire and forget: status is a convenience and the next report
	// supersedes this one, so a failed signal is only logged.
	f := workflow.SignalExternalWorkflow(ctx, r.in.ParentWorkflowID, "", SignalPhaseProgress, p)
	workflow.Go(ctx, func(gctx workflow.Context) {
		if err := f.Get(gctx, nil); err != nil {
			workflow.GetLogger(gctx).Warn("report scoping progress", "error", err)
		}
	})
}

func (r *scopingRun) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryScope, func() (ScopeState, error) { return r.state(), nil }); err != nil {
		return fmt.Errorf("register %s query: %w", QueryScope, err)
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateDecideScope, r.decide,
		workflow.UpdateHandlerOptions{Validator: r.validateDecision}); err != nil {
		return fmt.Errorf("register %s update: %w", UpdateDecideScope, err)
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateReviseScope, r.revise,
		workflow.UpdateHandlerOptions{Validator: r.validateRevision}); err != nil {
		return fmt.Errorf("register %s update: %w", UpdateReviseScope, err)
	}
	return nil
}

// Validation errors are returned to the caller verbatim, so they are written
// for the person who made the request.
func (r *scopingRun) validateDecision(ctx workflow.Context, req DecideScopeRequest) error {
	by, err := actingPerson(ctx, req.Actor)
	if err != nil {
		return err
	}
	switch {
	case !r.spec.MayDecide(by):
		return fmt.Errorf("%s may not decide the scope: only the lead or a lead delegate (%s) may", by, strings.Join(r.deciders(), ", "))
	case r.status == ScopeApproved || r.approvedOn(r.revision):
		return fmt.Errorf("the scope (revision %d) is already approved and cannot be decided again", r.revision)
	case r.decidedOn(r.revision):
		return fmt.Errorf("revision %d of the scope was already rejected; it needs a revised spec (starter scope revise) before it can be decided again", r.revision)
	case r.deciding:
		return errors.New("another decision on this scope is being recorded; check `starter status`")
	case r.signoffPrompt != "":
		return fmt.Errorf("the lead signs the scope off by answering prompt %s (`starter scope approve` does this for you)", r.signoffPrompt)
	case r.pending != nil || r.status != ScopeAwaitingDecision:
		return fmt.Errorf("the scope is not ready for a decision (it is %s); check `starter status`", r.status)
	case req.Decision != DecisionApprove && req.Decision != DecisionReject:
		return fmt.Errorf("decision must be %q or %q, not %q", DecisionApprove, DecisionReject, req.Decision)
	case req.Decision == DecisionReject && strings.TrimSpace(req.Reason) == "":
		return errors.New("a rejection needs a reason the consultant can act on (--reason)")
	case req.Revision != 0 && req.Revision != r.revision:
		return fmt.Errorf("you are deciding revision %d but the scope is now at revision %d; check `starter status` and decide again", req.Revision, r.revision)
	}
	return nil
}

func (r *scopingRun) decide(ctx workflow.Context, req DecideScopeRequest) (ScopeDecision, error) {
	by, via := recordedAs(req.Actor, req.By, req.Channel)
	d := ScopeDecision{
		Revision: r.revision, Decision: req.Decision, By: by, Reason: strings.TrimSpace(req.Reason),
		Channel: via, Operator: req.Actor.Operator, UpdateID: workflow.GetCurrentUpdateInfo(ctx).ID, At: workflow.Now(ctx),
	}
	// Claim the decision before the activity yields, so a second update
	// racing in behind this one fails validation instead of double-deciding.
	r.deciding = true
	defer func() { r.deciding = false }()
	if err := r.recordDecision(ctx, d); err != nil {
		return ScopeDecision{}, err
	}
	return d, nil
}

// recordDecision stores a decision and only then counts it.
func (r *scopingRun) recordDecision(ctx workflow.Context, d ScopeDecision) error {
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	err := workflow.ExecuteActivity(actx, a.RecordScopeDecision, activities.RecordScopeDecisionInput{
		EngagementID: r.in.EngagementID, Revision: d.Revision, Approved: d.Decision == DecisionApprove,
		By: d.By, Reason: d.Reason, Channel: d.Channel, UpdateID: d.UpdateID, At: d.At,
	}).Get(ctx, nil)
	if err != nil {
		return fmt.Errorf("record scope decision: %w", err)
	}
	r.decisions = append(r.decisions, d)
	return nil
}

// validateRevision accepts a revised spec only from someone who runs the
// engagement, only once the current revision was rejected, and never as a
// way round the sign-off: a revision that changes who may sign the scope off
// (its leads and delegates) must be sent by a current lead, since the new
// deciders then approve it.
func (r *scopingRun) validateRevision(ctx workflow.Context, req ReviseScopeRequest) error {
	by, err := actingPerson(ctx, req.Actor)
	if err != nil {
		return err
	}
	switch {
	case !r.spec.MayRun(by):
		return fmt.Errorf("%s may not revise the scope: only the consultant, the lead or a lead delegate may", by)
	case r.status == ScopeApproved || r.approvedOn(r.revision):
		return fmt.Errorf("the scope (revision %d) is already approved; later scope changes go through `starter scope add-system`", r.revision)
	case r.pending != nil || r.status == ScopeAssessing || r.deciding:
		return errors.New("a revision is already being assessed; wait for it, then check `starter status`")
	case req.Spec.ID != r.in.EngagementID:
		return fmt.Errorf("the revised spec is for engagement %q, not %q", req.Spec.ID, r.in.EngagementID)
	case len(req.Spec.PeopleWithRole(compliance.RoleLead)) == 0:
		return errors.New("the revised spec names no lead to sign it off")
	case r.status != ScopeAwaitingRevision:
		return fmt.Errorf("revision %d of the scope has not been rejected; a revised spec is taken only after the lead rejects the current one (starter scope reject)", r.revision)
	}
	if was, now := r.deciders(), decidersOf(req.Spec); !sameSet(was, now) && !contains(r.leads(), by) {
		return fmt.Errorf("the revision changes who signs the scope off (%s, was %s); only the current lead (%s) may send it", strings.Join(now, ", "), strings.Join(was, ", "), strings.Join(r.leads(), ", "))
	}
	return nil
}

func (r *scopingRun) revise(ctx workflow.Context, req ReviseScopeRequest) (ReviseScopeResult, error) {
	r.pending = &req
	next := r.revision + 1
	by, via := recordedAs(req.Actor, req.By, "")
	detail := map[string]any{"revision": next, "update_id": workflow.GetCurrentUpdateInfo(ctx).ID}
	if req.Actor.Operator != "" {
		detail["operator"] = req.Actor.Operator
	}
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	err := workflow.ExecuteActivity(actx, a.RecordEvent, activities.RecordEventInput{
		EngagementID: r.in.EngagementID, Key: fmt.Sprintf("scope-revised/%d", next), Kind: compliance.EventScopeRevised,
		Actor: by, Channel: via, At: workflow.Now(ctx), Detail: detail,
	}).Get(ctx, nil)
	if err != nil {
		return ReviseScopeResult{}, fmt.Errorf("record scope revision: %w", err)
	}
	return ReviseScopeResult{Revision: next}, nil
}

// recordOptions are for short Postgres writes and pure computation: fifteen
// seconds covers a slow database and bounds how long a write lost with a
// killed worker waits before it is retried; retries back off to a minute apart but
// never give up, because the engagement cannot proceed without its record
// and a database outage is worth waiting out. Bad input is non-retryable.
var recordOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 15 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:        time.Second,
		BackoffCoefficient:     2,
		MaximumInterval:        time.Minute,
		NonRetryableErrorTypes: []string{activities.ErrTypeBadInput, activities.ErrTypeConflict},
	},
}

func channelOr(c string) string {
	if c == "" {
		return compliance.ChannelCLI
	}
	return c
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// deliveryOptions are for activities that talk to Slack as well as
// Postgres. Slack's 429s come back as a retry delay from Retry-After; other
// transient failures back off to five minutes apart. Permanent Slack errors
// never reach here: the activity falls back to the CLI and tells the lead.
var deliveryOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:        time.Second,
		BackoffCoefficient:     2,
		MaximumInterval:        5 * time.Minute,
		NonRetryableErrorTypes: []string{activities.ErrTypeBadInput, activities.ErrTypeConflict},
	},
}
