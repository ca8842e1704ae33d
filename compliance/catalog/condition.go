package catalog

import (
	"fmt"
	"slices"

	"github.com/steadfast-grc/steadfast/compliance"
)

// Condition names a fact about an engagement that a requirement or control
// depends on beyond the choice of framework. The set is closed: the catalog
// loader rejects any other value.
type Condition string

const (
	// CondPhysicalSite holds when an office or facility (a system of kind
	// physical) is in scope. Without one, physical security of hosting is
	// relied on from the cloud provider's own assurance.
	CondPhysicalSite Condition = "physical-site"
	// CondCardPresent holds when card-reading terminals are used: an SAQ that
	// implies them, or a physical system inside the CDE.
	CondCardPresent Condition = "card-present"
	// CondPCI holds when PCI DSS is in scope. It marks controls whose
	// substance is card-data specific even though they also count towards
	// ISO 27001 once they exist; without PCI DSS they would be over-building.
	CondPCI Condition = "pci-dss"
	// CondServiceProvider holds when the PCI DSS entity is a service provider.
	CondServiceProvider Condition = "service-provider"
	// CondMultiTenant holds for PCI service providers, which are assumed to
	// host several customers until the spec can say otherwise.
	CondMultiTenant Condition = "multi-tenant-provider"
	// CondIssuer, CondEarlyTLSPOI and CondDesignatedEntity are facts the spec
	// cannot yet express (card issuing, terminals on SSL/early TLS, DESV
	// designation by a brand or acquirer); they never hold.
	CondIssuer           Condition = "issuer"
	CondEarlyTLSPOI      Condition = "early-tls-poi"
	CondDesignatedEntity Condition = "designated-entity"
)

// Conditions lists every condition the catalog may use.
var Conditions = []Condition{CondPhysicalSite, CondCardPresent, CondPCI, CondServiceProvider, CondMultiTenant, CondIssuer, CondEarlyTLSPOI, CondDesignatedEntity}

// cardPresentSAQs are the questionnaires whose eligibility implies payment
// terminals at a point of sale.
var cardPresentSAQs = []compliance.SAQType{compliance.SAQB, compliance.SAQBIP, compliance.SAQC, compliance.SAQP2PE, compliance.SAQSPoC}

// Scope is what applicability needs to know about an engagement: the
// frameworks with their options, and facts derived from the systems in scope.
type Scope struct {
	Frameworks   []compliance.Framework
	PhysicalSite bool
	CardPresent  bool
	// RisksFor maps an Annex A control to the IDs of the register's risks
	// that rely on it; it justifies the Statement of Applicability's lines.
	RisksFor map[string][]string
	// NotApplicable holds the controls the spec's tailoring marks not
	// applicable, with their justifications; Inherited the controls a
	// vendor performs (tailoring.go).
	NotApplicable map[string]string
	Inherited     map[string]Inheritance
}

// Inheritance is a control performed by a vendor of the spec.
type Inheritance struct {
	Vendor        string `json:"vendor"`
	Justification string `json:"justification"`
}

// ScopeOf derives a Scope from a parsed spec.
func ScopeOf(s *compliance.Spec) Scope {
	sc := Scope{Frameworks: slices.Clone(s.Frameworks)}
	for _, r := range s.Risks {
		for _, c := range r.Controls {
			if sc.RisksFor == nil {
				sc.RisksFor = map[string][]string{}
			}
			if !slices.Contains(sc.RisksFor[c], r.ID) {
				sc.RisksFor[c] = append(sc.RisksFor[c], r.ID)
			}
		}
	}
	for _, sys := range s.Systems {
		if !sys.InScope() || sys.Kind != compliance.KindPhysical {
			continue
		}
		sc.PhysicalSite = true
		if sys.CDE {
			sc.CardPresent = true
		}
	}
	if p := sc.Framework(compliance.PCIDSS); p != nil && slices.Contains(cardPresentSAQs, p.SAQ) && p.Assessment == compliance.SAQ {
		sc.CardPresent = true
	}
	// Filling maps by key: the result does not depend on the range order.
	//workflowcheck:ignore
	for id, t := range s.Tailoring.Controls {
		switch {
		case t.NotApplicable:
			if sc.NotApplicable == nil {
				sc.NotApplicable = map[string]string{}
			}
			sc.NotApplicable[id] = t.Justification
		case t.InheritedFrom != "":
			if sc.Inherited == nil {
				sc.Inherited = map[string]Inheritance{}
			}
			sc.Inherited[id] = Inheritance{Vendor: t.InheritedFrom, Justification: t.Justification}
		}
	}
	return sc
}

// Framework returns the scope's entry for id, or nil.
func (sc Scope) Framework(id compliance.FrameworkID) *compliance.Framework {
	for i := range sc.Frameworks {
		if sc.Frameworks[i].ID == id {
			return &sc.Frameworks[i]
		}
	}
	return nil
}

// FrameworkIDs lists the scope's frameworks in display order.
func (sc Scope) FrameworkIDs() []compliance.FrameworkID {
	var out []compliance.FrameworkID
	for _, id := range compliance.FrameworkIDs {
		if sc.Framework(id) != nil {
			out = append(out, id)
		}
	}
	return out
}

// Holds reports whether the condition holds for the scope and, when it does
// not, says why in words. The empty condition always holds.
func (c Condition) Holds(sc Scope) (bool, string) {
	pci := sc.Framework(compliance.PCIDSS)
	sp := pci != nil && pci.Entity == compliance.ServiceProvider
	switch c {
	case "":
		return true, ""
	case CondPhysicalSite:
		if sc.PhysicalSite {
			return true, ""
		}
		return false, "no office or facility is in scope; physical security of hosting is relied on from the cloud provider's assurance (A.5.23)"
	case CondCardPresent:
		if sc.CardPresent {
			return true, ""
		}
		return false, "no card-reading terminals: neither the SAQ type nor an in-scope physical CDE system implies a point of sale"
	case CondPCI:
		if pci != nil {
			return true, ""
		}
		return false, "a card-data control; PCI DSS is not in scope"
	case CondServiceProvider:
		if sp {
			return true, ""
		}
		return false, "applies to service providers only; the PCI entity is not a service provider"
	case CondMultiTenant:
		if sp {
			return true, ""
		}
		return false, "applies to multi-tenant service providers only"
	case CondIssuer:
		return false, "applies to card issuers and their processors; the spec declares no issuing"
	case CondEarlyTLSPOI:
		return false, "applies only to POS terminals still on SSL/early TLS; the spec declares none"
	case CondDesignatedEntity:
		return false, "applies only to entities designated for supplemental validation by a brand or acquirer"
	}
	return false, fmt.Sprintf("unknown condition %q", string(c))
}
