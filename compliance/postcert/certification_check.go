package postcert

import (
	"errors"
	"fmt"
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
