package activities

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/metrics"
)

// An owner batch's activities do for all its items at once what a prompt
// of its own does in several (plan the ladder, open, record the answer,
// record the evidence, refresh the digest): Temporal bills every activity,
// and a person answering a checklist of twenty items should not cost a
// hundred of them. Each still writes every item's own row, so a batch
// item reads exactly like a prompt of its own everywhere else.

// OpenBatchInput opens every item of an owner batch as a prompt.
type OpenBatchInput struct {
	Prompts      []postgres.Prompt
	To           compliance.Person
	SlackChannel string
	// Ladders plan each item's ladder (From, Due, Until), in Prompts'
	// order.
	Ladders []PlanLadderInput
	// Populations, in Prompts' order, name the per-event items whose
	// question says what their population holds so far (ControlID empty
	// for the others): folded in here, at the ask, rather than an
	// activity per item.
	Populations []PopulationSummaryInput `json:",omitempty"`
}

// OpenBatchResult is each item's ladder, in Prompts' order, and the
// channel the batch was delivered through.
type OpenBatchResult struct {
	Ladders   [][]LadderStep
	Delivered string
}

// OpenBatch plans every item's ladder, stores every item's prompt (each
// idempotent by its ID) and refreshes the addressee's digest once.
func (a *Activities) OpenBatch(ctx context.Context, in OpenBatchInput) (OpenBatchResult, error) {
	if len(in.Ladders) != len(in.Prompts) {
		return OpenBatchResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("open batch: %d ladders for %d items", len(in.Ladders), len(in.Prompts)))
	}
	res := OpenBatchResult{Ladders: make([][]LadderStep, len(in.Prompts))}
	plans := map[[2]time.Time][]LadderStep{}
	for i, p := range in.Prompts {
		l := in.Ladders[i]
		key := [2]time.Time{l.Due, l.Until}
		steps, ok := plans[key]
		if !ok {
			planned, err := a.PlanLadder(ctx, l)
			if err != nil {
				return OpenBatchResult{}, err
			}
			steps, plans[key] = planned.Steps, planned.Steps
		}
		res.Ladders[i] = steps
		if i < len(in.Populations) && in.Populations[i].ControlID != "" {
			if sum, err := a.PopulationSummary(ctx, in.Populations[i]); err == nil {
				p.Question += " So far: " + sum.Sentence()
			}
		}
		if n := len(steps); p.DueAt.IsZero() && n > 0 {
			p.DueAt = steps[n-1].At
		}
		if err := a.Store.OpenPrompt(ctx, p); err != nil {
			return OpenBatchResult{}, fmt.Errorf("open batch item %s: %w", p.ID, err)
		}
		metrics.QuestionOpened(ctx, p.Kind)
	}
	via, err := a.syncDigest(ctx, engagementOf(in.Prompts), in.To)
	if err != nil {
		return OpenBatchResult{}, err
	}
	res.Delivered = via
	return res, nil
}

func engagementOf(ps []postgres.Prompt) string {
	if len(ps) == 0 {
		return ""
	}
	return ps[0].EngagementID
}

// BatchStepInput is one rung reached by some items of a batch at once.
type BatchStepInput struct {
	PromptIDs    []string
	EngagementID string
	Step         LadderStep
	To           compliance.Person
	Tell         []compliance.Person
	SlackChannel string
	// Reason overrides the escalation's explanation (PromptStepInput).
	Reason string `json:",omitempty"`
}

// BatchStepResult is empty.
type BatchStepResult struct{}

// BatchStep carries out a rung for each item that reached it: each item is
// recorded and escalated on its own (PromptStep), only the items named.
func (a *Activities) BatchStep(ctx context.Context, in BatchStepInput) (BatchStepResult, error) {
	for _, id := range in.PromptIDs {
		if _, err := a.PromptStep(ctx, PromptStepInput{PromptID: id, EngagementID: in.EngagementID, Step: in.Step, To: in.To,
			Tell: in.Tell, SlackChannel: in.SlackChannel, Reason: in.Reason}); err != nil {
			return BatchStepResult{}, err
		}
	}
	return BatchStepResult{}, nil
}

// RecordBatchAnswerInput is an accepted answer to one item: the answer,
// and for an evidence request the evidence to append.
type RecordBatchAnswerInput struct {
	Answer   postgres.PromptAnswer
	Evidence *RecordEvidenceInput `json:",omitempty"`
	Person   compliance.Person
}

// RecordBatchAnswerResult is empty.
type RecordBatchAnswerResult struct{}

// RecordBatchAnswer stores the item's answer, appends its evidence and
// refreshes the addressee's digest, each idempotent, so a retry repeats
// nothing.
func (a *Activities) RecordBatchAnswer(ctx context.Context, in RecordBatchAnswerInput) (RecordBatchAnswerResult, error) {
	if _, err := a.RecordPromptAnswer(ctx, RecordPromptAnswerInput{Answer: in.Answer}); err != nil {
		return RecordBatchAnswerResult{}, err
	}
	if in.Evidence != nil {
		if _, err := a.RecordEvidence(ctx, *in.Evidence); err != nil {
			return RecordBatchAnswerResult{}, err
		}
	}
	// The answer is safe once stored; a digest Slack cannot refresh now
	// is refreshed by the next change, not worth holding the answer for.
	if _, err := a.syncDigest(ctx, in.Answer.EngagementID, in.Person); err != nil {
		activity.GetLogger(ctx).Warn("refresh digest after a batch answer", "prompt", in.Answer.PromptID, "error", err)
	}
	return RecordBatchAnswerResult{}, nil
}
