package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// RemediationItem is one gap's remediation.
type RemediationItem struct {
	EngagementID string     `json:"engagement_id"`
	ControlID    string     `json:"control_id"`
	ItemID       string     `json:"item_id"`
	Rank         int        `json:"rank"`
	Title        string     `json:"title"`
	OwnerEmail   string     `json:"owner"`
	Due          time.Time  `json:"due"`
	TicketKey    string     `json:"ticket_key,omitempty"`
	TicketLabel  string     `json:"ticket_label"`
	Status       string     `json:"status"`
	EvidenceLink string     `json:"evidence_link,omitempty"`
	ClosedBy     string     `json:"closed_by,omitempty"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	OpenedAt     time.Time  `json:"opened_at"`
}

// OpenItem records an item once; a retried activity changes nothing but
// fills in a ticket key learnt since.
func (s *Store) OpenItem(ctx context.Context, it RemediationItem) error {
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO remediation_items (engagement_id, control_id, item_id, rank, title, owner_email, due_date, ticket_key,
				ticket_label, status, opened_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10)
			ON CONFLICT (engagement_id, control_id) DO UPDATE SET
				ticket_key = CASE WHEN remediation_items.ticket_key = '' THEN EXCLUDED.ticket_key ELSE remediation_items.ticket_key END`,
			it.EngagementID, it.ControlID, it.ItemID, it.Rank, it.Title, strings.ToLower(it.OwnerEmail), it.Due.Format("2006-01-02"),
			it.TicketKey, it.TicketLabel, it.OpenedAt); err != nil {
			return fmt.Errorf("open remediation item %s: %w", it.ItemID, err)
		}
		return appendEvent(ctx, tx, Event{
			EngagementID: it.EngagementID, Key: it.ItemID + "/opened", Kind: EventItemOpened, Actor: "steadfast",
			Channel: ChannelWorkflow, At: it.OpenedAt,
			Detail: map[string]any{"control": it.ControlID, "ticket": it.TicketKey, "owner": it.OwnerEmail, "due": it.Due.Format("2006-01-02")},
		})
	})
}

// ChangeItem records a status change once per status.
func (s *Store) ChangeItem(ctx context.Context, c ItemChange) error {
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			UPDATE remediation_items SET status = $2,
				evidence_link = CASE WHEN $3 = '' THEN evidence_link ELSE $3 END,
				closed_by = CASE WHEN $2 IN ('verified', 'accepted') THEN $4 ELSE closed_by END,
				closed_at = CASE WHEN $2 IN ('verified', 'accepted') THEN $5 ELSE closed_at END
			WHERE item_id = $1`, c.ItemID, c.Status, c.Evidence, strings.ToLower(c.By), c.At); err != nil {
			return fmt.Errorf("change %s to %s: %w", c.ItemID, c.Status, err)
		}
		return appendEvent(ctx, tx, Event{
			EngagementID: c.EngagementID, Key: c.ItemID + "/" + c.Status, Kind: EventItemChanged,
			Actor: strings.ToLower(c.By), Channel: orWorkflow(c.Channel), At: c.At,
			Detail: map[string]any{"item": c.ItemID, "status": c.Status, "evidence": c.Evidence},
		})
	})
}

// Items lists an engagement's remediation items in rank order.
func (s *Store) Items(ctx context.Context, engagementID string) ([]RemediationItem, error) {
	rows, err := s.q.Query(ctx, `
		SELECT engagement_id, control_id, item_id, rank, title, owner_email, due_date::timestamptz, ticket_key, ticket_label,
			status, evidence_link, closed_by, closed_at, opened_at
		FROM remediation_items WHERE engagement_id = $1 ORDER BY rank, control_id`, engagementID)
	if err != nil {
		return nil, fmt.Errorf("list remediation of %s: %w", engagementID, err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[RemediationItem])
}

// ItemByLabel finds the item whose ticket carries a label (webhooks name
// tickets, not workflows).
func (s *Store) ItemByLabel(ctx context.Context, labels []string) (RemediationItem, error) {
	rows, err := s.q.Query(ctx, `
		SELECT engagement_id, control_id, item_id, rank, title, owner_email, due_date::timestamptz, ticket_key, ticket_label,
			status, evidence_link, closed_by, closed_at, opened_at
		FROM remediation_items WHERE ticket_label = ANY($1) LIMIT 1`, labels)
	if err != nil {
		return RemediationItem{}, fmt.Errorf("find item by label: %w", err)
	}
	it, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[RemediationItem])
	if err != nil {
		return RemediationItem{}, fmt.Errorf("find item by label %v: %w", labels, ErrNotFound)
	}
	return it, nil
}
