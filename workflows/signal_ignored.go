package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
)

// unbackedClaim is a signal's claim that its receiver checked with the
// source of truth and found unbacked. Signals carry no authority (any
// Temporal client can send one), so a claim that does not hold is not
// acted on but kept in the engagement's record, where a lead or an
// auditor can see that someone tried.
type unbackedClaim struct {
	EngagementID string
	// Signal is the signal's name; Subject what it was about (a gap, a
	// phase), which makes the record's key.
	Signal, Subject string
	// Claim is what the signal said, Why why it was not believed.
	Claim, Why string
	// Detail is anything else the record should show; the helper adds
	// the signal, claim and why to it.
	Detail map[string]any
}

// recordIgnoredSignal records an unbacked claim as a signal-ignored event.
// A failure to record is logged: the claim is ignored either way.
func recordIgnoredSignal(ctx workflow.Context, s unbackedClaim) {
	now := workflow.Now(ctx)
	// The caller's map is its own literal: the record's fields go into it.
	detail := s.Detail
	if detail == nil {
		detail = map[string]any{}
	}
	detail["signal"], detail["claim"], detail["why"] = s.Signal, s.Claim, s.Why
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), a.RecordEvent, activities.RecordEventInput{
		EngagementID: s.EngagementID, Kind: compliance.EventSignalIgnored, Actor: "unknown", Channel: compliance.ChannelWorkflow,
		Key:    fmt.Sprintf("signal-ignored/%s/%s/%d", s.Signal, s.Subject, now.UnixNano()),
		Detail: detail,
		At:     now,
	}).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Error("record an ignored signal", "engagement", s.EngagementID, "signal", s.Signal, "subject", s.Subject, "error", err)
	}
}
