package workflows

import (
	"time"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
)

// OwnerBatchInput asks one person several questions at once.
type OwnerBatchInput struct {
	EngagementID string
	// Key is the batch's key (cadence.ChecklistKey or cadence.WeekBatchKey);
	// the workflow ID derives from it (OwnerBatchWorkflowID).
	Key string
	// Kind is cadence.BatchChecklist or cadence.BatchWeek.
	Kind string
	To   compliance.Person
	// Delegates may answer every item for the addressee (for reviews, the
	// leads); Leads are told at an item's lead rung and may reassign it;
	// Sponsors are told at its sponsor rung.
	Delegates    []string
	Leads        []compliance.Person
	Sponsors     []compliance.Person
	Policy       compliance.ReminderPolicy
	SlackChannel string
	Items        []BatchItem
}

// BatchItem is one question in a batch, with everything a prompt of its
// own would have: its key, kind, choices, deadline and expiry, and for an
// evidence request the occurrence its answer is recorded against.
type BatchItem struct {
	Key      string
	Kind     string
	Subject  string
	Question string
	Why      string
	Choices  []compliance.PromptChoice
	Evidence *activities.EvidenceRequest `json:",omitempty"`
	// Population marks a per-event or continuous control's attestation:
	// its question says what the population holds so far.
	Population bool `json:",omitempty"`
	Due        time.Time
	Until      time.Time
}

// OwnerBatchResult is each item's outcome, in the input's order.
type OwnerBatchResult struct {
	Items []BatchItemState
}

// BatchItemState is one item as the batch holds it.
type BatchItemState struct {
	ID     string                  `json:"id"`
	Key    string                  `json:"key"`
	Status string                  `json:"status"`
	To     string                  `json:"to"`
	Due    time.Time               `json:"due"`
	Answer *PromptAnswer           `json:"answer,omitempty"`
	Steps  []activities.LadderStep `json:"steps"`
	Next   *activities.LadderStep  `json:"next,omitempty"`
}

// OwnerBatchState is the batch query's answer.
type OwnerBatchState struct {
	ID    string           `json:"id"`
	To    string           `json:"to"`
	Items []BatchItemState `json:"items"`
}

// AnswerBatchItemRequest answers one item: Item is its prompt ID
// (compliance.BatchItemID), the rest as for a prompt of its own.
type AnswerBatchItemRequest struct {
	Item string
	AnswerPromptRequest
}

// ItemOf names the item the actor was attested for (identity.ItemClaimant).
func (r AnswerBatchItemRequest) ItemOf() string { return r.Item }

// ReassignBatchItemRequest moves one item to another person.
type ReassignBatchItemRequest struct {
	Item string
	ReassignPromptRequest
}

// ItemOf names the item the actor was attested for (identity.ItemClaimant).
func (r ReassignBatchItemRequest) ItemOf() string { return r.Item }
