package drift

import (
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
)

// Rung is one step of an escalation ladder: at At, if the occurrence's
// evidence has still not arrived, Role is told.
type Rung struct {
	Role compliance.Role `json:"role"`
	At   time.Time       `json:"at"`
}

// Ladder timings, in business days in the client's calendar.
const (
	OwnerReminderDays  = 5 // the owner is reminded this long before Due
	SponsorAfterDays   = 2 // the sponsor is told this long after Due…
	QuarterCloseMargin = 5 // …but no later than this long before the quarter's last business day
)

// EscalateBy lays out the escalation ladder of an occurrence so that a
// review not done by its due date reaches the owner, then the lead, then the
// sponsor before the quarter closes — never after it:
//
//   - owner: a reminder OwnerReminderDays business days before Due (not
//     before the period starts). For a quarterly review of Q1, due three
//     business days after 31 March, that is the last days of March, while
//     the quarter is still open.
//   - lead: at Due, if nothing has arrived.
//   - sponsor: SponsorAfterDays business days after Due — still inside the
//     grace, so there is time to produce evidence that is late rather than
//     retrospective — but never later than QuarterCloseMargin business days
//     before the last business day of the quarter Due falls in (the chase
//     quarter). When Due itself is already inside that margin the sponsor
//     is told at Due, with the lead: there is no time left in the quarter
//     for one rung to wait for the other.
//
// The chase quarter is the one in which the evidence is being chased: for a
// Q1 review due in early April it is Q2, so the Q1 review is settled (or the
// sponsor knows it is not) weeks before Q2 closes with a second review due.
// Rungs are in order and at the deadline's local clock time; the same Rung
// times come out for the same occurrence and calendar, so a workflow can
// sleep until each one.
//
// cal must be the calendar the occurrence was scheduled with; with none
// there is no ladder (nil).
func EscalateBy(o cadence.Occurrence, cal *compliance.Calendar) []Rung {
	if cal == nil || cal.Location == nil {
		return nil
	}
	loc := cal.Location
	local := o.Due.In(loc)
	dueDate := compliance.DateOf(local)
	at := func(d compliance.Date) time.Time {
		return time.Date(d.Year, d.Month, d.Day, local.Hour(), local.Minute(), local.Second(), local.Nanosecond(), loc)
	}

	owner := cal.AddBusinessDays(dueDate, -OwnerReminderDays)
	if owner.Before(o.Period.Start) {
		owner = cal.NextBusinessDay(o.Period.Start)
	}
	ownerAt := at(owner)
	if ownerAt.After(o.Due) {
		ownerAt = o.Due
	}

	closeDay := cal.PrevBusinessDay(quarterEnd(dueDate))
	limit := cal.AddBusinessDays(closeDay, -QuarterCloseMargin)
	sponsorAt := at(cal.AddBusinessDays(dueDate, SponsorAfterDays))
	if limitAt := at(limit); sponsorAt.After(limitAt) {
		sponsorAt = limitAt
	}
	if sponsorAt.Before(o.Due) {
		sponsorAt = o.Due
	}
	return []Rung{
		{Role: compliance.RoleControlOwner, At: ownerAt},
		{Role: compliance.RoleLead, At: o.Due},
		{Role: compliance.RoleSponsor, At: sponsorAt},
	}
}

// QuarterClose is the last business day of the quarter in which o falls due
// (its chase quarter), at the deadline's local time: the instant by which
// EscalateBy has reached the sponsor.
func QuarterClose(o cadence.Occurrence, cal *compliance.Calendar) time.Time {
	if cal == nil || cal.Location == nil {
		return time.Time{}
	}
	local := o.Due.In(cal.Location)
	d := cal.PrevBusinessDay(quarterEnd(compliance.DateOf(local)))
	return time.Date(d.Year, d.Month, d.Day, local.Hour(), local.Minute(), local.Second(), local.Nanosecond(), cal.Location)
}
