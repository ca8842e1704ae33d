package compliance

import (
	"sort"
	"strings"
)

// ControlRiskLevels are the risk levels a spec may give a control.
var ControlRiskLevels = []string{"low", "moderate", "high"}

func (d *specDecoder) validateControlRisk(s *Spec) {
	ids := make([]string, 0, len(s.ControlRisk))
	for id := range s.ControlRisk {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		p := "control_risk." + id
		lvl := strings.ToLower(strings.TrimSpace(s.ControlRisk[id]))
		ok := false
		for _, l := range ControlRiskLevels {
			ok = ok || l == lvl
		}
		if !ok {
			d.errorf(d.at(p), p, "risk %q is not one of %s", s.ControlRisk[id], strings.Join(ControlRiskLevels, ", "))
			continue
		}
		s.ControlRisk[id] = lvl
	}
}

// RiskOf is the risk level the spec gives a control in the readiness
// review's vocabulary (low, moderate, high; "" when unset): control_risk, or
// the tailoring's risk.
func (s *Spec) RiskOf(controlID string) string {
	if r, ok := s.ControlRisk[controlID]; ok {
		return r
	}
	return string(s.ControlRiskLevel(controlID))
}
