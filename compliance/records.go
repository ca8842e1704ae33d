package compliance

import (
	"fmt"
	"strings"
	"time"
)

// The records Steadfast keeps and the vocabulary they use: payloads that
// workflows, activities and the store share, so that workflow histories do
// not depend on the storage package.

// PromptChoice is one answer a prompt offers.
type PromptChoice struct {
	Value string `json:"value"`
	Label string `json:"label"`
	// NoteRequired makes a note mandatory for this choice (a rejection
	// needs a reason).
	NoteRequired bool `json:"note_required,omitempty"`
	// LinkRequired makes a link mandatory for this choice.
	LinkRequired bool `json:"link_required,omitempty"`
}

// Prompt is one question to one person and, once given, its answer.
type Prompt struct {
	ID             string         `json:"id"`
	EngagementID   string         `json:"engagement_id"`
	Key            string         `json:"key"`
	Kind           string         `json:"kind"`
	Subject        string         `json:"subject"`
	Question       string         `json:"question"`
	Why            string         `json:"why"`
	Choices        []PromptChoice `json:"choices"`
	NoteRequired   bool           `json:"note_required"`
	LinkRequired   bool           `json:"link_required"`
	AddresseeEmail string         `json:"addressee"`
	AddresseeName  string         `json:"addressee_name"`
	Status         string         `json:"status"`
	Level          string         `json:"level"`
	DueAt          time.Time      `json:"due_at"`
	CreatedAt      time.Time      `json:"created_at"`
	AnswerChoice   string         `json:"answer,omitempty"`
	AnswerNote     string         `json:"note,omitempty"`
	AnswerLink     string         `json:"link,omitempty"`
	AnsweredBy     string         `json:"answered_by,omitempty"`
	AnsweredVia    string         `json:"answered_via,omitempty"`
	AnsweredAt     *time.Time     `json:"answered_at,omitempty"`
	UpdateID       string         `json:"-"`
}

// PromptFilter narrows a prompt listing; empty fields match everything.
type PromptFilter struct {
	EngagementID string
	Addressee    string
	Status       string
}

// PromptAnswer is an accepted answer.
type PromptAnswer struct {
	PromptID     string
	EngagementID string
	Choice       string
	Note         string
	Link         string
	By           string
	Via          string
	UpdateID     string
	At           time.Time
	// Files are the files an answer to an auditor's request carries
	// (CheckAnswerFiles); recorded with the answer, in one transaction.
	Files []AnswerFile `json:",omitempty"`
}

// ControlAssessment is one control's answer (or its absence).
type ControlAssessment struct {
	EngagementID   string     `json:"engagement_id"`
	ControlID      string     `json:"control_id"`
	OwnerEmail     string     `json:"owner"`
	PromptID       string     `json:"prompt_id"`
	Status         string     `json:"status"`
	EvidenceExists bool       `json:"evidence_exists"`
	Sampleable     bool       `json:"sampleable"`
	Choice         string     `json:"choice,omitempty"`
	Note           string     `json:"note,omitempty"`
	Link           string     `json:"link,omitempty"`
	AnsweredBy     string     `json:"answered_by,omitempty"`
	AnsweredVia    string     `json:"answered_via,omitempty"`
	AnsweredAt     *time.Time `json:"answered_at,omitempty"`
	Unanswered     bool       `json:"unanswered"`
}

// Evidence is one piece of evidence for one occurrence of a control.
type Evidence struct {
	ID            int64     `json:"id"`
	EngagementID  string    `json:"engagement_id"`
	ControlID     string    `json:"control_id"`
	OccurrenceKey string    `json:"occurrence"`
	PeriodStart   time.Time `json:"period_start"`
	PeriodEnd     time.Time `json:"period_end"`
	DueAt         time.Time `json:"due_at"`
	SubmittedAt   time.Time `json:"submitted_at"`
	SubmittedBy   string    `json:"submitted_by"`
	Channel       string    `json:"channel"`
	Kind          string    `json:"kind"`
	Value         string    `json:"value"`
	ValueSHA256   string    `json:"value_sha256"`
	Corrects      *int64    `json:"corrects,omitempty"`
	SubmissionKey string    `json:"-"`
	// PerformedAt is when the control was performed, as the person giving
	// the evidence stated it; nil means when it was recorded (SubmittedAt).
	PerformedAt *time.Time `json:"performed_at,omitempty"`
	// CoversStart and CoversEnd are the period a review covers (both nil
	// for evidence that is not a review).
	CoversStart *time.Time `json:"covers_start,omitempty"`
	CoversEnd   *time.Time `json:"covers_end,omitempty"`
	// Artifact is the file the evidence is, when Kind is "file": the
	// SHA-256 of its bytes (its name in the blob store), size, sniffed
	// content type and the name it was uploaded as.
	ArtifactSHA256 string `json:"artifact_sha256,omitempty"`
	ArtifactSize   int64  `json:"artifact_size,omitempty"`
	ContentType    string `json:"content_type,omitempty"`
	Filename       string `json:"filename,omitempty"`
}

// Artifact is a file stored in the blob store as evidence: named by the
// SHA-256 of its bytes.
type Artifact struct {
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
	Filename    string `json:"filename"`
}

// Check refuses an artifact that names no stored bytes.
func (a Artifact) Check() error {
	if len(a.SHA256) != 64 || strings.Trim(a.SHA256, "0123456789abcdef") != "" {
		return fmt.Errorf("artifact %q is not named by a lowercase hex SHA-256", a.SHA256)
	}
	if a.Size <= 0 {
		return fmt.Errorf("artifact %s is empty", a.SHA256[:12])
	}
	if strings.TrimSpace(a.Filename) == "" || len(a.Filename) > 255 || strings.ContainsAny(a.Filename, "/\\\x00") {
		return fmt.Errorf("artifact file name %q must be a plain name of at most 255 bytes", a.Filename)
	}
	return nil
}

// Performed is when the control was performed: PerformedAt, or when the
// evidence was recorded when nobody said.
func (e Evidence) Performed() time.Time {
	if e.PerformedAt != nil && !e.PerformedAt.IsZero() {
		return *e.PerformedAt
	}
	return e.SubmittedAt
}

// AuditRequest is one item of the auditor's request list and, once given,
// its answer. When the request's row has no answer yet but its prompt has
// one, AuditRequests reports the prompt's answer (see there).
type AuditRequest struct {
	EngagementID string    `json:"engagement_id"`
	RequestID    string    `json:"request_id"`
	ControlID    string    `json:"control_id,omitempty"`
	Description  string    `json:"description"`
	Owner        string    `json:"owner"`
	DueAt        time.Time `json:"due_at"`
	RequestedBy  string    `json:"requested_by"`
	ImportedFrom string    `json:"imported_from"`
	PromptID     string    `json:"prompt_id"`
	Status       string    `json:"status"`
	// PromptStatus and PromptLevel are the prompt's own state: open,
	// answered, expired or withdrawn, and how far up the ladder it went.
	// Empty when the prompt has not opened yet.
	PromptStatus string     `json:"prompt_status,omitempty"`
	PromptLevel  string     `json:"prompt_level,omitempty"`
	AnswerChoice string     `json:"answer,omitempty"`
	AnswerLink   string     `json:"answer_link,omitempty"`
	AnswerNote   string     `json:"answer_note,omitempty"`
	AnsweredBy   string     `json:"answered_by,omitempty"`
	AnsweredAt   *time.Time `json:"answered_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
}

// AuditRequestFilter narrows a listing; empty fields match everything.
type AuditRequestFilter struct {
	Status string
}

// ItemChange moves an item to a new status.
type ItemChange struct {
	EngagementID string
	ItemID       string
	Status       string
	Evidence     string
	By           string
	Channel      string
	At           time.Time
}

// Reassignment moves a prompt to someone else.
type Reassignment struct {
	PromptID     string
	EngagementID string
	From, To     string
	ToName       string
	By           string
	Seq          int
	At           time.Time
}

// EventCertified logs a recorded report or certificate.
const EventCertified = "certified"

// EventCertificationIgnored logs a certification signalled to the programme
// that the engagement never recorded (not through its certify update), so
// the programme did not plan from it.
const EventCertificationIgnored = "certification-ignored"

// EventSignalIgnored logs a signal whose claim its receiver checked against
// the source of truth and found unbacked (a window-closed report while the
// scheduler runs, a ticket "done" that Jira says is not): signals carry no
// identity, so a workflow acts only on what it checked.
const EventSignalIgnored = "signal-ignored"

// Remediation item statuses: open until the fix is done, done until the
// owner confirms the evidence exists, then verified; or accepted by the lead;
// or withdrawn, when an approved tailoring change took the control out of
// scope while its gap was still open (GapWithdrawable).
const (
	ItemOpen      = "open"
	ItemDone      = "done"
	ItemVerified  = "verified"
	ItemAccepted  = "accepted"
	ItemWithdrawn = "withdrawn"
)

// ItemClosed says whether an item's gap has ended: verified, accepted or
// withdrawn. A closed item is never changed again.
func ItemClosed(status string) bool {
	return status == ItemVerified || status == ItemAccepted || status == ItemWithdrawn
}

// GapWithdrawable is the remediation side of the withdrawal rule: a gap whose
// control an approved tailoring change took out of scope (the stored spec no
// longer operates it: catalog.OutOfScope, as for an assessment's open
// question) is withdrawn only while its item is still open. A gap already
// verified or accepted stays as it was: it was decided on the scope of its
// time, and the auditor may still read it.
func GapWithdrawable(status string) bool {
	return status == ItemOpen || status == ItemDone
}

// GapWithdrawnNote is the note a withdrawn item keeps: the change as the
// stored spec names it, who approved it (empty when no lead was asked) and
// the tailoring's reason (may be empty).
func GapWithdrawnNote(changeID, controlID, approvedBy, reason string) string {
	note := "Withdrawn: " + changeID
	if approvedBy != "" {
		note += " (approved by " + approvedBy + ")"
	}
	note += " took " + controlID + " out of scope"
	if reason != "" {
		note += " (" + reason + ")"
	}
	return note
}

// Event kinds of remediation.
const (
	EventItemOpened  = "remediation-opened"
	EventItemChanged = "remediation-changed"
	// EventItemFailed: the gap's workflow failed; the item stays open and
	// the lead is told.
	EventItemFailed = "remediation-failed"
	// EventItemWithdrawn: an approved tailoring change took the control
	// out of scope while its gap was open; the gap needs no fix.
	EventItemWithdrawn = "remediation-withdrawn"
)

// Prompt statuses.
const (
	PromptOpen     = "open"
	PromptAnswered = "answered"
	PromptExpired  = "expired"
	// PromptWithdrawn: the question no longer needs an answer (the scope it
	// asked about was revised, say).
	PromptWithdrawn = "withdrawn"
)

// Prompt event kinds in the engagement log.
const (
	EventPromptSent       = "prompt-sent"
	EventPromptAnswered   = "prompt-answered"
	EventPromptReassigned = "prompt-reassigned"
	EventPromptStep       = "prompt-step" // a reminder, an escalation or the expiry
)

// Event kinds of the gap assessment.
const (
	EventControlAssessed = "control-assessed"
	EventRegisterBuilt   = "gap-register-built"
	EventGapOverridden   = "gap-overridden"
	EventGapAccepted     = "gap-accepted"
)

// Audit request statuses.
const (
	AuditOpen      = "open"
	AuditAnswered  = "answered"
	AuditWithdrawn = "withdrawn"
)

// Audit request event kinds in the engagement log.
const (
	EventAuditRequestAdded    = "audit-request-added"
	EventAuditRequestAnswered = "audit-request-answered"
)

// Event kinds in the engagement log.
const (
	EventEngagementStarted = "engagement-started"
	EventScopeAssessed     = "scope-assessed"
	EventScopeApproved     = "scope-approved"
	EventScopeRejected     = "scope-rejected"
	EventScopeRevised      = "scope-revised"
	EventPhaseEntered      = "phase-entered"
)

// Channels through which a decision or answer reached Steadfast.
const (
	ChannelCLI      = "cli"
	ChannelSlack    = "slack"
	ChannelWeb      = "web"
	ChannelWorkflow = "workflow"
)

// Event kinds of the readiness review.
const (
	EventReadinessReviewed = "readiness-reviewed"
	EventFindingDecided    = "finding-decided"
)

// Events of the issued report (compliance/report): the report recorded
// with its exceptions, a surprise exception called out, an owner's reading
// and explanation, and the lead's approval of it.
const (
	EventReportRecorded      = "report-recorded"
	EventReportSurprise      = "report-surprise"
	EventReportRead          = "report-read"
	EventReportExplained     = "report-explained"
	EventExplanationApproved = "report-explanation-approved"
)

// Events of customers' security reviews (compliance/custreview).
const (
	EventCustomerReviewImported = "customer-review-imported"
	EventCustomerQuestionMapped = "customer-question-mapped"
	EventCustomerAnswered       = "customer-question-answered"
	EventCustomerApproved       = "customer-answer-approved"
	// The lead returned an owner's answer to them with a reason.
	EventCustomerAnswerReturned = "customer-answer-returned"
	// An approved answer left the library until re-confirmed; its owner
	// re-confirmed it; the lead approved it back in.
	EventCustomerAnswerUnsettled   = "customer-answer-unsettled"
	EventCustomerAnswerReconfirmed = "customer-answer-reconfirmed"
	EventCustomerAnswerReapproved  = "customer-answer-reapproved"
	// The lead allowed a review's export to carry the evidence files
	// themselves, not only references to them.
	EventCustomerFilesAllowed = "customer-review-files-allowed"
)
