package compliance

import (
	"fmt"
	"slices"
	"strings"
)

// Scope-risk rules over the system graph: what an excluded system can do to
// the systems that are in scope, found by following connections from either
// side.
const (
	RulePCIReachableExcluded  = "pci-reachable-out-of-scope"
	RuleExcludedAccessControl = "excluded-access-control"
	RuleExcludedChangeTooling = "excluded-change-tooling"
	RuleExcludedDetection     = "excluded-logging-monitoring"
	RuleExcludedEndpoints     = "excluded-endpoints"
	RuleExcludedEmployeeData  = "excluded-employee-data"
	RuleBackupsOutOfScope     = "backups-out-of-scope"
)

func pciConnectedOutOfScope(s *Spec, _ Plan) []ScopeRisk {
	if !s.HasFramework(PCIDSS) {
		return nil
	}
	g := NewGraph(s)
	var out []ScopeRisk
	direct := map[string]bool{}
	for _, sys := range s.Systems {
		if !sys.CDE {
			continue
		}
		for _, name := range g.Neighbours(sys.Name) {
			peer := s.System(name)
			if peer.InScope() {
				continue
			}
			direct[peer.Name] = true
			out = append(out, ScopeRisk{
				Rule: RulePCIConnectedExcluded, Severity: SeverityHigh, Systems: []string{sys.Name, peer.Name},
				Message: fmt.Sprintf("%s connects to the CDE system %s but is excluded; connected-to systems are in PCI DSS scope unless segmentation is tested — bring it into scope or evidence the segmentation", peer.Name, sys.Name),
			})
		}
	}
	// A path through in-scope systems reaches the CDE too: the excluded
	// system is one hop from a connected-to system, and whether it can
	// affect the CDE's security is what the assessor asks.
	indirect := map[string]bool{}
	for _, sys := range s.Systems {
		if !sys.CDE {
			continue
		}
		for _, r := range g.Reach(sys.Name) {
			if r.System.InScope() || len(r.Path) < 3 || direct[r.System.Name] || indirect[r.System.Name] {
				continue
			}
			indirect[r.System.Name] = true
			out = append(out, ScopeRisk{
				Rule: RulePCIReachableExcluded, Severity: SeverityMedium, Systems: slices.Clone(r.Path),
				Message: fmt.Sprintf("%s is excluded but reaches the CDE system %s through %s; show that it cannot affect the CDE's security (segmentation, one-way flows) or bring it into scope",
					r.System.Name, sys.Name, strings.Join(r.Path[1:len(r.Path)-1], " → ")),
			})
		}
	}
	return out
}

// excludedReaching finds, for each excluded system of the given kinds, the
// nearest in-scope system that match accepts, over the graph.
func excludedReaching(s *Spec, kinds []SystemKind, match func(System) bool, each func(sys System, r Reached)) {
	g := NewGraph(s)
	for _, sys := range s.Systems {
		if sys.InScope() || !slices.Contains(kinds, sys.Kind) {
			continue
		}
		if r, ok := g.FirstInScope(sys.Name, match); ok {
			each(sys, r)
		}
	}
}

func anySystem(System) bool { return true }

func viaPath(r Reached) string {
	if len(r.Path) <= 2 {
		return ""
	}
	return " (through " + strings.Join(r.Path[1:len(r.Path)-1], " → ") + ")"
}

func excludedAccessControl(s *Spec, _ Plan) []ScopeRisk {
	var out []ScopeRisk
	excludedReaching(s, []SystemKind{KindIdentity, KindDirectory}, anySystem, func(sys System, r Reached) {
		out = append(out, ScopeRisk{
			Rule: RuleExcludedAccessControl, Severity: SeverityHigh, Systems: []string{sys.Name, r.System.Name},
			Message: fmt.Sprintf("%s enforces sign-in for the in-scope system %s%s but is excluded; whoever administers it controls access to what is in scope, so the auditor tests its MFA, admin access and reviews — bring it into scope", sys.Name, r.System.Name, viaPath(r)),
		})
	})
	return out
}

func excludedChangeTooling(s *Spec, _ Plan) []ScopeRisk {
	var out []ScopeRisk
	production := func(x System) bool { return x.Environment == EnvProduction }
	excludedReaching(s, []SystemKind{KindCodeRepository, KindCICD}, production, func(sys System, r Reached) {
		out = append(out, ScopeRisk{
			Rule: RuleExcludedChangeTooling, Severity: SeverityHigh, Systems: []string{sys.Name, r.System.Name},
			Message: fmt.Sprintf("%s can change the in-scope production system %s%s but is excluded; change-management controls (review, approval, who can deploy) are tested on it — bring it into scope or show it cannot reach production", sys.Name, r.System.Name, viaPath(r)),
		})
	})
	return out
}

func excludedDetection(s *Spec, _ Plan) []ScopeRisk {
	if !slices.Contains(RequiredAreas(s), DomainLogging) {
		return nil
	}
	var out []ScopeRisk
	excludedReaching(s, []SystemKind{KindLogging, KindMonitoring}, anySystem, func(sys System, r Reached) {
		out = append(out, ScopeRisk{
			Rule: RuleExcludedDetection, Severity: SeverityMedium, Systems: []string{sys.Name, r.System.Name},
			Message: fmt.Sprintf("%s collects logs or alerts from the in-scope system %s%s but is excluded; the in-scope logging and monitoring controls rely on it, and the auditor samples its alerts and retention — bring it into scope", sys.Name, r.System.Name, viaPath(r)),
		})
	})
	return out
}

func excludedEndpoints(s *Spec, _ Plan) []ScopeRisk {
	if !slices.Contains(RequiredAreas(s), DomainAsset) {
		return nil
	}
	g := NewGraph(s)
	var out []ScopeRisk
	for _, sys := range s.Systems {
		if sys.InScope() || (sys.Kind != KindEndpoint && sys.Kind != KindMDM) {
			continue
		}
		involved := []string{sys.Name}
		var why string
		if r, ok := g.FirstInScope(sys.Name, anySystem); ok {
			involved = append(involved, r.System.Name)
			why = "reaches the in-scope system " + r.System.Name + viaPath(r)
		} else if held := heldData(sys); len(held) > 0 {
			why = "holds " + strings.Join(held, " and ")
		} else {
			continue // a fleet with no data and no path in is a fair exclusion
		}
		out = append(out, ScopeRisk{
			Rule: RuleExcludedEndpoints, Severity: SeverityMedium, Systems: involved,
			Message: fmt.Sprintf("%s (%s) %s but is excluded while endpoint controls (disk encryption, patching, malware protection) are in scope; the auditor samples devices — bring the fleet and its device management into scope", sys.Name, sys.Kind, why),
		})
	}
	return out
}

// heldData lists the classes a system holds other than none.
func heldData(sys System) []string {
	var out []string
	for _, d := range sys.Data {
		if d != DataNone {
			out = append(out, string(d))
		}
	}
	return out
}

// excludedEmployeeData: employee data is what joiner, leaver, screening and
// training controls are evidenced from, so it is sensitive for them even
// though a customer's questionnaire rarely asks about it.
func excludedEmployeeData(s *Spec, _ Plan) []ScopeRisk {
	if !slices.Contains(RequiredAreas(s), DomainPeople) {
		return nil
	}
	var out []ScopeRisk
	for _, sys := range s.Systems {
		if sys.InScope() || !(sys.Holds(DataEmployee) || sys.Kind == KindHR) {
			continue
		}
		out = append(out, ScopeRisk{
			Rule: RuleExcludedEmployeeData, Severity: SeverityMedium, Systems: []string{sys.Name},
			Message: fmt.Sprintf("%s holds employee data but is excluded while people controls (joiners, leavers, background checks, training) are in scope; their evidence — start and leave dates, screening, training records — comes from it, so bring it into scope or name the in-scope system those records come from", sys.Name),
		})
	}
	return out
}

func backupsOutOfScope(s *Spec, _ Plan) []ScopeRisk {
	var out []ScopeRisk
	for _, sys := range s.Systems {
		if sys.InScope() {
			continue
		}
		involved := []string{sys.Name}
		var classes []string
		sev := SeverityMedium
		for _, name := range sys.CopiesOf {
			src := s.System(name)
			if src == nil || !src.InScope() || len(heldData(*src)) == 0 {
				continue
			}
			involved = append(involved, src.Name)
			for _, d := range heldData(*src) {
				if !slices.Contains(classes, d) {
					classes = append(classes, d)
				}
				if DataClass(d) == DataCustomer || DataClass(d) == DataCardholder {
					sev = SeverityHigh
				}
			}
		}
		if len(involved) == 1 {
			continue
		}
		out = append(out, ScopeRisk{
			Rule: RuleBackupsOutOfScope, Severity: sev, Systems: involved,
			Message: fmt.Sprintf("%s holds backup or disaster-recovery copies of %s (%s) but is excluded; a copy carries the same data and the same obligations — bring it into scope with its access and encryption controls, or stop copying in-scope data there",
				sys.Name, strings.Join(involved[1:], ", "), strings.Join(classes, ", ")),
		})
	}
	return out
}
