package activities

import (
	"context"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// syncDigest refreshes a person's digest in Slack. Without Slack the
// prompts stay in Postgres, where `starter prompts` lists them.
func (a *Activities) syncDigest(ctx context.Context, engagementID string, p compliance.Person) (string, error) {
	if a.Slack == nil {
		return postgres.ChannelCLI, nil
	}
	return a.slackDigest(ctx, engagementID, p)
}

// deliverStep tells the people a rung concerns.
func (a *Activities) deliverStep(ctx context.Context, in PromptStepInput) (string, error) {
	if a.Slack == nil {
		return postgres.ChannelCLI, nil
	}
	return a.slackStep(ctx, in)
}
