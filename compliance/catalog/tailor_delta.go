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

// TailoringRemovals lists, in catalog order, the controls a tailoring change
// takes out of the client's scope: operated before it and not after (made
// not applicable, inherited from a vendor, or a custom control dropped).
// They need no answer; a question already put to their owner is withdrawn.
func (l *Library) TailoringRemovals(before, after *compliance.Spec) ([]string, error) {
	was, err := l.ForSpec(before)
	if err != nil {
		return nil, err
	}
	return l.OutOfScope(after, controlIDs(was))
}

// OutOfScope lists, in the order given, the controls of ids the client does
// not operate under spec. It is what a hint that controls left the scope is
// checked against: the spec as stored, not what the hint says.
func (l *Library) OutOfScope(spec *compliance.Spec, ids []string) ([]string, error) {
	now, err := l.ForSpec(spec)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, id := range ids {
		if now.Control(id) == nil {
			out = append(out, id)
		}
	}
	return out, nil
}

func controlIDs(a *Applicability) []string {
	out := make([]string, 0, len(a.Controls))
	for _, ac := range a.Controls {
		out = append(out, ac.Control.ID)
	}
	return out
}
