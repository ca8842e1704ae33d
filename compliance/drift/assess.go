package drift

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
)

// Level is how far a control's cadence has drifted, which decides who is
// told. The rules are our own practitioner heuristics, not an auditor's:
// they aim to get the right person involved while a slip is still one
// occurrence and recoverable, rather than after a quarter of it.
//
// "Fallen due" occurrences are those whose deadline has passed or whose
// evidence is in (everything but pending and outside-window), in Due order.
// "Not on time" is late, overdue, retrospective or missed.
//
//	watch     one of the last two fallen-due occurrences is late, overdue
//	          or retrospective. The owner is told: a nudge.
//	drifting  one of the last three fallen-due occurrences is missed, or two
//	          of the last three are not on time. The lead is told: a pattern.
//	          An older miss stays in the counts, the coverage and the
//	          auditor's sample, but a control that has been on time three
//	          times since is not drifting now.
//	critical  two or more occurrences missed anywhere in the window (two
//	          exceptions on one control is where opinions get qualified); or
//	          a missed occurrence whose chase quarter (the quarter its Due
//	          falls in) closes within QuarterCloseDays, so the quarter is
//	          about to close with nothing for it; or, on a control due at
//	          least monthly, nothing on time for StaleDays while something
//	          fell due. The sponsor is told.
//
// The quarter-close rule stops applying once the quarter has closed: the
// sponsor was told beforehand, and the control is then judged by the others.
type Level string

const (
	LevelOK       Level = "ok"
	LevelWatch    Level = "watch"
	LevelDrifting Level = "drifting"
	LevelCritical Level = "critical"
)

// Levels lists every level from least to most severe.
var Levels = []Level{LevelOK, LevelWatch, LevelDrifting, LevelCritical}

// Thresholds of the level rules.
const (
	CriticalMissed   = 2  // missed occurrences in the window that make a control critical
	QuarterCloseDays = 15 // calendar days before a quarter closes when a miss in it is critical
	StaleDays        = 60 // days with nothing on time that make an at-least-monthly control critical
)

func (l Level) rank() int { return slices.Index(Levels, l) }

// AtLeast reports whether l is as severe as o or more.
func (l Level) AtLeast(o Level) bool { return l.rank() >= o.rank() }

// Tell returns who is told at this level, cumulatively (at critical the
// owner and the lead know too): watch tells the control owner, drifting the
// owner and the lead, critical the owner, the lead and the sponsor.
func (l Level) Tell() []compliance.Role {
	switch l {
	case LevelWatch:
		return []compliance.Role{compliance.RoleControlOwner}
	case LevelDrifting:
		return []compliance.Role{compliance.RoleControlOwner, compliance.RoleLead}
	case LevelCritical:
		return []compliance.Role{compliance.RoleControlOwner, compliance.RoleLead, compliance.RoleSponsor}
	default:
		return nil
	}
}

// Issue is one occurrence that is not on time (or not in yet).
type Issue struct {
	Key    string    `json:"key"`
	Status Status    `json:"status"`
	Due    time.Time `json:"due"`
}

// ControlDrift is one control's cadence at an instant.
type ControlDrift struct {
	ControlID string `json:"control_id"`
	// Expected counts occurrences in the window that have fallen due
	// (OnTime+Late+Overdue+Retrospective+Missed); Pending counts those not
	// yet due, so Expected+Pending is the whole schedule in the window.
	Expected      int `json:"expected"`
	OnTime        int `json:"on_time"`
	Late          int `json:"late"`
	Overdue       int `json:"overdue"`
	Retrospective int `json:"retrospective"`
	Missed        int `json:"missed"`
	Pending       int `json:"pending"`
	// OutOfPeriod counts evidence performed before its period or the
	// window opened (it does not evidence the occurrence, and weighs as a
	// miss); Unauthorised evidence given by someone who may not.
	OutOfPeriod  int `json:"out_of_period"`
	Unauthorised int `json:"unauthorised"`
	// Incomplete counts daily batches missing a day's record.
	Incomplete int `json:"incomplete"`
	// Streak is the current run of consecutive on-time occurrences,
	// counting back from the most recent that fell due (pending ignored).
	Streak int `json:"streak"`
	// LastEvidence is when the latest counted submission arrived.
	LastEvidence *time.Time `json:"last_evidence,omitempty"`
	// DaysSinceEvidence is calendar days (client's zone) from LastEvidence
	// to now; with no evidence at all, from the first occurrence's Due
	// (0 when nothing has fallen due yet).
	DaysSinceEvidence int                  `json:"days_since_evidence"`
	Level             Level                `json:"level"`
	Tell              []compliance.Role    `json:"tell,omitempty"`
	Reasons           []string             `json:"reasons,omitempty"`
	Issues            []Issue              `json:"issues,omitempty"`
	Frequency         compliance.Frequency `json:"frequency,omitempty"`
}

// Assess measures one control's drift at now. occs are the control's
// occurrences (from cadence.Schedule; occurrences of other controls are
// ignored), subs any submissions (others' keys are ignored; the first per
// key counts, see FirstByKey).
func Assess(occs []cadence.Occurrence, subs []Submission, now time.Time, window compliance.Span) ControlDrift {
	d := ControlDrift{Level: LevelOK}
	if len(occs) == 0 {
		return d
	}
	d.ControlID = occs[0].ControlID
	d.Frequency = occs[0].Frequency
	mine := make([]cadence.Occurrence, 0, len(occs))
	for _, o := range occs {
		if o.ControlID == d.ControlID {
			mine = append(mine, o)
		}
	}
	slices.SortStableFunc(mine, func(a, b cadence.Occurrence) int {
		if c := a.Due.Compare(b.Due); c != 0 {
			return c
		}
		return a.Seq - b.Seq
	})
	first := FirstByKey(subs, now)
	st := classifyAll(mine, first, now, window)

	var due []int // fallen-due occurrences, in Due order
	var lastOnTime *time.Time
	for i, o := range mine {
		switch st[i] {
		case StatusOnTime:
			d.OnTime++
		case StatusLate:
			d.Late++
		case StatusOverdue:
			d.Overdue++
		case StatusRetrospective:
			d.Retrospective++
		case StatusMissed:
			d.Missed++
		case StatusBeforePeriod, StatusPerformedOutsideWindow:
			d.OutOfPeriod++
		case StatusUnauthorised:
			d.Unauthorised++
		case StatusIncomplete:
			d.Incomplete++
		case StatusPending:
			d.Pending++
		}
		if !st[i].HasFallenDue() {
			continue
		}
		due = append(due, i)
		if st[i] != StatusOnTime {
			d.Issues = append(d.Issues, Issue{Key: o.Key(), Status: st[i], Due: o.Due})
		}
		if s, ok := first[o.Key()]; ok && st[i] != StatusOverdue && st[i] != StatusMissed && !st[i].notEvidence() {
			at := s.At
			if d.LastEvidence == nil || at.After(*d.LastEvidence) {
				d.LastEvidence = &at
			}
			if st[i] == StatusOnTime && (lastOnTime == nil || at.After(*lastOnTime)) {
				lastOnTime = &at
			}
		}
	}
	d.Expected = len(due)
	for j := len(due) - 1; j >= 0 && st[due[j]] == StatusOnTime; j-- {
		d.Streak++
	}

	loc := mine[len(mine)-1].Due.Location()
	today := compliance.DateOf(now.In(loc))
	switch {
	case d.LastEvidence != nil:
		d.DaysSinceEvidence = max(0, compliance.DateOf(d.LastEvidence.In(loc)).DaysUntil(today))
	case len(due) > 0:
		d.DaysSinceEvidence = max(0, compliance.DateOf(mine[due[0]].Due.In(loc)).DaysUntil(today))
	}

	raise := func(l Level, format string, args ...any) {
		if l.rank() > d.Level.rank() {
			d.Level = l
		}
		d.Reasons = append(d.Reasons, fmt.Sprintf(format, args...))
	}
	last := func(n int) []int { return due[max(0, len(due)-n):] }

	// critical
	if d.Missed >= CriticalMissed {
		raise(LevelCritical, "%d occurrences missed in the window (%s)", d.Missed, keysWith(mine, st, due, StatusMissed))
	} else if d.Missed+d.OutOfPeriod >= CriticalMissed {
		raise(LevelCritical, "%d occurrences missed or evidenced by work outside their period (%s)", d.Missed+d.OutOfPeriod,
			keysWith(mine, st, due, StatusMissed, StatusBeforePeriod, StatusPerformedOutsideWindow))
	}
	for _, i := range due {
		if st[i] != StatusMissed && !st[i].notEvidence() {
			continue
		}
		qe := quarterEnd(compliance.DateOf(mine[i].Due))
		if left := today.DaysUntil(qe); left >= 0 && left <= QuarterCloseDays {
			raise(LevelCritical, "%s is missed and the quarter it fell due in closes %s, in %d days", mine[i].Key(), qe, left)
		}
	}
	if atLeastMonthly(mine) && len(due) > 0 {
		ref, stale := mine[due[0]].Due, true
		if lastOnTime != nil {
			ref, stale = *lastOnTime, false
			for _, i := range due {
				if st[i] != StatusOnTime && mine[i].Due.After(ref) {
					stale = true
					break
				}
			}
		}
		if stale && now.Sub(ref) >= StaleDays*24*time.Hour {
			if lastOnTime != nil {
				raise(LevelCritical, "nothing on time for %d days (last on-time evidence %s)", int(now.Sub(ref)/(24*time.Hour)), ref.In(loc).Format("2006-01-02"))
			} else {
				raise(LevelCritical, "nothing on time for %d days (none since the first occurrence fell due %s)", int(now.Sub(ref)/(24*time.Hour)), ref.In(loc).Format("2006-01-02"))
			}
		}
	}

	// drifting
	l3 := last(3)
	for _, i := range l3 {
		if st[i] == StatusMissed || st[i].notEvidence() {
			raise(LevelDrifting, "%s is %s", mine[i].Key(), st[i])
			break
		}
	}
	if n := countNotOnTime(st, l3); n >= 2 {
		raise(LevelDrifting, "%d of the last %d occurrences were not on time", n, len(l3))
	}

	// watch
	for _, i := range last(2) {
		switch st[i] {
		case StatusLate, StatusOverdue, StatusRetrospective, StatusUnauthorised, StatusIncomplete:
			raise(LevelWatch, "%s is %s", mine[i].Key(), st[i])
		}
	}
	d.Tell = d.Level.Tell()
	return d
}

func countNotOnTime(st []Status, idx []int) int {
	n := 0
	for _, i := range idx {
		if st[i] != StatusOnTime {
			n++
		}
	}
	return n
}

func keysWith(occs []cadence.Occurrence, st []Status, idx []int, want ...Status) string {
	var ks []string
	for _, i := range idx {
		if slices.Contains(want, st[i]) {
			ks = append(ks, occs[i].Key())
		}
	}
	return strings.Join(ks, ", ")
}

// atLeastMonthly reports whether the control is due monthly or more often:
// by its frequency, or when that is unset, by every period fitting a month.
func atLeastMonthly(occs []cadence.Occurrence) bool {
	f := occs[0].Frequency
	if f.Valid() {
		return f == compliance.FreqMonthly || f.MoreFrequentThan(compliance.FreqMonthly)
	}
	for _, o := range occs {
		if o.Period.Start.DaysUntil(o.Period.End) >= 31 {
			return false
		}
	}
	return true
}
