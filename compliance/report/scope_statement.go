package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
)

// ScopeStatement is what the report covers, worded for a customer's
// security team: it is generated from the engagement's spec and recorded
// certifications, never typed, so it cannot claim more than the records.
type ScopeStatement struct {
	Client     string              `json:"client"`
	Frameworks []FrameworkCoverage `json:"frameworks"`
	InScope    []ScopedSystem      `json:"systems_in_scope"`
	Excluded   []ExcludedSystem    `json:"exclusions"`
	// AnnexAExcluded are ISO 27001 Annex A controls left out of the
	// Statement of Applicability, with the client's justification.
	AnnexAExcluded []compliance.AnnexAExclusion   `json:"annex_a_exclusions,omitempty"`
	Subservice     []SubserviceOrg                `json:"subservice_organisations,omitempty"`
	CUECs          []compliance.UserEntityControl `json:"customer_controls,omitempty"`
}

// FrameworkCoverage is one framework the report or certificate covers.
type FrameworkCoverage struct {
	Framework compliance.FrameworkID `json:"framework"`
	Version   string                 `json:"version,omitempty"`
	// What is the kind of report in words ("SOC 2 Type II report").
	What string `json:"what"`
	// Period is the period tested (SOC 2 Type II), from the recorded
	// report when there is one, else the planned window.
	Period     compliance.Span `json:"period,omitzero"`
	PeriodFrom string          `json:"period_from,omitempty"`
	Categories []string        `json:"categories,omitempty"`
	Issued     compliance.Date `json:"issued,omitzero"`
}

// ScopedSystem is a system the report covers.
type ScopedSystem struct {
	Name        string   `json:"name"`
	Kind        string   `json:"kind"`
	Environment string   `json:"environment"`
	Data        []string `json:"data"`
}

// ExcludedSystem is a system left out, why, and what that means for a
// customer's data.
type ExcludedSystem struct {
	Name      string   `json:"name"`
	Kind      string   `json:"kind"`
	Data      []string `json:"data"`
	Rationale string   `json:"rationale"`
	Meaning   string   `json:"meaning"`
}

// SubserviceOrg is a third party the client's service relies on, and how
// the report treats it.
type SubserviceOrg struct {
	Name      string   `json:"name"`
	Service   string   `json:"service"`
	Treatment string   `json:"treatment"`
	Meaning   string   `json:"meaning"`
	Systems   []string `json:"systems,omitempty"`
	// Relied are the controls the client expects of it (CSOCs).
	Relied []string `json:"relied_on,omitempty"`
}

var frameworkNames = map[compliance.FrameworkID]string{
	compliance.SOC2: "SOC 2", compliance.ISO27001: "ISO/IEC 27001", compliance.PCIDSS: "PCI DSS",
}

// BuildScopeStatement builds the statement from the spec and the
// certifications recorded so far (none before the audit).
func BuildScopeStatement(spec *compliance.Spec, certs []postcert.Certification) ScopeStatement {
	st := ScopeStatement{Client: spec.Client.Name}
	for _, f := range spec.Frameworks {
		st.Frameworks = append(st.Frameworks, coverage(f, certs))
	}
	for _, s := range spec.Systems {
		data := dataWords(s.Data)
		if s.InScope() {
			st.InScope = append(st.InScope, ScopedSystem{Name: s.Name, Kind: string(s.Kind), Environment: string(s.Environment), Data: data})
			continue
		}
		// A backup or recovery copy carries the data of what it copies,
		// whatever its own data says.
		held := slices.Clone(s.Data)
		for _, c := range s.CopiesOf {
			if src := spec.System(c); src != nil {
				for _, d := range src.Data {
					if !slices.Contains(held, d) {
						held = append(held, d)
					}
				}
			}
		}
		held = slices.DeleteFunc(held, func(d compliance.DataClass) bool { return d == compliance.DataNone && len(held) > 1 })
		s.Data = held
		meaning := exclusionMeaning(s)
		if len(s.CopiesOf) > 0 {
			meaning = fmt.Sprintf("It holds copies of %s. ", strings.Join(s.CopiesOf, ", ")) + meaning
		}
		st.Excluded = append(st.Excluded, ExcludedSystem{Name: s.Name, Kind: string(s.Kind), Data: dataWords(held),
			Rationale: strings.TrimSpace(s.Rationale), Meaning: meaning})
	}
	for _, f := range spec.Frameworks {
		st.AnnexAExcluded = append(st.AnnexAExcluded, f.Exclusions...)
	}
	for _, v := range spec.Vendors {
		if v.Kind != compliance.VendorSubservice {
			continue
		}
		o := SubserviceOrg{Name: v.Name, Service: v.Service, Treatment: string(v.Treatment), Systems: v.Systems}
		switch v.Treatment {
		case compliance.Inclusive:
			o.Meaning = "Included: the auditor tested the controls this organisation operates for the service, as part of this report."
		default:
			o.Treatment = string(compliance.CarveOut)
			o.Meaning = "Carved out: this report does not test the controls this organisation operates; read its own report alongside this one."
		}
		for _, c := range v.CSOCs {
			o.Relied = append(o.Relied, strings.TrimSpace(c.Description))
		}
		st.Subservice = append(st.Subservice, o)
	}
	st.CUECs = spec.CUECs()
	return st
}

func coverage(f compliance.Framework, certs []postcert.Certification) FrameworkCoverage {
	c := FrameworkCoverage{Framework: f.ID, Version: f.Version, What: frameworkNames[f.ID]}
	var cert *postcert.Certification
	for i := range certs {
		if certs[i].Framework == f.ID && (cert == nil || cert.Date.Before(certs[i].Date)) {
			cert = &certs[i]
		}
	}
	if cert != nil {
		c.Issued = cert.Date
	}
	switch f.ID {
	case compliance.SOC2:
		if f.Report == compliance.Type1 {
			c.What += " Type I report (the design of the controls at one date)"
		} else {
			c.What += " Type II report (the design and the operation of the controls over a period)"
		}
		for _, cat := range f.Categories {
			c.Categories = append(c.Categories, string(cat))
		}
		switch {
		case cert != nil && !cert.ReportPeriod.Start.IsZero():
			c.Period, c.PeriodFrom = cert.ReportPeriod, "the issued report"
		case f.Window != nil:
			c.Period, c.PeriodFrom = compliance.Span{Start: f.Window.Start, End: f.Window.End}, "the planned observation window"
		}
	case compliance.ISO27001:
		c.What += " certification of the information security management system"
	case compliance.PCIDSS:
		who := "a merchant"
		if f.Entity == compliance.ServiceProvider {
			who = "a service provider"
		}
		how := "a Report on Compliance by a qualified assessor"
		if f.Assessment == compliance.SAQ {
			how = "a self-assessment questionnaire"
			if f.SAQ != "" {
				how += " (SAQ " + string(f.SAQ) + ")"
			}
		}
		c.What += fmt.Sprintf(" assessment as %s, by %s", who, how)
	}
	return c
}

func dataWords(ds []compliance.DataClass) []string {
	var out []string
	for _, d := range ds {
		if d != compliance.DataNone {
			out = append(out, string(d))
		}
	}
	return out
}

// exclusionMeaning says what leaving a system out means for a customer.
func exclusionMeaning(s compliance.System) string {
	var sensitive []string
	for _, d := range s.Data {
		if d.Sensitive() {
			sensitive = append(sensitive, string(d))
		}
	}
	switch {
	case len(sensitive) > 0:
		return fmt.Sprintf("It holds %s. The report does not test the controls protecting that data in this system: ask how it is protected.",
			strings.Join(sensitive, " and "))
	case slices.Contains(s.Data, compliance.DataSecrets):
		return "It holds credentials or keys but no customer data. The report does not test it; ask how its secrets are kept from the systems in scope."
	case s.Environment == compliance.EnvProduction:
		return "It runs in production but holds no customer data. The report does not test it."
	}
	return "It holds no customer data. Leaving it out does not narrow what the report says about your data."
}
