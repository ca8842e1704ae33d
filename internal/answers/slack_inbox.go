package answers

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/workflows"
)

// ClickInbox is the worker's slack.Queue: it seals a verified click with
// the actor key and starts its SlackClick workflow, whose activities record
// it through SlackAnswerer (AnswerSealed) and tell the clicker how it went.
type ClickInbox struct {
	Temporal  client.Client
	Key       []byte // STEADFAST_ACTOR_KEY, the same the worker verifies actors with
	TaskQueue string
}

var _ slack.Queue = (*ClickInbox)(nil)

// Enqueue starts the click's workflow. The same click delivered again
// finds the workflow its first delivery started, running or ended, and
// adds nothing.
func (q *ClickInbox) Enqueue(ctx context.Context, in slack.Interaction, told bool) error {
	if in.DeliveryID == "" {
		return fmt.Errorf("queue %s for prompt %s: the click has no delivery ID: %w", in.Kind, in.PromptID, slack.ErrUnsupported)
	}
	_, err := q.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.SlackClickWorkflowID(in.DeliveryID), TaskQueue: q.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflows.SlackClickWorkflowName, workflows.SlackClickInput{Click: slack.SealClick(q.Key, in), Told: told})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil // this click's workflow ran already: it is recorded or its clicker was told
	}
	if err != nil {
		return fmt.Errorf("queue %s for prompt %s: %w", in.Kind, in.PromptID, err)
	}
	return nil
}

var _ activities.ClickRecorder = (*SlackAnswerer)(nil)

// AnswerSealed records a queued click once its seal holds.
func (s *SlackAnswerer) AnswerSealed(ctx context.Context, c slack.SealedClick) (slack.Outcome, error) {
	in, err := c.Open(s.Key)
	if err != nil {
		return slack.Outcome{}, err
	}
	return s.Answer(ctx, in)
}

// TellSealed tells a queued click's clicker text, once its seal holds.
func (s *SlackAnswerer) TellSealed(ctx context.Context, c slack.SealedClick, text string) error {
	in, err := c.Open(s.Key)
	if err != nil {
		return err
	}
	if s.Slack == nil {
		return errors.New("tell the clicker: Slack is not configured")
	}
	return s.Slack.TellClicker(ctx, in, text)
}
