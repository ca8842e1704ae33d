// Package catalog holds Steadfast's compliance content: the three framework
// catalogs (SOC 2, ISO/IEC 27001:2022, PCI DSS v4.0.1) and one library of
// controls mapped to all of them, so a control is built, owned and evidenced
// once and counted everywhere it applies.
//
// The content lives in embedded, versioned YAML under data/. Requirement IDs
// are facts; titles and control descriptions are Steadfast's own words, never
// text copied from a standard. The package does no I/O beyond reading its
// embedded files.
package catalog

import (
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
)

// Kind says what sort of item a requirement is within its framework.
type Kind string

const (
	// KindCriterion is a SOC 2 trust services criterion (CC6.1, A1.2, P4.3).
	KindCriterion Kind = "criterion"
	// KindClause is an ISO 27001 management-system clause (4.1 … 10.2).
	KindClause Kind = "clause"
	// KindAnnexA is an ISO 27001 Annex A control (A.5.1 … A.8.34).
	KindAnnexA Kind = "annex-a"
	// KindPrincipal is a PCI DSS principal requirement (1 … 12, A1 … A3).
	KindPrincipal Kind = "principal"
	// KindRequirement is a PCI DSS second-level requirement (8.3).
	KindRequirement Kind = "requirement"
	// KindTestable is a PCI DSS testable requirement (8.3.6, 3.5.1.1).
	KindTestable Kind = "testable"
)

// Theme is the ISO 27001:2022 Annex A theme a control belongs to.
type Theme string

const (
	ThemeOrganizational Theme = "organizational"
	ThemePeople         Theme = "people"
	ThemePhysical       Theme = "physical"
	ThemeTechnological  Theme = "technological"
)

// Requirement is one identifier of a framework: a SOC 2 criterion, an ISO
// clause or Annex A control, or a PCI DSS requirement at any numbered level.
type Requirement struct {
	ID    string `yaml:"id" json:"id"`
	Title string `yaml:"title" json:"title"`
	// Kind, Parent and Theme are derived from the ID when the catalog loads.
	Kind   Kind   `yaml:"-" json:"kind"`
	Parent string `yaml:"-" json:"parent,omitempty"`
	Theme  Theme  `yaml:"-" json:"theme,omitempty"`
	// Category is the SOC 2 trust services category of a criterion.
	Category compliance.TSCCategory `yaml:"category" json:"category,omitempty"`
	// FutureDated marks a PCI DSS v4.0 requirement that was best practice
	// until 31 March 2025 and has been mandatory since.
	FutureDated bool `yaml:"future_dated" json:"future_dated,omitempty"`
	// SAQ lists the PCI self-assessment questionnaires other than SAQ D that
	// include the requirement (only for the types in the catalog's SAQTagged).
	SAQ []compliance.SAQType `yaml:"saq" json:"saq,omitempty"`
	// When limits the requirement to engagements where the condition holds.
	When Condition `yaml:"when" json:"when,omitempty"`

	Framework compliance.FrameworkID `yaml:"-" json:"-"`
}

// Depth is the number of dotted segments in the ID: 1 for PCI "8", 3 for
// "8.3.6"; ISO Annex A IDs count without the "A." prefix.
func (r *Requirement) Depth() int {
	return strings.Count(strings.TrimPrefix(r.ID, "A."), ".") + 1
}

// Assessable reports whether the requirement is one a control must satisfy:
// every SOC 2 criterion and ISO item, and PCI DSS testable requirements (the
// first two PCI levels only group them).
func (r *Requirement) Assessable() bool {
	return r.Framework != compliance.PCIDSS || r.Kind == KindTestable
}

// Ref is "framework:ID", unambiguous across frameworks (A1.1 is both a SOC 2
// criterion and a PCI DSS requirement).
func (r *Requirement) Ref() string { return string(r.Framework) + ":" + r.ID }

// FrameworkCatalog is one framework's requirements, in the standard's order.
type FrameworkCatalog struct {
	ID      compliance.FrameworkID `yaml:"framework" json:"id"`
	Name    string                 `yaml:"name" json:"name"`
	Version string                 `yaml:"version" json:"version"`
	// SAQTagged lists the SAQ types whose membership the Requirement.SAQ
	// tags record completely; other SAQ types are treated as needing every
	// requirement, which is conservative.
	SAQTagged    []compliance.SAQType `yaml:"saq_tagged" json:"saq_tagged,omitempty"`
	Requirements []*Requirement       `yaml:"requirements" json:"requirements"`
}

// deriveShape fills Kind, Theme and Parent from the ID. Parent is the ID one
// level up when that ID is in the catalog (ISO clause 4.1 has no "4" entry,
// Annex A controls no "A.5" entry; both are top-level here).
func (fc *FrameworkCatalog) deriveShape(ids map[string]*Requirement) {
	for _, r := range fc.Requirements {
		r.Framework = fc.ID
		switch fc.ID {
		case compliance.SOC2:
			r.Kind = KindCriterion
		case compliance.ISO27001:
			r.Kind = KindClause
			if strings.HasPrefix(r.ID, "A.") {
				r.Kind = KindAnnexA
				r.Theme = annexTheme(r.ID)
			}
		case compliance.PCIDSS:
			switch r.Depth() {
			case 1:
				r.Kind = KindPrincipal
			case 2:
				r.Kind = KindRequirement
			default:
				r.Kind = KindTestable
			}
		}
		if i := strings.LastIndex(r.ID, "."); i > 0 {
			if _, ok := ids[r.ID[:i]]; ok {
				r.Parent = r.ID[:i]
			}
		}
	}
}

func annexTheme(id string) Theme {
	switch {
	case strings.HasPrefix(id, "A.5."):
		return ThemeOrganizational
	case strings.HasPrefix(id, "A.6."):
		return ThemePeople
	case strings.HasPrefix(id, "A.7."):
		return ThemePhysical
	case strings.HasPrefix(id, "A.8."):
		return ThemeTechnological
	}
	return ""
}
