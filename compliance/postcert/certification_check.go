package postcert

import (
	"errors"
	"fmt"

	"github.com/steadfast-grc/steadfast/compliance"
)

// ErrInvalidCertification marks a certification that cannot be recorded.
var ErrInvalidCertification = errors.New("invalid certification")

// Validate says why a certification cannot start a programme's cycle, or
// nil: it needs its framework and date, and a report period is a whole
// span (both ends, the end not before the start), because the next Type II
// window is planned from it. Errors wrap ErrInvalidCertification.
func (c Certification) Validate() error {
	p := c.ReportPeriod
	switch {
	case c.Framework == "" || c.Date.IsZero():
		return fmt.Errorf("%w: the framework and the date are required", ErrInvalidCertification)
	case p.Start.IsZero() != p.End.IsZero():
		return fmt.Errorf("%w of %s: the report period needs both a start and an end", ErrInvalidCertification, c.Framework)
	case !p.Start.IsZero() && p.End.Before(p.Start):
		return fmt.Errorf("%w of %s: the report period %s ends before it starts", ErrInvalidCertification, c.Framework, p)
	}
	return nil
}

// CheckRecord is the rule for recording a certification on the day today:
// Validate's shape, a framework the engagement has, a date not in the
// future, and a report dated after the period it reports on has ended (a
// SOC 2 report on 2027-03-01..2027-08-31 cannot be dated 2026-12-03).
func (c Certification) CheckRecord(spec *compliance.Spec, today compliance.Date) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if c.Date.After(today) {
		return fmt.Errorf("%w: the certification date %s is in the future (today is %s)", ErrInvalidCertification, c.Date, today)
	}
	if p := c.ReportPeriod; !p.End.IsZero() && !c.Date.After(p.End) {
		return fmt.Errorf("%w: a report dated %s cannot cover %s: the date must be after the report period ends (%s)", ErrInvalidCertification, c.Date, p, p.End)
	}
	if err := c.check(spec); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidCertification, err)
	}
	return nil
}
