package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// ItemForTicket finds the remediation item whose recorded Jira ticket is
// issueKey. The labels only narrow the candidates (the item's label must
// be among them): a label is a field anyone who can edit an issue can
// copy, the key recorded when Steadfast opened the ticket is not, so an
// issue that merely carries a gap's label matches nothing. ErrNotFound
// when no item has that ticket and label.
func (s *Store) ItemForTicket(ctx context.Context, issueKey string, labels []string) (RemediationItem, error) {
	if issueKey == "" || len(labels) == 0 {
		return RemediationItem{}, fmt.Errorf("find item for ticket %q: %w", issueKey, ErrNotFound)
	}
	rows, err := s.pool.Query(ctx, `
		SELECT engagement_id, control_id, item_id, rank, title, owner_email, due_date::timestamptz, ticket_key, ticket_label,
			status, evidence_link, closed_by, closed_at, opened_at, note
		FROM remediation_items
		WHERE ticket_label = ANY(@labels) AND ticket_key = @key`,
		pgx.StrictNamedArgs{"labels": labels, "key": issueKey})
	if err != nil {
		return RemediationItem{}, fmt.Errorf("find item for ticket %s: %w", issueKey, err)
	}
	items, err := pgx.CollectRows(rows, pgx.RowToStructByPos[RemediationItem])
	if err != nil {
		return RemediationItem{}, fmt.Errorf("find item for ticket %s: %w", issueKey, err)
	}
	switch len(items) {
	case 0:
		return RemediationItem{}, fmt.Errorf("find item for ticket %s: %w", issueKey, ErrNotFound)
	case 1:
		return items[0], nil
	default:
		// Two gaps on one ticket would be a bug elsewhere; moving either
		// would be a guess.
		return RemediationItem{}, fmt.Errorf("find item for ticket %s: %d items record it", issueKey, len(items))
	}
}
