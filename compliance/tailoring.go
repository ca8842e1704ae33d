package compliance

// Tailoring is how one client's engagement departs from the control library:
// per-control overrides (owner, frequency, evidence, risk), controls marked
// not applicable with a justification, controls inherited from a vendor, and
// the client's own controls. It is part of the spec, so it is versioned with
// it, and a change on a running engagement is a scope change the lead
// approves.
//
//	tailoring:
//	  controls:
//	    ACC-04: {owner: dana@acme.test, frequency: monthly, risk: high, justification: "…"}
//	    PHY-01: {not_applicable: true, justification: "no office; fully remote"}
//	    BCK-02: {inherited_from: AWS, justification: "managed snapshots"}
//	  custom:
//	    - id: ACME-01
//	      title: …
//	      maps: {soc2: {CC7.2: "why it satisfies CC7.2"}}
type Tailoring struct {
	// Controls holds the overrides of library controls, keyed by control ID.
	Controls map[string]ControlTailoring `yaml:"controls" json:"controls,omitempty"`
	// Custom are the client's own controls, with their own IDs and mappings.
	Custom []CustomControl `yaml:"custom" json:"custom,omitempty"`
}

// ControlTailoring is one library control's override. Empty fields keep the
// library's value.
type ControlTailoring struct {
	// Owner is the email of the person in the spec who owns this control;
	// it wins over the owner of the control's area.
	Owner     string    `yaml:"owner" json:"owner,omitempty"`
	Frequency Frequency `yaml:"frequency" json:"frequency,omitempty"`
	// Evidence replaces the library's description of what is sampled.
	Evidence string `yaml:"evidence" json:"evidence,omitempty"`
	// Risk is the control's risk level (see RiskLevel).
	Risk RiskLevel `yaml:"risk" json:"risk,omitempty"`
	// NotApplicable removes the control from the engagement; the
	// Justification is required and is what the SoA and the auditor read.
	NotApplicable bool `yaml:"not_applicable" json:"not_applicable,omitempty"`
	// InheritedFrom names a vendor of the spec (vendors[].name) that
	// performs the control: the client relies on the vendor's assurance
	// instead of operating it. A Justification is required.
	InheritedFrom string `yaml:"inherited_from" json:"inherited_from,omitempty"`
	// Justification says why the control is tailored; required for
	// not_applicable and inherited_from, shown for every override.
	Justification string `yaml:"justification" json:"justification,omitempty"`
}

// CustomControl is a control the client operates that the library lacks. Its
// Maps name, per framework, the requirements it satisfies, each with a
// one-line rationale like the library's crosswalk.
type CustomControl struct {
	ID          string `yaml:"id" json:"id"`
	Title       string `yaml:"title" json:"title"`
	Description string `yaml:"description" json:"description"`
	Domain      Domain `yaml:"domain" json:"domain"`
	// Type is policy, procedure, technical or physical (the catalog's
	// control types).
	Type      string    `yaml:"type" json:"type"`
	Frequency Frequency `yaml:"frequency" json:"frequency"`
	Evidence  string    `yaml:"evidence" json:"evidence"`
	Automated bool      `yaml:"automated" json:"automated,omitempty"`
	// Owner is an email of the spec's people; empty means the area's owner.
	Owner string    `yaml:"owner" json:"owner,omitempty"`
	Risk  RiskLevel `yaml:"risk" json:"risk,omitempty"`
	// Maps: framework → requirement ID → rationale.
	Maps map[FrameworkID]map[string]string `yaml:"maps" json:"maps"`
}

// RiskLevel is how much rides on a control: how much the auditor relies on
// it and how often it is reviewed (risk-based review frequency). The words
// are control_risk's and the sampling's (low, moderate, high), so one
// vocabulary serves every place a spec names a risk. The empty level means
// moderate.
type RiskLevel string

const (
	RiskLow      RiskLevel = "low"
	RiskModerate RiskLevel = "moderate"
	RiskHigh     RiskLevel = "high"
)

// RiskLevels lists every risk level from lowest to highest.
var RiskLevels = []RiskLevel{RiskLow, RiskModerate, RiskHigh}

// OrModerate is the level with the empty level read as moderate.
func (r RiskLevel) OrModerate() RiskLevel {
	if r == "" {
		return RiskModerate
	}
	return r
}

// ControlTailoringOf returns the spec's override of a control, or nil.
func (s *Spec) ControlTailoringOf(id string) *ControlTailoring {
	t, ok := s.Tailoring.Controls[id]
	if !ok {
		return nil
	}
	return &t
}

// CustomControl returns the client's own control with the ID, or nil.
func (s *Spec) CustomControl(id string) *CustomControl {
	for i := range s.Tailoring.Custom {
		if s.Tailoring.Custom[i].ID == id {
			return &s.Tailoring.Custom[i]
		}
	}
	return nil
}

// OwnerOfControl returns who owns one control: the spec's per-control owner
// (a tailoring override or a custom control's owner) when there is one,
// else the owner of the control's area (OwnerOf). Every place that asks a
// control's owner — the gap assessment, the cadence, evidence, the auditor's
// requests — goes through here, so the per-control owner always wins.
func (s *Spec) OwnerOfControl(id string, d Domain) Person {
	if p := s.controlOwner(id); p != nil {
		return *p
	}
	return s.OwnerOf(d)
}

// HasControlOwner reports whether the spec names an owner for this one
// control (an override or a custom control's owner), rather than leaving
// it to the owner of its area.
func (s *Spec) HasControlOwner(id string) bool { return s.controlOwner(id) != nil }

func (s *Spec) controlOwner(id string) *Person {
	email := ""
	if t := s.ControlTailoringOf(id); t != nil {
		email = t.Owner
	} else if c := s.CustomControl(id); c != nil {
		email = c.Owner
	}
	if email == "" {
		return nil
	}
	return s.Person(email)
}

// ControlRiskLevel is a control's risk level for review planning: the
// tailoring's (or custom control's) risk, else the readiness review's
// control_risk, else "" (moderate).
func (s *Spec) ControlRiskLevel(id string) RiskLevel {
	if t := s.ControlTailoringOf(id); t != nil && t.Risk != "" {
		return t.Risk
	}
	if c := s.CustomControl(id); c != nil && c.Risk != "" {
		return c.Risk
	}
	return RiskLevel(s.ControlRisk[id])
}
