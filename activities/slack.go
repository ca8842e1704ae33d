package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/internal/metrics"
)

// Error types for Slack failures the workflow treats differently.
const (
	ErrTypeSlackRateLimited = "SlackRateLimited"
	ErrTypeSlackPermanent   = "SlackPermanent"
)

// digestClosedShown is how many answered or expired prompts a digest keeps
// showing below the open ones, so the owner sees what was just recorded.
const digestClosedShown = 5

// DeliveredUnreachable prefixes a delivery result when the person cannot be
// reached in Slack; the rest says why.
const DeliveredUnreachable = "unreachable: "

// errUnreachable wraps a Slack failure that means the person cannot be
// reached at all; delivery falls back to the CLI and the lead is told.
var errUnreachable = errors.New("cannot reach in Slack")

// slackError turns a Slack failure into what Temporal should do with it: a
// 429 retries after the delay Slack asked for; a permanent error does not
// retry; anything else retries with the activity's backoff.
func slackError(what string, err error) error {
	metrics.SlackError(err)
	if d, ok := slack.RetryAfter(err); ok {
		return temporal.NewApplicationErrorWithOptions(fmt.Sprintf("%s: Slack rate limit", what), ErrTypeSlackRateLimited,
			temporal.ApplicationErrorOptions{NextRetryDelay: d, Cause: err})
	}
	if slack.IsPermanent(err) {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("%s: %v", what, err), ErrTypeSlackPermanent, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// slackUser finds a person's Slack user ID: from the spec, or by email (and
// remembers it, so their clicks map back to them).
func (a *Activities) slackUser(ctx context.Context, engagementID string, p compliance.Person) (string, error) {
	if p.SlackID != "" {
		return p.SlackID, nil
	}
	id, err := a.Slack.LookupUserByEmail(ctx, p.Email)
	if slack.IsUnreachable(err) {
		return "", fmt.Errorf("%w: %s (%s)", errUnreachable, p.Email, slack.ErrorCode(err))
	}
	if err != nil {
		return "", slackError("look up "+p.Email, err)
	}
	if err := a.Store.RememberSlackID(ctx, engagementID, p.Email, id); err != nil {
		return "", err
	}
	return id, nil
}

// views renders a person's prompts: every open one, then the latest closed.
func views(prompts []postgres.Prompt, zone string) []slack.PromptView {
	var open, closed []slack.PromptView
	for _, p := range prompts {
		v := slack.PromptView{
			PromptID: p.ID, Kind: p.Kind, Question: p.Question, Why: p.Why, Subject: p.Subject,
			Due: p.DueAt, TimeZone: zone, NeedsNote: p.NoteRequired, NeedsLink: p.LinkRequired,
			Expired: p.Status == postgres.PromptExpired, Withdrawn: p.Status == postgres.PromptWithdrawn,
		}
		for _, c := range p.Choices {
			v.Choices = append(v.Choices, slack.Choice{Value: c.Value, Label: c.Label})
		}
		if p.Status == postgres.PromptAnswered && p.AnsweredAt != nil {
			v.Answer = &slack.AnswerView{Choice: p.AnswerChoice, By: p.AnsweredBy, Channel: p.AnsweredVia,
				Note: p.AnswerNote, Link: p.AnswerLink, At: *p.AnsweredAt}
		}
		if p.Status == postgres.PromptOpen {
			open = append(open, v)
		} else {
			closed = append(closed, v)
		}
	}
	if len(closed) > digestClosedShown {
		closed = closed[len(closed)-digestClosedShown:]
	}
	return append(open, closed...)
}

func zoneOf(p compliance.Person, fallback string) string {
	if p.TimeZone != "" {
		return p.TimeZone
	}
	return fallback
}

// slackDigest posts or updates the person's one digest message (see
// deliver: concurrent prompts for one owner and retried activities update a
// single message, and no transaction is open while Slack is called).
func (a *Activities) slackDigest(ctx context.Context, engagementID string, p compliance.Person) (string, error) {
	user, err := a.slackUser(ctx, engagementID, p)
	if errors.Is(err, errUnreachable) {
		return DeliveredUnreachable + err.Error(), nil
	}
	if err != nil {
		return "", err
	}
	err = a.deliver(ctx, ownedMessage{
		engagementID: engagementID,
		purpose:      "digest:" + strings.ToLower(p.Email),
		open:         func(ctx context.Context) (string, error) { return a.openDM(ctx, user, p.Email) },
		render: func(ctx context.Context) (slack.Message, error) {
			prompts, err := a.Store.Prompts(ctx, postgres.PromptFilter{EngagementID: engagementID, Addressee: p.Email})
			if err != nil {
				return slack.Message{}, err
			}
			return slack.DigestMessage(p.Name, views(prompts, p.TimeZone)), nil
		},
	})
	if err != nil {
		return "", err
	}
	return postgres.ChannelSlack, nil
}

// slackStep tells people about a rung. Reminders are a fresh DM (so the
// owner is notified) listing all their open prompts, at most one a day:
// ten prompts reminding on the same day make one message. Escalations go to
// the engagement channel, or to each person's DM when there is none.
func (a *Activities) slackStep(ctx context.Context, in PromptStepInput) (string, error) {
	if in.Step.Kind == StepExpire || in.Step.Kind == StepWithdraw {
		return postgres.ChannelSlack, nil // the digest is refreshed after the record
	}
	zone := zoneOf(in.To, "")
	day := in.Step.At.In(time.UTC).Format("2006-01-02")
	if in.Step.Kind == StepRemind {
		user, err := a.slackUser(ctx, in.EngagementID, in.To)
		if errors.Is(err, errUnreachable) {
			return postgres.ChannelCLI, nil // the lead hears at the next rung
		}
		if err != nil {
			return "", err
		}
		return postgres.ChannelSlack, a.deliver(ctx, ownedMessage{
			engagementID: in.EngagementID,
			purpose:      "reminder:" + strings.ToLower(in.To.Email) + ":" + day,
			open:         func(ctx context.Context) (string, error) { return a.openDM(ctx, user, in.To.Email) },
			render: func(ctx context.Context) (slack.Message, error) {
				open, err := a.openPrompts(ctx, in.EngagementID, in.To.Email)
				if err != nil {
					return slack.Message{}, err
				}
				return slack.ReminderMessage(in.To.Name, views(open, zone), reminderNumber(in.Step.Name)), nil
			},
		})
	}
	// Lead or sponsor: one escalation per owner, level and day.
	var names []string
	for _, p := range in.Tell {
		names = append(names, p.Name)
	}
	reason := in.Reason
	if reason == "" {
		reason = fmt.Sprintf("Escalated to the %s after %s did not answer in time.", in.Step.Kind, in.To.Email)
	}
	// Rendered by whichever delivery holds the message, from the owner's
	// open prompts as they are then, so concurrent rungs show the latest.
	render := func(ctx context.Context) (slack.Message, error) {
		prompts, err := a.openPrompts(ctx, in.EngagementID, in.To.Email)
		if err != nil {
			return slack.Message{}, err
		}
		return slack.EscalationMessage(strings.Join(names, ", "), in.To.Name+" ("+in.To.Email+")", views(prompts, zone), reason), nil
	}
	purpose := fmt.Sprintf("escalation:%s:%s:%s", in.Step.Kind, strings.ToLower(in.To.Email), day)
	if in.SlackChannel != "" {
		return postgres.ChannelSlack, a.deliver(ctx, ownedMessage{engagementID: in.EngagementID, purpose: purpose, render: render,
			open: func(context.Context) (string, error) { return in.SlackChannel, nil }})
	}
	for _, p := range in.Tell {
		user, err := a.slackUser(ctx, in.EngagementID, p)
		if errors.Is(err, errUnreachable) {
			continue
		}
		if err != nil {
			return "", err
		}
		dm := func(ctx context.Context) (string, error) { return a.openDM(ctx, user, p.Email) }
		if err := a.deliver(ctx, ownedMessage{engagementID: in.EngagementID, purpose: purpose + ":" + strings.ToLower(p.Email),
			open: dm, render: render}); err != nil {
			return "", err
		}
	}
	return postgres.ChannelSlack, nil
}

// postOwned posts msg once under purpose, updating it on a retry.
func (a *Activities) postOwned(ctx context.Context, engagementID, purpose, channel string, msg slack.Message) error {
	return a.deliver(ctx, ownedMessage{
		engagementID: engagementID, purpose: purpose,
		open:   func(context.Context) (string, error) { return channel, nil },
		render: func(context.Context) (slack.Message, error) { return msg, nil },
	})
}

// openDM opens (or finds) the direct-message channel with a person.
func (a *Activities) openDM(ctx context.Context, user, email string) (string, error) {
	channel, err := a.Slack.OpenDM(ctx, user)
	if err != nil {
		return "", slackError("open DM with "+email, err)
	}
	return channel, nil
}

// openPrompts lists a person's open prompts.
func (a *Activities) openPrompts(ctx context.Context, engagementID, email string) ([]postgres.Prompt, error) {
	return a.Store.Prompts(ctx, postgres.PromptFilter{EngagementID: engagementID, Addressee: email, Status: postgres.PromptOpen})
}

func reminderNumber(step string) int {
	var n int
	if _, err := fmt.Sscanf(step, StepRemind+"-%d", &n); err != nil || n < 1 {
		return 1
	}
	return n
}
