package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
)

// versionCheckTicketDone: a ticket-changed signal saying "done" is a hint,
// not a fact. Any Temporal client can send it, and before this version one
// withdrew the owner's chase for the fix and asked for evidence instead,
// as if the ticket were done; its de-duplication ID was the sender's to
// pick, so a forged "poll" also silenced the poller's later reports. Now
// the gap asks Jira for its own ticket, by the key recorded when it was
// opened, and moves on only if Jira says done. The version is asked when
// such a claim arrives, so a history that took one before this change
// replays as it ran.
const versionCheckTicketDone = "check-ticket-done"

// takeTicketChange folds a ticket-changed signal into the gap.
func (r *gapRun) takeTicketChange(ctx workflow.Context, ch TicketChange) {
	dup := ch.WebhookID != "" && r.seen[ch.WebhookID]
	r.seen[ch.WebhookID] = true
	if ch.Category != "done" || r.jiraDone {
		return
	}
	if workflow.GetVersion(ctx, versionCheckTicketDone, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		// Before the check: the signal's word, once per delivery ID.
		if !dup {
			r.jiraDone = true
		}
		return
	}
	if r.ticket == "" {
		r.ignoreTicketChange(ctx, ch, "the gap has no Jira ticket")
		return
	}
	var res activities.TicketDoneResult
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, deliveryOptions), a.TicketDone,
		activities.TicketDoneInput{TicketKey: r.ticket}).Get(ctx, &res)
	switch {
	case err != nil:
		// Jira refused the read (the ticket was deleted, or access
		// lost): the next webhook or poll tries again.
		workflow.GetLogger(ctx).Error("check a ticket-changed signal with Jira", "gap", r.id, "ticket", r.ticket, "error", err)
	case res.Unavailable:
		workflow.GetLogger(ctx).Error("cannot check a ticket-changed signal: Jira is not configured on this worker", "gap", r.id, "ticket", r.ticket)
	case res.Done:
		r.jiraDone = true
	default:
		r.ignoreTicketChange(ctx, ch, fmt.Sprintf("Jira says %s is %q, not done", r.ticket, res.Category))
	}
}

// ignoreTicketChange logs and records a "done" claim Jira does not back.
func (r *gapRun) ignoreTicketChange(ctx workflow.Context, ch TicketChange, why string) {
	workflow.GetLogger(ctx).Warn("ignored a ticket-changed signal", "gap", r.id, "ticket", r.ticket, "why", why)
	recordIgnoredSignal(ctx, unbackedClaim{EngagementID: r.in.EngagementID, Signal: SignalTicketChanged, Subject: r.id,
		Claim: "the ticket is done", Why: why, Detail: map[string]any{"item": r.id, "ticket": r.ticket, "delivery": ch.WebhookID}})
}
