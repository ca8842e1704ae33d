package catalog

import (
	"fmt"
	"slices"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
)

// SoAEntry is one line of the ISO 27001 Statement of Applicability: an
// Annex A control, whether it is included, why, and the library controls
// that implement it.
type SoAEntry struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Theme    Theme  `json:"theme"`
	Included bool   `json:"included"`
	Reason   string `json:"reason"`
	// Risks are the register's risks whose treatment relies on the control.
	Risks []string `json:"risks,omitempty"`
	// Requirements are the other frameworks' requirements (framework:ID)
	// that the implementing controls also satisfy: a contractual or
	// customer requirement is a justification too.
	Requirements []string `json:"requirements,omitempty"`
	Controls     []string `json:"controls,omitempty"`
	// PerformedBy names, per implementing control a vendor performs for
	// the client (an inherited control), the vendor.
	PerformedBy map[string]string `json:"performed_by,omitempty"`
}

// statementOfApplicability lists every Annex A control. Inclusion follows
// requirement applicability (so the client's exclusions, with their
// justifications, show here and in the gap assessment alike); an included
// control is justified by the risks that rely on it and the other
// frameworks' requirements its implementing controls satisfy, and an entry
// with neither says so rather than claiming a risk it does not have.
func (a *Applicability) statementOfApplicability() []SoAEntry {
	var out []SoAEntry
	for _, rs := range a.Requirements[compliance.ISO27001] {
		r := rs.Requirement
		if r.Kind != KindAnnexA {
			continue
		}
		e := SoAEntry{ID: r.ID, Title: r.Title, Theme: r.Theme, Included: rs.Applies, Controls: rs.Controls,
			Risks: slices.Clone(a.Scope.RisksFor[r.ID])}
		if rs.Applies {
			e.Requirements = a.otherRequirements(rs.Controls)
		}
		own, vendor := a.splitInherited(rs.Controls)
		for _, id := range vendor {
			if e.PerformedBy == nil {
				e.PerformedBy = map[string]string{}
			}
			e.PerformedBy[id] = a.InheritedControl(id).Vendor
		}
		var why []string
		if len(e.Risks) > 0 {
			why = append(why, "treats risks "+strings.Join(e.Risks, ", "))
		}
		if len(e.Requirements) > 0 {
			why = append(why, "required by "+summariseRefs(e.Requirements))
		}
		switch {
		case !rs.Applies:
			e.Reason = "Excluded: " + rs.Reason
		case len(rs.Controls) == 0:
			e.Reason = "Included: " + orNoRisk(why) + "; no control implements it yet"
		default:
			e.Reason = "Included: " + orNoRisk(why) + "; " + implementedBy(own, vendor, e.PerformedBy)
		}
		out = append(out, e)
	}
	return out
}

// splitInherited parts controls into those the client operates and those a
// vendor performs, each in the order given.
func (a *Applicability) splitInherited(ids []string) (own, vendor []string) {
	for _, id := range ids {
		if a.InheritedControl(id) != nil {
			vendor = append(vendor, id)
		} else {
			own = append(own, id)
		}
	}
	return own, vendor
}

// implementedBy says "implemented by ACC-01, ACC-02; BCK-02 performed by AWS
// (inherited)".
func implementedBy(own, vendor []string, by map[string]string) string {
	var parts []string
	if len(own) > 0 {
		parts = append(parts, "implemented by "+strings.Join(own, ", "))
	}
	for _, id := range vendor {
		parts = append(parts, id+" performed by "+by[id]+" (inherited)")
	}
	return strings.Join(parts, "; ")
}

// summariseRefs says "soc2 CC6.1, CC6.2 and pci-dss (14 requirements)":
// the full list is in Requirements; a reason a person reads stays short.
func summariseRefs(refs []string) string {
	byFW := map[string][]string{}
	var order []string
	for _, ref := range refs {
		fw, id, _ := strings.Cut(ref, ":")
		if _, ok := byFW[fw]; !ok {
			order = append(order, fw)
		}
		byFW[fw] = append(byFW[fw], id)
	}
	parts := make([]string, 0, len(order))
	for _, fw := range order {
		ids := byFW[fw]
		if len(ids) > 4 {
			parts = append(parts, fmt.Sprintf("%s (%d requirements)", fw, len(ids)))
		} else {
			parts = append(parts, fw+" "+strings.Join(ids, ", "))
		}
	}
	return strings.Join(parts, " and ")
}

func orNoRisk(why []string) string {
	if len(why) == 0 {
		return "no risk in the register relies on it yet"
	}
	return strings.Join(why, "; ")
}

// otherRequirements lists, sorted, the SOC 2 and PCI DSS requirements the
// given controls satisfy in this engagement.
func (a *Applicability) otherRequirements(controls []string) []string {
	var out []string
	for _, id := range controls {
		ac := a.covering(id)
		if ac == nil {
			continue
		}
		for _, fw := range a.Scope.FrameworkIDs() {
			reqs := ac.Covers[fw]
			if fw == compliance.ISO27001 {
				continue
			}
			for _, req := range reqs {
				ref := fmt.Sprintf("%s:%s", fw, req)
				if !slices.Contains(out, ref) {
					out = append(out, ref)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// SoAExcludedNeeded lists the risks that rely on an Annex A control the
// Statement of Applicability excludes, as "R-01 needs A.8.13". The spec's
// scope rules raise the same contradiction for the client's own
// exclusions; this also catches a control excluded by a condition.
func (a *Applicability) SoAExcludedNeeded() []string {
	var out []string
	for _, e := range a.SoA {
		if e.Included {
			continue
		}
		for _, r := range e.Risks {
			out = append(out, r+" needs "+e.ID)
		}
	}
	return out
}
