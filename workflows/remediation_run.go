package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
)

// Versions of the remediation loop.
const (
	// versionRemediationRuns: the loop continues as new on a budget, gap
	// workflows outlive its runs (ABANDON) and report their end by signal,
	// and a failed gap is recorded, escalated and counted.
	versionRemediationRuns = "remediation-runs"
	// versionGapReportsEnd: a gap workflow signals its end to the
	// remediation workflow.
	versionGapReportsEnd = "gap-reports-end"
	// versionGapClosedHint: a gap-closed signal is a hint, not an outcome.
	// Any Temporal client can send one, and before this version a forged
	// one counted a gap as verified (or accepted) while its workflow still
	// ran, so remediation could complete with gaps open. Now the outcome
	// comes only from the gap workflow itself: the future of a gap this
	// run started, or its result as Temporal describes it (DescribeGaps),
	// which a signal only prompts the run to ask for now rather than at
	// the daily check. The version is asked when a signal arrives, so a
	// history that counted one before this change replays as it ran.
	versionGapClosedHint = "gap-closed-hint"
)

// gapClosedRecheck is how long after a gap-closed signal the run asks
// Temporal again when the gap was still running at the first look: a gap
// signals just before it completes, so the first look can be early.
const gapClosedRecheck = time.Minute

// The remediation's history budget. An idle hour costs about 11 events (a
// timer, a poll activity and their workflow tasks; measured in
// testdata/histories/remediation_jira_poll.json), so a run of
// remediationPollsPerRun hourly polls stays under about 1,900 events. The
// event budget catches what polls do not count (many gaps closing at once,
// many signals); Temporal's own suggestion is honoured too.
const (
	remediationPollsPerRun = 168 // a week of hourly polls
	remediationEventBudget = 4000
)

// GapFailed is a gap whose workflow failed (or was terminated or timed
// out) before the gap was closed.
const GapFailed = "failed"

// GapOutcome is how one gap's workflow ended, as the remediation learnt it:
// from the child's own future (children of the current run) or from
// DescribeGaps (and, before versionGapClosedHint, from the gap's
// gap-closed signal, which is now only a prompt to ask). The first report
// of a control wins; later ones are ignored.
type GapOutcome struct {
	ControlID  string `json:"control_id"`
	WorkflowID string `json:"workflow_id"`
	// Outcome is compliance.ItemVerified, compliance.ItemAccepted or
	// GapFailed.
	Outcome string `json:"outcome"`
	By      string `json:"by,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// RemediationState is the one thing a remediation run hands to the next
// when it continues as new.
type RemediationState struct {
	// Started lists the controls whose gap workflow has been started, by
	// this run or an earlier one; each is started once.
	Started []string `json:"started"`
	// Outcomes holds one entry per gap that has ended, in the order the
	// remediation learnt of them.
	Outcomes []GapOutcome `json:"outcomes"`
	// Polls counts Jira polls over every run; Runs the runs before this.
	Polls int `json:"polls"`
	Runs  int `json:"runs"`
	// Withdrawing are confirmed withdrawals of gaps whose item was not yet
	// recorded when the hint was acted on (remediation_withdraw.go): they
	// are tried again until the item is, or the gap ends otherwise.
	Withdrawing []PendingWithdrawal `json:"withdrawing,omitempty"`
}

// RemediationProgress answers QueryRemediationProgress.
type RemediationProgress struct {
	Gaps     int          `json:"gaps"`
	Verified int          `json:"verified"`
	Accepted int          `json:"accepted"`
	Failed   []GapOutcome `json:"failed"`
	Open     []string     `json:"open"`
	// Withdrawn are the gaps an approved change took out of scope.
	Withdrawn []string `json:"withdrawn,omitempty"`
	Runs      int      `json:"runs"`
	Polls     int      `json:"polls"`
}

// remediationRun is one run of the remediation loop.
//
// Why gap workflows are ABANDON children that report by signal: a run
// continues as new while gaps are still open (remediation lasts weeks to
// months, and Jira is polled hourly), and continuing as new closes the run,
// so a TERMINATE child would die with it and a child's future cannot be
// handed to the next run. So each gap workflow is started once (State.Started
// carries that), lives on by itself, and on ending signals gap-closed to the
// remediation's workflow ID — which reaches whichever run is current. The
// current run's own children are watched through their futures (that
// sees a termination at once). A gap started by an earlier run is asked
// about with DescribeGaps, which reads how its workflow ended: at the start
// of each run, daily while such gaps are open, and at once when a
// gap-closed signal names one (the signal is a hint: anyone can send it,
// so its outcome is never counted). Duplicates are dropped by control ID.
//
// A failed gap does not hold remediation open: it is recorded
// (remediation-failed in the engagement log; its item stays open in
// Postgres), escalated to the lead, shown in the progress and counted in
// RemediationResult, and remediation completes once every gap has ended.
// A failed workflow is an operational fault, not a decision anyone is
// asked to make; holding the engagement in remediation for it would stop
// the operating window's cadence, which drift is measured against. The
// lead fixes the cause and can start the gap's workflow again (its ID
// allows a rerun after a failure), or accept the gap.
type remediationRun struct {
	in  RemediationInput
	st  RemediationState
	sel workflow.Selector
	// reported queues outcomes the selector's callbacks heard, for settle.
	reported []GapOutcome
	// owned are the gaps started by this run, whose futures it watches;
	// starting counts those whose start is not yet confirmed.
	owned    []string
	starting int
	// polls counts this run's Jira polls; pollDue and checkDue are set by
	// the timers.
	polls             int
	pollDue, checkDue bool
	checkArmed        bool
	// hinted are gaps a gap-closed signal named that were still open at
	// the last look; recheckArmed says the look again is set.
	hinted       []string
	recheckArmed bool
	// joinDue is set by a gaps-found signal (remediation_join.go).
	joinDue bool
	// withdrawHints are withdraw-gaps signals not yet acted on
	// (remediation_withdraw.go).
	withdrawHints []WithdrawGaps
	// withdrawDue is set by the retry timer of the pending withdrawals;
	// withdrawArmed says it is set, withdrawTries how often this run has
	// tried (the backoff).
	withdrawDue, withdrawArmed bool
	withdrawTries              int
}

func newRemediationRun(in RemediationInput) *remediationRun {
	r := &remediationRun{in: in}
	if in.State != nil {
		r.st = *in.State
	}
	return r
}

// run runs the loop; if remediation is cancelled (the engagement was), the
// gap workflows it did not start are cancelled too — ABANDON children
// would otherwise chase owners for an engagement that has stopped. (The
// SDK cancels the children this run started along with its context.)
func (r *remediationRun) run(ctx workflow.Context) (RemediationResult, error) {
	res, err := r.remediate(ctx)
	if ctx.Err() != nil {
		r.cancelUnwatched(ctx)
	}
	return res, err
}

func (r *remediationRun) cancelUnwatched(ctx workflow.Context) {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	var pending []workflow.Future
	for _, id := range r.unwatched() {
		pending = append(pending, workflow.RequestCancelExternalWorkflow(dctx, id, ""))
	}
	for _, f := range pending {
		if err := f.Get(dctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("cancel gap workflow", "error", err)
		}
	}
}

func (r *remediationRun) remediate(ctx workflow.Context) (RemediationResult, error) {
	if err := workflow.SetQueryHandler(ctx, QueryRemediationProgress, func() (RemediationProgress, error) {
		return r.progress(), nil
	}); err != nil {
		return RemediationResult{}, fmt.Errorf("register %s query: %w", QueryRemediationProgress, err)
	}
	r.sel = workflow.NewSelector(ctx)
	r.sel.AddReceive(workflow.GetSignalChannel(ctx, SignalGapClosed), func(c workflow.ReceiveChannel, _ bool) {
		var o GapOutcome
		c.Receive(ctx, &o)
		r.takeGapClosed(ctx, o)
	})
	r.listenForNewGaps(ctx)
	r.listenForWithdrawals(ctx)
	for _, g := range r.in.Gaps {
		if !slices.Contains(r.st.Started, g.ControlID) {
			r.start(ctx, g)
		}
	}
	// Gaps a change's re-assessment found while no run listened.
	if err := r.join(ctx); err != nil {
		return RemediationResult{}, err
	}
	polling := r.in.Spec.Integrations.JiraProject != ""
	every := r.in.Test.value().JiraPollEvery
	if every <= 0 {
		every = DefaultJiraPoll
	}
	if polling {
		r.sel.AddFuture(workflow.NewTimer(ctx, every), func(workflow.Future) { r.pollDue = true })
	}
	// Gaps started by earlier runs may have ended while no run listened.
	if err := r.check(ctx); err != nil {
		return RemediationResult{}, err
	}
	r.armCheck(ctx)
	// Withdrawals an earlier run confirmed for items not yet recorded.
	r.armWithdrawRetry(ctx)
	if _, err := r.settle(ctx); err != nil {
		return RemediationResult{}, err
	}
	r.report(ctx)
	r.sel.AddReceive(ctx.Done(), func(workflow.ReceiveChannel, bool) {})
	for more := true; more; {
		res, err := r.loop(ctx, every)
		switch {
		case res != nil:
			return *res, err
		case err != nil:
			return RemediationResult{}, err
		}
		if more, err = r.lateJoin(ctx); err != nil {
			return RemediationResult{}, err
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return RemediationResult{}, err
	}
	return r.result(), nil
}

// loop runs until every gap has ended (nil, nil), or returns what the run
// returns: an error, or its hand-over (continueAsNew).
func (r *remediationRun) loop(ctx workflow.Context, every time.Duration) (*RemediationResult, error) {
	for !r.allEnded() {
		if r.shouldContinueAsNew(ctx) {
			res, err := r.continueAsNew(ctx)
			return &res, err
		}
		r.sel.Select(ctx)
		if ctx.Err() != nil {
			return &RemediationResult{}, ctx.Err()
		}
		if r.pollDue {
			r.pollDue = false
			if err := pollTickets(ctx, r.in.EngagementID); err != nil {
				return &RemediationResult{}, err
			}
			r.polls++
			r.st.Polls++
			r.sel.AddFuture(workflow.NewTimer(ctx, every), func(workflow.Future) { r.pollDue = true })
		}
		if r.checkDue {
			r.checkDue = false
			if err := r.check(ctx); err != nil {
				return &RemediationResult{}, err
			}
			r.armCheck(ctx)
			r.armRecheck(ctx)
		}
		if r.joinDue {
			if err := r.join(ctx); err != nil {
				return &RemediationResult{}, err
			}
		}
		if err := r.withdraw(ctx); err != nil {
			return &RemediationResult{}, err
		}
		if r.withdrawDue {
			r.withdrawDue = false
			if err := r.retryWithdrawals(ctx); err != nil {
				return &RemediationResult{}, err
			}
		}
		changed, err := r.settle(ctx)
		if err != nil {
			return &RemediationResult{}, err
		}
		if changed {
			r.report(ctx)
		}
	}
	return nil, nil
}

// start starts one gap's workflow. It outlives this run (ABANDON); its
// future is watched while this run lasts.
func (r *remediationRun) start(ctx workflow.Context, g activities.RegisterEntry) {
	id := r.gapID(g.ControlID)
	cctx := workflow.WithChildOptions(ctx, childOfPhase(ctx, r.in.EngagementID, "Gap "+g.ControlID+" "+r.in.Titles[g.ControlID]+" ("+r.in.EngagementID+")", workflow.ChildWorkflowOptions{
		WorkflowID:            id,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
	}))
	child := workflow.ExecuteChildWorkflow(cctx, GapRemediationWorkflowName, GapRemediationInput{
		EngagementID: r.in.EngagementID, Gap: g, Title: r.in.Titles[g.ControlID], Owner: ownerByEmail(r.in.Spec, g.Owner),
		Due: r.in.Due, Spec: r.in.Spec, Round: r.in.Round,
	})
	r.st.Started = append(r.st.Started, g.ControlID)
	r.owned = append(r.owned, g.ControlID)
	r.starting++
	r.sel.AddFuture(child.GetChildWorkflowExecution(), func(f workflow.Future) {
		r.starting--
		var already *temporal.ChildWorkflowExecutionAlreadyStartedError
		if err := f.Get(ctx, nil); errors.As(err, &already) {
			// A gap workflow of this engagement already runs (or has
			// completed): an earlier remediation started it. Its end
			// comes by signal or from DescribeGaps.
			r.owned = slices.DeleteFunc(r.owned, func(c string) bool { return c == g.ControlID })
			r.checkDue = true
		}
	})
	r.sel.AddFuture(child, func(f workflow.Future) {
		var out GapRemediationResult
		err := f.Get(ctx, &out)
		var already *temporal.ChildWorkflowExecutionAlreadyStartedError
		switch {
		case errors.As(err, &already):
			// Handled where the start failed.
		case err != nil:
			r.reported = append(r.reported, GapOutcome{ControlID: g.ControlID, WorkflowID: id, Outcome: GapFailed, Reason: err.Error()})
		default:
			r.reported = append(r.reported, GapOutcome{ControlID: g.ControlID, WorkflowID: id, Outcome: out.Outcome, By: out.By})
		}
	})
}

// takeGapClosed takes a gap-closed signal: before versionGapClosedHint as
// the gap's outcome; from it as a hint to ask Temporal how the gap ended,
// when no future of this run will say.
func (r *remediationRun) takeGapClosed(ctx workflow.Context, o GapOutcome) {
	if r.outcome(o.ControlID) != nil || !r.isGap(o.ControlID) {
		return // a repeat, or not ours: settle would drop it either way
	}
	if workflow.GetVersion(ctx, versionGapClosedHint, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		r.reported = append(r.reported, o)
		return
	}
	if slices.Contains(r.owned, o.ControlID) || !slices.Contains(r.st.Started, o.ControlID) {
		return // this run's future will say; or no gap workflow was started
	}
	if !slices.Contains(r.hinted, o.ControlID) {
		r.hinted = append(r.hinted, o.ControlID)
	}
	r.checkDue = true
}

// armRecheck looks again shortly at hinted gaps still open after a check;
// after that look the daily check takes over, so a forged signal costs at
// most two reads.
func (r *remediationRun) armRecheck(ctx workflow.Context) {
	open := slices.DeleteFunc(r.hinted, func(c string) bool {
		return r.outcome(c) != nil || slices.ContainsFunc(r.reported, func(o GapOutcome) bool { return o.ControlID == c })
	})
	r.hinted = nil
	if r.recheckArmed || len(open) == 0 {
		return
	}
	r.recheckArmed = true
	after := gapClosedRecheck
	if d := r.in.Test.value().GapClosedRecheck; d > 0 {
		after = d
	}
	r.sel.AddFuture(workflow.NewTimer(ctx, after), func(workflow.Future) { r.checkDue, r.recheckArmed = true, false })
}

// unwatched lists the open gaps this run has no future for.
func (r *remediationRun) unwatched() []string {
	var ids []string
	for _, g := range r.in.Gaps {
		if r.outcome(g.ControlID) == nil && slices.Contains(r.st.Started, g.ControlID) && !slices.Contains(r.owned, g.ControlID) {
			ids = append(ids, r.gapID(g.ControlID))
		}
	}
	return ids
}

// check asks Temporal how the unwatched gap workflows ended.
func (r *remediationRun) check(ctx workflow.Context) error {
	ids := r.unwatched()
	if len(ids) == 0 {
		return nil
	}
	var res activities.DescribeGapsResult
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	if err := workflow.ExecuteActivity(actx, a.DescribeGaps, activities.DescribeGapsInput{WorkflowIDs: ids}).Get(ctx, &res); err != nil {
		return fmt.Errorf("describe the gaps of %s: %w", r.in.EngagementID, err)
	}
	for _, e := range res.Ended {
		o := GapOutcome{WorkflowID: e.WorkflowID, ControlID: r.controlOf(e.WorkflowID), Outcome: e.Outcome, By: e.By}
		if e.Status != "completed" || (e.Outcome != compliance.ItemVerified && e.Outcome != compliance.ItemAccepted) {
			o.Outcome, o.Reason = GapFailed, "the gap's workflow "+e.Status+": "+e.Reason
		}
		r.reported = append(r.reported, o)
	}
	return nil
}

// armCheck looks again in a day while unwatched gaps are open: a lost
// report then costs a day, not the remediation.
func (r *remediationRun) armCheck(ctx workflow.Context) {
	if r.checkArmed || len(r.unwatched()) == 0 {
		return
	}
	r.checkArmed = true
	r.sel.AddFuture(workflow.NewTimer(ctx, 24*time.Hour), func(workflow.Future) { r.checkDue, r.checkArmed = true, false })
}

// gapID is the workflow ID of one of this remediation's gaps.
func (r *remediationRun) gapID(controlID string) string {
	return RoundGapWorkflowID(r.in.EngagementID, r.in.Round, controlID)
}

func (r *remediationRun) controlOf(workflowID string) string {
	for _, g := range r.in.Gaps {
		if r.gapID(g.ControlID) == workflowID {
			return g.ControlID
		}
	}
	return workflowID
}

// settle takes in what was reported: the first outcome per gap counts; a
// failure is recorded and escalated before it is counted, so a run that
// continues as new never carries a failure nobody was told about.
func (r *remediationRun) settle(ctx workflow.Context) (bool, error) {
	changed := false
	for len(r.reported) > 0 {
		o := r.reported[0]
		r.reported = r.reported[1:]
		if r.outcome(o.ControlID) != nil || !r.isGap(o.ControlID) {
			continue // a repeat (future and signal, or across runs), or not ours
		}
		if o.Outcome == GapFailed {
			if err := r.escalateFailure(ctx, o); err != nil {
				return changed, err
			}
		}
		r.st.Outcomes = append(r.st.Outcomes, o)
		changed = true
	}
	return changed, nil
}

func (r *remediationRun) escalateFailure(ctx workflow.Context, o GapOutcome) error {
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	err := workflow.ExecuteActivity(actx, a.RecordEvent, activities.RecordEventInput{
		EngagementID: r.in.EngagementID, Key: o.WorkflowID + "/failed", Kind: compliance.EventItemFailed, Actor: "steadfast",
		Channel: compliance.ChannelWorkflow, At: workflow.Now(ctx),
		Detail: map[string]any{"item": o.WorkflowID, "control": o.ControlID, "reason": o.Reason},
	}).Get(ctx, nil)
	if err != nil {
		return fmt.Errorf("record the failed remediation of %s: %w", o.ControlID, err)
	}
	err = workflow.ExecuteActivity(actx, a.Escalate, activities.EscalateInput{
		EngagementID: r.in.EngagementID, Key: "gap-failed/" + o.ControlID, Subject: o.ControlID + " " + r.in.Titles[o.ControlID],
		Reason: fmt.Sprintf("The remediation of %s stopped: %s. The gap is still open. Fix the cause and restart its workflow (%s), or accept the gap.",
			o.ControlID, o.Reason, o.WorkflowID),
		Tell: r.in.Spec.PeopleWithRole(compliance.RoleLead), SlackChannel: r.in.Spec.Integrations.SlackChannel, At: workflow.Now(ctx),
	}).Get(ctx, nil)
	if err != nil {
		return fmt.Errorf("escalate the failed remediation of %s: %w", o.ControlID, err)
	}
	return nil
}

// shouldContinueAsNew: every child started this run has started (so none
// is lost with the run), and the run has spent its budget or Temporal
// suggests it.
func (r *remediationRun) shouldContinueAsNew(ctx workflow.Context) bool {
	if r.starting > 0 {
		return false
	}
	info := workflow.GetInfo(ctx)
	return r.polls >= remediationPollsPerRun || info.GetContinueAsNewSuggested() || info.GetCurrentHistoryLength() >= remediationEventBudget
}

// continueAsNew hands the state to the next run once no handler is running
// and everything already delivered — gap-closed signals, ended children —
// has been taken in, so nothing reported to this run is lost with it.
func (r *remediationRun) continueAsNew(ctx workflow.Context) (RemediationResult, error) {
	for {
		if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
			return RemediationResult{}, err
		}
		for r.sel.HasPending() {
			r.sel.Select(ctx)
		}
		// The next run polls, checks and tries pending withdrawals anyway.
		r.pollDue, r.checkDue, r.withdrawDue = false, false, false
		// A withdraw-gaps hint is not carried over: act on it now (a
		// withdrawal it confirms whose item is not recorded is carried,
		// in State.Withdrawing).
		if err := r.withdraw(ctx); err != nil {
			return RemediationResult{}, err
		}
		changed, err := r.settle(ctx)
		if err != nil {
			return RemediationResult{}, err
		}
		if changed {
			r.report(ctx)
		}
		// Settling ran activities; look again for anything that arrived.
		if !r.sel.HasPending() && workflow.AllHandlersFinished(ctx) {
			break
		}
	}
	if r.allEnded() {
		return r.result(), nil
	}
	next := r.in
	st := r.st
	st.Runs++
	next.State = &st
	return RemediationResult{}, workflow.NewContinueAsNewError(ctx, RemediationWorkflowName, next)
}

func (r *remediationRun) outcome(controlID string) *GapOutcome {
	for i := range r.st.Outcomes {
		if r.st.Outcomes[i].ControlID == controlID {
			return &r.st.Outcomes[i]
		}
	}
	return nil
}

func (r *remediationRun) isGap(controlID string) bool {
	return slices.ContainsFunc(r.in.Gaps, func(g activities.RegisterEntry) bool { return g.ControlID == controlID })
}

func (r *remediationRun) allEnded() bool {
	for _, g := range r.in.Gaps {
		if r.outcome(g.ControlID) == nil {
			return false
		}
	}
	return true
}

func (r *remediationRun) result() RemediationResult {
	var res RemediationResult
	for _, o := range r.st.Outcomes {
		switch o.Outcome {
		case compliance.ItemAccepted:
			res.Accepted++
		case compliance.ItemWithdrawn:
			res.Withdrawn++
			res.WithdrawnGaps = append(res.WithdrawnGaps, o.ControlID)
		case GapFailed:
			res.Failed++
			res.FailedGaps = append(res.FailedGaps, o.ControlID)
		default:
			res.Verified++
		}
	}
	return res
}

func (r *remediationRun) progress() RemediationProgress {
	res := r.result()
	p := RemediationProgress{Gaps: len(r.in.Gaps), Verified: res.Verified, Accepted: res.Accepted, Withdrawn: res.WithdrawnGaps,
		Runs: r.st.Runs, Polls: r.st.Polls}
	for _, o := range r.st.Outcomes {
		if o.Outcome == GapFailed {
			p.Failed = append(p.Failed, o)
		}
	}
	for _, g := range r.in.Gaps {
		if r.outcome(g.ControlID) == nil {
			p.Open = append(p.Open, g.ControlID)
		}
	}
	return p
}

// report tells the engagement how far remediation has got; failed gaps
// are named so the status shows them.
func (r *remediationRun) report(ctx workflow.Context) {
	if r.in.ParentWorkflowID == "" {
		return
	}
	res := r.result()
	waiting := fmt.Sprintf("remediation (%d of %d gaps closed)", len(r.st.Outcomes)-res.Failed, len(r.in.Gaps))
	if res.Failed > 0 {
		waiting = fmt.Sprintf("remediation (%d of %d gaps closed; %d failed, escalated to the lead: %s)",
			len(r.st.Outcomes)-res.Failed, len(r.in.Gaps), res.Failed, strings.Join(res.FailedGaps, ", "))
	}
	if res.Withdrawn > 0 {
		// Only runs that withdrew a gap (versionRemediationWithdraw) say so.
		waiting = strings.TrimSuffix(waiting, ")") + fmt.Sprintf("; %d withdrawn by a tailoring change: %s)",
			res.Withdrawn, strings.Join(res.WithdrawnGaps, ", "))
	}
	workflow.SignalExternalWorkflow(ctx, r.in.ParentWorkflowID, "", SignalPhaseProgress, PhaseProgress{
		Phase: compliance.PhaseRemediation, Revision: r.in.Revision, Verified: res.Verified, Accepted: res.Accepted,
		Withdrawn: res.Withdrawn, WaitingFor: waiting, At: workflow.Now(ctx),
	})
}

// reportGapEnd tells the remediation workflow how this gap ended. It is
// sent to the remediation's workflow ID, not the run that started the gap,
// so it reaches the current run after any number of continue-as-new. A gap
// started outside remediation (tests) has no parent and reports nothing.
func reportGapEnd(ctx workflow.Context, in GapRemediationInput, res GapRemediationResult, err error) {
	parent := workflow.GetInfo(ctx).ParentWorkflowExecution
	if parent == nil {
		return
	}
	// Disconnected: a cancelled gap still reports.
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	if workflow.GetVersion(dctx, versionGapReportsEnd, workflow.DefaultVersion, 1) < 1 {
		return
	}
	o := GapOutcome{ControlID: in.Gap.ControlID, WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, Outcome: res.Outcome, By: res.By}
	if err != nil {
		o.Outcome, o.Reason = GapFailed, err.Error()
	}
	if serr := workflow.SignalExternalWorkflow(dctx, parent.ID, "", SignalGapClosed, o).Get(dctx, nil); serr != nil {
		// The remediation has ended (or never listened): its describe
		// fallback, or the lead, sees this gap's status instead.
		workflow.GetLogger(ctx).Warn("report gap end", "control", in.Gap.ControlID, "error", serr)
	}
}
