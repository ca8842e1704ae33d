package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// OpenRemediationInput is one gap to fix.
type OpenRemediationInput struct {
	EngagementID string
	ItemID       string
	ControlID    string
	Rank         int
	Title        string
	Owner        string
	Due          time.Time
	// JiraProject is empty when the engagement has no Jira; the item then
	// lives in Postgres only.
	JiraProject string
	// Gap carries what the ticket has to say.
	Gap RegisterEntry
	At  time.Time
	// Round names the change's round that found the gap; its ticket gets
	// a label of its own (RoundTicketLabel), so find-or-create does not
	// take the ticket an earlier remediation of the control closed.
	Round string `json:",omitempty"`
}

// OpenRemediationResult names the ticket, when there is one.
type OpenRemediationResult struct {
	TicketKey string
	Label     string
	// AcceptedBy is set when the lead accepted the gap before its
	// remediation started (the signal could not reach it yet).
	AcceptedBy, AcceptReason string
	// JiraError is Jira's refusal to open the ticket, for the lead; the
	// item is kept in Postgres meanwhile.
	JiraError string
}

// TicketLabel is the unique label a gap's ticket carries: derived from the
// engagement and control, so a retried create finds the ticket it made.
func TicketLabel(engagementID, controlID string) string {
	return strings.ToLower("steadfast-" + engagementID + "-" + controlID)
}

// RoundTicketLabel is the label of the ticket of a gap a change's round
// found; with no round, TicketLabel.
func RoundTicketLabel(engagementID, round, controlID string) string {
	if round == "" {
		return TicketLabel(engagementID, controlID)
	}
	return strings.ToLower("steadfast-" + engagementID + "-" + round + "-" + controlID)
}

// OpenRemediation opens the gap's remediation item, and its Jira ticket
// when Jira is configured, exactly once.
func (a *Activities) OpenRemediation(ctx context.Context, in OpenRemediationInput) (OpenRemediationResult, error) {
	res := OpenRemediationResult{Label: RoundTicketLabel(in.EngagementID, in.Round, in.ControlID)}
	// The register keeps a control's acceptance across rebuilds: for a gap a
	// change's round found it is the earlier gap's decision, taken on the
	// scope before the change, and does not close this one. The lead
	// accepts the new gap on its own (accept-gap reaches its workflow).
	accepted, by, reason := false, "", ""
	var err error
	if in.Round == "" {
		if accepted, by, reason, err = a.Store.GapAcceptance(ctx, in.EngagementID, in.ControlID); err != nil {
			return OpenRemediationResult{}, err
		}
	}
	if accepted {
		res.AcceptedBy, res.AcceptReason = by, reason
	}
	if in.JiraProject != "" && a.Jira != nil {
		key, err := a.openTicket(ctx, in, res.Label)
		var appErr *temporal.ApplicationError
		switch {
		case errors.As(err, &appErr) && appErr.Type() == ErrTypeJiraPermanent:
			res.JiraError = appErr.Message()
		case err != nil:
			return OpenRemediationResult{}, err
		}
		res.TicketKey = key
	}
	err = a.Store.OpenItem(ctx, postgres.RemediationItem{
		EngagementID: in.EngagementID, ControlID: in.ControlID, ItemID: in.ItemID, Rank: in.Rank, Title: in.Title,
		OwnerEmail: in.Owner, Due: in.Due, TicketKey: res.TicketKey, TicketLabel: res.Label, OpenedAt: in.At,
	})
	if err != nil {
		return OpenRemediationResult{}, fmt.Errorf("open remediation of %s: %w", in.ControlID, err)
	}
	return res, nil
}

// ChangeRemediationInput moves an item along.
type ChangeRemediationInput struct {
	Change    postgres.ItemChange
	TicketKey string
}

// ChangeRemediationResult is empty.
type ChangeRemediationResult struct{}

// ChangeRemediation records an item's new status, and tells Jira.
func (a *Activities) ChangeRemediation(ctx context.Context, in ChangeRemediationInput) (ChangeRemediationResult, error) {
	if in.TicketKey != "" && a.Jira != nil {
		if err := a.syncTicket(ctx, in); err != nil {
			return ChangeRemediationResult{}, err
		}
	}
	if err := a.Store.ChangeItem(ctx, in.Change); err != nil {
		return ChangeRemediationResult{}, fmt.Errorf("change remediation %s: %w", in.Change.ItemID, err)
	}
	return ChangeRemediationResult{}, nil
}
