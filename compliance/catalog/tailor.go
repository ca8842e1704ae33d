package catalog

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/agnivade/levenshtein"

	"github.com/steadfast-grc/steadfast/compliance"
)

// CustomOwnerRole is the owner role a client's own control carries: its
// person is the spec's (the custom control's owner, else its area's).
const CustomOwnerRole = "named in the client's spec"

// ControlIDs lists the library's control IDs (compliance.ControlCatalog).
func (l *Library) ControlIDs() []string {
	out := make([]string, len(l.Controls))
	for i, c := range l.Controls {
		out[i] = c.ID
	}
	return out
}

// RequirementIDs lists a framework's requirement IDs in catalog order
// (compliance.ControlCatalog).
func (l *Library) RequirementIDs(fw compliance.FrameworkID) []string {
	fc := l.Framework(fw)
	if fc == nil {
		return nil
	}
	out := make([]string, len(fc.Requirements))
	for i, r := range fc.Requirements {
		out[i] = r.ID
	}
	return out
}

// ControlTypes lists the control types as strings (compliance.ControlCatalog).
func (l *Library) ControlTypes() []string {
	out := make([]string, len(ControlTypes))
	for i, t := range ControlTypes {
		out[i] = string(t)
	}
	return out
}

// ParseSpec parses a spec and checks its tailoring and its references
// (vendors, CUECs, risks, exclusions) against the embedded library: what
// `starter engage` and every command reading a spec file use, so every
// problem comes back with file:line:col.
func ParseSpec(name string, data []byte) (*compliance.Spec, error) {
	return compliance.ParseSpecWith(name, data, Default())
}

// LoadSpec reads a spec file and checks it against the embedded library
// like ParseSpec.
func LoadSpec(path string) (*compliance.Spec, error) {
	return compliance.LoadSpecWith(path, Default())
}

// Tailor returns the library as one engagement's spec tailors it: library
// controls carry the spec's frequency, evidence and risk overrides (on
// copies; l is not changed), and the client's custom controls are added with
// their mappings and rationales. Which controls are not applicable or
// inherited is the Scope's (ScopeOf), so Apply can say why. A spec without
// tailoring gets l itself.
func (l *Library) Tailor(s *compliance.Spec) (*Library, error) {
	t := s.Tailoring
	if len(t.Controls) == 0 && len(t.Custom) == 0 {
		return l, nil
	}
	var errs errorList
	controls := make([]*Control, 0, len(l.Controls)+len(t.Custom))
	for _, c := range l.Controls {
		ct, ok := t.Controls[c.ID]
		if !ok {
			controls = append(controls, c)
			continue
		}
		cp := *c
		if ct.Frequency != "" {
			cp.Frequency = ct.Frequency
		}
		if ct.Evidence != "" {
			cp.Evidence = ct.Evidence
		}
		if ct.Risk != "" {
			cp.Risk = ct.Risk
		}
		controls = append(controls, &cp)
	}
	// Sorted keys: the order is the same on every run.
	//workflowcheck:ignore
	for _, id := range slices.Sorted(maps.Keys(t.Controls)) {
		if l.Control(id) == nil {
			errs.add("tailoring.controls.%s: unknown control%s", id, nearest(id, l.ControlIDs()))
		}
	}
	for _, cc := range t.Custom {
		if l.Control(cc.ID) != nil {
			errs.add("tailoring.custom: %s is already a library control", cc.ID)
			continue
		}
		controls = append(controls, l.customControl(cc))
	}
	if err := errs.err(); err != nil {
		return nil, fmt.Errorf("tailoring of %s: %w", s.ID, err)
	}
	// The requirement indexes are shared (they are immutable); only the
	// control indexes are built again.
	tl := &Library{Frameworks: l.Frameworks, Controls: controls, reqs: l.reqs, children: l.children,
		controls: map[string]*Control{}, mappedBy: map[compliance.FrameworkID]map[string][]*Control{},
		byUpperID: map[string][]any{}}
	for _, fc := range l.Frameworks {
		tl.mappedBy[fc.ID] = map[string][]*Control{}
		for _, r := range fc.Requirements {
			key := strings.ToUpper(r.ID)
			tl.byUpperID[key] = append(tl.byUpperID[key], r)
		}
	}
	tl.indexControls(&errs)
	if err := errs.err(); err != nil {
		return nil, fmt.Errorf("tailoring of %s: %w", s.ID, err)
	}
	return tl, nil
}

// customControl turns a client's control into a library control, its
// mappings in catalog order so every listing is stable.
func (l *Library) customControl(cc compliance.CustomControl) *Control {
	c := &Control{ID: cc.ID, Title: cc.Title, Description: cc.Description, Domain: cc.Domain,
		Type: ControlType(cc.Type), Frequency: cc.Frequency, Evidence: cc.Evidence, Automated: cc.Automated,
		Owner: CustomOwnerRole, Risk: cc.Risk, Custom: true,
		Maps: map[compliance.FrameworkID][]string{}, Why: map[compliance.FrameworkID]map[string]string{}}
	for _, fw := range compliance.FrameworkIDs {
		m := cc.Maps[fw]
		if len(m) == 0 {
			continue
		}
		// Sorted just below, so the map's order does not show.
		//workflowcheck:ignore
		ids := slices.Collect(maps.Keys(m))
		order := l.RequirementIDs(fw)
		slices.SortFunc(ids, func(a, b string) int {
			ia, ib := slices.Index(order, a), slices.Index(order, b)
			if ia != ib {
				return ia - ib
			}
			return strings.Compare(a, b)
		})
		c.Maps[fw] = ids
		c.Why[fw] = maps.Clone(m)
	}
	return c
}

func nearest(got string, ids []string) string {
	best, bestDist := "", len(got)/2+2
	for _, id := range ids {
		if d := levenshtein.ComputeDistance(strings.ToUpper(got), id); d < bestDist {
			best, bestDist = id, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// ControlOwner is who owns one control of a spec's engagement: the spec's
// per-control owner, else the owner of the control's area. ok is false for
// an ID that is neither a library control nor one of the spec's own.
func (l *Library) ControlOwner(s *compliance.Spec, id string) (compliance.Person, bool) {
	if c := s.CustomControl(id); c != nil {
		return s.OwnerOfControl(id, c.Domain), true
	}
	if c := l.Control(id); c != nil {
		return s.OwnerOfControl(id, c.Domain), true
	}
	return compliance.Person{}, false
}
