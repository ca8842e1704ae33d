package sampling

import (
	"fmt"
	"slices"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
)

// Period is an audit period or Type II window, both dates inclusive.
type Period struct {
	Start compliance.Date `json:"start"`
	End   compliance.Date `json:"end"`
}

// Days is the number of calendar days in the period, inclusive.
func (p Period) Days() int { return p.Start.DaysUntil(p.End) + 1 }

func (p Period) validate() error {
	if p.Start.IsZero() || p.End.IsZero() {
		return fmt.Errorf("period needs both a start and an end date")
	}
	if p.End.Before(p.Start) {
		return fmt.Errorf("period ends (%s) before it starts (%s)", p.End, p.Start)
	}
	return nil
}

// Occurrence is one instance of a control operating: the window in which it
// should have happened (a quarter, a month, a day), or the date of an event.
type Occurrence struct {
	Index int             `json:"index"`
	Start compliance.Date `json:"start"`
	End   compliance.Date `json:"end"`
}

// Population lists the occurrences of a control with frequency f across the
// period. Windows run from the period's start (a quarterly control in a
// window starting 15 February has quarters starting 15 February, 15 May…);
// the last window is cut at the period's end. Per-event and continuous
// controls have one window per day unless their events are given to Plan.
func Population(f compliance.Frequency, p Period) ([]Occurrence, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	var next func(compliance.Date, int) compliance.Date
	switch f {
	case compliance.FreqAnnual:
		next = monthsFrom(12)
	case compliance.FreqSemiAnnual:
		next = monthsFrom(6)
	case compliance.FreqQuarterly:
		next = monthsFrom(3)
	case compliance.FreqMonthly:
		next = monthsFrom(1)
	case compliance.FreqWeekly:
		next = func(s compliance.Date, k int) compliance.Date { return s.AddDays(7 * k) }
	case compliance.FreqDaily, compliance.FreqPerEvent, compliance.FreqContinuous:
		next = func(s compliance.Date, k int) compliance.Date { return s.AddDays(k) }
	default:
		return nil, fmt.Errorf("frequency %q is not one of %v", f, compliance.Frequencies)
	}
	var out []Occurrence
	for k := 0; ; k++ {
		start := next(p.Start, k)
		if p.End.Before(start) {
			break
		}
		end := next(p.Start, k+1).AddDays(-1)
		if p.End.Before(end) {
			end = p.End
		}
		out = append(out, Occurrence{Index: k, Start: start, End: end})
	}
	return out, nil
}

// monthsFrom steps whole months from a start date, clamping to the month's
// last day so a period starting 31 January has a window starting 28 or 29
// February rather than spilling into March.
func monthsFrom(step int) func(compliance.Date, int) compliance.Date {
	return func(s compliance.Date, k int) compliance.Date {
		first := time.Date(s.Year, s.Month+time.Month(step*k), 1, 0, 0, 0, 0, time.UTC)
		last := first.AddDate(0, 1, -1).Day()
		return compliance.Date{Year: first.Year(), Month: first.Month(), Day: min(s.Day, last)}
	}
}

// eventPopulation turns actual event dates inside the period into
// occurrences, in date order.
func eventPopulation(events []compliance.Date, p Period) []Occurrence {
	var ds []compliance.Date
	for _, d := range events {
		if !d.Before(p.Start) && !p.End.Before(d) {
			ds = append(ds, d)
		}
	}
	slices.SortStableFunc(ds, func(a, b compliance.Date) int { return a.DaysUntil(b) * -1 })
	out := make([]Occurrence, len(ds))
	for i, d := range ds {
		out[i] = Occurrence{Index: i, Start: d, End: d}
	}
	return out
}
