// Package activities holds the Activities struct: the only place workflow
// code reaches the outside world. Methods are thin and idempotent; the
// integrations do the work.
package activities

import (
	"errors"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/steadfast-grc/steadfast/integrations/jira"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/internal/reports"
)

// Activities holds the integrations. A nil Store is a configuration error,
// caught when the worker starts.
type Activities struct {
	Store *postgres.Store
	// Slack is nil when Slack is not configured; prompts are then answered
	// through the CLI.
	Slack *slack.Client
	// Jira is nil when Jira is not configured; remediation items then live
	// in Postgres only.
	Jira *jira.Client
	// Clicks records and answers queued Slack clicks (RecordClick,
	// TellClicker); nil on a worker without Slack.
	Clicks ClickRecorder
	// Temporal lets DescribeGaps learn how a gap's workflow ended when its
	// own report never reached the remediation; nil skips that fallback.
	Temporal client.Client
	// Drift keeps each engagement's drift between weekly checks so a check
	// costs what changed since the last; nil rebuilds it at every check.
	Drift *reports.DriftCache
}

// Error types that Temporal must not retry: the input is wrong and will be
// wrong next time too.
const (
	ErrTypeBadInput = "BadInput"
	ErrTypeConflict = "Conflict"
)

func nonRetryable(errType string, err error) error {
	return temporal.NewNonRetryableApplicationError(err.Error(), errType, err)
}

// classify turns store errors that retrying cannot fix into non-retryable
// application errors; everything else (connection loss, timeouts) retries.
func classify(err error) error {
	if errors.Is(err, postgres.ErrConflictingDecision) || errors.Is(err, postgres.ErrPromptClosed) {
		return nonRetryable(ErrTypeConflict, err)
	}
	if errors.Is(err, postgres.ErrNotLinkable) {
		return nonRetryable(ErrTypeBadInput, err)
	}
	return err
}
