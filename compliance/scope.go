package compliance

import (
	"fmt"
	"sort"
	"strings"
)

// Severity ranks a scope risk by how likely it is to stop a deal or qualify a
// report if nobody acts on it.
type Severity string

const (
	SeverityHigh   Severity = "high"
	SeverityMedium Severity = "medium"
	SeverityLow    Severity = "low"
)

func (s Severity) rank() int {
	switch s {
	case SeverityHigh:
		return 0
	case SeverityMedium:
		return 1
	}
	return 2
}

// Scope-risk rule identifiers, stable so findings can be stored and compared
// across revisions of a spec.
const (
	RuleExcludedSensitiveData = "excluded-sensitive-data"
	RuleExcludedCoreSystem    = "excluded-core-system"
	RulePCIOutsideCDE         = "pci-cardholder-outside-cde"
	RulePCIConnectedExcluded  = "pci-connected-out-of-scope"
	RuleWindowTooShort        = "type2-window-too-short"
	RuleAnnualInShortWindow   = "annual-controls-short-window"
	RulePlanDoesNotFit        = "audit-date-too-close"
	RuleNoOwner               = "control-area-without-owner"
	// RuleTailoredUncovered: the spec's tailoring (not-applicable controls)
	// left a requirement of a selected framework with no applicable
	// control. Raised by catalog.AssessScope, which knows the library.
	RuleTailoredUncovered = "tailoring-leaves-requirement-uncovered"
)

// ScopeRisk is one thing a customer's security team or the auditor will ask
// about, with a sentence the lead can act on. Systems names the systems
// involved; a risk about a vendor or a risk-register entry names it first as
// "vendor:NAME" or "risk:ID" (see PartyRef), so that every finding of one
// rule has its own Systems key.
type ScopeRisk struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Systems  []string `json:"systems,omitempty"`
	Message  string   `json:"message"`
}

// ScopeRules are the rules applied to every spec, in order.
var ScopeRules = []func(*Spec, Plan) []ScopeRisk{
	excludedSensitiveData,
	excludedCoreSystems,
	pciCardholderOutsideCDE,
	pciConnectedOutOfScope,
	excludedAccessControl,
	excludedChangeTooling,
	excludedDetection,
	excludedEndpoints,
	excludedEmployeeData,
	backupsOutOfScope,
	thirdPartyAccess,
	carveOutUnmonitored,
	inclusiveWithoutAgreement,
	vendorReports,
	pciServiceProviderAOC,
	annexAExcludedButNeeded,
	windowLength,
	planFits,
	unownedAreas,
}

// AssessScope runs every scope rule and returns the findings, highest
// severity first, then by rule and systems so the order is stable.
func AssessScope(s *Spec, p Plan) []ScopeRisk {
	var out []ScopeRisk
	for _, rule := range ScopeRules {
		out = append(out, rule(s, p)...)
	}
	SortScopeRisks(out)
	return out
}

// SortScopeRisks orders risks highest severity first, keeping the rules'
// order within a severity.
func SortScopeRisks(out []ScopeRisk) {
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].Severity.rank() < out[j].Severity.rank()
	})
}

func excludedSensitiveData(s *Spec, _ Plan) []ScopeRisk {
	var out []ScopeRisk
	for _, sys := range s.Systems {
		if sys.InScope() {
			continue
		}
		var classes []string
		sev := SeverityMedium
		for _, d := range sys.Data {
			if d.Sensitive() {
				classes = append(classes, string(d))
				if d != DataPersonal {
					sev = SeverityHigh
				}
			}
		}
		if len(classes) == 0 {
			continue
		}
		out = append(out, ScopeRisk{
			Rule: RuleExcludedSensitiveData, Severity: sev, Systems: []string{sys.Name},
			Message: fmt.Sprintf("%s holds %s but is excluded; customers will ask why — bring it into scope or document compensating controls and the data flows that keep it out",
				sys.Name, strings.Join(classes, " and ")),
		})
	}
	return out
}

func excludedCoreSystems(s *Spec, _ Plan) []ScopeRisk {
	var out []ScopeRisk
	for _, sys := range s.Systems {
		if sys.InScope() {
			continue
		}
		var what string
		switch {
		case sys.Kind == KindDatabase && sys.Environment == EnvProduction:
			what = "a production database"
		case sys.Kind == KindCloudInfra && sys.Environment == EnvProduction:
			what = "production cloud infrastructure"
		case sys.Kind == KindIntegration:
			what = "a third-party integration"
		default:
			continue
		}
		out = append(out, ScopeRisk{
			Rule: RuleExcludedCoreSystem, Severity: SeverityHigh, Systems: []string{sys.Name},
			Message: fmt.Sprintf("%s is %s and is excluded; the report will not cover it and customers' questionnaires will — include it or get the exclusion agreed with the auditor in writing", sys.Name, what),
		})
	}
	return out
}

func pciCardholderOutsideCDE(s *Spec, _ Plan) []ScopeRisk {
	if !s.HasFramework(PCIDSS) {
		return nil
	}
	var out []ScopeRisk
	for _, sys := range s.Systems {
		touches := sys.Holds(DataCardholder) || len(sys.CardholderFlow) > 0
		if !touches || (sys.CDE && sys.InScope()) {
			continue
		}
		out = append(out, ScopeRisk{
			Rule: RulePCIOutsideCDE, Severity: SeverityHigh, Systems: []string{sys.Name},
			Message: fmt.Sprintf("%s stores, processes or transmits cardholder data but is outside the CDE; any system that touches card data is in PCI DSS scope — add it to the CDE or remove the card data from it", sys.Name),
		})
	}
	return out
}

func windowLength(s *Spec, _ Plan) []ScopeRisk {
	f := s.Framework(SOC2)
	if f == nil || f.Report != Type2 || f.Window == nil {
		return nil
	}
	months := Span{f.Window.Start, f.Window.End}.Months()
	if months < MinTypeIIWindowMonth {
		return []ScopeRisk{{
			Rule: RuleWindowTooShort, Severity: SeverityHigh,
			Message: fmt.Sprintf("the Type II window is %d month(s); auditors and customers expect at least %d — lengthen it or plan a Type I first", months, MinTypeIIWindowMonth),
		}}
	}
	if months < 12 {
		return []ScopeRisk{{
			Rule: RuleAnnualInShortWindow, Severity: SeverityMedium,
			Message: fmt.Sprintf("the Type II window is %d months, so annual controls (risk assessment, penetration test, policy review, BCP test) occur at most once in it — schedule each inside the window or the auditor finds no occurrence to sample", months),
		}}
	}
	return nil
}

func planFits(_ *Spec, p Plan) []ScopeRisk {
	if p.Fits {
		return nil
	}
	return []ScopeRisk{{
		Rule: RulePlanDoesNotFit, Severity: SeverityHigh,
		Message: "the audit date is too close for the phase plan: " + strings.Join(p.Problems, "; "),
	}}
}

// RequiredAreas lists the control areas the spec's frameworks and systems
// need an owner for.
func RequiredAreas(s *Spec) []Domain {
	privacy := s.HasFramework(ISO27001)
	if f := s.Framework(SOC2); f != nil {
		for _, c := range f.Categories {
			privacy = privacy || c == CategoryPrivacy
		}
	}
	for _, sys := range s.Systems {
		privacy = privacy || (sys.InScope() && sys.Holds(DataPersonal))
	}
	var out []Domain
	for _, d := range Domains {
		switch {
		case d == DomainCardholder && !s.HasFramework(PCIDSS):
		case d == DomainPrivacy && !privacy:
		default:
			out = append(out, d)
		}
	}
	return out
}

func unownedAreas(s *Spec, _ Plan) []ScopeRisk {
	owned := map[Domain]bool{}
	for _, p := range s.People {
		for _, d := range p.Owns {
			owned[d] = true
		}
	}
	var missing []string
	for _, d := range RequiredAreas(s) {
		if !owned[d] {
			missing = append(missing, string(d))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return []ScopeRisk{{
		Rule: RuleNoOwner, Severity: SeverityMedium,
		Message: fmt.Sprintf("no one owns %s; controls there will have no one to assess or evidence them — name a control owner for each in the spec", strings.Join(missing, ", ")),
	}}
}
