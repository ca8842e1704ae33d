// Package postcert keeps a certified programme running: it plans the next
// audit cycle from the certification (the next SOC 2 Type II window, ISO
// 27001 surveillance and recertification, the PCI DSS annual reassessment,
// annual refreshes and quarterly reviews), compares the framework versions in
// use with the control library's, and works out what a system entering scope
// means for the scope risks and the controls. It is pure: no I/O and no
// clock; the post-certification workflow supplies dates and records results.
package postcert

import (
	"fmt"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
)

// Certification is a report or certificate the engagement obtained.
type Certification struct {
	Framework compliance.FrameworkID `json:"framework"`
	// Date is the date of the report (SOC 2), the certification decision
	// (ISO 27001) or the attestation of compliance (PCI DSS).
	Date compliance.Date `json:"date"`
	// ReportPeriod is a SOC 2 Type II report's observation period; for a
	// Type I it may hold the as-of date as a one-day span. Zero for ISO
	// 27001 and PCI DSS, whose cycles run from Date; it is ignored for them.
	ReportPeriod compliance.Span `json:"report_period"`
	// Reference is the report or certificate number, for the record.
	Reference string `json:"reference,omitempty"`
}

// check reports what makes a certification unusable for planning.
func (c Certification) check(spec *compliance.Spec) error {
	if c.Date.IsZero() {
		return fmt.Errorf("certification of %s: the date is required", c.Framework)
	}
	f := spec.Framework(c.Framework)
	if f == nil {
		return fmt.Errorf("certification of %s: the engagement does not include %s", c.Framework, c.Framework)
	}
	if c.Framework != compliance.SOC2 {
		return nil
	}
	p := c.ReportPeriod
	switch {
	case p.Start.IsZero() != p.End.IsZero():
		return fmt.Errorf("certification of soc2 on %s: the report period needs both a start and an end", c.Date)
	case !p.End.IsZero() && p.End.Before(p.Start):
		return fmt.Errorf("certification of soc2 on %s: the report period %s ends before it starts", c.Date, p)
	case !p.End.IsZero() && p.End.After(c.Date):
		return fmt.Errorf("certification of soc2 on %s: the report is dated before its period ends (%s)", c.Date, p.End)
	case p.End.IsZero() && f.Report == compliance.Type2:
		// Without the period the next window would leave a gap or an
		// overlap in coverage, which is what customers read first.
		return fmt.Errorf("certification of soc2 on %s: a Type II report needs its report period", c.Date)
	}
	return nil
}

// socPeriodEnd is the last day the SOC 2 report covers: the end of a Type
// II's period, or a Type I's as-of date.
func (c Certification) socPeriodEnd() compliance.Date {
	if !c.ReportPeriod.End.IsZero() {
		return c.ReportPeriod.End
	}
	return c.Date
}

// latest keeps, per framework, the most recent certification: the next cycle
// runs from it, not from older certificates the engagement also recorded.
func latest(certs []Certification) map[compliance.FrameworkID]Certification {
	out := map[compliance.FrameworkID]Certification{}
	for _, c := range certs {
		if prev, ok := out[c.Framework]; !ok || c.Date.After(prev.Date) {
			out[c.Framework] = c
		}
	}
	return out
}

// addMonths moves d by n calendar months, clamping the day to the target
// month's length: a certificate dated 29 February has its anniversary on
// 28 February in a common year, not on 1 March (which time.AddDate gives).
func addMonths(d compliance.Date, n int) compliance.Date {
	m := int(d.Month) - 1 + n
	y := d.Year + m/12
	m %= 12
	if m < 0 {
		m += 12
		y--
	}
	month := time.Month(m + 1)
	return compliance.Date{Year: y, Month: month, Day: min(d.Day, daysIn(y, month))}
}

// anniversary is the date n years after d (clamped as addMonths).
func anniversary(d compliance.Date, years int) compliance.Date { return addMonths(d, 12*years) }

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func lastOfMonth(d compliance.Date) bool { return d.Day == daysIn(d.Year, d.Month) }

// yearAfter is the end of the twelve-month period that follows a period
// ending on end. A period ending on a month's last day is followed by one
// ending on a month's last day (28 February 2027 → 29 February 2028), so
// that consecutive report periods stay calendar-aligned.
func yearAfter(end compliance.Date) compliance.Date {
	next := addMonths(end, 12)
	if lastOfMonth(end) {
		next.Day = daysIn(next.Year, next.Month)
	}
	return next
}
