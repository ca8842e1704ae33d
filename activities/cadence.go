package activities

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
)

// ReviewKeyPrefix sets a quarterly review's key apart from the control's
// own evidence occurrences (a quarterly control has both for each quarter).
const ReviewKeyPrefix = "review/"

// AskHour is the local hour an evidence request goes out on the last day
// of its period.
const AskHour = 10

// ScheduledOccurrence is one evidence request the scheduler must send.
type ScheduledOccurrence struct {
	Key       string
	ControlID string
	Title     string
	Frequency compliance.Frequency
	Batch     bool
	// Review marks a quarterly control review rather than evidence: the
	// owner confirms the control still operates as designed and its scope
	// is unchanged. Request then carries the review's quarter and due date.
	Review  bool `json:",omitempty"`
	Owner   compliance.Person
	AskAt   time.Time
	Request EvidenceRequest
}

// NextOccurrencesInput asks for the requests due in (After, Until].
type NextOccurrencesInput struct {
	Spec  compliance.Spec
	Plan  compliance.Plan
	After time.Time
	// AfterKey breaks ties at After: requests asked at the same instant
	// are ordered by key, and those up to AfterKey were already sent.
	AfterKey string
	Until    time.Time
	// TestTick, when set, replaces the calendar with one occurrence per
	// control every TestTick, for tests that run a cadence in minutes.
	TestTick time.Duration
	// Controls limits the schedule to these controls (tests); empty means
	// every applicable control.
	Controls []string
	// FromStore reads the engagement's current spec and plan from Postgres
	// instead of Spec and Plan, so a system or framework added while the
	// programme runs joins the cadence from the next batch. EngagementID
	// names it.
	FromStore    bool   `json:",omitempty"`
	EngagementID string `json:",omitempty"`
}

// NextOccurrencesResult lists the requests in AskAt order, and when the
// window (plus grace) ends.
type NextOccurrencesResult struct {
	Occurrences []ScheduledOccurrence
	WindowEnd   time.Time
}

// NextOccurrences computes, from the control library and the observation
// window, the evidence requests to send next. The scheduler keeps only a
// cursor; everything else is recomputed here, so its state stays small
// across continue-as-new and a library fix applies from the next batch.
func (a *Activities) NextOccurrences(ctx context.Context, in NextOccurrencesInput) (NextOccurrencesResult, error) {
	if err := a.scheduleSpec(ctx, &in); err != nil {
		return NextOccurrencesResult{}, err
	}
	app, err := catalog.Default().ForSpec(&in.Spec)
	if err != nil {
		return NextOccurrencesResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("schedule %s: %w", in.Spec.ID, err))
	}
	cal, err := compliance.NewCalendar(in.Spec.Reminders)
	if err != nil {
		return NextOccurrencesResult{}, nonRetryable(ErrTypeBadInput, err)
	}
	window, err := cadence.Window(&in.Spec, in.Plan)
	if err != nil {
		return NextOccurrencesResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("observation window of %s: %w", in.Spec.ID, err))
	}
	only := map[string]bool{}
	for _, id := range in.Controls {
		only[id] = true
	}
	res := NextOccurrencesResult{WindowEnd: cal.At(window.End, 23).Add(time.Hour)}
	for _, ac := range app.Controls {
		c := ac.Control
		if len(only) > 0 && !only[c.ID] {
			continue
		}
		owner := in.Spec.OwnerOfControl(c.ID, c.Domain)
		if in.TestTick > 0 {
			res.Occurrences = append(res.Occurrences, tickOccurrences(c, owner, in)...)
			continue
		}
		occs, err := cadence.Schedule(cadence.ScheduleInput{ControlID: c.ID, Frequency: c.Frequency, Window: window, Calendar: cal})
		if err != nil {
			return NextOccurrencesResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("schedule %s: %w", c.ID, err))
		}
		for _, o := range occs {
			ask := cal.At(cal.PrevBusinessDay(o.Period.End), AskHour)
			if !pending(ask, o.Key(), in) {
				continue
			}
			res.Occurrences = append(res.Occurrences, ScheduledOccurrence{
				Key: o.Key(), ControlID: c.ID, Title: c.Title, Frequency: c.Frequency, Batch: o.Batch, Owner: owner, AskAt: ask,
				Request: EvidenceRequest{ControlID: c.ID, OccurrenceKey: o.Key(), PeriodStart: o.Period.Start.In(cal.Location),
					PeriodEnd: o.Period.End.In(cal.Location), Due: o.Due, GraceEnd: o.GraceEnd, Batch: o.Batch},
			})
		}
		reviews, err := cadence.Reviews(cadence.ScheduleInput{ControlID: c.ID, Window: window, Calendar: cal})
		if err != nil {
			return NextOccurrencesResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("reviews of %s: %w", c.ID, err))
		}
		for _, r := range reviews {
			ask, key := cal.At(r.AskOn, AskHour), ReviewKeyPrefix+r.Key()
			if !pending(ask, key, in) {
				continue
			}
			res.Occurrences = append(res.Occurrences, ScheduledOccurrence{
				Key: key, ControlID: c.ID, Title: c.Title, Frequency: compliance.FreqQuarterly, Review: true, Owner: owner, AskAt: ask,
				Request: EvidenceRequest{ControlID: c.ID, OccurrenceKey: r.Key(), PeriodStart: r.Period.Start.In(cal.Location),
					PeriodEnd: r.Period.End.In(cal.Location), Due: r.Due, GraceEnd: r.GraceEnd},
			})
		}
	}
	if in.TestTick > 0 {
		res.WindowEnd = time.Time{}
	}
	sort.SliceStable(res.Occurrences, func(i, j int) bool {
		if !res.Occurrences[i].AskAt.Equal(res.Occurrences[j].AskAt) {
			return res.Occurrences[i].AskAt.Before(res.Occurrences[j].AskAt)
		}
		return res.Occurrences[i].Key < res.Occurrences[j].Key
	})
	return res, nil
}

// pending reports whether a request asked at ask with key is still to
// send: after the cursor (or at it, with a later key) and not past Until.
func pending(ask time.Time, key string, in NextOccurrencesInput) bool {
	switch {
	case ask.After(in.Until), ask.Before(in.After):
		return false
	case ask.Equal(in.After):
		return key > in.AfterKey
	}
	return true
}

// tickOccurrences is the test cadence: one period per tick.
func tickOccurrences(c *catalog.Control, owner compliance.Person, in NextOccurrencesInput) []ScheduledOccurrence {
	var out []ScheduledOccurrence
	start := in.After.Truncate(in.TestTick)
	for t := start; !t.After(in.Until); t = t.Add(in.TestTick) {
		key := fmt.Sprintf("%s/t%d", c.ID, t.Unix())
		if !pending(t, key, in) {
			continue
		}
		out = append(out, ScheduledOccurrence{
			Key: key, ControlID: c.ID, Title: c.Title, Frequency: c.Frequency, Owner: owner, AskAt: t,
			Request: EvidenceRequest{ControlID: c.ID, OccurrenceKey: key, PeriodStart: t.Add(-in.TestTick), PeriodEnd: t, Due: t.Add(in.TestTick)},
		})
	}
	return out
}
