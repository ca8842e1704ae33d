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
	// Test shrinks the engagement for tests; nil in production. It travels
	// in the input beside the state (each continue-as-new hands it on), so
	// nothing a test sets is mistaken for the engagement's own state.
	Test *TestHooks `json:",omitempty"`
}

// EngagementState is everything the engagement carries, in one serialisable
// struct so continue-as-new can hand it over whole.
type EngagementState struct {
	EngagementID string
	Client       string
	Phase        compliance.Phase
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
	// Withdrawn counts gaps an approved tailoring change took out of scope
	// during remediation (versionRemediationWithdraw).
	Withdrawn int `json:",omitempty"`
	StartedAt time.Time
	UpdatedAt time.Time
	// Runs counts continue-as-new generations.
	Runs int
	// ProgressAt is when the last progress report taken was sent: a
	// report of the same phase sent earlier arrived late and is dropped.
	ProgressAt time.Time `json:",omitempty"`
	OnTimeRate *float64
	// Readiness is the readiness review's outcome; Certifications the
	// reports and certificates recorded.
	Readiness      *ReadinessResult         `json:",omitempty"`
	Certifications []postcert.Certification `json:",omitempty"`
	// AuditRequests counts the auditor's requests routed.
	AuditRequests int `json:",omitempty"`
	// Auditors are the auditors invited into the auditor's room (the
	// invite-auditor update): an open invitation lets one add requests.
	Auditors []compliance.AuditorInvite `json:",omitempty"`
	// OperatingStarted and OperatingClosed follow the operating window's
	// scheduler, which outlives the run that started it (it is abandoned,
	// not terminated, when a run hands over) and says when it has closed;
	// ProgrammeStarted says the certified programme runs.
	OperatingStarted bool `json:",omitempty"`
	OperatingClosed  bool `json:",omitempty"`
	ProgrammeStarted bool `json:",omitempty"`
	// OperatingCloseReported is a window-closed report not yet checked
	// against the scheduler (takeCloseReport); carried across a hand-over
	// so a report taken just before one is still checked.
	OperatingCloseReported bool `json:",omitempty"`
	// VendorWorkStarted says the vendor work runs (VendorWorkWorkflow,
	// abandoned like the scheduler and cancelled with the engagement).
	VendorWorkStarted bool `json:",omitempty"`
	// Changes are the tailoring changes proposed before certification
	// and where each has got to; PendingChanges those not yet carried out
	// (the first may be waiting for the lead or, with
	// versionChangeHandOver, for its assessment: its record says which,
	// and the next run picks it up there). SpecRevision is the spec's
	// revision in Postgres once a change has stored one (0: Revision).
	Changes        []ScopeChange `json:",omitempty"`
	PendingChanges []ScopeChange `json:",omitempty"`
	SpecRevision   int           `json:",omitempty"`
	// followsStore is set by each run (versionEngagementTailoring): the
	// operating scheduler it starts reads the stored spec.
	followsStore bool
	// changing: a change is being carried out up to the start of its
	// assessment; the run hands over only between changes. With
	// versionChangeHandOver (changesHandOver set by each run) it covers
	// only the storing of the spec: the change's record says where the
	// next run picks it up.
	changing        bool
	changesHandOver bool
}

// EngagementResult is returned when the engagement completes.
type EngagementResult struct {
	EngagementID string
	Phase        compliance.Phase
	Revision     int
	Plan         *compliance.Plan
}

// EngagementStatus is the status query's answer.
type EngagementStatus struct {
	EngagementID string                 `json:"engagement_id"`
	Client       string                 `json:"client"`
	Phase        compliance.Phase       `json:"phase"`
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
	Withdrawn    int                    `json:"gaps_withdrawn,omitempty"`
	// RemediationDue is when the plan wants every gap closed.
	RemediationDue time.Time `json:"remediation_due,omitempty"`
	// OnTimeRate is the share of evidence due so far that arrived on time.
	OnTimeRate *float64 `json:"on_time_rate,omitempty"`
	// Readiness is the readiness review's outcome, once run.
	Readiness *ReadinessResult `json:"readiness,omitempty"`
	// Certifications are the reports and certificates recorded.
	Certifications []postcert.Certification `json:"certifications,omitempty"`
	// AuditRequests counts the auditor's requests routed to owners.
	AuditRequests int `json:"audit_requests,omitempty"`
	// Runs counts the runs the engagement has handed over to
	// (continue-as-new), each within its history budget.
	Runs int `json:"runs,omitempty"`
	// Changes are the tailoring changes proposed before certification.
	Changes   []ScopeChange `json:"changes,omitempty"`
	StartedAt time.Time     `json:"started_at"`
	UpdatedAt time.Time     `json:"updated_at"`
}

// PhaseProgress is what a phase child tells its engagement when its state
// changes.
type PhaseProgress struct {
	Phase      compliance.Phase
	Revision   int
	Plan       *compliance.Plan
	Risks      []compliance.ScopeRisk
	WaitingOn  []string
	WaitingFor string
	Decisions  []ScopeDecision
	Assessment *AssessmentProgress
	// Closed gaps so far, during remediation.
	Verified, Accepted int
	// Withdrawn gaps so far, during remediation.
	Withdrawn int `json:",omitempty"`
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
