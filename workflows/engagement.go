package workflows

import (
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
)

// EngagementWorkflow is one client engagement from scoping to certification.
// Each phase runs as a child workflow that owns its own questions to people;
// the engagement keeps the state that spans phases, answers the status
// query, and continues as new at phase boundaries when history grows and,
// in the long phases (the operating window, fieldwork and the programme
// that runs for years), within a budget of events and age (see
// engagement_handover.go).
func EngagementWorkflow(ctx workflow.Context, in EngagementInput) (EngagementResult, error) {
	hooks := hooksOf(in)
	st := in.State
	if st == nil {
		st = &EngagementState{
			EngagementID: in.Spec.ID, Client: in.Spec.Client.Name, Spec: in.Spec,
			Phase: compliance.PhaseScoping, Revision: 1, StartedAt: workflow.Now(ctx), UpdatedAt: workflow.Now(ctx),
		}
	}
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (EngagementStatus, error) { return st.status(), nil }); err != nil {
		return EngagementResult{}, fmt.Errorf("register %s query: %w", QueryStatus, err)
	}
	progress := workflow.GetSignalChannel(ctx, SignalPhaseProgress)
	if err := registerCertify(ctx, st); err != nil {
		return EngagementResult{}, fmt.Errorf("register %s update: %w", UpdateCertify, err)
	}
	if err := registerRecordReport(ctx, st); err != nil {
		return EngagementResult{}, fmt.Errorf("register %s update: %w", UpdateRecordReport, err)
	}
	if err := registerImportCustomerReview(ctx, st); err != nil {
		return EngagementResult{}, fmt.Errorf("register %s update: %w", UpdateImportCustomerReview, err)
	}
	if err := registerReconfirmAnswer(ctx, st); err != nil {
		return EngagementResult{}, fmt.Errorf("register %s update: %w", UpdateReconfirmAnswer, err)
	}
	if err := registerAllowReviewFiles(ctx, st); err != nil {
		return EngagementResult{}, fmt.Errorf("register %s update: %w", UpdateAllowReviewFiles, err)
	}
	if err := registerAuditRouting(ctx, st); err != nil {
		return EngagementResult{}, fmt.Errorf("register %s update: %w", UpdateRouteAuditRequest, err)
	}
	if err := registerEngagementUpdates(ctx, st); err != nil {
		return EngagementResult{}, err
	}
	if err := registerAuditorInvites(ctx, st); err != nil {
		return EngagementResult{}, err
	}
	if err := registerEngagementTailoring(ctx, st); err != nil {
		return EngagementResult{}, err
	}
	result := func() (EngagementResult, error) {
		return EngagementResult{EngagementID: st.EngagementID, Phase: st.Phase, Revision: st.Revision, Plan: st.Plan}, nil
	}

	if st.Phase == compliance.PhaseScoping {
		if err := runScoping(ctx, st, progress); err != nil {
			return EngagementResult{}, err
		}
		if err := continueAsNewIfDue(ctx, in, st, progress); err != nil {
			return EngagementResult{}, err
		}
	}
	// Later phases join here as children, each behind workflow.GetVersion
	// so engagements that are already running keep replaying.
	if st.Phase == PhaseScoped && workflow.GetVersion(ctx, versionGapAssessment, workflow.DefaultVersion, 1) >= 1 {
		st.Phase = compliance.PhaseGapAssessment
	}
	if st.Phase == compliance.PhaseGapAssessment {
		if err := runGapAssessment(ctx, st, progress); err != nil {
			return EngagementResult{}, err
		}
		if err := continueAsNewIfDue(ctx, in, st, progress); err != nil {
			return EngagementResult{}, err
		}
	}
	if st.Phase == PhaseAssessed && workflow.GetVersion(ctx, versionRemediation, workflow.DefaultVersion, 1) >= 1 {
		st.Phase = compliance.PhaseRemediation
	}
	if st.Phase == compliance.PhaseRemediation {
		if err := runRemediation(ctx, st, progress, hooks); err != nil {
			return EngagementResult{}, err
		}
		if err := continueAsNewIfDue(ctx, in, st, progress); err != nil {
			return EngagementResult{}, err
		}
	}
	if st.Phase == PhaseRemediated && st.Plan != nil && workflow.GetVersion(ctx, versionOperating, workflow.DefaultVersion, 1) >= 1 {
		st.Phase = compliance.PhaseOperating
	}
	if hooks.StopAt != "" && st.Phase == hooks.StopAt {
		return result()
	}
	lifecycleRan := false
	if st.Phase == compliance.PhaseOperating && workflow.GetVersion(ctx, versionAudit, workflow.DefaultVersion, 1) >= 1 {
		if workflow.GetVersion(ctx, versionHandOver, workflow.DefaultVersion, 1) >= 1 {
			if err := runLongPhases(ctx, in, st, progress); err != nil {
				return EngagementResult{}, err
			}
			return result()
		}
		lifecycleRan = true
		// Readiness three weeks before the audit (while the window may
		// still be running), fieldwork, certification, then the programme.
		operating, err := startOperating(ctx, st, hooks)
		if err != nil {
			return EngagementResult{}, err
		}
		if err := runAuditLifecycle(ctx, st, progress, operating, hooks); err != nil {
			return EngagementResult{}, err
		}
	} else if st.Phase == compliance.PhaseOperating {
		if err := runOperating(ctx, st, progress, hooks); err != nil {
			return EngagementResult{}, err
		}
	}
	switch st.Phase {
	case PhaseOperated, compliance.PhaseReadiness, PhaseReviewed, compliance.PhaseFieldwork, PhaseProgramme:
		// A run that starts past the window (continued as new, or started
		// at fieldwork for an engagement run elsewhere until then) picks
		// the lifecycle up where it is.
		if lifecycleRan || hooks.StopAt == st.Phase {
			break
		}
		if workflow.GetVersion(ctx, versionHandOver, workflow.DefaultVersion, 1) >= 1 {
			if err := runLongPhases(ctx, in, st, progress); err != nil {
				return EngagementResult{}, err
			}
			break
		}
		if st.Phase == PhaseOperated {
			break // before the hand-over, a closed window ended the run
		}
		if err := runAuditLifecycle(ctx, st, progress, nil, hooks); err != nil {
			return EngagementResult{}, err
		}
	}
	return result()
}

// runScoping runs the scoping child until the lead approves a scope, folding
// its progress reports into the engagement's state as they arrive.
func runScoping(ctx workflow.Context, st *EngagementState, progress workflow.ReceiveChannel) error {
	cctx := workflow.WithChildOptions(ctx, phaseChildOptions(st, compliance.PhaseScoping, "Scoping", workflow.ChildWorkflowOptions{
		WorkflowID: ScopingWorkflowID(st.EngagementID),
		// A failed scoping run may be retried under the same ID; a
		// completed one is never repeated.
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		// The scope belongs to the engagement: terminating the engagement
		// must not leave a scoping run waiting for a lead.
		ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_TERMINATE,
	}))
	child := workflow.ExecuteChildWorkflow(cctx, ScopingWorkflowName, ScopingInput{
		EngagementID: st.EngagementID, Spec: st.Spec, Revision: st.Revision,
		ParentWorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID,
	})
	var res ScopingResult
	if err := awaitChild(ctx, st, child, progress, &res); err != nil {
		return fmt.Errorf("scoping of %s: %w", st.EngagementID, err)
	}
	st.Spec, st.Revision, st.Plan, st.Risks, st.Decisions = res.Spec, res.Revision, &res.Plan, res.Risks, res.Decisions
	st.Phase, st.WaitingOn, st.WaitingFor, st.UpdatedAt = PhaseScoped, nil, "", workflow.Now(ctx)

	actx := workflow.WithActivityOptions(ctx, recordOptions)
	err := workflow.ExecuteActivity(actx, a.RecordPhase, activities.RecordPhaseInput{
		EngagementID: st.EngagementID, Phase: PhaseScoped, Revision: st.Revision, By: "steadfast", At: workflow.Now(ctx),
	}).Get(ctx, nil)
	if err != nil {
		return fmt.Errorf("record phase of %s: %w", st.EngagementID, err)
	}
	if err := showPhase(ctx, st); err != nil {
		return err
	}
	return nil
}

// versionGapAssessment gates the gap-assessment phase after scoping.
const versionGapAssessment = "gap-assessment"

// versionRemediation gates the remediation phase after the assessment.
const versionRemediation = "remediation"

// runRemediation runs the remediation child until every gap is closed.
func runRemediation(ctx workflow.Context, st *EngagementState, progress workflow.ReceiveChannel, hooks TestHooks) error {
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	if err := workflow.ExecuteActivity(actx, a.RecordPhase, activities.RecordPhaseInput{
		EngagementID: st.EngagementID, Phase: compliance.PhaseRemediation, Revision: st.Revision, By: "steadfast", At: workflow.Now(ctx),
	}).Get(ctx, nil); err != nil {
		return fmt.Errorf("record phase of %s: %w", st.EngagementID, err)
	}
	if err := showPhase(ctx, st); err != nil {
		return err
	}
	titles := map[string]string{}
	for _, g := range st.Gaps {
		titles[g.ControlID] = g.Title
	}
	cctx := workflow.WithChildOptions(ctx, phaseChildOptions(st, compliance.PhaseRemediation, "Remediation", workflow.ChildWorkflowOptions{
		WorkflowID:            RemediationWorkflowID(st.EngagementID),
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_TERMINATE,
	}))
	child := workflow.ExecuteChildWorkflow(cctx, RemediationWorkflowName, RemediationInput{
		EngagementID: st.EngagementID, Spec: st.Spec, Due: st.RemediationDue, Gaps: st.Gaps, Titles: titles,
		ParentWorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, Revision: st.Revision, Test: hooks.forRemediation(),
	})
	var res RemediationResult
	if err := awaitChild(ctx, st, child, progress, &res); err != nil {
		return fmt.Errorf("remediation of %s: %w", st.EngagementID, err)
	}
	st.Phase, st.Verified, st.Accepted, st.WaitingOn, st.WaitingFor, st.UpdatedAt = PhaseRemediated, res.Verified, res.Accepted, nil, "", workflow.Now(ctx)
	st.Withdrawn = res.Withdrawn
	if err := workflow.ExecuteActivity(actx, a.RecordPhase, activities.RecordPhaseInput{
		EngagementID: st.EngagementID, Phase: PhaseRemediated, Revision: st.Revision, By: "steadfast", At: workflow.Now(ctx),
	}).Get(ctx, nil); err != nil {
		return fmt.Errorf("record phase of %s: %w", st.EngagementID, err)
	}
	if err := showPhase(ctx, st); err != nil {
		return err
	}
	return nil
}

// versionOperating gates the operating period after remediation.
const versionOperating = "operating"

// runOperating runs the operating period's scheduler until the window
// closes. Evidence requests it sends live on their own, so they survive the
// scheduler continuing as new.
func runOperating(ctx workflow.Context, st *EngagementState, progress workflow.ReceiveChannel, hooks TestHooks) error {
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	child, err := startOperating(ctx, st, hooks)
	if err != nil {
		return err
	}
	var res OperatingResult
	if err := awaitChild(ctx, st, child, progress, &res); err != nil {
		return fmt.Errorf("operating period of %s: %w", st.EngagementID, err)
	}
	st.Phase, st.WaitingFor, st.UpdatedAt = PhaseOperated, "", workflow.Now(ctx)
	if err := workflow.ExecuteActivity(actx, a.RecordPhase, activities.RecordPhaseInput{
		EngagementID: st.EngagementID, Phase: PhaseOperated, Revision: st.Revision, By: "steadfast", At: workflow.Now(ctx),
	}).Get(ctx, nil); err != nil {
		return err
	}
	return showPhase(ctx, st)
}

// startOperating records the operating phase and starts its scheduler.
func startOperating(ctx workflow.Context, st *EngagementState, hooks TestHooks) (workflow.ChildWorkflowFuture, error) {
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	if err := workflow.ExecuteActivity(actx, a.RecordPhase, activities.RecordPhaseInput{
		EngagementID: st.EngagementID, Phase: compliance.PhaseOperating, Revision: st.Revision, By: "steadfast", At: workflow.Now(ctx),
	}).Get(ctx, nil); err != nil {
		return nil, fmt.Errorf("record phase of %s: %w", st.EngagementID, err)
	}
	if err := showPhase(ctx, st); err != nil {
		return nil, err
	}
	return operatingChild(ctx, st, hooks, enumspb.PARENT_CLOSE_POLICY_TERMINATE), nil
}

// operatingChild starts the operating period's scheduler. Before the
// hand-over (versionHandOver) it closed with the run that started it; now
// it is abandoned instead, so it outlives the run, and tells the engagement
// (by workflow ID, whichever run is current) when the window has closed.
func operatingChild(ctx workflow.Context, st *EngagementState, hooks TestHooks, onClose enumspb.ParentClosePolicy) workflow.ChildWorkflowFuture {
	st.WaitingFor = "evidence on each control's cadence through the observation window"
	cctx := workflow.WithChildOptions(ctx, phaseChildOptions(st, compliance.PhaseOperating, "Operating window", workflow.ChildWorkflowOptions{
		WorkflowID:            OperatingWorkflowID(st.EngagementID),
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		ParentClosePolicy:     onClose,
	}))
	return workflow.ExecuteChildWorkflow(cctx, OperatingWorkflowName, OperatingInput{
		EngagementID: st.EngagementID, Spec: st.Spec, Plan: *st.Plan, Revision: st.Revision,
		ParentWorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, Test: hooks.forOperating(),
		// A tailoring change stores the spec; the next batch reads it.
		FromStore: st.followsStore,
	})
}

// runGapAssessment runs the gap-assessment child and records its outcome.
func runGapAssessment(ctx workflow.Context, st *EngagementState, progress workflow.ReceiveChannel) error {
	cctx := workflow.WithChildOptions(ctx, phaseChildOptions(st, compliance.PhaseGapAssessment, "Gap assessment", workflow.ChildWorkflowOptions{
		WorkflowID:            GapAssessmentWorkflowID(st.EngagementID),
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_TERMINATE,
	}))
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	if err := workflow.ExecuteActivity(actx, a.RecordPhase, activities.RecordPhaseInput{
		EngagementID: st.EngagementID, Phase: compliance.PhaseGapAssessment, Revision: st.Revision, By: "steadfast", At: workflow.Now(ctx),
	}).Get(ctx, nil); err != nil {
		return fmt.Errorf("record phase of %s: %w", st.EngagementID, err)
	}
	if err := showPhase(ctx, st); err != nil {
		return err
	}
	child := workflow.ExecuteChildWorkflow(cctx, GapAssessmentWorkflowName, GapAssessmentInput{
		EngagementID: st.EngagementID, Spec: st.Spec, Revision: st.Revision, Plan: st.Plan,
		ParentWorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID,
	})
	var res GapAssessmentResult
	if err := awaitChild(ctx, st, child, progress, &res); err != nil {
		return fmt.Errorf("gap assessment of %s: %w", st.EngagementID, err)
	}
	st.Phase, st.GapsFound, st.WaitingOn, st.WaitingFor, st.UpdatedAt = PhaseAssessed, len(res.Gaps), nil, "", workflow.Now(ctx)
	st.Gaps, st.RemediationDue = res.Gaps, res.RemediationDue
	if err := workflow.ExecuteActivity(actx, a.RecordPhase, activities.RecordPhaseInput{
		EngagementID: st.EngagementID, Phase: PhaseAssessed, Revision: st.Revision, By: "steadfast", At: workflow.Now(ctx),
	}).Get(ctx, nil); err != nil {
		return fmt.Errorf("record phase of %s: %w", st.EngagementID, err)
	}
	if err := showPhase(ctx, st); err != nil {
		return err
	}
	return nil
}

// awaitChild waits for a phase child, folding its progress reports into the
// engagement's state, then drains reports sent just before it finished.
func awaitChild(ctx workflow.Context, st *EngagementState, child workflow.ChildWorkflowFuture, progress workflow.ReceiveChannel, out any) error {
	done := false
	sel := workflow.NewSelector(ctx)
	sel.AddFuture(child, func(workflow.Future) { done = true })
	sel.AddReceive(progress, func(c workflow.ReceiveChannel, _ bool) {
		var p PhaseProgress
		c.Receive(ctx, &p)
		st.apply(p)
	})
	for !done {
		sel.Select(ctx)
	}
	for {
		var p PhaseProgress
		if !progress.ReceiveAsync(&p) {
			break
		}
		st.apply(p)
	}
	return child.Get(ctx, out)
}

// continueAsNewIfDue hands the state to a fresh run when Temporal suggests
// it (history is large) or a test forces it. Only called between phases,
// when no child is running; like the long phases' hand-over, it waits for
// every update in flight and takes every report received first.
func continueAsNewIfDue(ctx workflow.Context, in EngagementInput, st *EngagementState, progress workflow.ReceiveChannel) error {
	if !hooksOf(in).ForceContinueAsNew && !workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
		return nil
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) && !st.changing }); err != nil {
		return err
	}
	for {
		var p PhaseProgress
		if !progress.ReceiveAsync(&p) {
			break
		}
		st.apply(p)
	}
	st.Runs++
	next := EngagementInput{Spec: st.Spec, StartedBy: in.StartedBy, State: st, Test: in.Test.forNextRun()}
	return workflow.NewContinueAsNewError(ctx, EngagementWorkflowName, next)
}

// apply folds a child's progress report into the state. A report is
// display data of the phase the engagement is in, never a transition: the
// phase moves only where the engagement records it (recordPhase and the
// phase runners), because any Temporal client can send this signal. So a
// report of another phase (a late one from a phase that has ended, or one
// claiming a phase not reached) never moves st.Phase, and only the
// current phase's own figures are taken from one: the plan, risks and
// decisions while scoping, the assessment's progress while assessing, the
// closed gaps while remediating, the on-time rate of the operating
// scheduler (which goes on reporting through readiness and fieldwork).
// Children send their reports fire-and-forget, so within the phase a
// report from an older revision, or sent before the last one taken, is
// dropped; only scoping's revision moves while it runs (a revised scope),
// so a report of a newer revision is taken only then.
func (st *EngagementState) apply(p PhaseProgress) {
	if p.Phase == compliance.PhaseOperated {
		// The scheduler says its window has closed: a claim the
		// engagement checks with the scheduler itself before it acts on
		// it (takeCloseReport), whatever its phase.
		st.OperatingCloseReported = true
		return
	}
	if p.Revision < st.Revision || !p.Phase.Valid() {
		return
	}
	if p.Phase != st.Phase {
		if p.Phase == compliance.PhaseOperating && p.Phase.Before(st.Phase) && p.Revision == st.Revision && p.OnTimeRate != nil {
			st.OnTimeRate = p.OnTimeRate
		}
		return
	}
	if !reportsProgress(p.Phase) || (p.Revision > st.Revision && p.Phase != compliance.PhaseScoping) {
		return
	}
	if p.Revision == st.Revision && p.At.Before(st.ProgressAt) {
		return
	}
	st.Revision, st.ProgressAt = p.Revision, p.At
	st.WaitingOn, st.WaitingFor, st.UpdatedAt = p.WaitingOn, p.WaitingFor, p.At
	// Each phase reports what it knows; keep what it does not mention.
	switch p.Phase {
	case compliance.PhaseScoping:
		if p.Plan != nil {
			st.Plan = p.Plan
		}
		if p.Risks != nil {
			st.Risks = p.Risks
		}
		if p.Decisions != nil {
			st.Decisions = p.Decisions
		}
	case compliance.PhaseGapAssessment:
		if p.Assessment != nil {
			st.Assessment = p.Assessment
		}
	case compliance.PhaseRemediation:
		st.Verified, st.Accepted, st.Withdrawn = p.Verified, p.Accepted, p.Withdrawn
	case compliance.PhaseOperating:
		if p.OnTimeRate != nil {
			st.OnTimeRate = p.OnTimeRate
		}
	}
}

// reportsProgress says whether a phase has a child that reports progress;
// in the others (between children, fieldwork, the programme) a report is
// no one's.
func reportsProgress(p compliance.Phase) bool {
	switch p {
	case compliance.PhaseScoping, compliance.PhaseGapAssessment, compliance.PhaseRemediation,
		compliance.PhaseOperating, compliance.PhaseReadiness:
		return true
	}
	return false
}

func (st *EngagementState) status() EngagementStatus {
	var fws []string
	for _, f := range st.Spec.Frameworks {
		fws = append(fws, string(f.ID))
	}
	return EngagementStatus{
		EngagementID: st.EngagementID, Client: st.Client, Phase: st.Phase, Revision: st.Revision,
		Frameworks: fws, AuditDate: st.Spec.AuditDate.String(), Plan: st.Plan, Risks: st.Risks,
		WaitingOn: st.WaitingOn, WaitingFor: st.WaitingFor, Decisions: st.Decisions,
		Assessment: st.Assessment, GapsFound: st.GapsFound, Verified: st.Verified, Accepted: st.Accepted, Withdrawn: st.Withdrawn,
		RemediationDue: st.RemediationDue, OnTimeRate: st.OnTimeRate, Readiness: st.Readiness, Certifications: st.Certifications,
		AuditRequests: st.AuditRequests, Runs: st.Runs, Changes: st.Changes,
		StartedAt: st.StartedAt, UpdatedAt: st.UpdatedAt,
	}
}
