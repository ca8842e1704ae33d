package engagement

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/integrations/slack"
)

// SlackSignInRequest sends a person a single-use sign-in link as a Slack
// DM, so the link reaches only the Slack account the person holds.
type SlackSignInRequest struct {
	Email string
	// EngagementID is the engagement the person belongs to; empty picks
	// the first one that knows them (the sign-in page asks only for an
	// email).
	EngagementID string
	// BaseURL is the web's address the link points at.
	BaseURL string
	Slack   *slack.Client
}

// SlackSignInResult says when the link expires and which Slack user got it.
type SlackSignInResult struct {
	EngagementID string
	SlackUser    string
	ExpiresAt    time.Time
}

// ErrSlackNotConfigured means there is no Slack to send a link through.
var ErrSlackNotConfigured = errors.New("no Slack is configured (SLACK_BOT_TOKEN); print the link with `starter web-login` instead")

// SendSignInLinkBySlack makes a link for someone an engagement knows (a
// person of its spec or an invited auditor) and DMs it to their Slack
// account: the spec's Slack ID, else the account Slack finds by the email.
// The link is never returned, so whoever asked for it cannot use it.
func (s *Service) SendSignInLinkBySlack(ctx context.Context, req SlackSignInRequest) (SlackSignInResult, error) {
	if req.Slack == nil {
		return SlackSignInResult{}, ErrSlackNotConfigured
	}
	email := strings.ToLower(strings.TrimSpace(req.Email))
	id := req.EngagementID
	if id == "" {
		acc, err := s.WebAccess(ctx, email)
		if err != nil {
			return SlackSignInResult{}, err
		}
		if len(acc.Engagements) == 0 {
			return SlackSignInResult{}, ErrNoAccess
		}
		id = acc.Engagements[0].EngagementID
	}
	spec, _, err := s.spec(ctx, id)
	if err != nil {
		return SlackSignInResult{}, err
	}
	// Refuse a stranger before asking Slack anything about them.
	if acc, err := s.engagementAccess(ctx, email, id); err != nil {
		return SlackSignInResult{}, err
	} else if !acc.Any() {
		return SlackSignInResult{}, fmt.Errorf("%s is not a person of engagement %s nor an auditor invited to it", email, id)
	}
	user := ""
	if p := spec.Person(email); p != nil {
		user = p.SlackID
	}
	if user == "" {
		if user, err = req.Slack.LookupUserByEmail(ctx, email); err != nil {
			return SlackSignInResult{}, fmt.Errorf("find %s in Slack: %w", email, err)
		}
	}
	// A send that fails after this leaves a link nobody holds (only its
	// hash is stored); it expires unused.
	link, err := s.CreateSignInLink(ctx, SignInLinkRequest{Email: email, EngagementID: id})
	if err != nil {
		return SlackSignInResult{}, err
	}
	dm, err := req.Slack.OpenDM(ctx, user)
	if err != nil {
		return SlackSignInResult{}, fmt.Errorf("open a Slack DM with %s: %w", email, err)
	}
	u := strings.TrimRight(req.BaseURL, "/") + "/signin?token=" + url.QueryEscape(link.Token)
	if _, err := req.Slack.Post(ctx, dm, slack.SignInLinkMessage(id, u, link.ExpiresAt)); err != nil {
		return SlackSignInResult{}, fmt.Errorf("send the sign-in link to %s: %w", email, err)
	}
	return SlackSignInResult{EngagementID: id, SlackUser: user, ExpiresAt: link.ExpiresAt}, nil
}
