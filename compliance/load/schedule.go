// Package load is what an engagement asks its people over the operating
// window, question by question or in owner batches: the schedule the
// operating scheduler sends from (its batched form), and the load per
// owner and month that `starter load` shows. It is pure: no Temporal, no
// I/O, no clock.
//
// Batching keeps every occurrence its own: an item in a batch has its own
// key, period, deadline and grace, is answered on its own and escalates on
// its own. What batching saves is the asking: one checklist of an owner's
// control reviews per quarter, one batch of an owner's evidence requests
// per week they fall due in.
package load

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
)

// AskHour is the local hour a request goes out (activities.AskHour).
const AskHour = 10

// ReviewKeyPrefix sets a review's prompt key apart from the control's own
// evidence (activities.ReviewKeyPrefix); EvidenceKeyPrefix starts an
// evidence request's prompt key.
const (
	ReviewKeyPrefix   = "review/"
	EvidenceKeyPrefix = "evidence/"
)

// Question is one occurrence someone is asked about.
type Question struct {
	// Key is the prompt's key: evidence/<occurrence> or review/<control>/<quarter>.
	Key string `json:"key"`
	// OccurrenceKey is the occurrence's own key (<control>/<period>).
	OccurrenceKey string               `json:"occurrence_key"`
	ControlID     string               `json:"control_id"`
	Title         string               `json:"title"`
	Frequency     compliance.Frequency `json:"frequency"`
	Review        bool                 `json:"review,omitempty"`
	// Batch marks a daily control's week, attested day by day.
	Batch       bool              `json:"batch,omitempty"`
	Owner       compliance.Person `json:"owner"`
	AskAt       time.Time         `json:"ask_at"`
	PeriodStart time.Time         `json:"period_start"`
	PeriodEnd   time.Time         `json:"period_end"`
	Due         time.Time         `json:"due"`
	GraceEnd    time.Time         `json:"grace_end"`
}

// Options choose the form of the schedule.
type Options struct {
	// Batched thins and aligns reviews by the spec's review policy
	// (cadence.PlanReviews); without it every control is reviewed every
	// calendar quarter the window touches, as the unbatched scheduler does.
	Batched bool
	// Controls limits the schedule to these controls (tests); empty is all.
	Controls []string
}

// Schedule lists every question of the engagement's operating window in
// AskAt then Key order, and when the window (plus an hour) ends.
func Schedule(spec *compliance.Spec, plan compliance.Plan, opt Options) ([]Question, time.Time, error) {
	app, err := catalog.Default().ForSpec(spec)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("schedule %s: %w", spec.ID, err)
	}
	cal, err := compliance.NewCalendar(spec.Reminders)
	if err != nil {
		return nil, time.Time{}, err
	}
	window, err := cadence.Window(spec, plan)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("observation window of %s: %w", spec.ID, err)
	}
	only := map[string]bool{}
	for _, id := range opt.Controls {
		only[id] = true
	}
	var out []Question
	for _, ac := range app.Controls {
		c := ac.Control
		if len(only) > 0 && !only[c.ID] {
			continue
		}
		// The per-control owner (a tailoring override, a custom control's) wins,
		// as everywhere a control's owner is asked.
		owner := spec.OwnerOfControl(c.ID, c.Domain)
		occs, err := cadence.Schedule(cadence.ScheduleInput{ControlID: c.ID, Frequency: c.Frequency, Window: window, Calendar: cal})
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("schedule %s: %w", c.ID, err)
		}
		for _, o := range occs {
			out = append(out, Question{
				Key: EvidenceKeyPrefix + o.Key(), OccurrenceKey: o.Key(), ControlID: c.ID, Title: c.Title, Frequency: c.Frequency,
				Batch: o.Batch, Owner: owner, AskAt: cal.At(cal.PrevBusinessDay(o.Period.End), AskHour),
				PeriodStart: o.Period.Start.In(cal.Location), PeriodEnd: o.Period.End.In(cal.Location), Due: o.Due, GraceEnd: o.GraceEnd,
			})
		}
		reviews, err := cadence.Reviews(cadence.ScheduleInput{ControlID: c.ID, Window: window, Calendar: cal})
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("reviews of %s: %w", c.ID, err)
		}
		if opt.Batched {
			reviews = cadence.PlanReviews(reviews, spec.ReviewEveryQuarters(c.ID, len(ac.Covers[compliance.PCIDSS]) > 0))
		}
		for _, r := range reviews {
			out = append(out, Question{
				Key: ReviewKeyPrefix + r.Key(), OccurrenceKey: r.Key(), ControlID: c.ID, Title: c.Title, Frequency: compliance.FreqQuarterly,
				Review: true, Owner: owner, AskAt: cal.At(r.AskOn, AskHour),
				PeriodStart: r.Period.Start.In(cal.Location), PeriodEnd: r.Period.End.In(cal.Location), Due: r.Due, GraceEnd: r.GraceEnd,
			})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].AskAt.Equal(out[j].AskAt) {
			return out[i].AskAt.Before(out[j].AskAt)
		}
		return out[i].Key < out[j].Key
	})
	return out, cal.At(window.End, 23).Add(time.Hour), nil
}

// Batch is what one owner is asked at once.
type Batch struct {
	// Key names the batch (cadence.ChecklistKey or cadence.WeekBatchKey).
	Key string `json:"key"`
	// Kind is cadence.BatchChecklist or cadence.BatchWeek.
	Kind  string            `json:"kind"`
	Owner compliance.Person `json:"owner"`
	// AskAt is the earliest of its items' ask times: the batch goes out
	// then, so no item is asked later than it would have been alone.
	AskAt time.Time  `json:"ask_at"`
	Items []Question `json:"items"`
}

// Group gathers questions into owner batches: an owner's reviews of one
// quarter into one checklist, an owner's evidence requests falling due in
// one ISO week (in loc) into one batch. Batches come in AskAt then Key
// order, items in AskAt then Key order.
func Group(qs []Question, loc *time.Location) []Batch {
	byKey := map[string]*Batch{}
	var keys []string
	for _, q := range qs {
		key, kind := cadence.WeekBatchKey(q.Owner.Email, q.Due, loc), cadence.BatchWeek
		if q.Review {
			_, quarter, _ := strings.Cut(q.OccurrenceKey, "/")
			key, kind = cadence.ChecklistKey(q.Owner.Email, quarter), cadence.BatchChecklist
		}
		b := byKey[key]
		if b == nil {
			b = &Batch{Key: key, Kind: kind, Owner: q.Owner, AskAt: q.AskAt}
			byKey[key] = b
			keys = append(keys, key)
		}
		if q.AskAt.Before(b.AskAt) {
			b.AskAt = q.AskAt
		}
		b.Items = append(b.Items, q)
	}
	out := make([]Batch, 0, len(keys))
	for _, k := range keys {
		b := byKey[k]
		sort.SliceStable(b.Items, func(i, j int) bool {
			if !b.Items[i].AskAt.Equal(b.Items[j].AskAt) {
				return b.Items[i].AskAt.Before(b.Items[j].AskAt)
			}
			return b.Items[i].Key < b.Items[j].Key
		})
		out = append(out, *b)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].AskAt.Equal(out[j].AskAt) {
			return out[i].AskAt.Before(out[j].AskAt)
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// Window is the operating window the schedule covers (cadence.Window).
func Window(spec *compliance.Spec, plan compliance.Plan) (compliance.Span, error) {
	return cadence.Window(spec, plan)
}
