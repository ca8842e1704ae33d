package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
)

// versionRemediationWithdraw: from version 1 a running remediation
// withdraws the open gaps of controls an approved tailoring change took out
// of scope after the first gap assessment had ended. A withdraw-gaps hint
// names the change; the run checks its open gaps against the stored spec
// (activities.CheckWithdrawal, the rule catalog.OutOfScope and
// compliance.GapWithdrawable), records each confirmed one's item as
// withdrawn with a note naming the change and its approver (its Jira ticket
// commented on and moved to done), cancels its gap workflow (its owner's
// prompt closes as withdrawn) and counts it as ended, so remediation does
// not wait for it. Before it the gap stayed open and its owner was chased
// for a control out of scope. Asked when a hint is acted on, so a
// remediation already running picks it up.
const versionRemediationWithdraw = "remediation-withdraw"

// versionTailoringWithdrawGaps: from version 1 the engagement (and the
// programme) tells the running remediations — the engagement's own during
// its remediation phase, and every round remediation of the engagement
// still running, as Temporal lists them (remediationsToWithdrawFrom) —
// which controls an approved change took out of scope, once the change's
// spec is stored (withdraw-gaps). Before it only a running first gap
// assessment was told (versionTailoringWithdraw) and a gap already in
// remediation stayed open. Taken only when an approved change removes
// controls past the gap assessment.
const versionTailoringWithdrawGaps = "tailoring-withdraw-gaps"

// WithdrawGaps is the withdraw-gaps signal: an approved change (ChangeID)
// took these controls out of scope. A hint with no authority — anyone with
// Temporal access can send one — so a remediation withdraws only the gaps
// the stored spec no longer operates, and records an unbacked claim as
// signal-ignored.
type WithdrawGaps struct {
	ChangeID string
	Controls []string
}

// listenForWithdrawals registers the withdraw-gaps hint on the run's
// selector; withdraw acts on what arrived.
func (r *remediationRun) listenForWithdrawals(ctx workflow.Context) {
	r.sel.AddReceive(workflow.GetSignalChannel(ctx, SignalWithdrawGaps), func(c workflow.ReceiveChannel, _ bool) {
		var h WithdrawGaps
		c.Receive(ctx, &h)
		r.withdrawHints = append(r.withdrawHints, h)
	})
}

// PendingWithdrawal is a gap withdrawal the stored spec confirmed whose
// item was not yet recorded when it was tried: the gap's workflow had just
// started, and writes its item only once its Jira ticket exists. The run
// tries it again (retryWithdrawals) and carries it when it continues as
// new.
type PendingWithdrawal struct {
	ControlID  string `json:"control_id"`
	ChangeID   string `json:"change_id"`
	ApprovedBy string `json:"approved_by,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

// withdrawRetryFirst and withdrawRetryMax bound how soon a withdrawal whose
// item was not yet recorded is tried again: a minute after, then twice as
// long each time, at most hourly. An item is written once its ticket is
// created, which retries as long as Jira refuses (at most five minutes
// apart), so the first tries usually find it; an hourly try costs a timer
// and an activity, like a Jira poll.
const (
	withdrawRetryFirst = time.Minute
	withdrawRetryMax   = time.Hour
)

// withdraw checks the hints received against the stored spec and withdraws
// the open gaps it confirms (versionRemediationWithdraw). A gap already
// closed or accepted stays as it is: its item is not withdrawn and its own
// end is counted as usual. A gap whose item is not recorded yet is kept
// pending and tried again (retryWithdrawals).
func (r *remediationRun) withdraw(ctx workflow.Context) error {
	if len(r.withdrawHints) == 0 {
		return nil
	}
	hints := r.withdrawHints
	r.withdrawHints = nil
	if workflow.GetVersion(ctx, versionRemediationWithdraw, workflow.DefaultVersion, 1) < 1 {
		return nil
	}
	var named []string
	for _, h := range hints {
		for _, id := range h.Controls {
			if r.isGap(id) && r.outcome(id) == nil && slices.Contains(r.st.Started, id) && !slices.Contains(named, id) && r.pending(id) < 0 {
				named = append(named, id)
			}
		}
	}
	if len(named) == 0 {
		return nil // none of ours, ended already, or already pending
	}
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	var res activities.CheckWithdrawalResult
	if err := workflow.ExecuteActivity(actx, a.CheckWithdrawal, activities.CheckWithdrawalInput{
		EngagementID: r.in.EngagementID, Controls: named,
	}).Get(ctx, &res); err != nil {
		return fmt.Errorf("check the withdrawal of %s: %w", strings.Join(named, ", "), err)
	}
	if unbacked := slices.DeleteFunc(slices.Clone(named), func(id string) bool { return slices.Contains(res.Withdrawn, id) }); len(unbacked) > 0 {
		r.ignoreWithdrawal(ctx, hints, unbacked)
	}
	var confirmed []PendingWithdrawal
	for _, id := range res.Withdrawn {
		confirmed = append(confirmed, PendingWithdrawal{ControlID: id, ChangeID: res.ChangeID, ApprovedBy: res.ApprovedBy, Reason: res.Justifications[id]})
	}
	notYet, err := r.withdrawGaps(ctx, confirmed)
	if err != nil {
		return err
	}
	r.st.Withdrawing = append(r.st.Withdrawing, notYet...)
	r.armWithdrawRetry(ctx)
	return nil
}

// retryWithdrawals tries again the confirmed withdrawals whose item was not
// recorded; a gap that has ended since is dropped (its own end counts).
func (r *remediationRun) retryWithdrawals(ctx workflow.Context) error {
	due := slices.DeleteFunc(r.st.Withdrawing, func(p PendingWithdrawal) bool { return r.outcome(p.ControlID) != nil })
	notYet, err := r.withdrawGaps(ctx, due)
	if err != nil {
		return err
	}
	r.st.Withdrawing = notYet
	r.withdrawTries++
	r.armWithdrawRetry(ctx)
	return nil
}

// armWithdrawRetry sets the timer that tries the pending withdrawals again,
// backing off from withdrawRetryFirst (Test.WithdrawRetry in a test) to
// withdrawRetryMax.
func (r *remediationRun) armWithdrawRetry(ctx workflow.Context) {
	if r.withdrawArmed || len(r.st.Withdrawing) == 0 {
		return
	}
	r.withdrawArmed = true
	first := withdrawRetryFirst
	if d := r.in.Test.value().WithdrawRetry; d > 0 {
		first = d
	}
	after := first << min(r.withdrawTries, 6)
	r.sel.AddFuture(workflow.NewTimer(ctx, min(after, withdrawRetryMax)), func(workflow.Future) { r.withdrawDue, r.withdrawArmed = true, false })
}

// pending is the index of a control's pending withdrawal, or -1.
func (r *remediationRun) pending(controlID string) int {
	return slices.IndexFunc(r.st.Withdrawing, func(p PendingWithdrawal) bool { return p.ControlID == controlID })
}

// withdrawGaps withdraws each confirmed gap's item (WithdrawRemediation),
// counts it as withdrawn and cancels its gap workflow. It returns those
// whose item is not recorded yet.
func (r *remediationRun) withdrawGaps(ctx workflow.Context, confirmed []PendingWithdrawal) ([]PendingWithdrawal, error) {
	var notYet []PendingWithdrawal
	var cancels []workflow.Future
	dctx, cancel := workflow.NewDisconnectedContext(ctx)
	defer cancel()
	for _, p := range confirmed {
		var out activities.WithdrawRemediationResult
		if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, deliveryOptions), a.WithdrawRemediation, activities.WithdrawRemediationInput{
			EngagementID: r.in.EngagementID, ItemID: r.gapID(p.ControlID), ControlID: p.ControlID, ChangeID: p.ChangeID,
			ApprovedBy: p.ApprovedBy, Reason: p.Reason, At: workflow.Now(ctx),
		}).Get(ctx, &out); err != nil {
			return nil, fmt.Errorf("withdraw the gap of %s: %w", p.ControlID, err)
		}
		if !out.Withdrawn {
			if out.Status == "" {
				// Its item is not opened yet: tried again once it is.
				workflow.GetLogger(ctx).Info("gap to withdraw has no item yet", "control", p.ControlID)
				notYet = append(notYet, p)
				continue
			}
			// Closed or accepted already: its own end is counted.
			workflow.GetLogger(ctx).Info("gap not withdrawn", "control", p.ControlID, "status", out.Status)
			continue
		}
		r.st.Outcomes = append(r.st.Outcomes, GapOutcome{ControlID: p.ControlID, WorkflowID: r.gapID(p.ControlID), Outcome: compliance.ItemWithdrawn,
			By: p.ApprovedBy, Reason: p.ChangeID})
		// The gap's workflow ends cancelled; its prompt closes as withdrawn.
		// Its reported end (a failure) is dropped: the outcome is counted.
		cancels = append(cancels, workflow.RequestCancelExternalWorkflow(dctx, r.gapID(p.ControlID), ""))
	}
	for _, f := range cancels {
		if err := f.Get(dctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("cancel a withdrawn gap's workflow", "engagement", r.in.EngagementID, "error", err)
		}
	}
	if len(cancels) > 0 {
		r.report(ctx)
	}
	return notYet, nil
}

// ignoreWithdrawal records the gaps a hint named that the stored spec still
// has in scope: they stay open.
func (r *remediationRun) ignoreWithdrawal(ctx workflow.Context, hints []WithdrawGaps, controls []string) {
	var changes []string
	for _, h := range hints {
		changes = append(changes, h.ChangeID)
	}
	workflow.GetLogger(ctx).Warn("ignored a withdraw-gaps signal for controls still in scope", "engagement", r.in.EngagementID, "controls", controls)
	recordIgnoredSignal(ctx, unbackedClaim{EngagementID: r.in.EngagementID, Signal: SignalWithdrawGaps, Subject: strings.Join(controls, ","),
		Claim: "these gaps' controls left the scope", Why: "the stored spec still has them in scope",
		Detail: map[string]any{"controls": controls, "changes": changes, "remediation": workflow.GetInfo(ctx).WorkflowExecution.ID}})
}

// remediationsToWithdrawFrom are the round remediations a change that took
// controls out of scope tells: every one of the engagement that still runs
// as Temporal lists them (RunningRemediations, by the Engagement search
// attribute), whichever workflow's change started it and in whichever
// cycle, and those the carrier knows from its own state (known, first: one
// started a moment ago, not yet visible, is told too). When the listing is
// unavailable, known alone. The change's own round remediation (except)
// has not started when its spec is stored.
func remediationsToWithdrawFrom(ctx workflow.Context, engagementID string, known []string, except string) []string {
	listed, _ := listRunning(ctx, engagementID, []string{RemediationWorkflowName}, []string{RemediationWorkflowID(engagementID) + "/"},
		"list the round remediations to withdraw gaps from")
	ids := slices.Clone(known)
	for _, id := range listed {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return slices.DeleteFunc(ids, func(id string) bool { return id == except })
}

// tellRemediationsToWithdraw sends a withdraw-gaps hint to each of these
// remediation workflows. One that is not running (ended, or never started:
// a change whose gaps joined the engagement's remediation has none) fails
// the signal, which is logged.
func tellRemediationsToWithdraw(ctx workflow.Context, engagementID string, ids []string, h WithdrawGaps) {
	var sent []workflow.Future
	for _, id := range ids {
		sent = append(sent, workflow.SignalExternalWorkflow(ctx, id, "", SignalWithdrawGaps, h))
	}
	for i, f := range sent {
		if err := f.Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Info("withdraw gaps from a remediation not running", "engagement", engagementID, "workflow", ids[i], "change", h.ChangeID, "error", err)
		}
	}
}
