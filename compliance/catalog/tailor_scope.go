package catalog

import (
	"fmt"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
)

// AssessScope runs compliance's scope rules and the rule only the library
// can check: a requirement the spec's tailoring leaves without any
// applicable control. The scoping activity calls this one.
func AssessScope(s *compliance.Spec, p compliance.Plan) ([]compliance.ScopeRisk, error) {
	out := compliance.AssessScope(s, p)
	more, err := Default().TailoringRisks(s)
	if err != nil {
		return nil, err
	}
	out = append(out, more...)
	compliance.SortScopeRisks(out)
	return out, nil
}

// TailoringRisks names every requirement of the spec's frameworks that no
// applicable (or inherited) control satisfies once the spec's tailoring is
// applied, with the not-applicable controls that used to satisfy it. The
// untailored library leaves none (a test enforces it), so each one is the
// tailoring's doing.
func (l *Library) TailoringRisks(s *compliance.Spec) ([]compliance.ScopeRisk, error) {
	if len(s.Tailoring.Controls) == 0 {
		return nil, nil
	}
	a, err := l.ForSpec(s)
	if err != nil {
		return nil, err
	}
	sc := a.Scope
	var out []compliance.ScopeRisk
	for _, ref := range a.Unsatisfied() {
		fw, id, _ := strings.Cut(ref, ":")
		var na []string
		for _, c := range l.requirementControls(compliance.FrameworkID(fw), id) {
			if _, ok := sc.NotApplicable[c.ID]; ok {
				na = append(na, c.ID)
			}
		}
		why := ""
		if len(na) > 0 {
			why = " (" + strings.Join(na, ", ") + " marked not applicable)"
		}
		out = append(out, compliance.ScopeRisk{
			Rule: compliance.RuleTailoredUncovered, Severity: compliance.SeverityHigh,
			Systems: []string{compliance.PartyRef("requirement", ref)},
			Message: fmt.Sprintf("%s %s has no applicable control after tailoring%s: the auditor will report it unmet; map a custom control to it or keep a control that satisfies it", fw, id, why),
		})
	}
	return out, nil
}

// requirementControls lists the library controls mapped to a requirement or
// to any of its descendants (a PCI group is unsatisfied through its children).
func (l *Library) requirementControls(fw compliance.FrameworkID, id string) []*Control {
	out := append([]*Control(nil), l.ControlsFor(fw, id)...)
	for _, k := range l.Children(fw, id) {
		out = append(out, l.requirementControls(fw, k.ID)...)
	}
	return out
}
