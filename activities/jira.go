package activities

import (
	"context"
	"errors"
)

// JiraTickets is filled in with the Jira integration.
type JiraTickets struct{}

var errNoJira = errors.New("jira not wired")

func (a *Activities) openTicket(ctx context.Context, in OpenRemediationInput, label string) (string, error) {
	return "", errNoJira
}

func (a *Activities) syncTicket(ctx context.Context, in ChangeRemediationInput) error {
	return errNoJira
}
