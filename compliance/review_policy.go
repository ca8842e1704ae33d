package compliance

import (
	"sort"
	"strings"
)

// Review frequencies a review policy may name. A control review less often
// than half-yearly leaves the auditor a Type II window with one review in
// it, which is no evidence of a cadence at all.
var ReviewFrequencies = []Frequency{FreqQuarterly, FreqSemiAnnual}

// DefaultControlRisk is the level of a control the spec gives none.
const DefaultControlRisk = "moderate"

func (d *specDecoder) validateReviewPolicy(s *Spec) {
	levels := make([]string, 0, len(s.ReviewPolicy))
	for l := range s.ReviewPolicy {
		levels = append(levels, l)
	}
	sort.Strings(levels)
	clean := make(map[string]Frequency, len(levels))
	for _, l := range levels {
		p := "review_policy." + l
		lvl := strings.ToLower(strings.TrimSpace(l))
		known := false
		for _, x := range ControlRiskLevels {
			known = known || x == lvl
		}
		if !known {
			d.errorf(d.at(p), p, "risk level %q is not one of %s", l, strings.Join(ControlRiskLevels, ", "))
			continue
		}
		f := Frequency(strings.ToLower(strings.TrimSpace(string(s.ReviewPolicy[l]))))
		if f != FreqQuarterly && f != FreqSemiAnnual {
			d.errorf(d.at(p), p, "review frequency %q is not one of quarterly, semi-annual", s.ReviewPolicy[l])
			continue
		}
		clean[lvl] = f
	}
	if len(s.ReviewPolicy) > 0 {
		s.ReviewPolicy = clean
	}
}

// ReviewEveryQuarters is how many quarters apart a control's reviews fall:
// 1 (quarterly) or 2 (half-yearly), from the spec's review policy and the
// control's risk (control_risk, else DefaultControlRisk).
//
// The framework has the last word: a PCI DSS service provider must confirm
// at least every three months that its people perform their security
// tasks (requirement 12.4.2), so a control that supports a PCI DSS
// requirement in such an engagement stays quarterly whatever its risk.
// SOC 2 and ISO 27001 set no review frequency of their own.
func (s *Spec) ReviewEveryQuarters(controlID string, supportsPCI bool) int {
	if supportsPCI {
		if f := s.Framework(PCIDSS); f != nil && f.Entity == ServiceProvider {
			return 1
		}
	}
	risk := s.RiskOf(controlID)
	if risk == "" {
		risk = DefaultControlRisk
	}
	if s.ReviewPolicy[risk] == FreqSemiAnnual {
		return 2
	}
	return 1
}
