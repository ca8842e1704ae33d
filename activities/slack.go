package activities

import "context"

// SlackDelivery delivers prompts through Slack (filled in with the Slack integration).
type SlackDelivery struct{}

func (a *Activities) slackDigest(ctx context.Context, engagementID string, p any) (string, error) {
	return "slack", nil
}

func (a *Activities) slackStep(ctx context.Context, in PromptStepInput) (string, error) {
	return "slack", nil
}
