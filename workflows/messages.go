package workflows

import (
	"time"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
)

// EngagementInput starts (or continues) an engagement.
type EngagementInput struct {
	Spec      compliance.Spec
	StartedBy string
	// State is set when the workflow continues as new; nil on first start.
	State *EngagementState
	// ForceContinueAsNew makes the workflow continue as new at the next
	// phase boundary, so tests can prove state survives it.
	ForceContinueAsNew bool
	// JiraPollEvery overrides DefaultJiraPoll (tests).
	JiraPollEvery time.Duration
	// StopAt ends the workflow when the engagement reaches this phase
	// (tests of the earlier phases; empty runs the whole lifecycle).
	StopAt string `json:",omitempty"`
	// OperatingControls limits the operating cadence to these controls
	// (tests that run a whole lifecycle; empty means every control).
	OperatingControls []string `json:",omitempty"`
}

// EngagementState is everything the engagement carries, in one serialisable
// struct so continue-as-new can hand it over whole.
type EngagementState struct {
	EngagementID string
	Client       string
	Phase        string
	Revision     int
	Spec         compliance.Spec
	Plan         *compliance.Plan
	Risks        []compliance.ScopeRisk
	WaitingOn    []string
	WaitingFor   string
	Decisions    []ScopeDecision
	Assessment   *AssessmentProgress
	// GapsFound is the number of gaps in the ranked register.
	GapsFound int
	// Gaps and RemediationDue carry the register into remediation.
	Gaps           []activities.RegisterEntry
	RemediationDue time.Time
	// Remediated counts gaps closed: verified fixed, or accepted.
	Verified, Accepted int
	StartedAt          time.Time
	UpdatedAt          time.Time
	// Runs counts continue-as-new generations.
	Runs int
	// JiraPollEvery is carried from the input (tests).
	JiraPollEvery time.Duration
	OnTimeRate    *float64
	// Readiness is the readiness review's outcome; Certifications the
	// reports and certificates recorded.
	Readiness      *ReadinessResult         `json:",omitempty"`
	Certifications []postcert.Certification `json:",omitempty"`
	// OperatingTestTick and ProgrammeTestOneCycle shrink the operating
	// cadence and the programme for tests (see OperatingInput.TestTick,
	// ProgrammeInput.ForceContinueAsNew).
	OperatingTestTick     time.Duration `json:",omitempty"`
	ProgrammeTestOneCycle bool          `json:",omitempty"`
	// AuditRequests counts the auditor's requests routed.
	AuditRequests int `json:",omitempty"`
	// StopAt and OperatingControls are carried from the input.
	StopAt            string   `json:",omitempty"`
	OperatingControls []string `json:",omitempty"`
}

// EngagementResult is returned when the engagement completes.
type EngagementResult struct {
	EngagementID string
	Phase        string
	Revision     int
	Plan         *compliance.Plan
}

// EngagementStatus is the status query's answer.
type EngagementStatus struct {
	EngagementID string                 `json:"engagement_id"`
	Client       string                 `json:"client"`
	Phase        string                 `json:"phase"`
	Revision     int                    `json:"spec_revision"`
	Frameworks   []string               `json:"frameworks"`
	AuditDate    string                 `json:"audit_date"`
	Plan         *compliance.Plan       `json:"plan,omitempty"`
	Risks        []compliance.ScopeRisk `json:"scope_risks"`
	WaitingOn    []string               `json:"waiting_on"`
	WaitingFor   string                 `json:"waiting_for,omitempty"`
	Decisions    []ScopeDecision        `json:"decisions"`
	Assessment   *AssessmentProgress    `json:"assessment,omitempty"`
	GapsFound    int                    `json:"gaps_found"`
	Verified     int                    `json:"gaps_verified"`
	Accepted     int                    `json:"gaps_accepted"`
	// RemediationDue is when the plan wants every gap closed.
	RemediationDue time.Time `json:"remediation_due,omitempty"`
	// OnTimeRate is the share of evidence due so far that arrived on time.
	OnTimeRate *float64 `json:"on_time_rate,omitempty"`
	// Readiness is the readiness review's outcome, once run.
	Readiness *ReadinessResult `json:"readiness,omitempty"`
	// Certifications are the reports and certificates recorded.
	Certifications []postcert.Certification `json:"certifications,omitempty"`
	// AuditRequests counts the auditor's requests routed to owners.
	AuditRequests int       `json:"audit_requests,omitempty"`
	StartedAt     time.Time `json:"started_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// PhaseProgress is what a phase child tells its engagement when its state
// changes.
type PhaseProgress struct {
	Phase      string
	Revision   int
	Plan       *compliance.Plan
	Risks      []compliance.ScopeRisk
	WaitingOn  []string
	WaitingFor string
	Decisions  []ScopeDecision
	Assessment *AssessmentProgress
	// Closed gaps so far, during remediation.
	Verified, Accepted int
	// OnTimeRate of evidence in the window so far, while operating.
	OnTimeRate *float64
	At         time.Time
}

// ScopingInput starts the scoping phase.
type ScopingInput struct {
	EngagementID string
	Spec         compliance.Spec
	// Revision is the spec revision to assess first (1 on a new engagement).
	Revision int
	// ParentWorkflowID receives PhaseProgress signals; empty in tests.
	ParentWorkflowID string
}

// ScopingResult is the signed-off scope.
type ScopingResult struct {
	Spec      compliance.Spec
	Revision  int
	Plan      compliance.Plan
	Risks     []compliance.ScopeRisk
	Decisions []ScopeDecision
}

// Scope-state statuses.
const (
	ScopeAssessing        = "assessing"
	ScopeAwaitingDecision = "awaiting-decision"
	ScopeAwaitingRevision = "awaiting-revision"
	ScopeApproved         = "approved"
)

// ScopeState is the scoping workflow's query answer.
type ScopeState struct {
	EngagementID string                 `json:"engagement_id"`
	Status       string                 `json:"status"`
	Revision     int                    `json:"spec_revision"`
	Plan         *compliance.Plan       `json:"plan,omitempty"`
	Risks        []compliance.ScopeRisk `json:"scope_risks"`
	WaitingOn    []string               `json:"waiting_on"`
	Deciders     []string               `json:"deciders"`
	Decisions    []ScopeDecision        `json:"decisions"`
	// SignoffPrompt is the prompt the lead answers to decide, while open.
	SignoffPrompt string `json:"signoff_prompt,omitempty"`
}

// Scope decisions.
const (
	DecisionApprove = "approve"
	DecisionReject  = "reject"
)

// DecideScopeRequest is the lead's sign-off or rejection.
type DecideScopeRequest struct {
	Decision string
	Reason   string
	// Actor is who decides, through which path (see AnswerPromptRequest).
	Actor compliance.Actor `json:",omitzero"`
	// By and Channel are what decisions carried before actors (replay
	// only).
	By      string `json:",omitempty"`
	Channel string `json:",omitempty"`
	// Revision, when set, must match the revision being decided, so a lead
	// never signs off a scope they have not seen.
	Revision int
}

// ScopeDecision is a recorded decision.
type ScopeDecision struct {
	Revision int       `json:"revision"`
	Decision string    `json:"decision"`
	By       string    `json:"by"`
	Reason   string    `json:"reason,omitempty"`
	Channel  string    `json:"channel"`
	Operator string    `json:"operator,omitempty"`
	UpdateID string    `json:"update_id,omitempty"`
	At       time.Time `json:"at"`
}

// ReviseScopeRequest replaces the spec after a rejection. It comes from the
// consultant, the lead or a lead delegate; a revision that changes who signs
// the scope off (the leads and delegates) must come from a current lead.
type ReviseScopeRequest struct {
	Spec compliance.Spec
	// Actor is who revises, through which path.
	Actor compliance.Actor `json:",omitzero"`
	// By is what revisions carried before actors (replay only).
	By string `json:",omitempty"`
}

// ReviseScopeResult says which revision the new spec became.
type ReviseScopeResult struct {
	Revision int
}
