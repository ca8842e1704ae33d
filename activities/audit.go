package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/activity"

	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// RecordAuditAnswerInput is an accepted answer to an audit request's prompt
// (the same answer RecordPromptAnswer stored on the prompt).
type RecordAuditAnswerInput struct {
	Answer postgres.PromptAnswer
}

// RecordAuditAnswerResult says whether a request row took the answer.
type RecordAuditAnswerResult struct {
	// Recorded is false when no audit request is routed through the
	// prompt: nothing to copy the answer to.
	Recorded bool
}

// RecordAuditAnswer copies the answer onto the audit request the prompt
// asks about, so the request list (and the evidence pack made from it)
// holds the answer beside the request. A retry records it once; a prompt
// that is not an audit request's is not an error (the answer is already
// safe on the prompt), and a conflicting answer is not retried.
func (a *Activities) RecordAuditAnswer(ctx context.Context, in RecordAuditAnswerInput) (RecordAuditAnswerResult, error) {
	err := a.Store.RecordAuditAnswer(ctx, in.Answer)
	if errors.Is(err, postgres.ErrNoAuditRequest) {
		activity.GetLogger(ctx).Warn("answer to a prompt with no audit request", "prompt", in.Answer.PromptID)
		return RecordAuditAnswerResult{}, nil
	}
	if err != nil {
		return RecordAuditAnswerResult{}, classify(fmt.Errorf("record audit answer of %s: %w", in.Answer.PromptID, err))
	}
	return RecordAuditAnswerResult{Recorded: true}, nil
}
