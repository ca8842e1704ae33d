package activities

import (
	"context"
	"errors"

	"go.temporal.io/sdk/temporal"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// syncDigest refreshes a person's digest in Slack. Without Slack the
// prompts stay in Postgres, where `starter prompts` lists them. A Slack
// error that retrying cannot fix does not fail the question: delivery is
// reported unreachable, the workflow tells the lead, and the CLI still works.
func (a *Activities) syncDigest(ctx context.Context, engagementID string, p compliance.Person) (string, error) {
	if a.Slack == nil {
		return postgres.ChannelCLI, nil
	}
	via, err := a.slackDigest(ctx, engagementID, p)
	if reason, ok := permanentSlack(err); ok {
		return DeliveredUnreachable + reason, nil
	}
	return via, err
}

// deliverStep tells the people a rung concerns. A permanent Slack failure
// is recorded as the channel used, so the step still counts as taken.
func (a *Activities) deliverStep(ctx context.Context, in PromptStepInput) (string, error) {
	if a.Slack == nil {
		return postgres.ChannelCLI, nil
	}
	via, err := a.slackStep(ctx, in)
	if reason, ok := permanentSlack(err); ok {
		return "slack-failed: " + reason, nil
	}
	return via, err
}

func permanentSlack(err error) (string, bool) {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.Type() == ErrTypeSlackPermanent {
		return appErr.Message(), true
	}
	return "", false
}
