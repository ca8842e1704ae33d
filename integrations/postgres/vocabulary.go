package postgres

import "github.com/steadfast-grc/steadfast/compliance"

// The records and vocabulary live in compliance; these aliases keep the
// store's API readable.

type PromptChoice = compliance.PromptChoice
type Prompt = compliance.Prompt
type PromptFilter = compliance.PromptFilter
type PromptAnswer = compliance.PromptAnswer
type ControlAssessment = compliance.ControlAssessment
type Evidence = compliance.Evidence
type AuditRequest = compliance.AuditRequest
type AuditRequestFilter = compliance.AuditRequestFilter
type ItemChange = compliance.ItemChange
type Reassignment = compliance.Reassignment

const (
	EventCertified            = compliance.EventCertified
	ItemOpen                  = compliance.ItemOpen
	ItemDone                  = compliance.ItemDone
	ItemVerified              = compliance.ItemVerified
	ItemAccepted              = compliance.ItemAccepted
	ItemWithdrawn             = compliance.ItemWithdrawn
	EventItemOpened           = compliance.EventItemOpened
	EventItemChanged          = compliance.EventItemChanged
	PromptOpen                = compliance.PromptOpen
	PromptAnswered            = compliance.PromptAnswered
	PromptExpired             = compliance.PromptExpired
	PromptWithdrawn           = compliance.PromptWithdrawn
	EventPromptSent           = compliance.EventPromptSent
	EventPromptAnswered       = compliance.EventPromptAnswered
	EventPromptReassigned     = compliance.EventPromptReassigned
	EventPromptStep           = compliance.EventPromptStep
	EventControlAssessed      = compliance.EventControlAssessed
	EventRegisterBuilt        = compliance.EventRegisterBuilt
	EventGapOverridden        = compliance.EventGapOverridden
	EventGapAccepted          = compliance.EventGapAccepted
	AuditOpen                 = compliance.AuditOpen
	AuditAnswered             = compliance.AuditAnswered
	AuditWithdrawn            = compliance.AuditWithdrawn
	EventAuditRequestAdded    = compliance.EventAuditRequestAdded
	EventAuditRequestAnswered = compliance.EventAuditRequestAnswered
	EventEngagementStarted    = compliance.EventEngagementStarted
	EventScopeAssessed        = compliance.EventScopeAssessed
	EventScopeApproved        = compliance.EventScopeApproved
	EventScopeRejected        = compliance.EventScopeRejected
	EventScopeRevised         = compliance.EventScopeRevised
	EventPhaseEntered         = compliance.EventPhaseEntered
	ChannelCLI                = compliance.ChannelCLI
	ChannelSlack              = compliance.ChannelSlack
	ChannelWeb                = compliance.ChannelWeb
	ChannelWorkflow           = compliance.ChannelWorkflow
	EventReadinessReviewed    = compliance.EventReadinessReviewed
	EventFindingDecided       = compliance.EventFindingDecided
)
