package catalog

import (
	"fmt"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
)

// TakesPopulation reports whether controls of frequency f are tested on a
// population of events (each change, each joiner) rather than on periods:
// per-event controls, and continuous ones, which the auditor samples the
// same way.
func TakesPopulation(f compliance.Frequency) bool {
	return f == compliance.FreqPerEvent || f == compliance.FreqContinuous
}

// PopulationControl returns the applicable control id if it takes a
// population of events, or an error that says why it cannot: it is not in
// the library, it does not apply to the engagement, or it operates on a
// period (a quarterly review is evidenced per quarter, not per event).
func (a *Applicability) PopulationControl(id string) (*Control, error) {
	ac := a.Control(id)
	if ac == nil {
		if Default().Control(id) == nil {
			return nil, fmt.Errorf("%s is not a control in the library%s", id, suggestControl(id))
		}
		return nil, fmt.Errorf("%s does not apply to this engagement's scope", id)
	}
	if !TakesPopulation(ac.Control.Frequency) {
		return nil, fmt.Errorf("%s %s is a %s control: its evidence is per period, so it has no population of events (only per-event and continuous controls do)",
			id, ac.Control.Title, ac.Control.Frequency)
	}
	return ac.Control, nil
}

// suggestControl offers the library ID that differs only in case, the most
// common slip (chg-01).
func suggestControl(id string) string {
	if up := strings.ToUpper(id); up != id && Default().Control(up) != nil {
		return fmt.Sprintf(" (did you mean %s?)", up)
	}
	return ""
}
