package catalog

import (
	"fmt"
	"slices"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
)

// ScheduledOccurrence is one occurrence of a control in an engagement's
// observation window, as the cadence schedules it, with the calendar and
// window it was scheduled in.
type ScheduledOccurrence struct {
	Occurrence cadence.Occurrence
	Calendar   *compliance.Calendar
	Window     compliance.Span
}

// FindOccurrence finds the occurrence key of controlID in the engagement's
// observation window, or says why there is none. It is deterministic (no
// map is ranged over on the way, no clock is read), so the engagement
// workflow's update validator runs it as well as the service and the
// recording activity: all three refuse with the same words.
func (l *Library) FindOccurrence(spec *compliance.Spec, plan compliance.Plan, controlID, key string) (ScheduledOccurrence, error) {
	cal, err := compliance.NewCalendar(spec.Reminders)
	if err != nil {
		return ScheduledOccurrence{}, err
	}
	window, err := cadence.Window(spec, plan)
	if err != nil {
		return ScheduledOccurrence{}, err
	}
	app, err := l.ForSpec(spec)
	if err != nil {
		return ScheduledOccurrence{}, err
	}
	ac := app.Control(controlID)
	if ac == nil {
		return ScheduledOccurrence{}, fmt.Errorf("control %s does not apply to %s", controlID, spec.ID)
	}
	occs, err := cadence.Schedule(cadence.ScheduleInput{ControlID: controlID, Frequency: ac.Control.Frequency, Window: window, Calendar: cal})
	if err != nil {
		return ScheduledOccurrence{}, err
	}
	i := slices.IndexFunc(occs, func(o cadence.Occurrence) bool { return o.Key() == key })
	if i < 0 {
		return ScheduledOccurrence{}, fmt.Errorf("%s has no occurrence %s in the window %s", controlID, key, window)
	}
	return ScheduledOccurrence{Occurrence: occs[i], Calendar: cal, Window: window}, nil
}
