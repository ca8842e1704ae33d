package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/steadfast-grc/steadfast/integrations/jira"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// ErrTypeJiraPermanent marks a Jira refusal retrying cannot fix (a 4xx
// other than 429); the workflow escalates it to the lead with Jira's words.
const ErrTypeJiraPermanent = "JiraPermanent"

// jiraError turns a Jira failure into what Temporal should do with it.
func jiraError(what string, err error) error {
	if d, ok := jira.RetryAfter(err); ok {
		return temporal.NewApplicationErrorWithOptions(fmt.Sprintf("%s: Jira asked to retry later", what), "JiraRateLimited",
			temporal.ApplicationErrorOptions{NextRetryDelay: d, Cause: err})
	}
	if jira.IsPermanent(err) {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("%s: %s", what, jira.Message(err)), ErrTypeJiraPermanent, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// priorityOf maps a gap's rank to a Jira priority: the gaps that fail an
// audit first get the highest.
func priorityOf(rank int) string {
	switch {
	case rank <= 3:
		return "Highest"
	case rank <= 10:
		return "High"
	case rank <= 25:
		return "Medium"
	}
	return "Low"
}

// openTicket finds or creates the gap's ticket. The attempt number lets the
// client wait out Jira's search lag on a retry, so a create whose response
// was lost is found instead of repeated.
func (a *Activities) openTicket(ctx context.Context, in OpenRemediationInput, label string) (string, error) {
	assignee, err := a.Jira.ResolveAccount(ctx, in.Owner)
	if err != nil && !errors.Is(err, jira.ErrUserNotFound) {
		return "", jiraError("find Jira account of "+in.Owner, err)
	}
	key, _, err := a.Jira.FindOrCreate(ctx, jira.Ticket{
		Project: in.JiraProject, Label: label, Labels: []string{"steadfast", "steadfast-" + strings.ToLower(in.EngagementID)},
		Summary: ticketSummary(in), Description: ticketDescription(in), Priority: priorityOf(in.Rank), AssigneeAccountID: assignee,
		Due: in.Due, Attempt: int(activity.GetInfo(ctx).Attempt),
	})
	if err != nil {
		return "", jiraError("open jira ticket for "+in.ControlID, err)
	}
	return key, nil
}

// syncTicket tells Jira how the gap closed: a comment with the evidence (or
// the acceptance) and the ticket moved to the done category.
func (a *Activities) syncTicket(ctx context.Context, in ChangeRemediationInput) error {
	c := in.Change
	var body string
	switch c.Status {
	case postgres.ItemVerified:
		body = fmt.Sprintf("Closed by %s with evidence: %s (recorded by Steadfast)", c.By, c.Evidence)
	case postgres.ItemAccepted:
		body = fmt.Sprintf("Accepted as a known exception by %s (recorded by Steadfast)", c.By)
	case postgres.ItemWithdrawn:
		// Evidence carries the item's note: the change and its approver.
		body = c.Evidence + ". No fix is needed (recorded by Steadfast)"
	default:
		return nil
	}
	if err := a.Jira.Comment(ctx, in.TicketKey, body); err != nil {
		return jiraError("comment on "+in.TicketKey, err)
	}
	if err := a.Jira.TransitionToCategory(ctx, in.TicketKey, jira.CategoryDone); err != nil {
		return jiraError("close "+in.TicketKey, err)
	}
	return nil
}

// PollTicketsInput names the engagement whose open tickets to check.
type PollTicketsInput struct {
	EngagementID string
}

// PollTicketsResult lists the items whose tickets are done in Jira.
type PollTicketsResult struct {
	Done []string // item IDs
}

// PollTickets is the fallback for lost webhooks: one search for every open
// item's ticket, reporting those Jira says are done.
func (a *Activities) PollTickets(ctx context.Context, in PollTicketsInput) (PollTicketsResult, error) {
	if a.Jira == nil {
		return PollTicketsResult{}, nil
	}
	items, err := a.Store.Items(ctx, in.EngagementID)
	if err != nil {
		return PollTicketsResult{}, err
	}
	byLabel := map[string]string{}
	var labels []string
	for _, it := range items {
		if it.Status == postgres.ItemOpen && it.TicketKey != "" {
			byLabel[it.TicketLabel] = it.ItemID
			labels = append(labels, it.TicketLabel)
		}
	}
	if len(labels) == 0 {
		return PollTicketsResult{}, nil
	}
	statuses, err := a.Jira.StatusesByLabel(ctx, labels)
	if err != nil {
		return PollTicketsResult{}, jiraError("poll jira tickets of "+in.EngagementID, err)
	}
	var res PollTicketsResult
	for label, st := range statuses {
		if st.Done() {
			res.Done = append(res.Done, byLabel[label])
		}
	}
	return res, nil
}
