package catalog

import (
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
)

// SoAEntry is one line of the ISO 27001 Statement of Applicability: an
// Annex A control, whether it is included, why, and the library controls
// that implement it.
type SoAEntry struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Theme    Theme    `json:"theme"`
	Included bool     `json:"included"`
	Reason   string   `json:"reason"`
	Controls []string `json:"controls,omitempty"`
}

// statementOfApplicability lists every Annex A control. Inclusion follows
// requirement applicability; an included control is justified by the
// library controls that implement it.
func (a *Applicability) statementOfApplicability() []SoAEntry {
	var out []SoAEntry
	for _, rs := range a.Requirements[compliance.ISO27001] {
		r := rs.Requirement
		if r.Kind != KindAnnexA {
			continue
		}
		e := SoAEntry{ID: r.ID, Title: r.Title, Theme: r.Theme, Included: rs.Applies, Controls: rs.Controls}
		switch {
		case !rs.Applies:
			e.Reason = "Excluded: " + rs.Reason
		case len(rs.Controls) == 0:
			e.Reason = "Included: needed to treat identified risks; no control implements it yet"
		default:
			e.Reason = "Included: treats identified risks; implemented by " + strings.Join(rs.Controls, ", ")
		}
		out = append(out, e)
	}
	return out
}
