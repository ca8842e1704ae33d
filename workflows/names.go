// Package workflows holds Steadfast's deterministic workflow code: one file
// per workflow, and this file for every name a client or another workflow
// uses to reach them.
package workflows

import (
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
)

// TaskQueue is the default task queue the worker polls.
const TaskQueue = "steadfast"

// Workflow type names, registered explicitly so renaming a Go function never
// orphans running engagements.
const (
	EngagementWorkflowName     = "Engagement"
	ScopingWorkflowName        = "Scoping"
	GapAssessmentWorkflowName  = "GapAssessment"
	RemediationWorkflowName    = "Remediation"
	GapRemediationWorkflowName = "GapRemediation"
	OperatingWorkflowName      = "Operating"
	ReadinessWorkflowName      = "Readiness"
	ProgrammeWorkflowName      = "Programme"
	// SlackClickWorkflowName is one queued Slack click (inbox_click.go).
	SlackClickWorkflowName = "SlackClick"
	VendorWorkWorkflowName = "VendorWork"
)

// SlackClickWorkflowID is a click's inbox: the click's delivery ID, so a
// redelivered click finds the workflow of its first delivery.
func SlackClickWorkflowID(deliveryID string) string { return "slack-click/" + deliveryID }

// Queries.
const (
	// QueryStatus answers EngagementStatus from the engagement workflow.
	QueryStatus = "status"
	// QueryScope answers ScopeState from the scoping workflow.
	QueryScope = "scope"
	// QueryAssessment answers AssessmentProgress from the gap assessment.
	QueryAssessment = "assessment"
	// QueryRemediation answers GapRemediationState from a gap's workflow.
	QueryRemediation = "remediation"
	// QueryOperating answers OperatingProgress from the scheduler.
	QueryOperating = "operating"
	// QueryProgramme answers ProgrammeState from the certified programme.
	QueryProgramme = "programme"
)

// Post-audit updates.
const (
	// UpdateCertify records a report or certificate (EngagementWorkflow).
	UpdateCertify = "certify"
	// UpdateRouteAuditRequest puts an auditor's request to its owner
	// (EngagementWorkflow).
	UpdateRouteAuditRequest = "route-audit-request"
	// UpdateAddSystem and UpdateAddFramework change a certified
	// programme's scope (ProgrammeWorkflow).
	UpdateAddSystem    = "add-system"
	UpdateAddFramework = "add-framework"
	// UpdateChangeTailoring replaces a certified programme's tailoring
	// (per-control overrides, not-applicable, inherited and custom
	// controls): a scope change the lead approves (programme_tailoring.go).
	UpdateChangeTailoring = "change-tailoring"
)

// Engagement updates for what people give or decide outside a prompt
// (EngagementWorkflow; see engagement_updates.go). Each carries the
// caller's compliance.Actor and is refused by its validator unless the
// engagement's rules allow that person.
const (
	// UpdateAddEvidence records evidence for an occurrence of a control.
	UpdateAddEvidence = "add-evidence"
	// UpdateRecordPopulationEvent records one event of a per-event
	// control's population.
	UpdateRecordPopulationEvent = "record-population-event"
	// UpdateDecideGap overrides a gap's rank or accepts the gap.
	UpdateDecideGap = "decide-gap"
	// UpdateAddAuditRequest records one of the auditor's requests (routing
	// it is UpdateRouteAuditRequest).
	UpdateAddAuditRequest = "add-audit-request"
	// UpdateImportPopulation imports the spec's Jira populations now.
	UpdateImportPopulation = "import-population"
	// UpdateInviteAuditor lets an auditor into the auditor's room until a
	// day; the engagement keeps its invitations, since an invited auditor
	// may add requests (see engagement_auditors.go).
	UpdateInviteAuditor = "invite-auditor"
)

// Gap remediation messages.
const (
	// SignalTicketChanged says a Jira ticket's status category changed: a
	// hint the gap checks with Jira before it acts (remediation_ticket_check.go).
	SignalTicketChanged = "ticket-changed"
	// SignalAcceptGap is the retired, unauthenticated way a gap was
	// accepted; a gap's workflow ignores it from versionAcceptGapUpdate on.
	SignalAcceptGap = "accept-gap"
	// UpdateAcceptGap is the lead accepting a gap (AcceptGapRequest).
	UpdateAcceptGap = "accept-gap"
	// UpdateCompleteGap closes a gap with its evidence.
	UpdateCompleteGap = "complete"
	// SignalGapClosed says a gap workflow has ended (GapOutcome) to the
	// remediation workflow, whichever of its runs is current: a hint to
	// ask Temporal how it ended, never counted itself (remediation_run.go).
	SignalGapClosed = "gap-closed"
	// QueryRemediationProgress answers RemediationProgress from the
	// remediation workflow.
	QueryRemediationProgress = "remediation-progress"
	// SignalGapsFound tells the remediation workflow that a change's
	// re-assessment found gaps (GapsFound): a hint to read the stored
	// register and take on its gaps not yet remediated (remediation_join.go).
	SignalGapsFound = "gaps-found"
)

// Gap assessment messages.
const (
	// SignalWithdrawControls tells the running gap assessment that an
	// approved change took controls out of scope (WithdrawControls): a hint
	// checked against the stored spec before any question is withdrawn
	// (assessment_withdraw.go).
	SignalWithdrawControls = "withdraw-controls"
	// SignalWithdrawGaps tells a running remediation that an approved
	// change took controls out of scope (WithdrawGaps): a hint checked
	// against the stored spec before any gap is withdrawn
	// (remediation_withdraw.go).
	SignalWithdrawGaps = "withdraw-gaps"
)

// Updates (human answers, validated before they are accepted).
const (
	// UpdateDecideScope approves or rejects the scope (ScopingWorkflow).
	UpdateDecideScope = "decide-scope"
	// UpdateReviseScope replaces a rejected scope with a revised spec.
	UpdateReviseScope = "revise-scope"
)

// Signals.
const (
	// SignalPhaseProgress carries a phase child's progress to the engagement
	// so the engagement's status query can answer alone: display data, and
	// a window-closed claim the engagement checks (engagement_window_close.go).
	SignalPhaseProgress = "phase-progress"
	// SignalCertified carries a certification recorded while the
	// programme already runs (EngagementWorkflow → ProgrammeWorkflow): a
	// pointer to the stored record (programme_certified.go).
	SignalCertified = "certified"
)

// EngagementWorkflowID is the engagement's business key as a workflow ID.
func EngagementWorkflowID(engagementID string) string { return "engagement/" + engagementID }

// ScopingWorkflowID is the scoping child's ID for an engagement.
func ScopingWorkflowID(engagementID string) string {
	return EngagementWorkflowID(engagementID) + "/scoping"
}

// Prompt workflow names: one workflow asks one person one question.
const (
	PromptWorkflowName = "OwnerPrompt"
	// QueryPrompt answers PromptState.
	QueryPrompt = "prompt"
	// UpdateAnswerPrompt records a person's answer.
	UpdateAnswerPrompt = "answer"
	// UpdateReassignPrompt moves the question to someone else (lead only).
	UpdateReassignPrompt = "reassign"
)

// Prompt kinds the operating period asks (the prompts table's kind).
const (
	PromptKindEvidence = "evidence"
	PromptKindReview   = "review"
	// The readiness review asks the lead to decide each finding and the
	// owner to fix the ones to fix.
	PromptKindFindingDecision = "finding-decision"
	PromptKindFindingFix      = "finding-fix"
	// The programme asks the lead to approve a system entering scope and
	// to plan the annual refresh's work.
	PromptKindScopeChange = "scope-change"
	PromptKindRefresh     = "refresh"
	// PromptKindVendor is vendor work: obtain or review a vendor's report,
	// or ask it for a bridge letter (VendorWorkWorkflow).
	PromptKindVendor = compliance.VendorPromptKind
)

// GapAssessmentWorkflowID is the gap-assessment child's ID.
func GapAssessmentWorkflowID(engagementID string) string {
	return EngagementWorkflowID(engagementID) + "/gap-assessment"
}

// RemediationWorkflowID is the remediation child's ID.
func RemediationWorkflowID(engagementID string) string {
	return EngagementWorkflowID(engagementID) + "/remediation"
}

// OperatingWorkflowID is the operating period's scheduler.
func OperatingWorkflowID(engagementID string) string {
	return EngagementWorkflowID(engagementID) + "/operating"
}

// GapWorkflowID is one gap's remediation workflow, and its item's ID.
func GapWorkflowID(engagementID, controlID string) string {
	return EngagementWorkflowID(engagementID) + "/gap/" + controlID
}

// RoundGapWorkflowID is the gap workflow (and item ID) of a gap a change's
// round (round) found: named by the round, as the control may have been
// remediated before under GapWorkflowID, whose completed workflow cannot
// run again. An empty round is the first assessment's GapWorkflowID.
func RoundGapWorkflowID(engagementID, round, controlID string) string {
	if round == "" {
		return GapWorkflowID(engagementID, controlID)
	}
	return EngagementWorkflowID(engagementID) + "/gap/" + round + "/" + controlID
}

// ItemRound is the round (the change) whose gap an item remediates, read
// back from its item ID (RoundGapWorkflowID); "" for an item of the
// engagement's own remediation, or an ID of another shape.
func ItemRound(engagementID, controlID, itemID string) string {
	prefix, suffix := EngagementWorkflowID(engagementID)+"/gap/", "/"+controlID
	if !strings.HasPrefix(itemID, prefix) || !strings.HasSuffix(itemID, suffix) || len(itemID) <= len(prefix)+len(suffix) {
		return ""
	}
	return itemID[len(prefix) : len(itemID)-len(suffix)]
}

// RoundRemediationWorkflowID is the remediation of the gaps a change's
// round found once the engagement's own remediation had ended.
func RoundRemediationWorkflowID(engagementID, round string) string {
	return RemediationWorkflowID(engagementID) + "/" + round
}

// PromptWorkflowID is the prompt's business key as a workflow ID: the same
// question in the same engagement is never asked twice at once.
func PromptWorkflowID(engagementID, key string) string {
	return "prompt/" + engagementID + "/" + key
}

// ReadinessWorkflowID is a readiness review of the engagement.
func ReadinessWorkflowID(engagementID, reviewID string) string {
	return EngagementWorkflowID(engagementID) + "/readiness/" + reviewID
}

// ProgrammeWorkflowID is the certified programme that runs after the audit.
func ProgrammeWorkflowID(engagementID string) string {
	return EngagementWorkflowID(engagementID) + "/programme"
}

// Owner batch workflow names: one workflow asks one person several
// questions at once (a quarter's review checklist, a week's evidence
// requests), each item answered, chased and escalated on its own.
const (
	OwnerBatchWorkflowName = "OwnerBatch"
	// QueryOwnerBatch answers OwnerBatchState.
	QueryOwnerBatch = "owner-batch"
	// UpdateAnswerBatchItem answers one item (AnswerBatchItemRequest).
	UpdateAnswerBatchItem = "answer-item"
	// UpdateReassignBatchItem moves one item to someone else (lead only).
	UpdateReassignBatchItem = "reassign-item"
)

// OwnerBatchWorkflowID is an owner batch's workflow ID: a prompt ID, so
// everything that reads an engagement from a prompt ID reads it from a
// batch's items too (compliance.BatchItemID).
func OwnerBatchWorkflowID(engagementID, batchKey string) string {
	return PromptWorkflowID(engagementID, "batch/"+batchKey)
}

// VendorWorkWorkflowID is the engagement's vendor work.
func VendorWorkWorkflowID(engagementID string) string {
	return EngagementWorkflowID(engagementID) + "/vendors"
}

// The issued report (report_record.go, report_reading.go).
const (
	// ReportReadingWorkflowName asks each control owner to read their
	// sections of an issued report and collects their explanations.
	ReportReadingWorkflowName = "ReportReading"
	// UpdateRecordReport records an issued report (EngagementWorkflow).
	UpdateRecordReport = "record-report"
	// UpdateExplainReport is an owner's explanation of a control or an
	// exception; UpdateApproveExplanation the lead's approval of it
	// (ReportReadingWorkflow).
	UpdateExplainReport      = "explain-report"
	UpdateApproveExplanation = "approve-explanation"
	// QueryReportReading answers ReportReadingState.
	QueryReportReading = "report-reading"
	// PromptKindReportReading asks an owner to read the report.
	PromptKindReportReading = "report-reading"
)

// ReportReadingWorkflowID is the owners' reading of one issued report.
func ReportReadingWorkflowID(engagementID string, k interface{ String() string }) string {
	return EngagementWorkflowID(engagementID) + "/report/" + k.String()
}

// Customers' security reviews (customer_review.go).
const (
	// CustomerReviewWorkflowName routes one customer's questionnaire to
	// owners and collects answers and the lead's approvals.
	CustomerReviewWorkflowName = "CustomerReview"
	// UpdateImportCustomerReview imports a questionnaire
	// (EngagementWorkflow).
	UpdateImportCustomerReview = "import-customer-review"
	// UpdateMapQuestion is the lead mapping an unmapped question to a
	// control; UpdateApproveAnswer the lead approving an answer for release
	// (CustomerReviewWorkflow).
	UpdateMapQuestion   = "map-question"
	UpdateApproveAnswer = "approve-answer"
	// UpdateReturnAnswer is the lead returning an owner's answer to them
	// with a reason; the owner is asked again (CustomerReviewWorkflow).
	UpdateReturnAnswer = "return-answer"
	// UpdateReconfirmAnswer is an owner re-confirming (or rewriting) a
	// library answer that new evidence or a new report unsettled, or the
	// lead approving it back into the library (EngagementWorkflow).
	UpdateReconfirmAnswer = "reconfirm-answer"
	// UpdateAllowReviewFiles is the lead letting one review's export carry
	// the evidence files, not only references (EngagementWorkflow).
	UpdateAllowReviewFiles = "allow-review-files"
	// QueryCustomerReview answers CustomerReviewState.
	QueryCustomerReview = "customer-review"
	// PromptKindCustomerQuestion asks an owner a customer's question.
	PromptKindCustomerQuestion = "customer-question"
)

// CustomerReviewWorkflowID is one customer review of the engagement.
func CustomerReviewWorkflowID(engagementID, reviewID string) string {
	return EngagementWorkflowID(engagementID) + "/customer-review/" + reviewID
}
