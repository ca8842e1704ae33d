package answers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/blob"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/refusal"
	"github.com/steadfast-grc/steadfast/workflows"
)

// SlackAnswerer turns Slack clicks into prompt updates. It attributes the
// click to a person the engagement names (by their Slack ID), attests that
// person as acting through Slack for this one update (Key is
// STEADFAST_ACTOR_KEY, which the worker verifies), sends the update with the
// click's delivery ID as the update ID — so a retried or duplicated
// delivery records one answer — and reports validator refusals back to the
// clicker. It runs only behind Slack's signature check, which is what makes
// the attestation true.
type SlackAnswerer struct {
	Service *Service
	Store   *postgres.Store
	Slack   *slack.Client
	Key     []byte
	// Blobs keeps files uploaded in the modal (nil: the store the
	// environment names, blob.FromEnv, opened when first needed).
	Blobs blob.Store
}

var _ slack.Answerer = (*SlackAnswerer)(nil)

// Answer implements slack.Answerer.
func (s *SlackAnswerer) Answer(ctx context.Context, in slack.Interaction) (slack.Outcome, error) {
	eng := EngagementOf(in.PromptID)
	by, err := s.person(ctx, eng, in.SlackUserID)
	if errors.Is(err, postgres.ErrNotFound) {
		return slack.Outcome{Message: "Steadfast does not know you as a member of this engagement, so it cannot record your answer. Ask the lead to add your Slack ID to the spec."}, nil
	}
	if err != nil {
		return slack.Outcome{}, err
	}
	updateID := "slack/" + in.DeliveryID
	switch in.Kind {
	case slack.KindAnswer, slack.KindNoteSubmit:
		var artifact *compliance.Artifact
		if len(in.FileIDs) > 0 {
			a, msg, err := s.storeFile(ctx, in.FileIDs[0])
			if err != nil {
				return slack.Outcome{}, err
			}
			if msg != "" {
				return slack.Outcome{Message: msg}, nil
			}
			artifact = &a
		}
		_, err = s.Service.Answer(ctx, in.PromptID, updateID, workflows.AnswerPromptRequest{
			Choice: in.Choice, Note: in.Note, Link: in.Link, Artifact: artifact, Actor: identity.SlackActor(s.Key, in.PromptID, updateID, by),
		})
	case slack.KindReassign:
		var to string
		to, err = s.person(ctx, eng, in.ReassignTo)
		if errors.Is(err, postgres.ErrNotFound) {
			return slack.Outcome{Message: "That person is not part of this engagement; add them to the spec first."}, nil
		}
		if err != nil {
			return slack.Outcome{}, err
		}
		_, err = s.Service.Reassign(ctx, in.PromptID, updateID, workflows.ReassignPromptRequest{
			To: compliance.Person{Email: to, SlackID: in.ReassignTo}, Actor: identity.SlackActor(s.Key, in.PromptID, updateID, by),
		})
	default:
		return slack.Outcome{}, fmt.Errorf("answer %s: %w", in.Kind, slack.ErrUnsupported)
	}
	return outcome(err)
}

// person maps a Slack user to the email the engagement knows them by.
func (s *SlackAnswerer) person(ctx context.Context, engagementID, slackID string) (string, error) {
	email, err := s.Store.PersonBySlackID(ctx, engagementID, slackID)
	if !errors.Is(err, postgres.ErrNotFound) || s.Slack == nil {
		return email, err
	}
	// Not seen yet: ask Slack for their email and remember the ID if the
	// spec names that email.
	email, lerr := s.Slack.UserEmail(ctx, slackID)
	if lerr != nil {
		return "", fmt.Errorf("look up slack user %s: %w", slackID, lerr)
	}
	if err := s.Store.RememberSlackID(ctx, engagementID, email, slackID); err != nil {
		return "", err
	}
	return s.Store.PersonBySlackID(ctx, engagementID, slackID)
}

// outcome separates refusals the clicker should read (validator
// rejections, closed prompts) from failures to reach Temporal at all.
func outcome(err error) (slack.Outcome, error) {
	if err == nil {
		return slack.Outcome{Accepted: true}, nil
	}
	var appErr *temporal.ApplicationError
	switch {
	case errors.Is(err, ErrUnknownPrompt):
		return slack.Outcome{Message: "This question is closed: it was answered, expired or withdrawn."}, nil
	case errors.As(err, &appErr):
		return slack.Outcome{Message: strings.TrimSpace(appErr.Message())}, nil
	case isUnavailable(err):
		return slack.Outcome{}, err
	}
	return slack.Outcome{Message: refusal.Words(err)}, nil
}

func isUnavailable(err error) bool {
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	// ResourceExhausted is Temporal shedding load: the click is retried.
	var exhausted *serviceerror.ResourceExhausted
	return errors.As(err, &unavailable) || errors.As(err, &deadline) || errors.As(err, &exhausted) || errors.Is(err, context.DeadlineExceeded)
}
