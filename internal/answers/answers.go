// Package answers is the one path by which a person's answer reaches a
// prompt workflow, whether it came from a Slack click, the CLI or a signed
// web link. The workflow's update validator is the single source of the
// rules (right person, valid choice, note where required, not answered);
// this package only finds the workflow and names the update idempotently.
package answers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/workflows"
)

// Service sends answers to prompt workflows.
type Service struct {
	Temporal client.Client
}

// ErrUnknownPrompt means no prompt workflow has that ID.
var ErrUnknownPrompt = errors.New("no such question")

// Answer sends an answer as an update. updateID identifies the delivery:
// the same click or command delivered twice yields the same update ID and so
// one answer.
func (s *Service) Answer(ctx context.Context, promptID, updateID string, req workflows.AnswerPromptRequest) (workflows.PromptAnswer, error) {
	var ans workflows.PromptAnswer
	if !strings.HasPrefix(promptID, "prompt/") {
		return ans, fmt.Errorf("%w: %q (prompt IDs look like prompt/ENGAGEMENT/KEY)", ErrUnknownPrompt, promptID)
	}
	opts := client.UpdateWorkflowOptions{
		WorkflowID: promptID, UpdateID: updateID, UpdateName: workflows.UpdateAnswerPrompt,
		Args: []any{req}, WaitForStage: client.WorkflowUpdateStageCompleted,
	}
	if batch, ok := compliance.BatchOfItem(promptID); ok {
		// One item of an owner batch: its batch's workflow answers it.
		opts.WorkflowID, opts.UpdateName = batch, workflows.UpdateAnswerBatchItem
		opts.Args = []any{workflows.AnswerBatchItemRequest{Item: promptID, AnswerPromptRequest: req}}
	}
	h, err := s.Temporal.UpdateWorkflow(ctx, opts)
	if err != nil {
		return ans, explain(promptID, err)
	}
	if err := h.Get(ctx, &ans); err != nil {
		return ans, explain(promptID, err)
	}
	return ans, nil
}

// Reassign moves a prompt to another person (lead only).
func (s *Service) Reassign(ctx context.Context, promptID, updateID string, req workflows.ReassignPromptRequest) (workflows.ReassignPromptResult, error) {
	var res workflows.ReassignPromptResult
	opts := client.UpdateWorkflowOptions{
		WorkflowID: promptID, UpdateID: updateID, UpdateName: workflows.UpdateReassignPrompt,
		Args: []any{req}, WaitForStage: client.WorkflowUpdateStageCompleted,
	}
	if batch, ok := compliance.BatchOfItem(promptID); ok {
		opts.WorkflowID, opts.UpdateName = batch, workflows.UpdateReassignBatchItem
		opts.Args = []any{workflows.ReassignBatchItemRequest{Item: promptID, ReassignPromptRequest: req}}
	}
	h, err := s.Temporal.UpdateWorkflow(ctx, opts)
	if err != nil {
		return res, explain(promptID, err)
	}
	if err := h.Get(ctx, &res); err != nil {
		return res, explain(promptID, err)
	}
	return res, nil
}

// explain turns "workflow not found / already completed" into words.
func explain(promptID string, err error) error {
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return fmt.Errorf("%w: %s is not open (it was answered, expired or never asked)", ErrUnknownPrompt, promptID)
	}
	return err
}

// EngagementOf returns the engagement a prompt ID belongs to.
func EngagementOf(promptID string) string {
	rest, ok := strings.CutPrefix(promptID, "prompt/")
	if !ok {
		return ""
	}
	eng, _, _ := strings.Cut(rest, "/")
	return eng
}
