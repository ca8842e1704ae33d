package compliance

import (
	"fmt"
	"slices"
	"strings"
)

// Scope-risk rules about third parties and the ISO 27001 risk register.
const (
	RuleThirdPartyAccess       = "third-party-production-access"
	RuleCarveOutUnmonitored    = "carve-out-unmonitored"
	RuleInclusiveNoAgreement   = "inclusive-without-agreement"
	RuleVendorReportMissing    = "vendor-report-missing"
	RuleVendorReportExpired    = "vendor-report-expired"
	RuleVendorBridgeLetter     = "vendor-report-gap-no-bridge-letter"
	RulePCIProviderWithoutAOC  = "pci-tpsp-without-aoc"
	RuleAnnexAExcludedButNeeds = "annex-a-excluded-but-needed"
)

// ReportCurrencyMonths is how long after its period ends a Type II report is
// accepted as current: customers and auditors expect a new one yearly.
const ReportCurrencyMonths = 12

// PartyRef names a vendor or a register entry among a risk's Systems.
func PartyRef(kind, name string) string { return kind + ":" + name }

func vendorSystems(v Vendor, keep func(System) bool, s *Spec) []string {
	out := []string{PartyRef("vendor", v.Name)}
	for _, name := range v.Systems {
		if sys := s.System(name); sys != nil && keep(*sys) {
			out = append(out, name)
		}
	}
	return out
}

func anyOf(System) bool { return true }

// thirdPartyAccess: people outside the client who can sign in to production
// are part of its control environment unless a vendor control covers them.
func thirdPartyAccess(s *Spec, _ Plan) []ScopeRisk {
	var out []ScopeRisk
	prod := func(x System) bool { return x.InScope() && x.Environment == EnvProduction }
	for _, v := range s.Vendors {
		if !v.Kind.People() || !v.ProductionAccess || len(v.MonitoredBy) > 0 {
			continue
		}
		involved := vendorSystems(v, prod, s)
		if len(involved) == 1 {
			continue
		}
		out = append(out, ScopeRisk{
			Rule: RuleThirdPartyAccess, Severity: SeverityHigh, Systems: involved,
			Message: fmt.Sprintf("%s (%s) has access to in-scope production (%s) but no vendor control covers it; the auditor will ask how its people's access is granted, reviewed and removed — name the control that does (e.g. VND-03 contract terms with VND-04 monitoring) in monitored_by, or remove the access",
				v.Name, v.Kind, strings.Join(involved[1:], ", ")),
		})
	}
	return out
}

func carveOutUnmonitored(s *Spec, _ Plan) []ScopeRisk {
	var out []ScopeRisk
	for _, v := range s.Vendors {
		if v.Treatment != CarveOut || len(v.MonitoredBy) > 0 {
			continue
		}
		out = append(out, ScopeRisk{
			Rule: RuleCarveOutUnmonitored, Severity: SeverityHigh, Systems: vendorSystems(v, anyOf, s),
			Message: fmt.Sprintf("%s is carved out of the SOC 2 report but no control monitors it; with a carve-out the auditor tests how you oversee the subservice organisation instead — name that control (e.g. VND-04: obtain and review its report yearly) in monitored_by", v.Name),
		})
	}
	return out
}

func inclusiveWithoutAgreement(s *Spec, _ Plan) []ScopeRisk {
	var out []ScopeRisk
	for _, v := range s.Vendors {
		if v.Treatment != Inclusive || strings.TrimSpace(v.Agreement) != "" {
			continue
		}
		out = append(out, ScopeRisk{
			Rule: RuleInclusiveNoAgreement, Severity: SeverityHigh, Systems: vendorSystems(v, anyOf, s),
			Message: fmt.Sprintf("%s is treated as inclusive, so its controls are tested in your report, but no agreement is recorded; without its written agreement and its auditor's access the inclusive method cannot be used — record the agreement or switch to carve-out", v.Name),
		})
	}
	return out
}

// periodEnd is the end of the client's own period a vendor's assurance must
// reach: the SOC 2 Type II window, else the audit date.
func periodEnd(s *Spec) Date {
	if f := s.Framework(SOC2); f != nil && f.Report == Type2 && f.Window != nil {
		return f.Window.End
	}
	return s.AuditDate
}

// stale reports whether a report no longer counts at date d: a certificate
// past its expiry, or a Type II report whose period ended more than
// ReportCurrencyMonths before d.
func stale(r *VendorReport, d Date) bool {
	if r.Expires != nil {
		return r.Expires.Before(d)
	}
	if r.Period != nil {
		return Span{r.Period.End, d}.Months() > ReportCurrencyMonths
	}
	return false
}

// vendorReports raises a missing, expired, or not-bridged report for each
// vendor the client relies on.
func vendorReports(s *Spec, _ Plan) []ScopeRisk {
	var out []ScopeRisk
	end := periodEnd(s)
	for _, v := range s.Vendors {
		if !v.ReliedOn() {
			continue
		}
		sev := SeverityMedium
		if v.Kind == VendorSubservice || v.PCIServiceProvider {
			sev = SeverityHigh
		}
		latest := v.Latest()
		switch {
		case latest == nil:
			out = append(out, ScopeRisk{
				Rule: RuleVendorReportMissing, Severity: sev, Systems: vendorSystems(v, anyOf, s),
				Message: fmt.Sprintf("no report or certificate is on file for %s, which %s; the auditor and customers will ask what assurance you have — obtain its SOC 2 or ISO 27001 report and record it", v.Name, relianceOf(v)),
			})
		case stale(latest, s.AuditDate):
			out = append(out, ScopeRisk{
				Rule: RuleVendorReportExpired, Severity: sev, Systems: vendorSystems(v, anyOf, s),
				Message: fmt.Sprintf("the newest %s report on file for %s (issued %s) is out of date by the audit on %s; request the current one", latest.Type, v.Name, latest.Issued, s.AuditDate),
			})
		default:
			typeII := v.Latest(ReportSOC2Type2, ReportSOC1Type2)
			if typeII == nil || typeII.Period == nil || !typeII.Period.End.Before(end) || v.BridgeLetter != nil {
				continue
			}
			out = append(out, ScopeRisk{
				Rule: RuleVendorBridgeLetter, Severity: SeverityMedium, Systems: vendorSystems(v, anyOf, s),
				Message: fmt.Sprintf("%s's report covers up to %s but your period runs to %s, and no bridge letter is recorded; request one from %s stating nothing material changed in the gap, and record its date in bridge_letter", v.Name, typeII.Period.End, end, v.Name),
			})
		}
	}
	return out
}

func relianceOf(v Vendor) string {
	switch {
	case v.Kind == VendorSubservice:
		return "runs part of the system in scope"
	case v.PCIServiceProvider:
		return "is a PCI DSS service provider"
	}
	return "handles sensitive data"
}

// pciServiceProviderAOC: requirement 12.8 asks for each third-party service
// provider's PCI DSS compliance status, which in practice is its AOC.
func pciServiceProviderAOC(s *Spec, _ Plan) []ScopeRisk {
	if !s.HasFramework(PCIDSS) {
		return nil
	}
	var out []ScopeRisk
	for _, v := range s.Vendors {
		if !v.PCIServiceProvider {
			continue
		}
		what := "no attestation of compliance is on file"
		if aoc := v.Latest(ReportPCIAOC); aoc != nil {
			if !stale(aoc, s.AuditDate) {
				continue
			}
			what = fmt.Sprintf("its attestation of compliance (issued %s) is out of date by the assessment", aoc.Issued)
		}
		out = append(out, ScopeRisk{
			Rule: RulePCIProviderWithoutAOC, Severity: SeverityHigh, Systems: vendorSystems(v, anyOf, s),
			Message: fmt.Sprintf("%s is a PCI DSS third-party service provider but %s; requirement 12.8 asks you to monitor its PCI DSS status yearly — obtain its current AOC and record it under reports as pci-aoc", v.Name, what),
		})
	}
	return out
}

// annexAExcludedButNeeded: a Statement of Applicability that excludes a
// control the client's own risk register relies on contradicts itself.
func annexAExcludedButNeeded(s *Spec, _ Plan) []ScopeRisk {
	iso := s.Framework(ISO27001)
	if iso == nil || len(iso.Exclusions) == 0 {
		return nil
	}
	var out []ScopeRisk
	for _, r := range s.Risks {
		for _, c := range r.Controls {
			ex := iso.Excluded(c)
			if ex == nil || r.Treatment == TreatAccept {
				continue
			}
			out = append(out, ScopeRisk{
				Rule: RuleAnnexAExcludedButNeeds, Severity: SeverityHigh, Systems: []string{PartyRef("risk", r.ID), PartyRef("annex-a", c)},
				Message: fmt.Sprintf("risk %s (%s) is treated by %s, which the Statement of Applicability excludes (%q); an auditor reads that as a nonconformity — include %s or change the risk's treatment",
					r.ID, r.Title, c, ex.Justification, c),
			})
		}
	}
	return out
}

// VendorItem is one vendor as a lead reviews it: what it does, how it is
// treated, what is on file, and the scope risks it raises.
type VendorItem struct {
	Vendor Vendor        `json:"vendor"`
	Latest *VendorReport `json:"latest_report,omitempty"`
	Risks  []ScopeRisk   `json:"risks,omitempty"`
}

// VendorItems lists the spec's vendors with their scope risks, in spec order.
func VendorItems(s *Spec, risks []ScopeRisk) []VendorItem {
	out := make([]VendorItem, 0, len(s.Vendors))
	for _, v := range s.Vendors {
		it := VendorItem{Vendor: v, Latest: v.Latest()}
		ref := PartyRef("vendor", v.Name)
		for _, r := range risks {
			if slices.Contains(r.Systems, ref) {
				it.Risks = append(it.Risks, r)
			}
		}
		out = append(out, it)
	}
	return out
}
