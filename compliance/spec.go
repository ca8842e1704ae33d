// Package compliance is Steadfast's domain: the engagement spec, scope-risk
// rules, the phase plan, the control library and the logic that decides what
// an auditor will find. It does no I/O and knows nothing of Temporal, so every
// rule here is a plain function that is cheap to test hard.
package compliance

// Spec is a consultant's description of one client engagement, read from YAML.
// Field tags name the YAML keys; ParseSpec reports errors by those names.
type Spec struct {
	// ID is the engagement's business key (lowercase letters, digits, dashes).
	// When empty, ParseSpec derives it from the client name.
	ID           string         `yaml:"id" json:"id"`
	Client       Client         `yaml:"client" json:"client"`
	Frameworks   []Framework    `yaml:"frameworks" json:"frameworks"`
	AuditDate    Date           `yaml:"audit_date" json:"audit_date"`
	Systems      []System       `yaml:"systems" json:"systems"`
	People       []Person       `yaml:"people" json:"people"`
	Integrations Integrations   `yaml:"integrations" json:"integrations"`
	Reminders    ReminderPolicy `yaml:"reminders" json:"reminders"`
	// Vendors are the third parties the client relies on: subservice
	// organisations a SOC 2 report carves out or includes, SaaS suppliers,
	// contractors. See vendor.go.
	Vendors []Vendor `yaml:"vendors" json:"vendors,omitempty"`
	// UserEntityControls are the controls the client's own customers must
	// operate for the client's controls to work (CUECs); they go in the
	// system description.
	UserEntityControls []UserEntityControl `yaml:"user_entity_controls" json:"user_entity_controls,omitempty"`
	// Risks is the risk register an ISO 27001 Statement of Applicability
	// is justified by; it may also be imported from CSV (ParseRiskCSV).
	Risks []Risk `yaml:"risks" json:"risks,omitempty"`
	// ControlRisk is the readiness review's risk level per control ID
	// (low, moderate or high; unset controls are moderate): how much the
	// auditor relies on the control, which moves its sample size within the
	// practice range for its frequency.
	ControlRisk map[string]string `yaml:"control_risk" json:"control_risk,omitempty"`
	// ReviewPolicy is how often a control of each risk level is reviewed
	// (quarterly or semi-annual; unset levels quarterly). See
	// review_policy.go.
	ReviewPolicy map[string]Frequency `yaml:"review_policy" json:"review_policy,omitempty"`
	// Tailoring is how this client departs from the control library:
	// per-control overrides, not-applicable and inherited controls, and the
	// client's own controls (tailoring.go).
	Tailoring Tailoring `yaml:"tailoring" json:"tailoring,omitzero"`
}

// Client names the organisation being prepared for audit.
type Client struct {
	Name     string `yaml:"name" json:"name"`
	Industry string `yaml:"industry" json:"industry,omitempty"`
}

// Framework is one framework the engagement prepares for. Which fields apply
// depends on ID: SOC 2 uses Report, Categories, Window and Type1Date; PCI DSS
// uses Entity, Assessment and SAQ; ISO 27001 uses none beyond Version.
type Framework struct {
	ID      FrameworkID `yaml:"id" json:"id"`
	Version string      `yaml:"version" json:"version,omitempty"`

	// SOC 2.
	Report     SOC2Report         `yaml:"report" json:"report,omitempty"`
	Categories []TSCCategory      `yaml:"categories" json:"categories,omitempty"`
	Window     *ObservationWindow `yaml:"window" json:"window,omitempty"`
	// Type1Date is the point-in-time date of a Type I report that starts the
	// Type II clock; optional.
	Type1Date *Date `yaml:"type1_date" json:"type1_date,omitempty"`

	// PCI DSS.
	Entity     PCIEntity     `yaml:"entity" json:"entity,omitempty"`
	Assessment PCIAssessment `yaml:"assessment" json:"assessment,omitempty"`
	SAQ        SAQType       `yaml:"saq" json:"saq,omitempty"`

	// ISO 27001: Annex A controls the client excludes from its Statement of
	// Applicability, each with the justification an auditor reads.
	Exclusions []AnnexAExclusion `yaml:"exclusions" json:"exclusions,omitempty"`
}

// ObservationWindow is a SOC 2 Type II period, both dates inclusive.
type ObservationWindow struct {
	Start Date `yaml:"start" json:"start"`
	End   Date `yaml:"end" json:"end"`
}

// System is one system the client runs, in scope or excluded from it.
type System struct {
	Name        string      `yaml:"name" json:"name"`
	Kind        SystemKind  `yaml:"kind" json:"kind"`
	Environment Environment `yaml:"environment" json:"environment"`
	Data        []DataClass `yaml:"data" json:"data"`
	Scope       ScopeStatus `yaml:"scope" json:"scope"`
	Rationale   string      `yaml:"rationale" json:"rationale,omitempty"`
	// CDE marks a system inside the PCI cardholder data environment.
	CDE bool `yaml:"cde" json:"cde,omitempty"`
	// CardholderFlow says what the system does with cardholder data for PCI:
	// store, process or transmit. Empty means none.
	CardholderFlow []CardholderFlow `yaml:"cardholder_flow" json:"cardholder_flow,omitempty"`
	// ConnectedTo names systems this one exchanges data or credentials
	// with. A connection is an edge with two ends: it counts the same
	// whichever of the two systems declares it (see Graph).
	ConnectedTo []string `yaml:"connected_to" json:"connected_to,omitempty"`
	// CopiesOf names the systems whose backups or disaster-recovery copies
	// this system holds; the copy carries their data whatever Data says.
	CopiesOf []string `yaml:"copies_of" json:"copies_of,omitempty"`
}

// Person is someone the engagement asks or tells things.
type Person struct {
	Name    string `yaml:"name" json:"name"`
	Email   string `yaml:"email" json:"email"`
	SlackID string `yaml:"slack_id" json:"slack_id,omitempty"`
	Roles   []Role `yaml:"roles" json:"roles"`
	// Owns lists the control areas this person owns (role control-owner).
	Owns []Domain `yaml:"owns" json:"owns,omitempty"`
	// TimeZone overrides the engagement's time zone for this person.
	TimeZone string `yaml:"time_zone" json:"time_zone,omitempty"`
}

// Integrations are optional: without them owners answer through the CLI and
// remediation items stay in Postgres.
type Integrations struct {
	JiraProject  string `yaml:"jira_project" json:"jira_project,omitempty"`
	SlackChannel string `yaml:"slack_channel" json:"slack_channel,omitempty"`
	// Populations say, per per-event control, which Jira issues are its
	// population (each change, each joiner); optional.
	Populations []Population `yaml:"populations" json:"populations,omitempty"`
}

// Population names the Jira search whose resolved issues are one per-event
// control's events: a change is in the population once it is done. The
// search is the consultant's own JQL (exclude declined work there, e.g.
// "resolution = Done"); Steadfast adds the period's bounds.
type Population struct {
	// Control is the per-event control's ID, e.g. CHG-01.
	Control string `yaml:"control" json:"control"`
	JQL     string `yaml:"jql" json:"jql"`
	// ApprovedStatus is the status an issue enters when it is approved
	// (e.g. "Approved"): whoever moved it there, and when, is the approval.
	// Empty means the tickets carry no approval Steadfast can read, and one
	// must be recorded for each sampled event.
	ApprovedStatus string `yaml:"approved_status" json:"approved_status,omitempty"`
}

// PopulationOf returns the spec's Jira population for a control, or nil.
func (s *Spec) PopulationOf(controlID string) *Population {
	for i := range s.Integrations.Populations {
		if s.Integrations.Populations[i].Control == controlID {
			return &s.Integrations.Populations[i]
		}
	}
	return nil
}

// ReminderPolicy says when people may be chased: which days are business
// days, in which time zone, and which dates are holidays.
type ReminderPolicy struct {
	TimeZone     string    `yaml:"time_zone" json:"time_zone"`
	BusinessDays []Weekday `yaml:"business_days" json:"business_days,omitempty"`
	Holidays     []Date    `yaml:"holidays" json:"holidays,omitempty"`
	// Escalation ladder in business days after a prompt is sent.
	RemindAfter  []int `yaml:"remind_after" json:"remind_after,omitempty"`
	LeadAfter    int   `yaml:"lead_after" json:"lead_after,omitempty"`
	SponsorAfter int   `yaml:"sponsor_after" json:"sponsor_after,omitempty"`
	ExpireAfter  int   `yaml:"expire_after" json:"expire_after,omitempty"`
}

// HasFramework reports whether the spec includes the framework.
func (s *Spec) HasFramework(id FrameworkID) bool {
	return s.Framework(id) != nil
}

// Framework returns the spec's entry for id, or nil.
func (s *Spec) Framework(id FrameworkID) *Framework {
	for i := range s.Frameworks {
		if s.Frameworks[i].ID == id {
			return &s.Frameworks[i]
		}
	}
	return nil
}

// PeopleWithRole lists the people holding role, in spec order.
func (s *Spec) PeopleWithRole(r Role) []Person {
	var out []Person
	for _, p := range s.People {
		if p.HasRole(r) {
			out = append(out, p)
		}
	}
	return out
}

// Person returns the person with the given email (case-insensitive), or nil.
func (s *Spec) Person(email string) *Person {
	for i := range s.People {
		if equalFoldEmail(s.People[i].Email, email) {
			return &s.People[i]
		}
	}
	return nil
}

// RunsEngagement reports whether email belongs to someone who runs the
// engagement (the lead, a lead delegate or the consultant): the people who
// may change its scope, record its certification or route the auditor's
// requests.
func (s *Spec) RunsEngagement(email string) bool {
	p := s.Person(email)
	return p != nil && (p.HasRole(RoleLead) || p.HasRole(RoleLeadDelegate) || p.HasRole(RoleConsultant))
}

// System returns the system with the given name, or nil.
func (s *Spec) System(name string) *System {
	for i := range s.Systems {
		if s.Systems[i].Name == name {
			return &s.Systems[i]
		}
	}
	return nil
}

// HasRole reports whether the person holds role r.
func (p Person) HasRole(r Role) bool {
	for _, x := range p.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// InScope reports whether the system is in the engagement's scope.
func (s System) InScope() bool { return s.Scope == ScopeIn }

// Holds reports whether the system holds data of class c.
func (s System) Holds(c DataClass) bool {
	for _, d := range s.Data {
		if d == c {
			return true
		}
	}
	return false
}

// OwnerOf returns the person who owns a control area: the first control
// owner naming it, else the first lead (who then has to delegate it; the
// scope rules flag the unowned area).
func (s *Spec) OwnerOf(d Domain) Person {
	for _, p := range s.People {
		for _, o := range p.Owns {
			if o == d {
				return p
			}
		}
	}
	if leads := s.PeopleWithRole(RoleLead); len(leads) > 0 {
		return leads[0]
	}
	return Person{}
}
