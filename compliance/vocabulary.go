package compliance

import "strings"

// The spec's closed vocabularies. Each list is the single source of the values
// ParseSpec accepts, the values suggested in "did you mean" hints, and the
// values the rest of the domain switches on.

// FrameworkID identifies a framework: soc2, iso27001 or pci-dss.
type FrameworkID string

const (
	SOC2     FrameworkID = "soc2"
	ISO27001 FrameworkID = "iso27001"
	PCIDSS   FrameworkID = "pci-dss"
)

// FrameworkIDs lists every supported framework in display order.
var FrameworkIDs = []FrameworkID{SOC2, ISO27001, PCIDSS}

// SOC2Report is the SOC 2 report type.
type SOC2Report string

const (
	Type1 SOC2Report = "type1"
	Type2 SOC2Report = "type2"
)

var SOC2Reports = []SOC2Report{Type1, Type2}

// TSCCategory is a SOC 2 trust-services category. Security is always in.
type TSCCategory string

const (
	CategorySecurity            TSCCategory = "security"
	CategoryAvailability        TSCCategory = "availability"
	CategoryConfidentiality     TSCCategory = "confidentiality"
	CategoryProcessingIntegrity TSCCategory = "processing-integrity"
	CategoryPrivacy             TSCCategory = "privacy"
)

var TSCCategories = []TSCCategory{CategorySecurity, CategoryAvailability, CategoryConfidentiality, CategoryProcessingIntegrity, CategoryPrivacy}

// PCIEntity is the kind of PCI DSS entity being assessed.
type PCIEntity string

const (
	Merchant        PCIEntity = "merchant"
	ServiceProvider PCIEntity = "service-provider"
)

var PCIEntities = []PCIEntity{Merchant, ServiceProvider}

// PCIAssessment is how PCI DSS compliance is validated.
type PCIAssessment string

const (
	ROC PCIAssessment = "roc"
	SAQ PCIAssessment = "saq"
)

var PCIAssessments = []PCIAssessment{ROC, SAQ}

// SAQType names a PCI DSS v4.0.1 self-assessment questionnaire.
type SAQType string

const (
	SAQA    SAQType = "A"
	SAQAEP  SAQType = "A-EP"
	SAQB    SAQType = "B"
	SAQBIP  SAQType = "B-IP"
	SAQC    SAQType = "C"
	SAQCVT  SAQType = "C-VT"
	SAQP2PE SAQType = "P2PE"
	SAQSPoC SAQType = "SPoC"
	SAQDMer SAQType = "D-Merchant"
	SAQDSP  SAQType = "D-SP"
)

var SAQTypes = []SAQType{SAQA, SAQAEP, SAQB, SAQBIP, SAQC, SAQCVT, SAQP2PE, SAQSPoC, SAQDMer, SAQDSP}

// SystemKind is what kind of system a spec entry describes.
type SystemKind string

const (
	KindDatabase       SystemKind = "database"
	KindCloudInfra     SystemKind = "cloud-infrastructure"
	KindSaaS           SystemKind = "saas"
	KindIntegration    SystemKind = "integration"
	KindEndpoint       SystemKind = "endpoint"
	KindNetwork        SystemKind = "network"
	KindApplication    SystemKind = "application"
	KindIdentity       SystemKind = "identity-provider"
	KindCodeRepository SystemKind = "code-repository"
	KindLogging        SystemKind = "logging"
	KindPhysical       SystemKind = "physical"
	// KindDirectory is a user directory (LDAP, Active Directory) that other
	// systems authenticate against; it enforces access like an identity
	// provider.
	KindDirectory SystemKind = "directory"
	// KindCICD is a build, CI/CD or deployment tool: it can change what runs
	// in production.
	KindCICD SystemKind = "ci-cd"
	// KindMonitoring is a monitoring, alerting or SIEM platform; logging is
	// where logs are kept, monitoring is where someone is told.
	KindMonitoring SystemKind = "monitoring"
	// KindMDM manages endpoints (device management, EDR console).
	KindMDM SystemKind = "mdm"
	// KindBackup holds backups or disaster-recovery copies of other systems
	// (named in the system's copies_of).
	KindBackup SystemKind = "backup"
	// KindHR is a people system: HRIS, payroll, applicant tracking.
	KindHR SystemKind = "hr"
)

var SystemKinds = []SystemKind{KindDatabase, KindCloudInfra, KindSaaS, KindIntegration, KindEndpoint, KindNetwork, KindApplication, KindIdentity, KindCodeRepository, KindLogging, KindPhysical, KindDirectory, KindCICD, KindMonitoring, KindMDM, KindBackup, KindHR}

// Environment is where a system runs.
type Environment string

const (
	EnvProduction  Environment = "production"
	EnvStaging     Environment = "staging"
	EnvDevelopment Environment = "development"
	EnvCorporate   Environment = "corporate"
)

var Environments = []Environment{EnvProduction, EnvStaging, EnvDevelopment, EnvCorporate}

// DataClass is a class of data a system holds.
type DataClass string

const (
	DataCustomer   DataClass = "customer-data"
	DataCardholder DataClass = "cardholder-data"
	DataPersonal   DataClass = "personal-data"
	DataEmployee   DataClass = "employee-data"
	DataSecrets    DataClass = "secrets"
	DataNone       DataClass = "none"
)

var DataClasses = []DataClass{DataCustomer, DataCardholder, DataPersonal, DataEmployee, DataSecrets, DataNone}

// Sensitive reports whether the class is one a customer's security team will
// ask about when the system holding it is excluded.
func (c DataClass) Sensitive() bool {
	return c == DataCustomer || c == DataCardholder || c == DataPersonal
}

// ScopeStatus is whether a system is in the engagement's scope.
type ScopeStatus string

const (
	ScopeIn       ScopeStatus = "in"
	ScopeExcluded ScopeStatus = "excluded"
)

var ScopeStatuses = []ScopeStatus{ScopeIn, ScopeExcluded}

// CardholderFlow is what a system does with cardholder data.
type CardholderFlow string

const (
	FlowStore    CardholderFlow = "store"
	FlowProcess  CardholderFlow = "process"
	FlowTransmit CardholderFlow = "transmit"
)

var CardholderFlows = []CardholderFlow{FlowStore, FlowProcess, FlowTransmit}

// Role is what a person does in the engagement.
type Role string

const (
	RoleLead         Role = "lead"
	RoleLeadDelegate Role = "lead-delegate"
	RoleSponsor      Role = "sponsor"
	RoleConsultant   Role = "consultant"
	RoleControlOwner Role = "control-owner"
)

var Roles = []Role{RoleLead, RoleLeadDelegate, RoleSponsor, RoleConsultant, RoleControlOwner}

// Domain is a control area. Controls in the library each belong to one, and
// control owners own areas rather than individual controls.
type Domain string

const (
	DomainGovernance    Domain = "governance"
	DomainRisk          Domain = "risk"
	DomainPeople        Domain = "people"
	DomainAsset         Domain = "asset"
	DomainAccess        Domain = "access"
	DomainCrypto        Domain = "crypto"
	DomainPhysical      Domain = "physical"
	DomainOperations    Domain = "operations"
	DomainNetwork       Domain = "network"
	DomainVulnerability Domain = "vulnerability"
	DomainLogging       Domain = "logging"
	DomainChange        Domain = "change"
	DomainDevelopment   Domain = "development"
	DomainVendor        Domain = "vendor"
	DomainIncident      Domain = "incident"
	DomainContinuity    Domain = "continuity"
	DomainPrivacy       Domain = "privacy"
	DomainData          Domain = "data"
	DomainCardholder    Domain = "cardholder"
)

// Domains lists every control area in display order.
var Domains = []Domain{
	DomainGovernance, DomainRisk, DomainPeople, DomainAsset, DomainAccess, DomainCrypto,
	DomainPhysical, DomainOperations, DomainNetwork, DomainVulnerability, DomainLogging,
	DomainChange, DomainDevelopment, DomainVendor, DomainIncident, DomainContinuity,
	DomainPrivacy, DomainData, DomainCardholder,
}

// Weekday is a lowercase three-letter day name used in reminder policies.
type Weekday string

var Weekdays = []Weekday{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// DefaultBusinessDays is Monday to Friday.
var DefaultBusinessDays = []Weekday{"mon", "tue", "wed", "thu", "fri"}

func equalFoldEmail(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// Frequency is how often a control operates, which decides how often its
// evidence is requested and how large the auditor's sample is.
type Frequency string

const (
	FreqContinuous Frequency = "continuous"
	FreqPerEvent   Frequency = "per-event"
	FreqDaily      Frequency = "daily"
	FreqWeekly     Frequency = "weekly"
	FreqMonthly    Frequency = "monthly"
	FreqQuarterly  Frequency = "quarterly"
	FreqSemiAnnual Frequency = "semi-annual"
	FreqAnnual     Frequency = "annual"
)

// Frequencies lists every frequency from most to least frequent.
var Frequencies = []Frequency{FreqContinuous, FreqPerEvent, FreqDaily, FreqWeekly, FreqMonthly, FreqQuarterly, FreqSemiAnnual, FreqAnnual}
