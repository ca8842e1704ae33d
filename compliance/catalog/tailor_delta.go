package catalog

import (
	"reflect"

	"github.com/steadfast-grc/steadfast/compliance"
)

// TailoringDelta lists, in ID order, the controls a tailoring change makes
// the client assess again: those it operates after the change whose
// override or custom definition changed, and those it operates now and did
// not before (no longer not applicable or inherited). Controls the change
// makes not applicable or inherited need no answer: they simply leave the
// cadence.
func (l *Library) TailoringDelta(before, after *compliance.Spec) ([]string, error) {
	was, err := l.ForSpec(before)
	if err != nil {
		return nil, err
	}
	now, err := l.ForSpec(after)
	if err != nil {
		return nil, err
	}
	changed := map[string]bool{}
	for id, t := range after.Tailoring.Controls {
		if old, ok := before.Tailoring.Controls[id]; !ok || old != t {
			changed[id] = true
		}
	}
	for id := range before.Tailoring.Controls {
		if _, ok := after.Tailoring.Controls[id]; !ok {
			changed[id] = true
		}
	}
	for _, c := range after.Tailoring.Custom {
		if old := before.CustomControl(c.ID); old == nil || !reflect.DeepEqual(*old, c) {
			changed[c.ID] = true
		}
	}
	var out []string
	for _, ac := range now.Controls {
		if id := ac.Control.ID; changed[id] || was.Control(id) == nil {
			out = append(out, id)
		}
	}
	return out, nil
}
