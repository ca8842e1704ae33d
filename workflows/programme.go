package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
)

// ProgrammeInput starts (or continues) the certified programme.
type ProgrammeInput struct {
	EngagementID   string
	Spec           compliance.Spec
	Certifications []postcert.Certification
	// Cycle counts the cycles since the first certification (1 = the
	// year after it); Revision is the spec's revision in Postgres.
	Cycle    int
	Revision int
	// Changes are scope changes accepted but not yet carried out when the
	// previous run continued as new; with versionChangeHandOver the first
	// may be under way (its lead asked, or its assessment running), and
	// this run picks it up there.
	Changes []ScopeChange
	// Test: ProgrammeOneCycle makes the run continue as new at once, once;
	// OperatingControls limits the cadence to these controls (a scope
	// change's new controls are added to it). Nil in production.
	Test *TestHooks `json:",omitempty"`
	// LastWindow is the operating window a previous run's scheduler ran to
	// its end. A run that plans the same window again (its report is not
	// in yet) has nothing to schedule: it waits for the next
	// certification instead (see awaitReport).
	LastWindow compliance.Span `json:",omitzero"`
}

// ProgrammeState answers the programme query.
type ProgrammeState struct {
	Cycle      int                  `json:"cycle"`
	Window     compliance.Span      `json:"window"`
	Milestones []postcert.Milestone `json:"milestones"`
	Changes    []ScopeChange        `json:"changes"`
	Refreshes  int                  `json:"refreshes"`
	// AwaitingReport: the window has been run to its end and the run waits
	// for its report (or another certification) to plan the next one.
	AwaitingReport bool `json:"awaiting_report,omitempty"`
}

// ScopeChange is a system entering scope or a framework added to the
// certified programme, and where it has got to.
type ScopeChange struct {
	ID        string                `json:"id"`
	System    *compliance.System    `json:"system,omitempty"`
	Framework *compliance.Framework `json:"framework,omitempty"`
	// Tailoring is the spec's new tailoring, replacing its old one.
	Tailoring   *compliance.Tailoring  `json:"tailoring,omitempty"`
	By          string                 `json:"by"`
	Risks       []compliance.ScopeRisk `json:"risks,omitempty"`
	NewControls []string               `json:"new_controls"`
	// Status: proposed (waiting for the lead), approved, rejected,
	// assessed (the new controls assessed and in the cadence).
	Status string `json:"status"`
	Gaps   int    `json:"gaps"`
	// LeadAsked: the lead's question about it has been put (its prompt
	// is named by the change), so a run that takes the change over from
	// an earlier one waits for that answer instead of asking again.
	LeadAsked bool `json:"lead_asked,omitempty"`
}

// Scope change statuses.
const (
	ChangeProposed = "proposed"
	ChangeRejected = "rejected"
	ChangeAssessed = "assessed"
	// ChangeApproved: approved, its controls being assessed; ChangeFailed:
	// it could not be carried out (the engagement's log says why).
	ChangeApproved = "approved"
	ChangeFailed   = "failed"
)

// AddSystemRequest brings a new system into scope.
type AddSystemRequest struct {
	System compliance.System
	// Actor is who asks: the lead, a lead delegate or the consultant.
	Actor compliance.Actor `json:",omitzero"`
	// By is what requests carried before actors (replay only).
	By string `json:",omitempty"`
}

// AddFrameworkRequest adds a framework to the programme.
type AddFrameworkRequest struct {
	Framework compliance.Framework
	// Actor is who asks: the lead, a lead delegate or the consultant.
	Actor compliance.Actor `json:",omitzero"`
	// By is what requests carried before actors (replay only).
	By string `json:",omitempty"`
}

type programmeRun struct {
	in       ProgrammeInput
	state    ProgrammeState
	spec     compliance.Spec
	plan     compliance.Plan
	revision int
	// queue holds changes waiting to be carried out by the main loop.
	queue []ScopeChange
	// trustCerts: certified signals are checked against the store
	// (versionProgrammeTrustCertified); drain: signals left in the channel
	// are taken in before continuing as new (versionProgrammeDrain).
	trustCerts, drain bool
	// refreshKey names this run's annual refresh (its prompt and its
	// re-assessment).
	refreshKey string
	// handsOver: this run carries changes across its continue-as-new
	// (versionChangeHandOver); applying: a change's spec is being stored,
	// and the run waits for it before it continues as new.
	handsOver, applying bool
}

// ProgrammeWorkflow is the certified programme: each cycle it plans the next
// window or audit from the certifications, runs the operating scheduler over
// it (evidence on cadence and quarterly reviews continue), runs the annual
// refresh, and brings systems and frameworks added later into assessment and
// cadence. It continues as new at each cycle, so it runs for years.
func ProgrammeWorkflow(ctx workflow.Context, in ProgrammeInput) (ProgrammeState, error) {
	r := &programmeRun{in: in, spec: in.Spec, revision: in.Revision, queue: in.Changes}
	r.state = ProgrammeState{Cycle: max(in.Cycle, 1), Changes: append([]ScopeChange(nil), in.Changes...)}
	if err := r.register(ctx); err != nil {
		return ProgrammeState{}, err
	}
	r.trustCerts = workflow.GetVersion(ctx, versionProgrammeTrustCertified, workflow.DefaultVersion, 1) >= 1
	r.handsOver = changesHandOver(ctx)
	r.refreshKey = fmt.Sprintf("cycle-%d", r.state.Cycle)
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	var plan activities.PlanProgrammeResult
	if err := workflow.ExecuteActivity(actx, a.PlanProgramme, activities.PlanProgrammeInput{
		Spec: r.spec, Certifications: in.Certifications,
	}).Get(ctx, &plan); err != nil {
		return ProgrammeState{}, fmt.Errorf("plan cycle %d of %s: %w", r.state.Cycle, in.EngagementID, err)
	}
	r.spec, r.plan = plan.Spec, plan.Plan
	r.state.Window, r.state.Milestones = plan.Plan.Operating, plan.Milestones
	r.revision++
	if err := r.recordSpec(ctx); err != nil {
		return ProgrammeState{}, err
	}

	// The window planned is the one a previous run's scheduler already ran
	// to its end: its report is not in yet. There is nothing to schedule;
	// the run waits for the report (or another certification) beside the
	// scope changes and the annual refresh, and the next run plans from it.
	awaiting := !in.LastWindow.Start.IsZero() && in.LastWindow == r.state.Window &&
		workflow.GetVersion(ctx, versionProgrammeAwaitReport, workflow.DefaultVersion, 1) >= 1
	r.state.AwaitingReport = awaiting
	// endsOnCancel: a run waiting for the report ends when it is cancelled
	// (versionProgrammeEndsOnCancel). Asked only by a waiting run: a run
	// with a scheduler ends with it, which the cancel reaches.
	endsOnCancel := awaiting && workflow.GetVersion(ctx, versionProgrammeEndsOnCancel, workflow.DefaultVersion, 1) >= 1
	closed := false
	// cycleDone: the scheduler has run the window to its end or, when
	// awaiting, a certification has arrived.
	cycleDone := false
	var opErr error
	sel := workflow.NewSelector(ctx)
	if awaiting {
		// Refreshes of this run are named by their date: the next run
		// keeps the cycle's number.
		r.refreshKey = fmt.Sprintf("cycle-%d-%s", r.state.Cycle, compliance.DateOf(plan.Refresh))
	} else {
		// The cycle's cadence: evidence and quarterly reviews, read from
		// the stored spec so added systems and frameworks join it.
		cctx := workflow.WithChildOptions(ctx, childOfPhase(ctx, in.EngagementID, fmt.Sprintf("Cycle %d evidence and reviews of %s", r.state.Cycle, in.EngagementID), workflow.ChildWorkflowOptions{
			WorkflowID:            fmt.Sprintf("%s/cycle-%d", OperatingWorkflowID(in.EngagementID), r.state.Cycle),
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
			ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_TERMINATE,
		}))
		operating := workflow.ExecuteChildWorkflow(cctx, OperatingWorkflowName, OperatingInput{
			EngagementID: in.EngagementID, Spec: r.spec, Plan: plan.Plan, FromStore: true, Test: TestHooks{OperatingControls: in.Test.value().OperatingControls}.forOperating(),
		})
		sel.AddFuture(operating, func(f workflow.Future) { cycleDone, opErr = true, f.Get(ctx, nil) })
	}
	if wait := plan.Refresh.Sub(workflow.Now(ctx)); !plan.Refresh.IsZero() && wait >= 0 {
		sel.AddFuture(workflow.NewTimer(ctx, wait), func(workflow.Future) {
			if endsOnCancel && ctx.Err() != nil {
				closed = true // cancelled, not due: nothing to refresh
				return
			}
			if err := r.refresh(ctx); err != nil {
				workflow.GetLogger(ctx).Error("annual refresh", "engagement", in.EngagementID, "error", err)
			}
		})
	}
	// A later certification (another framework's, or a bridge) joins the
	// programme now: its milestones are replanned, its cycle next time.
	sel.AddReceive(workflow.GetSignalChannel(ctx, SignalCertified), func(c workflow.ReceiveChannel, _ bool) {
		var cert postcert.Certification
		c.Receive(ctx, &cert)
		cert, ok := r.takeCertification(ctx, cert)
		if !ok {
			return
		}
		r.in.Certifications = append(r.in.Certifications, cert)
		if awaiting {
			cycleDone = true
			return
		}
		var replanned activities.PlanProgrammeResult
		if err := workflow.ExecuteActivity(actx, a.PlanProgramme, activities.PlanProgrammeInput{
			Spec: r.spec, Certifications: r.in.Certifications,
		}).Get(ctx, &replanned); err != nil {
			workflow.GetLogger(ctx).Error("replan after certification", "engagement", in.EngagementID, "error", err)
			return
		}
		r.state.Milestones = replanned.Milestones
	})
	if endsOnCancel {
		sel.AddReceive(ctx.Done(), func(workflow.ReceiveChannel, bool) { closed = true })
	}
	// Scope changes are carried out one at a time beside the cycle.
	var changeErr error
	changesDone := false
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { changesDone = true }()
		for {
			if err := workflow.Await(ctx, func() bool { return len(r.queue) > 0 }); err != nil {
				return
			}
			ch := r.queue[0]
			if err := r.carryOut(ctx, ch); err != nil {
				if r.handsOver && ctx.Err() != nil {
					// Closed: what an earlier run started for the change
					// is not this run's child, and goes by its ID.
					withdrawChange(ctx, in.EngagementID, r.queue[0])
				}
				changeErr = err
				return
			}
			r.queue = r.queue[1:]
		}
	})
	oneCycle := in.Test.value().ProgrammeOneCycle
	for !cycleDone && !oneCycle && changeErr == nil && !closed {
		sel.Select(ctx)
	}
	if closed && changeErr == nil {
		// Let a change in progress withdraw what it waits for (its
		// goroutine sees the same cancel) before the run ends.
		dctx, cancel := workflow.NewDisconnectedContext(ctx)
		defer cancel()
		_ = workflow.Await(dctx, func() bool { return changesDone })
		return ProgrammeState{}, temporal.NewCanceledError("the programme of " + in.EngagementID + " was closed")
	}
	if changeErr != nil {
		return ProgrammeState{}, changeErr
	}
	if opErr != nil {
		return ProgrammeState{}, fmt.Errorf("cycle %d of %s: %w", r.state.Cycle, in.EngagementID, opErr)
	}
	if err := r.settle(ctx); err != nil {
		return ProgrammeState{}, err
	}
	next := r.in
	next.Spec, next.Revision, next.Cycle, next.Changes = r.spec, r.revision, r.state.Cycle+1, r.queue
	if h := next.Test.value(); h.ProgrammeOneCycle {
		h.ProgrammeOneCycle = false
		next.Test = h.forProgramme()
	}
	switch {
	case oneCycle:
		next.Cycle = r.state.Cycle
	case awaiting:
		// The report has come: the cycle's window is planned from it
		// next, under the cycle's number.
		next.Cycle = r.state.Cycle
	case cycleDone:
		next.LastWindow = r.state.Window
	}
	return ProgrammeState{}, workflow.NewContinueAsNewError(ctx, ProgrammeWorkflowName, next)
}

// versionProgrammeAwaitReport: a run whose window was already run to its
// end waits for the next certification instead of continuing as new at
// once (which looped: each run planned the same window, its scheduler had
// nothing to send and finished, and the programme continued again without
// time passing).
const versionProgrammeAwaitReport = "programme-await-report"

// versionProgrammeEndsOnCancel: from version 1 a run waiting for the report
// ends, cancelled, when it is cancelled (closing the engagement cancels its
// programme). Before it nothing in its wait woke on the cancel — the annual
// refresh's timer fired cancelled, the refresh failed and the loop waited
// again — so the run stayed "cancel requested" for good. No scheduler runs
// in such a run, so nothing else ends it.
const versionProgrammeEndsOnCancel = "programme-ends-on-cancel"

// versionProgrammeDrain: certifications signalled but not yet taken in
// are carried into the next cycle rather than lost with the run.
const versionProgrammeDrain = "programme-drain-certified"

// drainCertified takes in every certified signal still in the channel as
// the run continues as new. It only appends: the next run plans its
// milestones from all the certifications it is given. Nothing here blocks,
// so no handler can start between AllHandlersFinished and continuing.
func (r *programmeRun) drainCertified(ctx workflow.Context) {
	ch := workflow.GetSignalChannel(ctx, SignalCertified)
	for {
		var cert postcert.Certification
		if !ch.ReceiveAsync(&cert) {
			return
		}
		r.in.Certifications = append(r.in.Certifications, cert)
	}
}

// register sets up the programme's query and the two scope-change updates.
// Each update assesses the change at once (risks and new controls, returned
// to the caller) and queues it; the main loop asks the lead and carries it
// out.
func (r *programmeRun) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryProgramme, func() (ProgrammeState, error) { return r.state, nil }); err != nil {
		return fmt.Errorf("register %s query: %w", QueryProgramme, err)
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateAddSystem,
		func(ctx workflow.Context, req AddSystemRequest) (ScopeChange, error) {
			by, _ := recordedAs(req.Actor, req.By, "")
			return r.propose(ctx, ScopeChange{ID: "system-" + slug(req.System.Name), System: &req.System, By: by})
		}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req AddSystemRequest) error {
			if err := r.mayChange(ctx, req.Actor); err != nil {
				return err
			}
			if strings.TrimSpace(req.System.Name) == "" {
				return errors.New("the system needs a name")
			}
			if r.spec.System(req.System.Name) != nil {
				return fmt.Errorf("%s is already in scope", req.System.Name)
			}
			return nil
		}}); err != nil {
		return fmt.Errorf("register %s update: %w", UpdateAddSystem, err)
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateAddFramework,
		func(ctx workflow.Context, req AddFrameworkRequest) (ScopeChange, error) {
			by, _ := recordedAs(req.Actor, req.By, "")
			return r.propose(ctx, ScopeChange{ID: "framework-" + string(req.Framework.ID), Framework: &req.Framework, By: by})
		}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req AddFrameworkRequest) error {
			if err := r.mayChange(ctx, req.Actor); err != nil {
				return err
			}
			if r.spec.HasFramework(req.Framework.ID) {
				return fmt.Errorf("%s is already in the programme", req.Framework.ID)
			}
			if !slices.Contains(compliance.FrameworkIDs, req.Framework.ID) {
				return fmt.Errorf("unknown framework %q (one of %v)", req.Framework.ID, compliance.FrameworkIDs)
			}
			return nil
		}}); err != nil {
		return fmt.Errorf("register %s update: %w", UpdateAddFramework, err)
	}
	return r.registerTailoring(ctx)
}

// mayChange: the lead, a lead delegate or the consultant may change scope
// (compliance.CheckChangeScope).
func (r *programmeRun) mayChange(ctx workflow.Context, actor compliance.Actor) error {
	return mayChangeScope(ctx, &r.spec, actor)
}

// mayChangeScope is the scope-change rule for the programme and the
// engagement alike: who the actor acts as, checked against the spec.
func mayChangeScope(ctx workflow.Context, spec *compliance.Spec, actor compliance.Actor) error {
	by, err := actingPerson(ctx, actor)
	if err != nil {
		return err
	}
	return spec.CheckChangeScope(by)
}

func (r *programmeRun) propose(ctx workflow.Context, ch ScopeChange) (ScopeChange, error) {
	var res activities.AssessScopeChangeResult
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), a.AssessScopeChange, activities.AssessScopeChangeInput{
		Spec: r.spec, System: ch.System, Framework: ch.Framework, Tailoring: ch.Tailoring,
	}).Get(ctx, &res)
	if err != nil {
		return ScopeChange{}, fmt.Errorf("assess %s: %w", ch.ID, err)
	}
	ch.Risks, ch.NewControls, ch.Status = res.Risks, res.NewControls, ChangeProposed
	r.state.Changes = append(r.state.Changes, ch)
	r.queue = append(r.queue, ch)
	return ch, nil
}

// carryOut asks the lead to approve a new system (a framework was asked for
// by the lead already), then records the changed spec — from which the
// scheduler's next batch includes the new controls — and assesses only the
// controls that are new.
func (r *programmeRun) carryOut(ctx workflow.Context, ch ScopeChange) error {
	setStatus := func(status string, gaps int) {
		for i := range r.state.Changes {
			if r.state.Changes[i].ID == ch.ID {
				r.state.Changes[i].Status, r.state.Changes[i].Gaps = status, gaps
			}
		}
	}
	if r.handsOver {
		return carryOutChange(ctx, r, ch, &r.applying)
	}
	if ch.System == nil && ch.Framework == nil && ch.Tailoring == nil {
		// The annual refresh: no change of scope, only controls to assess.
		gaps, err := r.assess(ctx, ch, ch.NewControls, ch.ID)
		if err != nil {
			return err
		}
		setStatus(ChangeAssessed, gaps)
		return nil
	}
	if ch.System != nil || ch.Tailoring != nil {
		approved, err := r.askLead(ctx, ch)
		if err != nil {
			return err
		}
		if !approved {
			setStatus(ChangeRejected, 0)
			return nil
		}
	}
	controls, err := r.apply(ctx, ch)
	if err != nil {
		return err
	}
	gaps, err := r.assess(ctx, ch, controls, r.round(ch))
	if err != nil {
		return err
	}
	setStatus(ChangeAssessed, gaps)
	return nil
}

// apply records the spec with a change (from which the scheduler's next
// batch includes its controls) and returns the controls to assess. The
// annual refresh changes no scope: its controls are only assessed.
func (r *programmeRun) apply(ctx workflow.Context, ch ScopeChange) ([]string, error) {
	if ch.System == nil && ch.Framework == nil && ch.Tailoring == nil {
		return ch.NewControls, nil
	}
	// Assessed again on the spec as it is now: a change carried out since
	// this one was proposed may have moved what is new.
	var res activities.AssessScopeChangeResult
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	if err := workflow.ExecuteActivity(actx, a.AssessScopeChange, activities.AssessScopeChangeInput{
		Spec: r.spec, System: ch.System, Framework: ch.Framework, Tailoring: ch.Tailoring,
	}).Get(ctx, &res); err != nil {
		return nil, fmt.Errorf("apply %s: %w", ch.ID, err)
	}
	r.spec = res.Spec
	r.revision++
	if err := r.recordSpec(ctx); err != nil {
		return nil, err
	}
	r.withdrawFromRemediations(ctx, ch, res.Removed)
	if h := r.in.Test.value(); len(h.OperatingControls) > 0 {
		// A test's narrowed cadence takes the new controls from the next
		// cycle on (on a copy: the run's input keeps its own).
		h.OperatingControls = append(slices.Clone(h.OperatingControls), res.NewControls...)
		r.in.Test = &h
	}
	return res.NewControls, nil
}

// round names a change's assessment: a tailoring change (or the annual
// refresh) re-asks controls that were asked before, and its own round keeps
// their prompts apart from the first assessment's.
func (r *programmeRun) round(ch ScopeChange) string {
	if ch.Tailoring != nil || (ch.System == nil && ch.Framework == nil) {
		return ch.ID
	}
	return ""
}

// assess runs the gap assessment on only these controls (their owners are
// asked, as in the first assessment; round names a re-assessment) and
// counts the gaps found.
func (r *programmeRun) assess(ctx workflow.Context, ch ScopeChange, controls []string, round string) (int, error) {
	return assessChange(ctx, changeScope{EngagementID: r.in.EngagementID, Spec: r.spec, Revision: r.revision}, ch, controls, round,
		enumspb.PARENT_CLOSE_POLICY_TERMINATE)
}

// askLead asks the lead to approve a system entering scope or a new
// tailoring, with the risks it raises and the controls it brings.
func (r *programmeRun) askLead(ctx workflow.Context, ch ScopeChange) (bool, error) {
	return askLeadAboutChange(ctx, r.scope(), ch)
}

// scope is what a change is carried out against: the programme's spec now.
func (r *programmeRun) scope() changeScope {
	return changeScope{EngagementID: r.in.EngagementID, Spec: r.spec, Revision: r.revision, RemediationEnded: true}
}

// asksLead: a system entering scope and a new tailoring are the lead's to
// approve; a framework was asked for by the lead already, and the annual
// refresh is put to the lead as the year's work.
func (r *programmeRun) asksLead(ch ScopeChange) bool { return ch.System != nil || ch.Tailoring != nil }

// mark edits a change in the list the query shows and in the queue the
// run hands to its next.
func (r *programmeRun) mark(id string, edit func(*ScopeChange)) {
	for _, list := range [][]ScopeChange{r.state.Changes, r.queue} {
		for i := range list {
			if list[i].ID == id {
				edit(&list[i])
			}
		}
	}
}

// refresh runs the annual refresh: what changed in the frameworks in use,
// put to the lead as the year's work.
func (r *programmeRun) refresh(ctx workflow.Context) error {
	var res activities.RefreshFrameworksResult
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), a.RefreshFrameworks,
		activities.RefreshFrameworksInput{Spec: r.spec, Certifications: r.in.Certifications}).Get(ctx, &res); err != nil {
		return fmt.Errorf("annual refresh: %w", err)
	}
	r.state.Refreshes++
	if len(res.Changes) == 0 {
		return nil
	}
	if len(res.Controls) > 0 {
		// The controls the changed requirements rest on are assessed
		// again with their owners, like a scope change's new ones.
		ch := ScopeChange{ID: "refresh-" + r.refreshKey, By: "steadfast", NewControls: res.Controls, Status: ChangeProposed}
		r.state.Changes = append(r.state.Changes, ch)
		r.queue = append(r.queue, ch)
	}
	var lines []string
	for _, c := range res.Changes {
		lines = append(lines, changeLine(c))
	}
	leads := r.spec.PeopleWithRole(compliance.RoleLead)
	if len(leads) == 0 {
		return nil
	}
	key := "refresh/" + r.refreshKey
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            PromptWorkflowID(r.in.EngagementID, key),
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
	})
	fut := askPrompt(cctx, PromptInput{
		EngagementID: r.in.EngagementID, Key: key, Kind: PromptKindRefresh, Subject: "Annual framework refresh",
		Question: "The control library has moved on from the versions this programme uses: " + strings.Join(lines, "; ") +
			". Plan the work and confirm.",
		Why:     "A framework change unassessed is found by the auditor, not by you.",
		Choices: []compliance.PromptChoice{{Value: "planned", Label: "Planned (say how)", NoteRequired: true}},
		To:      leads[0], Delegates: leadDelegates(r.spec), Leads: leads, Sponsors: r.spec.PeopleWithRole(compliance.RoleSponsor),
		Policy: r.spec.Reminders, SlackChannel: r.spec.Integrations.SlackChannel,
	})
	var started workflow.Execution
	return fut.GetChildWorkflowExecution().Get(ctx, &started)
}

// recordSpec stores the programme's spec and cycle plan as the next
// revision: the scheduler reads it from its next batch.
func (r *programmeRun) recordSpec(ctx workflow.Context) error {
	return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), a.RecordSpec, activities.RecordSpecInput{
		EngagementID: r.in.EngagementID, Spec: r.spec, Plan: r.plan, Revision: r.revision, Phase: PhaseProgramme,
		By: "steadfast", At: workflow.Now(ctx),
	}).Get(ctx, nil)
}

// slug keeps a name to the characters workflow and prompt IDs use.
func slug(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
			b.WriteRune(c)
		default:
			b.WriteByte('-')
		}
	}
	return b.String()
}

// changeLine is one framework change in the lead's refresh prompt.
func changeLine(c postcert.FrameworkChange) string {
	line := string(c.Framework) + " " + c.Kind
	if c.Requirement != "" {
		line += " " + c.Requirement
	}
	if c.Note != "" {
		line += " (" + c.Note + ")"
	}
	return line
}

// withdrawFromRemediations tells every round remediation of the engagement
// still running — as Temporal lists them, so also those started by a
// change of an earlier cycle or by the engagement before certification,
// which this run does not know; or, when it cannot list them, the round
// remediation of each earlier change of this run that found gaps — which
// controls an approved change took out of scope (versionTailoringWithdrawGaps),
// after the spec is stored: the remediation checks the hint against it.
func (r *programmeRun) withdrawFromRemediations(ctx workflow.Context, ch ScopeChange, removed []string) {
	if len(removed) == 0 {
		return
	}
	if workflow.GetVersion(ctx, versionTailoringWithdrawGaps, workflow.DefaultVersion, 1) < 1 {
		return
	}
	var known []string
	for _, prev := range r.state.Changes {
		if prev.ID != ch.ID && prev.Gaps > 0 {
			known = append(known, RoundRemediationWorkflowID(r.in.EngagementID, prev.ID))
		}
	}
	ids := remediationsToWithdrawFrom(ctx, r.in.EngagementID, known, RoundRemediationWorkflowID(r.in.EngagementID, ch.ID))
	tellRemediationsToWithdraw(ctx, r.in.EngagementID, ids, WithdrawGaps{ChangeID: ch.ID, Controls: removed})
}
