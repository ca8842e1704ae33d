package compliance

import "strings"

// VendorKind says what a third party is to the client, which decides what a
// customer's security team asks about it.
type VendorKind string

const (
	// VendorSubservice runs part of the system the report describes (cloud
	// hosting, a managed database): a SOC 2 report carves it out or
	// includes it.
	VendorSubservice VendorKind = "subservice"
	// VendorSaaS is a supplier whose software the client uses (payroll,
	// CRM, ticketing).
	VendorSaaS VendorKind = "saas"
	// VendorContractor, VendorDevShop and VendorMSP are people outside the
	// client who may be given access to its systems.
	VendorContractor VendorKind = "contractor"
	VendorDevShop    VendorKind = "development-shop"
	VendorMSP        VendorKind = "msp"
)

var VendorKinds = []VendorKind{VendorSubservice, VendorSaaS, VendorContractor, VendorDevShop, VendorMSP}

// People reports whether the vendor's staff, rather than its software, are
// what reaches the client's systems.
func (k VendorKind) People() bool {
	return k == VendorContractor || k == VendorDevShop || k == VendorMSP
}

// Treatment is how a SOC 2 report presents a subservice organisation.
//
// Carve-out: the report describes what the subservice organisation does but
// its controls are not tested; the client monitors it (reads its own SOC 2
// report, follows up exceptions) and the report lists the controls the
// subservice organisation is expected to operate (CSOCs).
// Inclusive: its controls are described and tested as part of the client's
// report, which needs its agreement and its auditor's access.
type Treatment string

const (
	CarveOut  Treatment = "carve-out"
	Inclusive Treatment = "inclusive"
)

var Treatments = []Treatment{CarveOut, Inclusive}

// ReportType is the kind of assurance a vendor has given.
type ReportType string

const (
	ReportSOC2Type1 ReportType = "soc2-type1"
	ReportSOC2Type2 ReportType = "soc2-type2"
	ReportSOC1Type2 ReportType = "soc1-type2"
	ReportISO27001  ReportType = "iso27001"
	// ReportPCIAOC is a PCI DSS attestation of compliance, what requirement
	// 12.8 asks of third-party service providers.
	ReportPCIAOC ReportType = "pci-aoc"
)

var ReportTypes = []ReportType{ReportSOC2Type1, ReportSOC2Type2, ReportSOC1Type2, ReportISO27001, ReportPCIAOC}

// Periodic reports whether the report covers a period (a Type II); the
// others attest at a date and expire.
func (t ReportType) Periodic() bool { return t == ReportSOC2Type2 || t == ReportSOC1Type2 }

// Vendor is one third party the client relies on.
type Vendor struct {
	Name    string     `yaml:"name" json:"name"`
	Kind    VendorKind `yaml:"kind" json:"kind"`
	Service string     `yaml:"service" json:"service"`
	// Owner is the email of the person who manages the relationship.
	Owner string `yaml:"owner" json:"owner,omitempty"`
	// Systems are the client's systems the vendor runs or touches.
	Systems []string    `yaml:"systems" json:"systems,omitempty"`
	Data    []DataClass `yaml:"data" json:"data,omitempty"`
	// ProductionAccess says the vendor's people can sign in to or change
	// the systems it touches.
	ProductionAccess bool `yaml:"production_access" json:"production_access,omitempty"`
	// Treatment is how the client's SOC 2 report presents a subservice
	// organisation; only for kind subservice.
	Treatment Treatment `yaml:"treatment" json:"treatment,omitempty"`
	// Agreement records the subservice organisation's agreement to an
	// inclusive report (what was signed, when).
	Agreement string `yaml:"agreement" json:"agreement,omitempty"`
	// PCIServiceProvider marks a third-party service provider under PCI DSS
	// requirement 12.8 (it stores, processes or transmits card data for the
	// client, or can affect the CDE's security).
	PCIServiceProvider bool `yaml:"pci_service_provider" json:"pci_service_provider,omitempty"`
	// Reports are the reports and certificates on file, newest last.
	Reports []VendorReport `yaml:"reports" json:"reports,omitempty"`
	// BridgeLetter is the date a bridge (gap) letter was requested or
	// received: the vendor's statement that nothing material changed
	// between its report's period end and a later date.
	BridgeLetter *Date `yaml:"bridge_letter" json:"bridge_letter,omitempty"`
	// MonitoredBy lists the client's controls that monitor the vendor
	// (e.g. VND-04), by library control ID.
	MonitoredBy []string `yaml:"monitored_by" json:"monitored_by,omitempty"`
	// CSOCs are the complementary subservice organisation controls: what
	// the client relies on the vendor to operate, mapped to its controls.
	CSOCs []CSOC `yaml:"csocs" json:"csocs,omitempty"`
}

// VendorReport is one report or certificate a vendor has given the client.
type VendorReport struct {
	Type ReportType `yaml:"type" json:"type"`
	// Period is the period a Type II report covers.
	Period *ObservationWindow `yaml:"period" json:"period,omitempty"`
	Issued Date               `yaml:"issued" json:"issued"`
	// Expires is when a certificate or attestation stops being valid.
	Expires *Date `yaml:"expires" json:"expires,omitempty"`
	// Exceptions summarises the exceptions or nonconformities the report
	// notes; empty when it notes none.
	Exceptions string `yaml:"exceptions" json:"exceptions,omitempty"`
}

// CSOC is one complementary subservice organisation control.
type CSOC struct {
	Description string `yaml:"description" json:"description"`
	// Supports names the client's controls that rely on it.
	Supports []string `yaml:"supports" json:"supports"`
}

// UserEntityControl is a complementary user-entity control (CUEC): something
// the client's customers must do for the client's controls to achieve their
// aims, published in the system description.
type UserEntityControl struct {
	ID          string `yaml:"id" json:"id"`
	Description string `yaml:"description" json:"description"`
	// Supports names the client's controls that rely on it.
	Supports []string `yaml:"supports" json:"supports"`
}

// Vendor returns the vendor with the given name, or nil.
func (s *Spec) Vendor(name string) *Vendor {
	for i := range s.Vendors {
		if s.Vendors[i].Name == name {
			return &s.Vendors[i]
		}
	}
	return nil
}

// Holds reports whether the vendor touches data of class c.
func (v Vendor) Holds(c DataClass) bool {
	for _, d := range v.Data {
		if d == c {
			return true
		}
	}
	return false
}

// Latest returns the report of the given types issued last, or nil.
func (v Vendor) Latest(types ...ReportType) *VendorReport {
	var best *VendorReport
	for i := range v.Reports {
		r := &v.Reports[i]
		ok := len(types) == 0
		for _, t := range types {
			ok = ok || r.Type == t
		}
		if ok && (best == nil || best.Issued.Before(r.Issued)) {
			best = r
		}
	}
	return best
}

// ReliedOn reports whether the client relies on the vendor's own controls,
// so that a report must be on file: a subservice organisation, a PCI service
// provider, or a vendor touching sensitive data.
func (v Vendor) ReliedOn() bool {
	if v.Kind == VendorSubservice || v.PCIServiceProvider {
		return true
	}
	for _, d := range v.Data {
		if d.Sensitive() || d == DataEmployee || d == DataSecrets {
			return true
		}
	}
	return false
}

// CUECs lists the controls the client's customers must operate, in spec
// order, for the system description.
func (s *Spec) CUECs() []UserEntityControl {
	out := make([]UserEntityControl, 0, len(s.UserEntityControls))
	for _, u := range s.UserEntityControls {
		u.Description = strings.TrimSpace(u.Description)
		u.Supports = append([]string(nil), u.Supports...)
		out = append(out, u)
	}
	return out
}
