package catalog

import (
	"github.com/steadfast-grc/steadfast/compliance"
)

// ControlType says what kind of thing a control is, which decides the kind
// of evidence an auditor asks for.
type ControlType string

const (
	TypePolicy    ControlType = "policy"
	TypeProcedure ControlType = "procedure"
	TypeTechnical ControlType = "technical"
	TypePhysical  ControlType = "physical"
)

// ControlTypes lists every control type.
var ControlTypes = []ControlType{TypePolicy, TypeProcedure, TypeTechnical, TypePhysical}

// Control is one control in the library: something the client operates,
// owned by one person, evidenced once, and mapped to every framework
// requirement it satisfies.
type Control struct {
	ID    string `yaml:"id" json:"id"`
	Title string `yaml:"title" json:"title"`
	// Description says what "operating" means and how an auditor tests it.
	Description string               `yaml:"description" json:"description"`
	Domain      compliance.Domain    `yaml:"domain" json:"domain"`
	Type        ControlType          `yaml:"type" json:"type"`
	Frequency   compliance.Frequency `yaml:"frequency" json:"frequency"`
	// Evidence is what the auditor samples.
	Evidence string `yaml:"evidence" json:"evidence"`
	// Automated reports whether the evidence can be collected without a
	// person producing it.
	Automated bool `yaml:"automated" json:"automated"`
	// Owner is the default owner role; the engagement assigns a person
	// (Spec.OwnerOfControl: a per-control owner, else the area's owner).
	Owner string `yaml:"owner" json:"owner"`
	// Risk is the control's risk level; the library leaves it empty
	// (medium) and a spec's tailoring sets it (Library.Tailor).
	Risk compliance.RiskLevel `yaml:"risk" json:"risk,omitempty"`
	// Custom marks a client's own control from a spec's tailoring; the
	// library's data files cannot set it.
	Custom bool `yaml:"-" json:"custom,omitempty"`
	// When limits the control to engagements where the condition holds.
	When Condition `yaml:"when" json:"when,omitempty"`
	// Maps lists, per framework, the requirement IDs the control satisfies.
	// In the YAML each framework holds either a list of IDs (the original
	// form) or an ordered map of ID to rationale; see mapping.go.
	Maps map[compliance.FrameworkID][]string `yaml:"maps" json:"maps"`
	// Why holds, per framework and requirement ID, the one-line rationale in
	// our own words for why the control satisfies that requirement.
	Why map[compliance.FrameworkID]map[string]string `yaml:"-" json:"why,omitempty"`
}

// Rationale returns why the control satisfies a requirement, or "" when the
// mapping carries none (or does not exist).
func (c *Control) Rationale(fw compliance.FrameworkID, id string) string {
	return c.Why[fw][id]
}

// Frameworks lists the frameworks the control maps to, in display order.
func (c *Control) Frameworks() []compliance.FrameworkID {
	var out []compliance.FrameworkID
	for _, fw := range compliance.FrameworkIDs {
		if len(c.Maps[fw]) > 0 {
			out = append(out, fw)
		}
	}
	return out
}

// MappedCount is the number of requirements the control maps to across all
// frameworks.
//
// A sum does not depend on the order the map is ranged in, so a workflow
// may call it (workflowcheck cannot see that).
//
//workflowcheck:ignore
func (c *Control) MappedCount() int {
	n := 0
	for _, ids := range c.Maps {
		n += len(ids)
	}
	return n
}
