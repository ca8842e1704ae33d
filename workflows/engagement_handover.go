package workflows

import (
	"errors"
	"fmt"
	"slices"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
)

// versionHandOver gates the long phases' hand-over: from the operating
// window on, the engagement continues as new within its budget instead of
// waiting years in one run on a programme child. Runs that entered the
// window before it keep the old single run (runAuditLifecycle).
const versionHandOver = "engagement-hand-over"

// The budget of one engagement run in a long phase. A run hands over to a
// new one, carrying its EngagementState, when Temporal suggests it, when its
// history reaches engagementEventBudget events, or when it has run for
// engagementRunAge. The event budget keeps a run far below Temporal's
// 10,240-event warning even when people send many updates; the age budget
// bounds how long any run lives, so a GetVersion gate in the engagement can
// be retired a month after every engagement has passed it, rather than
// never. An idle month costs a run about a dozen events (one timer, the
// operating scheduler's weekly reports).
const (
	engagementEventBudget = 2000
	engagementRunAge      = 30 * 24 * time.Hour
)

// Why the long phases' children are abandoned, not terminated: a
// continue-as-new closes the run, and Temporal applies the parent-close
// policy to the run's children then, so a PARENT_CLOSE_POLICY_TERMINATE
// scheduler or programme would die at the first hand-over. They are started
// with PARENT_CLOSE_POLICY_ABANDON and found again by their deterministic
// workflow IDs: the operating scheduler signals the engagement's workflow
// ID (whichever run is current) when its window closes, the programme runs
// until the engagement is closed, and closing the engagement (cancelling
// it) cancels both by ID. The run that started a child also watches its
// future, so a child that fails in that run still fails the engagement; a
// failure after a hand-over shows on the child's own workflow (and the
// engagement moves to fieldwork at the audit date at the latest, so a dead
// scheduler never holds the audit up). The readiness review is short (weeks)
// and is not handed over: a run waits for it whole.

// handOver is one run of the long phases.
type handOver struct {
	in       EngagementInput
	st       *EngagementState
	hooks    TestHooks
	progress workflow.ReceiveChannel
	runStart time.Time
	// operating and programme are the children this run started, if any.
	operating, programme workflow.ChildWorkflowFuture
}

// runLongPhases takes the engagement from its operating window through the
// readiness review, fieldwork and certification into the programme, handing
// over to a new run whenever its budget is spent. It returns a
// ContinueAsNewError to hand over, nil when a test's StopAt is reached, and
// otherwise runs until the engagement is closed.
func runLongPhases(ctx workflow.Context, in EngagementInput, st *EngagementState, progress workflow.ReceiveChannel) error {
	h := &handOver{in: in, st: st, hooks: hooksOf(in), progress: progress, runStart: workflow.Now(ctx)}
	// A window-closed report taken before the long phases (or carried
	// over a hand-over) is checked before anything waits on it.
	takeCloseReport(ctx, st, false)
	// Reports are folded in whatever the run waits for; a window-closed
	// one is checked with the scheduler before it counts.
	workflow.Go(ctx, func(gctx workflow.Context) {
		for {
			var p PhaseProgress
			progress.Receive(gctx, &p)
			st.apply(p)
			takeCloseReport(gctx, st, h.operating != nil)
		}
	})
	err := h.run(ctx)
	if temporal.IsCanceledError(err) {
		h.closeChildren(ctx)
	}
	if err == nil && st.VendorWorkStarted {
		// The engagement ends here only at a test's StopAt (in production
		// it runs until cancelled): nothing will chase vendors for it, and
		// the test environment waits for every abandoned child to finish.
		h.stopVendorWork(ctx)
	}
	return err
}

// stopVendorWork cancels the engagement's vendor work by workflow ID.
func (h *handOver) stopVendorWork(ctx workflow.Context) {
	if err := workflow.RequestCancelExternalWorkflow(ctx, VendorWorkWorkflowID(h.st.EngagementID), "").Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("cancel the vendor work of an engagement that ended", "engagement", h.st.EngagementID, "error", err)
	}
}

func (h *handOver) run(ctx workflow.Context) error {
	st := h.st
	var dates *activities.AuditDatesResult
	auditDates := func() (activities.AuditDatesResult, error) {
		if dates != nil {
			return *dates, nil
		}
		var d activities.AuditDatesResult
		err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), a.AuditDates,
			activities.AuditDatesInput{Spec: st.Spec, Plan: *st.Plan}).Get(ctx, &d)
		if err != nil {
			return d, fmt.Errorf("audit dates of %s: %w", st.EngagementID, err)
		}
		dates = &d
		return d, nil
	}
	// The version is asked first, so the marker is recorded whatever the
	// hooks say; the hooks only decide whether a test starts the child.
	if !st.VendorWorkStarted && len(st.Spec.Vendors) > 0 &&
		workflow.GetVersion(ctx, versionVendorWork, workflow.DefaultVersion, 1) >= 1 &&
		(h.in.Test == nil || h.in.Test.VendorWork) {
		if err := h.startVendorWork(ctx); err != nil {
			return err
		}
	}
	for {
		if h.hooks.StopAt != "" && st.Phase == h.hooks.StopAt {
			return nil
		}
		switch st.Phase {
		case compliance.PhaseOperating, PhaseOperated, compliance.PhaseReadiness:
			if st.Phase == compliance.PhaseOperating && !st.OperatingStarted {
				if err := h.startScheduler(ctx); err != nil {
					return err
				}
			}
			d, err := auditDates()
			if err != nil {
				return err
			}
			// The review runs three weeks before the audit whether or not
			// the window has closed: it samples what has fallen due so far.
			closed := func() bool { return st.Phase == compliance.PhaseOperating && st.OperatingClosed }
			if err := h.wait(ctx, d.ReadinessStart, closed); err != nil {
				return err
			}
			if closed() {
				if err := recordPhase(ctx, st, PhaseOperated, "the readiness review"); err != nil {
					return err
				}
				continue
			}
			if err := runReadiness(ctx, st, h.progress, d.FixBy); err != nil {
				return err
			}
		case PhaseReviewed:
			// The window's last requests go out before fieldwork; the
			// audit date is the latest fieldwork starts.
			d, err := auditDates()
			if err != nil {
				return err
			}
			if st.OperatingStarted {
				if err := h.wait(ctx, d.FieldworkStart, func() bool { return st.OperatingClosed }); err != nil {
					return err
				}
			}
			if err := recordPhase(ctx, st, compliance.PhaseFieldwork, "the report or certificate (starter certified)"); err != nil {
				return err
			}
		case compliance.PhaseFieldwork:
			if err := h.wait(ctx, time.Time{}, func() bool { return len(st.Certifications) > 0 }); err != nil {
				return err
			}
			if err := recordPhase(ctx, st, PhaseProgramme, "the certified programme: evidence, quarterly reviews, the next audit"); err != nil {
				return err
			}
		case PhaseProgramme:
			if !st.ProgrammeStarted {
				if err := h.startProgramme(ctx); err != nil {
					return err
				}
			}
			// A later certification reaches the programme through the
			// certify update; the programme runs until the engagement is
			// closed, and this run until its budget is spent.
			if err := h.wait(ctx, time.Time{}, nil); err != nil {
				return err
			}
			return errors.New("the programme's wait ended without a hand-over")
		default:
			return fmt.Errorf("%s is in %s: not a phase of the audit lifecycle", st.EngagementID, st.Phase)
		}
	}
}

// wait blocks until done() holds or the instant until passes (zero: no
// instant), folding reports in meanwhile; when the run's budget is spent
// first it hands over (returns the ContinueAsNewError). done may move the
// state on; it is evaluated on every event.
func (h *handOver) wait(ctx workflow.Context, until time.Time, done func() bool) error {
	ready := func() bool { return done != nil && done() }
	for {
		if err := h.childFailed(ctx); err != nil {
			return err
		}
		if ready() {
			return nil
		}
		now := workflow.Now(ctx)
		if !until.IsZero() && !now.Before(until) {
			return nil
		}
		if h.budgetSpent(ctx) {
			return h.continueAsNew(ctx)
		}
		left := h.runStart.Add(h.runAge()).Sub(now)
		if !until.IsZero() && until.Sub(now) < left {
			left = until.Sub(now)
		}
		if _, err := workflow.AwaitWithTimeout(ctx, left, func() bool {
			return ready() || h.childDone() || workflow.GetInfo(ctx).GetContinueAsNewSuggested()
		}); err != nil {
			return err
		}
	}
}

func (h *handOver) runAge() time.Duration {
	if h.hooks.RunAge > 0 {
		return h.hooks.RunAge
	}
	return engagementRunAge
}

// budgetSpent says whether this run should hand over now.
func (h *handOver) budgetSpent(ctx workflow.Context) bool {
	info := workflow.GetInfo(ctx)
	return h.hooks.ForceContinueAsNew || info.GetContinueAsNewSuggested() ||
		info.GetCurrentHistoryLength() >= engagementEventBudget ||
		!workflow.Now(ctx).Before(h.runStart.Add(h.runAge()))
}

// continueAsNew hands the state to a new run once every update in flight
// has finished and every report received has been taken.
func (h *handOver) continueAsNew(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) && !h.st.changing }); err != nil {
		return err
	}
	for {
		var p PhaseProgress
		if !h.progress.ReceiveAsync(&p) {
			break
		}
		h.st.apply(p)
	}
	h.st.Runs++
	next := EngagementInput{Spec: h.st.Spec, StartedBy: h.in.StartedBy, State: h.st, Test: h.in.Test.forNextRun()}
	return workflow.NewContinueAsNewError(ctx, EngagementWorkflowName, next)
}

// startScheduler records the operating phase and starts the window's
// scheduler, abandoned so it outlives this run.
func (h *handOver) startScheduler(ctx workflow.Context) error {
	st := h.st
	if err := recordPhase(ctx, st, compliance.PhaseOperating, ""); err != nil {
		return err
	}
	child := operatingChild(ctx, st, h.hooks, enumspb.PARENT_CLOSE_POLICY_ABANDON)
	if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		return fmt.Errorf("start the operating period of %s: %w", st.EngagementID, err)
	}
	h.operating, st.OperatingStarted = child, true
	return nil
}

// startProgramme starts the certified programme, abandoned so it outlives
// this run; it runs (continuing as new each cycle) until the engagement is
// closed.
func (h *handOver) startProgramme(ctx workflow.Context) error {
	st := h.st
	cctx := workflow.WithChildOptions(ctx, phaseChildOptions(st, PhaseProgramme, "Certified programme", workflow.ChildWorkflowOptions{
		WorkflowID:            ProgrammeWorkflowID(st.EngagementID),
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
	}))
	child := workflow.ExecuteChildWorkflow(cctx, ProgrammeWorkflowName, ProgrammeInput{
		EngagementID: st.EngagementID, Spec: st.Spec, Certifications: st.Certifications, Cycle: 1, Revision: max(st.Revision, st.SpecRevision),
		Test: h.hooks.forProgramme(),
	})
	if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		return fmt.Errorf("start the programme of %s: %w", st.EngagementID, err)
	}
	h.programme, st.ProgrammeStarted = child, true
	return nil
}

// versionVendorWork gates starting the engagement's vendor work when the
// long phases begin (the operating period, after remediation). Runs already
// in the long phases take it at their next hand-over, so a programme that
// runs for years gets its vendor prompts within a month of the deploy.
const versionVendorWork = "vendor-work"

// startVendorWork starts the vendor work, abandoned so it outlives this
// run; it runs until the engagement is closed. It reads the current spec
// each batch, so a revised spec (a new report on file, a letter received)
// changes what it asks for.
func (h *handOver) startVendorWork(ctx workflow.Context) error {
	st := h.st
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            VendorWorkWorkflowID(st.EngagementID),
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
	})
	child := workflow.ExecuteChildWorkflow(cctx, VendorWorkWorkflowName, VendorWorkInput{
		EngagementID: st.EngagementID, Spec: st.Spec, FromStore: true,
	})
	if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil && !temporal.IsWorkflowExecutionAlreadyStartedError(err) {
		return fmt.Errorf("start the vendor work of %s: %w", st.EngagementID, err)
	}
	st.VendorWorkStarted = true
	return nil
}

// childDone says whether a child this run started has closed.
func (h *handOver) childDone() bool {
	return (h.operating != nil && h.operating.IsReady()) || (h.programme != nil && h.programme.IsReady())
}

// childFailed returns the error of a child this run started that has
// failed; a scheduler that completed has closed its window.
func (h *handOver) childFailed(ctx workflow.Context) error {
	if h.operating != nil && h.operating.IsReady() {
		var res OperatingResult
		if err := h.operating.Get(ctx, &res); err != nil {
			return fmt.Errorf("operating period of %s: %w", h.st.EngagementID, err)
		}
		h.operating, h.st.OperatingClosed = nil, true
	}
	if h.programme != nil && h.programme.IsReady() {
		var res ProgrammeState
		if err := h.programme.Get(ctx, &res); err != nil {
			return fmt.Errorf("programme of %s: %w", h.st.EngagementID, err)
		}
		h.programme = nil
	}
	return nil
}

// versionCloseRoundRemediations: closing the engagement also cancels the
// remediations its tailoring changes' rounds started once its own
// remediation had ended (round_remediation.go). They are started
// abandoned by the round, which is itself abandoned, so nothing else ends
// them: before this version their owners were still chased for a gap of a
// closed engagement.
const versionCloseRoundRemediations = "close-round-remediations"

// closeChildren cancels, by workflow ID, the children that outlive runs:
// closing the engagement closes its scheduler, its programme, a change in
// progress and the remediations of its changes' gaps.
func (h *handOver) closeChildren(ctx workflow.Context) {
	dctx, cancel := workflow.NewDisconnectedContext(ctx)
	defer cancel()
	var ids []string
	if h.st.OperatingStarted && !h.st.OperatingClosed {
		ids = append(ids, OperatingWorkflowID(h.st.EngagementID))
	}
	if h.st.ProgrammeStarted {
		ids = append(ids, ProgrammeWorkflowID(h.st.EngagementID))
	}
	if h.st.VendorWorkStarted {
		ids = append(ids, VendorWorkWorkflowID(h.st.EngagementID))
	}
	ids = append(ids, openChangeWorkflows(h.st)...)
	if workflow.GetVersion(ctx, versionCloseRoundRemediations, workflow.DefaultVersion, 1) >= 1 {
		ids = append(ids, roundRemediations(h.st)...)
	}
	cancelByID(ctx, dctx, ids)
	// Then what the engagement does not know of: the remediations (and
	// gap workflows) the programme's changes started, found in Temporal.
	if workflow.GetVersion(ctx, versionCloseEveryRoundRemediation, workflow.DefaultVersion, 1) >= 1 {
		running := runningRoundRemediations(dctx, h.st.EngagementID)
		cancelByID(ctx, dctx, slices.DeleteFunc(running, func(id string) bool { return slices.Contains(ids, id) }))
	}
}

// cancelByID asks each workflow to cancel, one after another, logging a
// workflow that has already ended.
func cancelByID(ctx, dctx workflow.Context, ids []string) {
	for _, id := range ids {
		if err := workflow.RequestCancelExternalWorkflow(dctx, id, "").Get(dctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("cancel a child of a closed engagement", "workflow", id, "error", err)
		}
	}
}

// roundRemediations are the workflow IDs a change's round may have started
// to remediate its gaps: one per change that found any. A change whose
// gaps joined the engagement's own remediation has none; cancelling it
// then fails, and is logged, as cancelling a finished one does.
func roundRemediations(st *EngagementState) []string {
	var ids []string
	for _, ch := range st.Changes {
		if ch.Gaps > 0 {
			ids = append(ids, RoundRemediationWorkflowID(st.EngagementID, ch.ID))
		}
	}
	return ids
}
