package catalog

import (
	"fmt"

	"github.com/steadfast-grc/steadfast/compliance"
)

// SpecRefs finds the references in a spec's third-party and risk sections
// that the spec parser can only check by form: library control IDs
// (monitored_by, csocs, user_entity_controls) and Annex A controls (risks,
// exclusions). Each problem names the spec field down to the list element,
// so compliance.ParseSpecWith can point at its line and column.
func (l *Library) SpecRefs(s *compliance.Spec) []compliance.RefProblem {
	var out []compliance.RefProblem
	control := func(field string, ids []string) {
		for k, id := range ids {
			if l.Control(id) == nil {
				out = append(out, compliance.RefProblem{Field: fmt.Sprintf("%s[%d]", field, k), Msg: id + " is not a control in the library"})
			}
		}
	}
	annexA := func(field, id string) {
		if r := l.Requirement(compliance.ISO27001, id); r == nil || r.Kind != KindAnnexA {
			out = append(out, compliance.RefProblem{Field: field, Msg: id + " is not an ISO 27001:2022 Annex A control"})
		}
	}
	for i, v := range s.Vendors {
		control(fmt.Sprintf("vendors[%d].monitored_by", i), v.MonitoredBy)
		for j, c := range v.CSOCs {
			control(fmt.Sprintf("vendors[%d].csocs[%d].supports", i, j), c.Supports)
		}
	}
	for i, u := range s.UserEntityControls {
		control(fmt.Sprintf("user_entity_controls[%d].supports", i), u.Supports)
	}
	for i, r := range s.Risks {
		for k, id := range r.Controls {
			annexA(fmt.Sprintf("risks[%d].controls[%d]", i, k), id)
		}
	}
	for i, f := range s.Frameworks {
		for j, e := range f.Exclusions {
			annexA(fmt.Sprintf("frameworks[%d].exclusions[%d].control", i, j), e.Control)
		}
	}
	return out
}

// CheckSpecRefs is SpecRefs as sentences ("field: problem"), for a spec that
// did not come from a file (one read back from the database, or with a risk
// register imported from CSV).
func (l *Library) CheckSpecRefs(s *compliance.Spec) []string {
	var out []string
	for _, p := range l.SpecRefs(s) {
		out = append(out, p.Field+": "+p.Msg)
	}
	return out
}
