package drift

import (
	"slices"
	"sort"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
)

// Tracker is the weekly drift check kept between checks, so a check does
// the work of what changed since the last one instead of re-judging a year
// of evidence for every control: a control is assessed again (Assess, on
// its own occurrences and submissions only) when the submission counting
// for one of its occurrences changed, when one of its occurrences fell due
// or past its grace, or when a rule of Assess that reads the clock (a
// missed occurrence's quarter about to close or closed, nothing on time for
// StaleDays) may read differently; every other control keeps its last
// assessment with only DaysSinceEvidence moved on. Its results equal
// Assess's and OnTimeRate's over the whole record at the same instant
// (TestTrackerEqualsFullRebuild).
//
// A check at an instant before the last one starts again from nothing.
type Tracker struct {
	window   compliance.Span
	controls []trackedControl
	// ctrlOf maps an occurrence key to its control's index.
	ctrlOf map[string]int
	// moves are the instants an occurrence without evidence changes
	// status (its Due, then its GraceEnd), sorted; next is the first not
	// yet passed.
	moves []move
	next  int
	first map[string]Submission
	now   time.Time
	begun bool
}

type trackedControl struct {
	occs  []cadence.Occurrence
	drift ControlDrift
	// wake is the next instant a clock rule may read differently (zero:
	// none); since anchors DaysSinceEvidence.
	wake  time.Time
	since compliance.Date
	loc   *time.Location
	dirty bool
}

type move struct {
	at  time.Time
	ctl int
}

// NewTracker tracks the controls' occurrences (one slice per control, as
// cadence.Schedule returns them) in the window.
func NewTracker(controls [][]cadence.Occurrence, window compliance.Span) *Tracker {
	t := &Tracker{window: window, ctrlOf: map[string]int{}}
	for _, occs := range controls {
		i := len(t.controls)
		t.controls = append(t.controls, trackedControl{occs: occs, dirty: true})
		for _, o := range occs {
			if o.ControlID != occs[0].ControlID {
				continue // Assess ignores another control's occurrence
			}
			t.ctrlOf[o.Key()] = i
			t.moves = append(t.moves, move{at: o.Due, ctl: i}, move{at: o.GraceEnd, ctl: i})
		}
	}
	sort.SliceStable(t.moves, func(a, b int) bool { return t.moves[a].at.Before(t.moves[b].at) })
	return t
}

// TrackerCheck is one check's outcome.
type TrackerCheck struct {
	// Controls are the controls' drift, in NewTracker's order.
	Controls []ControlDrift
	// OnTimeRate and Due are OnTimeRate's over every occurrence.
	OnTimeRate float64
	Due        int
	// Assessed counts the controls assessed again by this check.
	Assessed int
}

// Check judges the record subs (every submission so far, as Assess takes
// them) at now.
func (t *Tracker) Check(subs []Submission, now time.Time) TrackerCheck {
	if t.begun && now.Before(t.now) {
		t.reset()
	}
	first := FirstByKey(subs, now)
	for k, s := range first {
		i, ok := t.ctrlOf[k]
		if !ok {
			continue
		}
		if old, had := t.first[k]; !had || !sameSubmission(old, s) {
			t.controls[i].dirty = true
		}
	}
	for k := range t.first {
		if _, still := first[k]; !still {
			if i, ok := t.ctrlOf[k]; ok {
				t.controls[i].dirty = true
			}
		}
	}
	for t.next < len(t.moves) && now.After(t.moves[t.next].at) {
		t.controls[t.moves[t.next].ctl].dirty = true
		t.next++
	}
	t.first, t.now, t.begun = first, now, true

	out := TrackerCheck{Controls: make([]ControlDrift, 0, len(t.controls))}
	var tally Tally
	for i := range t.controls {
		c := &t.controls[i]
		if c.dirty || (!c.wake.IsZero() && !now.Before(c.wake)) {
			c.assess(first, now, t.window)
			out.Assessed++
		}
		d := c.drift
		d.DaysSinceEvidence = 0
		if !c.since.IsZero() {
			d.DaysSinceEvidence = max(0, c.since.DaysUntil(compliance.DateOf(now.In(c.loc))))
		}
		out.Controls = append(out.Controls, d)
		tally.plus(Tally{Expected: d.Expected, OnTime: d.OnTime})
	}
	out.OnTimeRate, out.Due = tally.Rate(), tally.Expected
	return out
}

func (t *Tracker) reset() {
	t.next, t.first, t.begun = 0, nil, false
	for i := range t.controls {
		t.controls[i].dirty = true
	}
}

// assess runs Assess on the control's own submissions and works out when a
// clock rule next needs it again.
func (c *trackedControl) assess(first map[string]Submission, now time.Time, window compliance.Span) {
	mine := make([]Submission, 0, len(c.occs))
	for _, o := range c.occs {
		if s, ok := first[o.Key()]; ok {
			mine = append(mine, s)
		}
	}
	c.drift = Assess(c.occs, mine, now, window)
	c.dirty = false
	c.since, c.wake = compliance.Date{}, time.Time{}
	if len(c.occs) == 0 {
		return
	}
	// Assess's own occurrences, in its order (Due, then Seq), decide the
	// anchors.
	sorted := slices.DeleteFunc(slices.Clone(c.occs), func(o cadence.Occurrence) bool { return o.ControlID != c.drift.ControlID })
	slices.SortStableFunc(sorted, func(a, b cadence.Occurrence) int {
		if x := a.Due.Compare(b.Due); x != 0 {
			return x
		}
		return a.Seq - b.Seq
	})
	c.loc = sorted[len(sorted)-1].Due.Location()
	if c.drift.LastEvidence != nil {
		c.since = compliance.DateOf(c.drift.LastEvidence.In(c.loc))
	}
	var lastOnTime *time.Time
	var due []int
	statuses := make([]Status, len(sorted))
	for i, o := range sorted {
		var sp *Submission
		if s, ok := first[o.Key()]; ok {
			sp = &s
		}
		statuses[i] = Classify(o, sp, now, window)
		if !statuses[i].HasFallenDue() {
			continue
		}
		due = append(due, i)
		if statuses[i] == StatusOnTime {
			at := first[o.Key()].At
			if lastOnTime == nil || at.After(*lastOnTime) {
				lastOnTime = &at
			}
		}
	}
	if c.drift.LastEvidence == nil && len(due) > 0 {
		c.since = compliance.DateOf(sorted[due[0]].Due.In(c.loc))
	}
	wake := func(at time.Time) {
		if at.After(now) && (c.wake.IsZero() || at.Before(c.wake)) {
			c.wake = at
		}
	}
	// The quarter-close rule reads today against each missed quarter's
	// close: it starts QuarterCloseDays before, counts the days left in
	// its reason while it holds, and stops after.
	today := compliance.DateOf(now.In(c.loc))
	for _, i := range due {
		if statuses[i] != StatusMissed && !statuses[i].notEvidence() {
			continue
		}
		qe := quarterEnd(compliance.DateOf(sorted[i].Due))
		wake(qe.AddDays(-QuarterCloseDays).In(c.loc))
		if left := today.DaysUntil(qe); left >= 0 && left <= QuarterCloseDays {
			wake(today.AddDays(1).In(c.loc))
		}
	}
	// The stale rule reads now against the reference; once it holds, its
	// reason counts the days, so it is read again each day.
	if atLeastMonthly(sorted) && len(due) > 0 {
		ref, stale := sorted[due[0]].Due, true
		if lastOnTime != nil {
			ref, stale = *lastOnTime, false
			for _, i := range due {
				if statuses[i] != StatusOnTime && sorted[i].Due.After(ref) {
					stale = true
					break
				}
			}
		}
		if stale {
			at := ref.Add(StaleDays * 24 * time.Hour)
			if !at.After(now) {
				at = at.Add((now.Sub(at)/(24*time.Hour) + 1) * 24 * time.Hour)
			}
			wake(at)
		}
	}
}

func sameSubmission(a, b Submission) bool {
	return a.OccurrenceKey == b.OccurrenceKey && a.At.Equal(b.At) && a.PerformedAt.Equal(b.PerformedAt) && a.By == b.By &&
		a.Unauthorised == b.Unauthorised && slices.Equal(a.MissingDays, b.MissingDays)
}
