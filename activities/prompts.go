package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/drift"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/metrics"
)

// Ladder rungs.
const (
	StepRemind  = "remind"
	StepLead    = "lead"
	StepSponsor = "sponsor"
	StepExpire  = "expire"
	// StepWithdraw is not a rung: it closes a prompt nobody needs answered.
	StepWithdraw = "withdraw"
)

func closes(kind string) string {
	switch kind {
	case StepExpire:
		return postgres.PromptExpired
	case StepWithdraw:
		return postgres.PromptWithdrawn
	}
	return ""
}

// LadderHour is the local hour at which reminders and escalations land:
// mid-morning on a business day, when people read messages.
const LadderHour = 10

// LadderStep is one rung: what happens, and when.
type LadderStep struct {
	Name string    `json:"name"` // remind-1, remind-2, lead, sponsor, expire
	Kind string    `json:"kind"` // remind, lead, sponsor, expire
	At   time.Time `json:"at"`
}

// PlanLadderInput asks for a prompt's escalation ladder.
type PlanLadderInput struct {
	Policy compliance.ReminderPolicy
	// TimeZone is the addressee's zone; empty means the policy's.
	TimeZone string
	From     time.Time
	// Due, when set, anchors the ladder on a deadline instead of on the
	// day the prompt was sent (evidence, quarterly reviews, auditor's
	// requests): see deadlineLadder. Until is when the question expires;
	// zero means with the last escalation.
	Due   time.Time
	Until time.Time
}

// PlanLadderResult is the ladder, in order.
type PlanLadderResult struct {
	Steps []LadderStep
}

// PlanLadder computes when each rung fires: the policy's business-day
// offsets from the day the prompt was sent, at LadderHour in the
// addressee's time zone. An activity, because it loads zone data.
func (a *Activities) PlanLadder(_ context.Context, in PlanLadderInput) (PlanLadderResult, error) {
	p := in.Policy
	if in.TimeZone != "" {
		p.TimeZone = in.TimeZone
	}
	cal, err := compliance.NewCalendar(p)
	if err != nil {
		return PlanLadderResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("plan ladder: %w", err))
	}
	if !in.Due.IsZero() {
		// The deadline belongs to the client's calendar (its quarters
		// and holidays), not the addressee's.
		clientCal, err := compliance.NewCalendar(in.Policy)
		if err != nil {
			return PlanLadderResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("plan ladder: %w", err))
		}
		return PlanLadderResult{Steps: deadlineLadder(clientCal, in.From, in.Due, in.Until)}, nil
	}
	start := cal.Today(in.From)
	at := func(days int) time.Time { return cal.At(cal.AddBusinessDays(start, days), LadderHour) }
	var steps []LadderStep
	for i, d := range p.RemindAfter {
		steps = append(steps, LadderStep{Name: fmt.Sprintf("%s-%d", StepRemind, i+1), Kind: StepRemind, At: at(d)})
	}
	steps = append(steps,
		LadderStep{Name: StepLead, Kind: StepLead, At: at(p.LeadAfter)},
		LadderStep{Name: StepSponsor, Kind: StepSponsor, At: at(p.SponsorAfter)},
		LadderStep{Name: StepExpire, Kind: StepExpire, At: at(p.ExpireAfter)},
	)
	return PlanLadderResult{Steps: steps}, nil
}

// OpenPromptInput records a new prompt and delivers it.
type OpenPromptInput struct {
	Prompt       postgres.Prompt
	To           compliance.Person
	SlackChannel string
}

// OpenPromptResult says through which channel the prompt was delivered.
type OpenPromptResult struct {
	Delivered string // slack, or cli when Slack is not configured
}

// OpenPrompt stores the prompt and refreshes the addressee's digest.
func (a *Activities) OpenPrompt(ctx context.Context, in OpenPromptInput) (OpenPromptResult, error) {
	if err := a.Store.OpenPrompt(ctx, in.Prompt); err != nil {
		return OpenPromptResult{}, fmt.Errorf("open prompt %s: %w", in.Prompt.ID, err)
	}
	metrics.QuestionOpened(ctx, in.Prompt.Kind)
	via, err := a.syncDigest(ctx, in.Prompt.EngagementID, in.To)
	if err != nil {
		return OpenPromptResult{}, err
	}
	return OpenPromptResult{Delivered: via}, nil
}

// RecordPromptAnswerInput is an accepted answer.
type RecordPromptAnswerInput struct {
	Answer postgres.PromptAnswer
}

// RecordPromptAnswerResult is empty.
type RecordPromptAnswerResult struct{}

// RecordPromptAnswer stores the answer exactly once.
func (a *Activities) RecordPromptAnswer(ctx context.Context, in RecordPromptAnswerInput) (RecordPromptAnswerResult, error) {
	if err := a.Store.RecordPromptAnswer(ctx, in.Answer); err != nil {
		return RecordPromptAnswerResult{}, classify(fmt.Errorf("record answer to %s: %w", in.Answer.PromptID, err))
	}
	metrics.QuestionAnswered(ctx, in.Answer.Via)
	return RecordPromptAnswerResult{}, nil
}

// PromptStepInput is a rung of the ladder to carry out.
type PromptStepInput struct {
	PromptID     string
	EngagementID string
	Step         LadderStep
	To           compliance.Person
	// Tell are the people this rung tells (the addressee for a reminder,
	// the leads, then the sponsors).
	Tell         []compliance.Person
	SlackChannel string
	// Reason overrides the escalation's explanation (e.g. the owner cannot
	// be reached in Slack).
	Reason string
}

// PromptStepResult lists who was told and how.
type PromptStepResult struct {
	Told    []string
	Channel string
}

// PromptStep records a rung and tells the people it concerns.
func (a *Activities) PromptStep(ctx context.Context, in PromptStepInput) (PromptStepResult, error) {
	told := make([]string, 0, len(in.Tell))
	for _, p := range in.Tell {
		told = append(told, p.Email)
	}
	channel, err := a.deliverStep(ctx, in)
	if err != nil {
		return PromptStepResult{}, err
	}
	err = a.Store.RecordPromptStep(ctx, postgres.PromptStep{
		PromptID: in.PromptID, EngagementID: in.EngagementID, Step: in.Step.Name, Level: in.Step.Kind,
		Told: told, Channel: channel, Closes: closes(in.Step.Kind), At: in.Step.At,
	})
	if err != nil {
		return PromptStepResult{}, fmt.Errorf("record %s of %s: %w", in.Step.Name, in.PromptID, err)
	}
	metrics.LadderStep(ctx, in.Step.Kind)
	if closes(in.Step.Kind) != "" {
		if _, err := a.syncDigest(ctx, in.EngagementID, in.To); err != nil {
			return PromptStepResult{}, err
		}
	}
	return PromptStepResult{Told: told, Channel: channel}, nil
}

// ReassignPromptInput records a reassignment and refreshes both digests.
type ReassignPromptInput struct {
	Reassignment postgres.Reassignment
	From, To     compliance.Person
}

// ReassignPromptResult is empty.
type ReassignPromptResult struct{}

// ReassignPrompt stores the new addressee and refreshes both people's
// digests.
func (a *Activities) ReassignPrompt(ctx context.Context, in ReassignPromptInput) (ReassignPromptResult, error) {
	if err := a.Store.ReassignPrompt(ctx, in.Reassignment); err != nil {
		return ReassignPromptResult{}, fmt.Errorf("reassign %s: %w", in.Reassignment.PromptID, err)
	}
	for _, p := range []compliance.Person{in.From, in.To} {
		if _, err := a.syncDigest(ctx, in.Reassignment.EngagementID, p); err != nil {
			return ReassignPromptResult{}, err
		}
	}
	return ReassignPromptResult{}, nil
}

// SyncDigestInput names whose digest to refresh.
type SyncDigestInput struct {
	EngagementID string
	Person       compliance.Person
}

// SyncDigestResult says through which channel.
type SyncDigestResult struct {
	Delivered string
}

// SyncDigest posts or updates a person's single digest message so it shows
// every prompt they have, answered ones included.
func (a *Activities) SyncDigest(ctx context.Context, in SyncDigestInput) (SyncDigestResult, error) {
	via, err := a.syncDigest(ctx, in.EngagementID, in.Person)
	return SyncDigestResult{Delivered: via}, err
}

// deadlineLadder is the ladder of a question with a deadline: the owner is
// reminded before it, the lead is told at it, and the sponsor after it but
// before the quarter closes (drift.EscalateBy), so a missed quarterly review
// reaches the sponsor while there is still time to act in the quarter. A
// reminder that would come less than a day after the question is dropped;
// escalations already due fire at once, in order.
func deadlineLadder(cal *compliance.Calendar, from, due, until time.Time) []LadderStep {
	occ := cadence.Occurrence{Due: due, Period: compliance.Span{Start: cal.Today(from), End: cal.Today(due)}}
	var steps []LadderStep
	last := due
	for _, r := range drift.EscalateBy(occ, cal) {
		switch r.Role {
		case compliance.RoleControlOwner:
			// A reminder the same day as the question is noise.
			if r.At.Sub(from) >= 24*time.Hour {
				steps = append(steps, LadderStep{Name: StepRemind + "-1", Kind: StepRemind, At: r.At})
			}
		case compliance.RoleLead:
			steps = append(steps, LadderStep{Name: StepLead, Kind: StepLead, At: r.At})
		case compliance.RoleSponsor:
			steps = append(steps, LadderStep{Name: StepSponsor, Kind: StepSponsor, At: r.At})
		}
		if r.At.After(last) {
			last = r.At
		}
	}
	if until.After(last) {
		last = until
	}
	return append(steps, LadderStep{Name: StepExpire, Kind: StepExpire, At: last})
}
