package cadence

import (
	"fmt"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
)

// Review timings, in business days in the client's calendar.
const (
	// ReviewDueDays: a quarterly control review is asked on the first
	// business day of the quarter's last month and due this many business
	// days later, so that the owner reminder, the lead at the due date and
	// the sponsor after it all fall inside the quarter being reviewed.
	ReviewDueDays = 8
)

// Review is one quarterly control review: the owner (with the lead) confirms
// the control still operates as designed and its scope has not changed. It
// is chased inside the quarter it reviews — a review that slips into the
// next quarter is a review the auditor finds missing.
type Review struct {
	ControlID string `json:"control_id"`
	// Quarter is the quarter's label, e.g. 2027-Q1.
	Quarter string `json:"quarter"`
	// Period is the quarter clipped to the window.
	Period compliance.Span `json:"period"`
	// AskOn is the day the review is asked.
	AskOn compliance.Date `json:"ask_on"`
	// Due is the deadline; GraceEnd is the last business day of the quarter
	// (at the deadline's clock time), after which the review is missed.
	Due      time.Time `json:"due"`
	GraceEnd time.Time `json:"grace_end"`
}

// Key is "<control>/<quarter>", e.g. ACC-04/2027-Q1, in the same form as an
// occurrence key; prompts put "review/" in front so that a quarterly
// control's own evidence and its review never share a prompt.
func (r Review) Key() string { return r.ControlID + "/" + r.Quarter }

// Reviews lists one control's quarterly reviews across the window: one per
// calendar quarter the window touches, asked on the first business day of
// the quarter's last month (or of the window, if it starts later) and due
// ReviewDueDays business days later at the deadline hour. A quarter whose
// part in the window ends before its last month still gets its review, asked
// at the window's last business day.
func Reviews(in ScheduleInput) ([]Review, error) {
	if err := validControlID(in.ControlID); err != nil {
		return nil, fmt.Errorf("reviews: control_id: %w", err)
	}
	cal := in.Calendar
	if cal == nil || cal.Location == nil {
		return nil, fmt.Errorf("reviews of %s: no calendar", in.ControlID)
	}
	w := in.Window
	if w.Start.IsZero() || w.End.IsZero() || w.End.Before(w.Start) {
		return nil, fmt.Errorf("reviews of %s: window %s to %s is empty", in.ControlID, w.Start, w.End)
	}
	hour := in.DueHour
	if hour == 0 {
		hour = DefaultDueHour
	}
	quarter := monthsAligned(3)
	var out []Review
	for cursor := w.Start; !cursor.After(w.End); {
		qs, qe := quarter(cursor)
		start, end := maxDate(qs, w.Start), minDate(qe, w.End)
		lastMonth := compliance.Date{Year: qe.Year, Month: qe.Month, Day: 1}
		ask := cal.NextBusinessDay(maxDate(lastMonth, start))
		if ask.After(end) {
			// The window ends before the quarter's last month: ask on
			// its last business day instead.
			ask = cal.PrevBusinessDay(end)
		}
		if ask.Before(start) {
			ask = start
		}
		due := cal.AddBusinessDays(ask, ReviewDueDays)
		closeDay := cal.PrevBusinessDay(qe)
		if due.After(closeDay) {
			due = closeDay
		}
		graceEnd := cal.At(closeDay, hour)
		out = append(out, Review{
			ControlID: in.ControlID,
			Quarter:   periodLabel(compliance.FreqQuarterly, compliance.Span{Start: qs, End: qe}),
			Period:    compliance.Span{Start: start, End: end},
			AskOn:     ask,
			Due:       cal.At(due, hour),
			GraceEnd:  graceEnd,
		})
		cursor = qe.AddDays(1)
	}
	return out, nil
}

func maxDate(a, b compliance.Date) compliance.Date {
	if a.After(b) {
		return a
	}
	return b
}

func minDate(a, b compliance.Date) compliance.Date {
	if a.Before(b) {
		return a
	}
	return b
}
