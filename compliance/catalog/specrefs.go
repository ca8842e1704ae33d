package catalog

import (
	"fmt"

	"github.com/steadfast-grc/steadfast/compliance"
)

// CheckSpecRefs finds the references in a spec's third-party and risk
// sections that the spec parser can only check by form: library control IDs
// (monitored_by, csocs, user_entity_controls) and Annex A controls (risks,
// exclusions). Each problem names the spec field, as a parse error would.
func (l *Library) CheckSpecRefs(s *compliance.Spec) []string {
	var out []string
	control := func(field, id string) {
		if l.Control(id) == nil {
			out = append(out, fmt.Sprintf("%s: %s is not a control in the library", field, id))
		}
	}
	annexA := func(field, id string) {
		if r := l.Requirement(compliance.ISO27001, id); r == nil || r.Kind != KindAnnexA {
			out = append(out, fmt.Sprintf("%s: %s is not an ISO 27001:2022 Annex A control", field, id))
		}
	}
	for i, v := range s.Vendors {
		for _, id := range v.MonitoredBy {
			control(fmt.Sprintf("vendors[%d].monitored_by", i), id)
		}
		for j, c := range v.CSOCs {
			for _, id := range c.Supports {
				control(fmt.Sprintf("vendors[%d].csocs[%d].supports", i, j), id)
			}
		}
	}
	for i, u := range s.UserEntityControls {
		for _, id := range u.Supports {
			control(fmt.Sprintf("user_entity_controls[%d].supports", i), id)
		}
	}
	for i, r := range s.Risks {
		for _, id := range r.Controls {
			annexA(fmt.Sprintf("risks[%d].controls", i), id)
		}
	}
	for i, f := range s.Frameworks {
		for j, e := range f.Exclusions {
			annexA(fmt.Sprintf("frameworks[%d].exclusions[%d].control", i, j), e.Control)
		}
	}
	return out
}
