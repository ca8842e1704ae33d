package activities

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
)

// VendorWorkInput asks for the vendor prompts to send in (After, Until]:
// the vendor work compliance.VendorSchedule lays out from Start, the day
// vendor work began for the engagement.
type VendorWorkInput struct {
	EngagementID string
	Spec         compliance.Spec
	// Start zero means the first batch: the start is today (Now) in the
	// client's zone, returned in the result.
	Start compliance.Date
	Now   time.Time
	After time.Time
	// AfterKey breaks ties at After, as NextOccurrencesInput.AfterKey.
	AfterKey string
	Until    time.Time
	// FromStore reads the engagement's current spec from Postgres, so a
	// revised spec (a new report on file, a bridge letter received, a new
	// vendor) changes the work from the next batch.
	FromStore bool `json:",omitempty"`
}

// ScheduledVendorAction is one vendor prompt to send: the work, the person
// it goes to, and the instants of the ask, the deadline and the expiry in
// the client's zone.
type ScheduledVendorAction struct {
	Action compliance.VendorAction
	Owner  compliance.Person
	AskAt  time.Time
	Due    time.Time
	Until  time.Time
}

// VendorWorkResult lists the prompts in AskAt order (then key), and the
// start the schedule was laid out from.
type VendorWorkResult struct {
	Actions []ScheduledVendorAction
	Start   compliance.Date
}

// VendorWork computes the vendor prompts to send next. Like
// NextOccurrences it is recomputed each batch from the spec, so the vendor
// workflow keeps only a cursor. A prompt goes out at AskHour on the first
// business day on or after the action's ask date, is due at the cadence's
// due hour on its due date, and expires cadence.DefaultGrace business days
// later.
func (a *Activities) VendorWork(ctx context.Context, in VendorWorkInput) (VendorWorkResult, error) {
	// A worker without a store (the workflow unit tests) schedules from
	// the spec it was given.
	if in.FromStore && a.Store != nil {
		spec, _, err := a.Store.SpecAndPlan(ctx, in.EngagementID)
		if err != nil {
			return VendorWorkResult{}, fmt.Errorf("current spec of %s: %w", in.EngagementID, err)
		}
		in.Spec = spec
	}
	cal, err := compliance.NewCalendar(in.Spec.Reminders)
	if err != nil {
		return VendorWorkResult{}, nonRetryable(ErrTypeBadInput, err)
	}
	if in.Start.IsZero() {
		// The first batch: vendor work starts today in the client's
		// zone, and the workflow keeps this start for good.
		in.Start = cal.Today(in.Now)
	}
	res := VendorWorkResult{Start: in.Start}
	for _, act := range compliance.VendorSchedule(&in.Spec, in.Start, cal.Today(in.Until)) {
		ask := cal.At(cal.NextBusinessDay(act.Ask), AskHour)
		if ask.After(in.Until) || ask.Before(in.After) || ask.Equal(in.After) && act.Key <= in.AfterKey {
			continue
		}
		owner := compliance.Person{Email: act.Owner, Name: act.Owner}
		if p := in.Spec.Person(act.Owner); p != nil {
			owner = *p
		}
		res.Actions = append(res.Actions, ScheduledVendorAction{
			Action: act, Owner: owner, AskAt: ask,
			Due:   cal.At(act.Due, cadence.DefaultDueHour),
			Until: cal.At(cal.AddBusinessDays(act.Due, cadence.DefaultGrace), cadence.DefaultDueHour),
		})
	}
	sort.SliceStable(res.Actions, func(i, j int) bool {
		if !res.Actions[i].AskAt.Equal(res.Actions[j].AskAt) {
			return res.Actions[i].AskAt.Before(res.Actions[j].AskAt)
		}
		return res.Actions[i].Action.Key < res.Actions[j].Action.Key
	})
	return res, nil
}
