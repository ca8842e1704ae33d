package readiness

import (
	"fmt"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/drift"
)

// day is one day of a daily control, inside the weekly batch it is
// attested in.
type day struct {
	batch cadence.Occurrence
	date  compliance.Date
}

// reviewDays samples a daily control by day, as the auditor picks days,
// not weekly batches: the population is every day of the batches that have
// fallen due. A day is evidenced by its batch's record that covers it (a
// batch answered day by day), or by the batch's first record when the
// batch was attested whole; a batch answered day by day with that day left
// out has no evidence for it.
func reviewDays(in Input, c Control, cr ControlResult, batches []cadence.Occurrence, all map[string][]Evidence, want int) ControlResult {
	var pop []day
	for _, o := range batches {
		for d := o.Period.Start; !d.After(o.Period.End); d = d.AddDays(1) {
			pop = append(pop, day{batch: o, date: d})
		}
	}
	cr.Population = cr.Population[:0]
	for _, d := range pop {
		cr.Population = append(cr.Population, dayKey(d))
	}
	cr.SampleSize = min(want, len(pop))
	cr.Note = fmt.Sprintf("sampled by day: %d days in %d weekly batches", len(pop), len(batches))
	// Every batch answered day by day is checked whole as well: a day left
	// out is a gap the auditor finds if they pick it, so it is reported
	// whether or not this draw picked it (as drift reports the batch).
	for _, o := range batches {
		var covers []compliance.Span
		for _, e := range all[o.Key()] {
			if !e.Covers.Start.IsZero() {
				covers = append(covers, e.Covers)
			}
		}
		missing := drift.UncoveredDays(o.Period, covers)
		if len(missing) == 0 {
			continue
		}
		names := make([]string, len(missing))
		for i, d := range missing {
			names[i] = d.String()
		}
		s := Sampled{OccurrenceKey: o.Key(), Period: o.Period, Due: o.Due, GraceEnd: o.GraceEnd}
		f := newFinding(c, s, TestComplete, SeverityHigh)
		f.Exception = fmt.Sprintf("The weekly batch %s (%s) has no record for %s, so the control cannot be shown to have operated on %s.",
			o.Key(), o.Period, strings.Join(names, ", "), plural2(len(missing), "that day", "those days"))
		cr.Findings = append(cr.Findings, f)
	}
	for _, d := range stratified(pop, cr.SampleSize, cr.Seed) {
		o := d.batch
		s := Sampled{OccurrenceKey: dayKey(d), Period: compliance.Span{Start: d.date, End: d.date}, Due: o.Due, GraceEnd: o.GraceEnd}
		var sub *drift.Submission
		if e, ok := recordOf(all[o.Key()], d.date); ok {
			s.Evidence = &EvidenceRef{ID: e.ID, ValueSHA256: e.ValueSHA256, SubmittedAt: e.At, SubmittedBy: e.By, Channel: e.Channel, Kind: e.Kind,
				PerformedAt: e.PerformedAt, Link: e.Link, Artifact: e.Artifact}
			sub = &drift.Submission{OccurrenceKey: o.Key(), At: e.At, PerformedAt: e.PerformedAt, By: e.By,
				Unauthorised: !c.Authority().Allows(o.Key(), e.By)}
		}
		s.Judgement = drift.Judge(o, sub, in.AsOf, performedWindow(in.Window))
		s.Status = s.Judgement.Status
		for _, t := range Tests {
			sev, ok := test(t, c, o, s, in.Window)
			if ok {
				continue
			}
			s.Failed = append(s.Failed, t)
			f := finding(c, o, s, t, sev, cr.SampleSize, in.Window)
			if t == TestPresent && len(all[o.Key()]) > 0 {
				f.Exception = fmt.Sprintf("For 1 of %d days sampled (%s), the weekly batch %s has no record for that day.", cr.SampleSize, d.date, o.Key())
			}
			cr.Findings = append(cr.Findings, f)
		}
		cr.Sample = append(cr.Sample, s)
	}
	return cr
}

func dayKey(d day) string { return d.batch.Key() + "/" + d.date.String() }

// recordOf is the batch's record for one day: the first covering it, or,
// when no record of the batch names the day it covers, the first record.
func recordOf(es []Evidence, d compliance.Date) (Evidence, bool) {
	perDay := false
	for _, e := range es {
		if e.Covers.Start.IsZero() {
			continue
		}
		perDay = true
		if !d.Before(e.Covers.Start) && !d.After(e.Covers.End) {
			return e, true
		}
	}
	if perDay || len(es) == 0 {
		return Evidence{}, false
	}
	return es[0], true
}

func plural2(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
