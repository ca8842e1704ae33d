package workflows

import (
	"fmt"
	"slices"
	"strings"

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
// its remediation phase, and any change's round remediation — which
// controls an approved change took out of scope, once the change's spec is
// stored (withdraw-gaps). Before it only a running first gap assessment was
// told (versionTailoringWithdraw) and a gap already in remediation stayed
// open. Taken only when an approved change removes controls past the gap
// assessment.
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

// withdraw checks the hints received against the stored spec and withdraws
// the open gaps it confirms (versionRemediationWithdraw). A gap already
// closed or accepted stays as it is: its item is not withdrawn and its own
// end is counted as usual.
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
			if r.isGap(id) && r.outcome(id) == nil && slices.Contains(r.st.Started, id) && !slices.Contains(named, id) {
				named = append(named, id)
			}
		}
	}
	if len(named) == 0 {
		return nil // none of ours, or ended already
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
	var cancels []workflow.Future
	dctx, cancel := workflow.NewDisconnectedContext(ctx)
	defer cancel()
	for _, id := range res.Withdrawn {
		var out activities.WithdrawRemediationResult
		if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, deliveryOptions), a.WithdrawRemediation, activities.WithdrawRemediationInput{
			EngagementID: r.in.EngagementID, ItemID: r.gapID(id), ControlID: id, ChangeID: res.ChangeID,
			ApprovedBy: res.ApprovedBy, Reason: res.Justifications[id], At: workflow.Now(ctx),
		}).Get(ctx, &out); err != nil {
			return fmt.Errorf("withdraw the gap of %s: %w", id, err)
		}
		if !out.Withdrawn {
			// Closed or accepted already (its own end is counted), or its
			// item not opened yet.
			workflow.GetLogger(ctx).Info("gap not withdrawn", "control", id, "status", out.Status)
			continue
		}
		r.st.Outcomes = append(r.st.Outcomes, GapOutcome{ControlID: id, WorkflowID: r.gapID(id), Outcome: compliance.ItemWithdrawn,
			By: res.ApprovedBy, Reason: res.ChangeID})
		// The gap's workflow ends cancelled; its prompt closes as withdrawn.
		// Its reported end (a failure) is dropped: the outcome is counted.
		cancels = append(cancels, workflow.RequestCancelExternalWorkflow(dctx, r.gapID(id), ""))
	}
	for _, f := range cancels {
		if err := f.Get(dctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("cancel a withdrawn gap's workflow", "engagement", r.in.EngagementID, "error", err)
		}
	}
	if len(cancels) > 0 {
		r.report(ctx)
	}
	return nil
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
