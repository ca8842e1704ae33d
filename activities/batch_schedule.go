package activities

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/load"
)

// ScheduledBatch is one owner batch the scheduler must send.
type ScheduledBatch struct {
	Key   string
	Kind  string
	Owner compliance.Person
	AskAt time.Time
	Items []ScheduledOccurrence
}

// NextBatchesResult lists the batches in AskAt then Key order, and when
// the window (plus grace) ends.
type NextBatchesResult struct {
	Batches   []ScheduledBatch
	WindowEnd time.Time
}

// NextBatches is NextOccurrences in owner batches (load.Group): the
// requests due in (After, Until] by batch, a batch being pending by its
// own AskAt and Key. Reviews follow the spec's review policy and are
// aligned to the window (load.Options.Batched). With TestTick each
// owner's occurrences of one tick are one batch.
func (a *Activities) NextBatches(ctx context.Context, in NextOccurrencesInput) (NextBatchesResult, error) {
	if err := a.scheduleSpec(ctx, &in); err != nil {
		return NextBatchesResult{}, err
	}
	cal, err := compliance.NewCalendar(in.Spec.Reminders)
	if err != nil {
		return NextBatchesResult{}, nonRetryable(ErrTypeBadInput, err)
	}
	if in.TestTick > 0 {
		occ, err := a.NextOccurrences(ctx, in)
		if err != nil {
			return NextBatchesResult{}, err
		}
		return NextBatchesResult{Batches: tickBatches(occ.Occurrences)}, nil
	}
	qs, windowEnd, err := load.Schedule(&in.Spec, in.Plan, load.Options{Batched: true, Controls: in.Controls})
	if err != nil {
		return NextBatchesResult{}, nonRetryable(ErrTypeBadInput, err)
	}
	res := NextBatchesResult{WindowEnd: windowEnd}
	for _, b := range load.Group(qs, cal.Location) {
		if !pending(b.AskAt, b.Key, in) {
			continue
		}
		sb := ScheduledBatch{Key: b.Key, Kind: b.Kind, Owner: b.Owner, AskAt: b.AskAt}
		for _, q := range b.Items {
			sb.Items = append(sb.Items, scheduledOf(q))
		}
		res.Batches = append(res.Batches, sb)
	}
	return res, nil
}

// scheduledOf is a load question as the scheduler's occurrence.
func scheduledOf(q load.Question) ScheduledOccurrence {
	key := q.OccurrenceKey
	if q.Review {
		key = ReviewKeyPrefix + q.OccurrenceKey
	}
	return ScheduledOccurrence{
		Key: key, ControlID: q.ControlID, Title: q.Title, Frequency: q.Frequency, Batch: q.Batch, Review: q.Review,
		Owner: q.Owner, AskAt: q.AskAt,
		Request: EvidenceRequest{ControlID: q.ControlID, OccurrenceKey: q.OccurrenceKey, PeriodStart: q.PeriodStart,
			PeriodEnd: q.PeriodEnd, Due: q.Due, GraceEnd: q.GraceEnd, Batch: q.Batch},
	}
}

// tickBatches groups the test cadence's occurrences by owner and tick.
func tickBatches(occs []ScheduledOccurrence) []ScheduledBatch {
	byKey := map[string]*ScheduledBatch{}
	var keys []string
	for _, o := range occs {
		key := fmt.Sprintf("%s-t%d/%s", cadence.BatchWeek, o.AskAt.Unix(), strings.ToLower(o.Owner.Email))
		b := byKey[key]
		if b == nil {
			b = &ScheduledBatch{Key: key, Kind: cadence.BatchWeek, Owner: o.Owner, AskAt: o.AskAt}
			byKey[key] = b
			keys = append(keys, key)
		}
		b.Items = append(b.Items, o)
	}
	out := make([]ScheduledBatch, 0, len(keys))
	for _, k := range keys {
		out = append(out, *byKey[k])
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].AskAt.Equal(out[j].AskAt) {
			return out[i].AskAt.Before(out[j].AskAt)
		}
		return out[i].Key < out[j].Key
	})
	return out
}
