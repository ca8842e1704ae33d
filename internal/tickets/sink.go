// Package tickets carries Jira ticket changes into the workflows: the
// webhook sink finds the gap a ticket belongs to and signals that gap's
// workflow. The gap is matched by the issue key recorded when Steadfast
// opened its ticket; the Steadfast label only narrows the candidates, as
// anyone who can edit an issue can copy a label onto it. The signal itself
// is a hint: the gap reads its ticket from Jira before it acts on "done"
// (workflows/remediation_ticket_check.go), since any Temporal client can
// send the same signal.
package tickets

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/integrations/jira"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/workflows"
)

// Sink implements jira.WebhookSink.
type Sink struct {
	Temporal client.Client
	Store    *postgres.Store
}

var _ jira.WebhookSink = (*Sink)(nil)

// IssueChanged signals the gap workflow whose ticket changed. Issues that
// are not a gap's recorded ticket (even when they carry its label), and
// gaps already closed, are ignored; the delivery ID, derived from the
// signed body, travels with the signal so the workflow drops redeliveries.
func (s *Sink) IssueChanged(ctx context.Context, ev jira.IssueEvent) error {
	item, err := s.Store.ItemForTicket(ctx, ev.IssueKey, ev.Labels)
	if errors.Is(err, postgres.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	err = s.Temporal.SignalWorkflow(ctx, item.ItemID, "", workflows.SignalTicketChanged,
		workflows.TicketChange{WebhookID: ev.WebhookID, Category: ev.Category})
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return nil // the gap is closed already
	}
	if err != nil {
		return fmt.Errorf("signal %s about %s: %w", item.ItemID, ev.IssueKey, err)
	}
	return nil
}
