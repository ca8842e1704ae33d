package workflows

import (
	"time"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
)

// PromptInput is one question for one person.
type PromptInput struct {
	EngagementID string
	// Key is the business key of the question within the engagement
	// (e.g. scope-signoff/r2); the workflow ID derives from it.
	Key          string
	Kind         string
	Subject      string
	Question     string
	Why          string
	Choices      []compliance.PromptChoice
	NoteRequired bool
	LinkRequired bool
	To           compliance.Person
	// Delegates may answer for the addressee (the lead's named delegates).
	Delegates []string
	// Leads are told at the lead rung and may reassign; Sponsors are told
	// at the sponsor rung.
	Leads        []compliance.Person
	Sponsors     []compliance.Person
	Policy       compliance.ReminderPolicy
	SlackChannel string
	// Evidence, when set, makes this an evidence request: the answer is
	// appended to the evidence record for the occurrence.
	Evidence *activities.EvidenceRequest
	// Due, when set, is the question's deadline: the ladder is anchored on
	// it (owner before, lead at, sponsor after but before the quarter
	// closes) instead of on the policy's offsets from the day it was
	// asked. Until is when it expires (zero: with the last escalation).
	Due   time.Time `json:",omitempty"`
	Until time.Time `json:",omitempty"`
}

// Prompt outcomes.
const (
	OutcomeAnswered = "answered"
	OutcomeExpired  = "expired"
	// OutcomeWithdrawn: the parent cancelled the question before an answer.
	OutcomeWithdrawn = "withdrawn"
)

// PromptResult is the answer, or the expiry.
type PromptResult struct {
	Outcome string
	Answer  *PromptAnswer
	// Steps are the rungs of the ladder that fired before the outcome.
	Steps []activities.LadderStep
}

// AnswerPromptRequest is a person's answer, from Slack, the CLI or the web.
type AnswerPromptRequest struct {
	Choice string
	Note   string
	Link   string
	// Artifact is a file given as the evidence, already in the evidence
	// store (the Slack handler downloads and stores it); only its hash,
	// size, type and name travel here.
	Artifact *compliance.Artifact `json:",omitempty"`
	// Days, for a daily control's weekly batch, are the days the control
	// was performed; each becomes its own evidence record, and a day left
	// out is a missing day the judge finds. None means every day of the
	// batch (what an answer meant before days were asked).
	Days []compliance.Date `json:",omitempty"`
	// Files, on an answer to an auditor's request only, are the files
	// given with it: bytes already in the evidence store (by hash) or
	// evidence rows of the same engagement (compliance.CheckAnswerFiles).
	Files []compliance.AnswerFile `json:",omitempty"`
	// Actor is who answers, through which path, as that path authenticated
	// them; the answer is recorded as this person and channel.
	Actor compliance.Actor `json:",omitzero"`
	// By and Channel are what answers carried before actors: read only
	// when replaying such a history, never trusted on a live request.
	By      string `json:",omitempty"`
	Channel string `json:",omitempty"`
}

// PromptAnswer is a recorded answer.
type PromptAnswer struct {
	Choice   string               `json:"choice"`
	Note     string               `json:"note,omitempty"`
	Link     string               `json:"link,omitempty"`
	Artifact *compliance.Artifact `json:"artifact,omitempty"`
	// Days are the batch days the answer says the control was performed.
	Days []compliance.Date `json:"days,omitempty"`
	// Files are the files an answer to an auditor's request carried.
	Files   []compliance.AnswerFile `json:"files,omitempty"`
	By      string                  `json:"by"`
	Channel string                  `json:"channel"`
	// Operator is who typed the command when Channel is cli.
	Operator string    `json:"operator,omitempty"`
	UpdateID string    `json:"update_id"`
	At       time.Time `json:"at"`
}

// ReassignPromptRequest moves the question to another person.
type ReassignPromptRequest struct {
	To     compliance.Person
	Reason string
	// Actor is who reassigns (the lead or a delegate).
	Actor compliance.Actor `json:",omitzero"`
	// By is what requests carried before actors (replay only).
	By string `json:",omitempty"`
}

// ReassignPromptResult names the new addressee.
type ReassignPromptResult struct {
	To string
}

// PromptState is the prompt query's answer.
type PromptState struct {
	ID       string                    `json:"id"`
	Status   string                    `json:"status"`
	To       string                    `json:"to"`
	Choices  []compliance.PromptChoice `json:"choices"`
	Answer   *PromptAnswer             `json:"answer,omitempty"`
	Steps    []activities.LadderStep   `json:"steps"`
	Next     *activities.LadderStep    `json:"next,omitempty"`
	Deciders []string                  `json:"may_answer"`
}
