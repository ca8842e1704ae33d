package activities

import (
	"context"
	"errors"
	"fmt"

	"github.com/steadfast-grc/steadfast/integrations/slack"
)

// A Slack click the handler could verify but that is recorded later, by
// the SlackClick workflow (workflows/inbox_click.go): these two activities
// record it and tell the clicker how it went.

// SealedClick is a verified click sealed by the Slack handler.
type SealedClick = slack.SealedClick

// ClickRecorder records sealed clicks and answers their clickers; the
// worker's is internal/answers.SlackAnswerer, which opens the seal with the
// actor key before anything else.
type ClickRecorder interface {
	AnswerSealed(ctx context.Context, c SealedClick) (slack.Outcome, error)
	TellSealed(ctx context.Context, c SealedClick, text string) error
}

// RecordClickInput is the click to record.
type RecordClickInput struct {
	Click SealedClick
}

// RecordClickResult is the Answerer's verdict: recorded, or refused with
// the words for the clicker.
type RecordClickResult struct {
	Accepted bool
	Message  string `json:",omitempty"`
}

// RecordClick finds the person who clicked and sends their answer as the
// prompt's update, with the click's delivery ID as the update ID: however
// often it is retried, the answer is recorded once. Postgres or Temporal
// being unreachable is retried; a broken seal or a click Steadfast does not
// handle is not.
func (a *Activities) RecordClick(ctx context.Context, in RecordClickInput) (RecordClickResult, error) {
	if a.Clicks == nil {
		return RecordClickResult{}, errors.New("this worker has no Slack configured to record a click")
	}
	out, err := a.Clicks.AnswerSealed(ctx, in.Click)
	switch {
	case err == nil:
		return RecordClickResult{Accepted: out.Accepted, Message: out.Message}, nil
	case errors.Is(err, slack.ErrBadSeal) || !slack.Transient(err):
		return RecordClickResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("record click %s: %w", in.Click.Click.DeliveryID, err))
	default:
		return RecordClickResult{}, fmt.Errorf("record click %s: %w", in.Click.Click.DeliveryID, err)
	}
}

// TellClickerInput is what to tell the person who clicked.
type TellClickerInput struct {
	Click SealedClick
	Text  string
}

// TellClicker shows Text to the clicker only (an ephemeral message where
// they clicked, or in their DM for a modal).
func (a *Activities) TellClicker(ctx context.Context, in TellClickerInput) error {
	if a.Clicks == nil {
		return errors.New("this worker has no Slack configured to tell the clicker")
	}
	err := a.Clicks.TellSealed(ctx, in.Click, in.Text)
	if errors.Is(err, slack.ErrBadSeal) || (err != nil && slack.IsPermanent(err)) {
		return nonRetryable(ErrTypeBadInput, err)
	}
	return err
}
