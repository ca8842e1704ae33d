package catalog

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
)

// RequirementScope says whether one requirement applies to an engagement,
// why not if it does not, and which applicable controls satisfy it.
type RequirementScope struct {
	Requirement *Requirement
	Applies     bool
	// Reason explains an exclusion in words; empty when the requirement applies.
	Reason string
	// Controls lists the IDs of applicable controls mapped directly to it.
	Controls []string
}

// ApplicableControl is a control the engagement must operate and, per
// framework, the applicable requirements it satisfies.
type ApplicableControl struct {
	Control *Control
	Covers  map[compliance.FrameworkID][]string
}

// ExcludedControl is a library control the engagement does not need, and why.
type ExcludedControl struct {
	Control *Control
	Reason  string
	// NotApplicable: excluded by the spec's tailoring, Reason carrying the
	// client's justification.
	NotApplicable bool
}

// InheritedControl is an applicable control a vendor performs for the
// client: it satisfies its requirements (the SoA includes it, performed by
// the vendor) but the client neither assesses nor evidences it itself; the
// vendor's report, reviewed on the vendor's cadence, is its assurance.
type InheritedControl struct {
	ApplicableControl
	Inheritance
}

// Applicability is what an engagement's scope makes of the library.
type Applicability struct {
	Scope    Scope
	Controls []ApplicableControl
	// Inherited are the applicable controls vendors perform (tailoring);
	// they are not in Controls, so nothing asks the client to operate them.
	Inherited []InheritedControl
	Excluded  []ExcludedControl
	// Requirements holds, per selected framework, every requirement in
	// catalog order with its applicability.
	Requirements map[compliance.FrameworkID][]RequirementScope
	// SoA is the ISO 27001 Statement of Applicability, nil when ISO 27001 is
	// not in scope.
	SoA []SoAEntry
}

// ForSpec computes applicability for a parsed engagement spec, tailored by
// it: overrides and custom controls (Tailor), not-applicable and inherited
// controls (ScopeOf).
func (l *Library) ForSpec(s *compliance.Spec) (*Applicability, error) {
	if s == nil {
		return nil, errors.New("applicability: no spec")
	}
	tl, err := l.Tailor(s)
	if err != nil {
		return nil, fmt.Errorf("applicability: %w", err)
	}
	return tl.Apply(ScopeOf(s))
}

// Apply computes which requirements of the scope's frameworks apply, which
// controls the engagement must operate, and the Statement of Applicability.
func (l *Library) Apply(sc Scope) (*Applicability, error) {
	if len(sc.Frameworks) == 0 {
		return nil, errors.New("applicability: the engagement selects no framework")
	}
	seen := map[compliance.FrameworkID]bool{}
	for _, f := range sc.Frameworks {
		if l.Framework(f.ID) == nil {
			return nil, fmt.Errorf("applicability: unknown framework %q (want one of %v)", f.ID, compliance.FrameworkIDs)
		}
		if seen[f.ID] {
			return nil, fmt.Errorf("applicability: framework %s selected twice", f.ID)
		}
		seen[f.ID] = true
	}
	a := &Applicability{Scope: sc, Requirements: map[compliance.FrameworkID][]RequirementScope{}}
	applies := map[compliance.FrameworkID]map[string]bool{}
	for _, fw := range sc.FrameworkIDs() {
		applies[fw] = l.requirementScope(sc, fw, a)
	}

	for _, c := range l.Controls {
		ok, why := c.When.Holds(sc)
		if !ok {
			a.Excluded = append(a.Excluded, ExcludedControl{Control: c, Reason: why})
			continue
		}
		covers := map[compliance.FrameworkID][]string{}
		// Frameworks in their fixed order, never a map's: workflows look
		// controls up through here (FindOccurrence) and must not range over maps.
		for _, fw := range sc.FrameworkIDs() {
			for _, id := range c.Maps[fw] {
				if applies[fw][id] {
					covers[fw] = append(covers[fw], id)
				}
			}
		}
		if len(covers) == 0 {
			a.Excluded = append(a.Excluded, ExcludedControl{Control: c, Reason: "satisfies no applicable requirement of " + joinIDs(sc.FrameworkIDs())})
			continue
		}
		// The client's tailoring comes after the library's own reasons: a
		// control the scope already excludes keeps that reason.
		if why, na := sc.NotApplicable[c.ID]; na {
			a.Excluded = append(a.Excluded, ExcludedControl{Control: c, Reason: "not applicable: " + why, NotApplicable: true})
			continue
		}
		if in, ok := sc.Inherited[c.ID]; ok {
			a.Inherited = append(a.Inherited, InheritedControl{ApplicableControl{Control: c, Covers: covers}, in})
			continue
		}
		a.Controls = append(a.Controls, ApplicableControl{Control: c, Covers: covers})
	}

	// Now that the control set is known, record which controls satisfy each
	// applicable requirement.
	in := map[string]bool{}
	for _, ac := range a.Controls {
		in[ac.Control.ID] = true
	}
	for _, ic := range a.Inherited {
		in[ic.Control.ID] = true // a vendor's control satisfies requirements too
	}
	for _, fw := range sc.FrameworkIDs() {
		rs := a.Requirements[fw]
		for i := range rs {
			if !rs[i].Applies {
				continue
			}
			for _, c := range l.ControlsFor(fw, rs[i].Requirement.ID) {
				if in[c.ID] {
					rs[i].Controls = append(rs[i].Controls, c.ID)
				}
			}
			if fw == compliance.ISO27001 && rs[i].Requirement.Kind == KindAnnexA && len(rs[i].Controls) == 0 {
				l.excludeByTailoring(sc, &rs[i])
			}
		}
	}
	if sc.Framework(compliance.ISO27001) != nil {
		a.SoA = a.statementOfApplicability()
	}
	return a, nil
}

// excludeByTailoring: an Annex A control whose implementing controls the
// client marked not applicable is excluded from the Statement of
// Applicability with their justifications (ISO 27001 lets a client exclude
// an Annex A control it justifies; SOC 2 and PCI DSS requirements left
// without a control stay applicable, and the scope rules name them).
func (l *Library) excludeByTailoring(sc Scope, rs *RequirementScope) {
	var why []string
	for _, c := range l.ControlsFor(compliance.ISO27001, rs.Requirement.ID) {
		j, na := sc.NotApplicable[c.ID]
		if !na {
			if ok, _ := c.When.Holds(sc); ok {
				return // an implementer is excluded for another reason: not the client's call
			}
			continue
		}
		why = append(why, c.ID+": "+j)
	}
	if len(why) == 0 {
		return
	}
	rs.Applies, rs.Reason = false, "not applicable by the client's tailoring ("+strings.Join(why, "; ")+")"
}

// requirementScope fills a.Requirements for one framework and returns the set
// of applicable requirement IDs.
func (l *Library) requirementScope(sc Scope, fw compliance.FrameworkID, a *Applicability) map[string]bool {
	fc := l.Framework(fw)
	opts := sc.Framework(fw)
	set := map[string]bool{}
	rs := make([]RequirementScope, len(fc.Requirements))
	// Children come after their parents in catalog order; walk backwards so
	// a PCI group knows whether any child applies.
	for i := len(fc.Requirements) - 1; i >= 0; i-- {
		r := fc.Requirements[i]
		ok, why := requirementApplies(fc, r, opts, sc)
		if ok && !r.Assessable() {
			ok = slices.ContainsFunc(l.Children(fw, r.ID), func(k *Requirement) bool { return set[k.ID] })
			if !ok {
				why = "none of its requirements apply"
			}
		}
		rs[i] = RequirementScope{Requirement: r, Applies: ok, Reason: why}
		if ok {
			set[r.ID] = true
		}
	}
	a.Requirements[fw] = rs
	return set
}

func requirementApplies(fc *FrameworkCatalog, r *Requirement, f *compliance.Framework, sc Scope) (bool, string) {
	if ok, why := r.When.Holds(sc); !ok {
		return false, why
	}
	switch fc.ID {
	case compliance.SOC2:
		if r.Category != compliance.CategorySecurity && !slices.Contains(f.Categories, r.Category) {
			return false, fmt.Sprintf("the report does not include the %s category", r.Category)
		}
	case compliance.ISO27001:
		// The client's own exclusion, with its justification, is what the
		// Statement of Applicability and the gap assessment both follow.
		if ex := f.Excluded(r.ID); ex != nil {
			return false, "excluded by the client: " + ex.Justification
		}
	case compliance.PCIDSS:
		if r.Kind == KindTestable && f.Assessment == compliance.SAQ && slices.Contains(fc.SAQTagged, f.SAQ) && !slices.Contains(r.SAQ, f.SAQ) {
			return false, fmt.Sprintf("not part of SAQ %s", f.SAQ)
		}
	}
	return true, ""
}

// Control returns the applicable control with the ID, or nil.
func (a *Applicability) Control(id string) *ApplicableControl {
	for i := range a.Controls {
		if a.Controls[i].Control.ID == id {
			return &a.Controls[i]
		}
	}
	return nil
}

// InheritedControl returns the inherited control with the ID, or nil.
func (a *Applicability) InheritedControl(id string) *InheritedControl {
	for i := range a.Inherited {
		if a.Inherited[i].Control.ID == id {
			return &a.Inherited[i]
		}
	}
	return nil
}

// covering returns the applicable or inherited control with the ID, or nil.
func (a *Applicability) covering(id string) *ApplicableControl {
	if ac := a.Control(id); ac != nil {
		return ac
	}
	if ic := a.InheritedControl(id); ic != nil {
		return &ic.ApplicableControl
	}
	return nil
}

// Applicable lists the applicable requirements of one framework.
func (a *Applicability) Applicable(fw compliance.FrameworkID) []RequirementScope {
	var out []RequirementScope
	for _, r := range a.Requirements[fw] {
		if r.Applies {
			out = append(out, r)
		}
	}
	return out
}

// Unsatisfied lists applicable assessable requirements that no applicable
// control satisfies (directly, or through all of its children), as
// framework:ID references. Empty for every valid scope of the shipped library.
func (a *Applicability) Unsatisfied() []string {
	var out []string
	for _, fw := range a.Scope.FrameworkIDs() {
		rs := a.Requirements[fw]
		byID := map[string]*RequirementScope{}
		for i := range rs {
			byID[rs[i].Requirement.ID] = &rs[i]
		}
		var sat func(r *RequirementScope) bool
		sat = func(r *RequirementScope) bool {
			if len(r.Controls) > 0 {
				return true
			}
			has := false
			for _, k := range rs {
				if k.Requirement.Parent == r.Requirement.ID && k.Applies {
					has = true
					if !sat(byID[k.Requirement.ID]) {
						return false
					}
				}
			}
			return has
		}
		for i := range rs {
			if rs[i].Applies && rs[i].Requirement.Assessable() && !sat(&rs[i]) {
				out = append(out, rs[i].Requirement.Ref())
			}
		}
	}
	return out
}

func joinIDs[T ~string](ids []T) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = string(id)
	}
	return strings.Join(s, ", ")
}
