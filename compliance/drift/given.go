package drift

import (
	"fmt"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
)

// Given is what someone states about evidence they give for an
// occurrence, checked by CheckGiven before it is recorded.
type Given struct {
	// At is when it is being recorded.
	At time.Time
	// PerformedAt is when they say the control was performed (zero: At).
	PerformedAt time.Time
	// Covers is the period a review covers (zero: not a review).
	Covers compliance.Span
	// CorrectsKey is the occurrence of the row this corrects ("" when it
	// corrects nothing).
	CorrectsKey string
	// Corrects is that row's ID, for the message.
	Corrects int64
}

// CheckGiven refuses evidence that cannot be true or cannot be for this
// occurrence: evidence for a period that has not begun (nothing can have
// operated yet), a control performed in the future, a review covering a
// period that ends before it starts, and a correction of another
// occurrence's row. Evidence performed before its period is not refused:
// it is recorded as given and judged (see Judge), which is what an auditor
// would see.
func CheckGiven(o cadence.Occurrence, g Given) error {
	loc := o.Due.Location()
	today := compliance.DateOf(g.At.In(loc))
	if today.Before(o.Period.Start) {
		return fmt.Errorf("%s covers %s, which has not begun (today is %s): evidence for it can be given from %s",
			o.Key(), o.Period, today, o.Period.Start)
	}
	if !g.PerformedAt.IsZero() && g.PerformedAt.After(g.At) {
		return fmt.Errorf("the control cannot have been performed on %s, after today (%s)",
			g.PerformedAt.In(loc).Format("2006-01-02"), today)
	}
	if !g.Covers.Start.IsZero() || !g.Covers.End.IsZero() {
		if g.Covers.Start.IsZero() || g.Covers.End.IsZero() || g.Covers.End.Before(g.Covers.Start) {
			return fmt.Errorf("the period a review covers needs a start no later than its end, not %s", g.Covers)
		}
		if g.Covers.End.Before(o.Period.Start) || g.Covers.Start.After(o.Period.End) {
			return fmt.Errorf("the period covered, %s, does not overlap %s's period %s", g.Covers, o.Key(), o.Period)
		}
	}
	if g.Corrects != 0 && g.CorrectsKey != o.Key() {
		return fmt.Errorf("evidence %d is for %s, not %s: a correction must be for the same occurrence", g.Corrects, g.CorrectsKey, o.Key())
	}
	return nil
}
