package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steadfast-grc/steadfast/compliance"
)

// RemediationItem is one gap's remediation.
type RemediationItem struct {
	EngagementID string     `json:"engagement_id" db:"engagement_id"`
	ControlID    string     `json:"control_id" db:"control_id"`
	ItemID       string     `json:"item_id" db:"item_id"`
	Rank         int        `json:"rank" db:"rank"`
	Title        string     `json:"title" db:"title"`
	OwnerEmail   string     `json:"owner" db:"owner_email"`
	Due          time.Time  `json:"due" db:"due"`
	TicketKey    string     `json:"ticket_key,omitempty" db:"ticket_key"`
	TicketLabel  string     `json:"ticket_label" db:"ticket_label"`
	Status       string     `json:"status" db:"status"`
	EvidenceLink string     `json:"evidence_link,omitempty" db:"evidence_link"`
	ClosedBy     string     `json:"closed_by,omitempty" db:"closed_by"`
	ClosedAt     *time.Time `json:"closed_at,omitempty" db:"closed_at"`
	OpenedAt     time.Time  `json:"opened_at" db:"opened_at"`
	// Note says why a withdrawn item needs no fix: the change that took its
	// control out of scope and who approved it (compliance.GapWithdrawnNote).
	Note string `json:"note,omitempty" db:"note"`
}

// OpenItem records an item once; a retried activity changes nothing but
// fills in a ticket key learnt since.
func (s *Store) OpenItem(ctx context.Context, it RemediationItem) error {
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO remediation_items (engagement_id, control_id, item_id, rank, title, owner_email, due_date, ticket_key,
				ticket_label, status, opened_at)
			VALUES (@engagement_id, @control_id, @item_id, @rank, @title, @owner_email, @due_date, @ticket_key,
				@ticket_label, 'open', @opened_at)
			ON CONFLICT (item_id) DO UPDATE SET
				ticket_key = CASE WHEN remediation_items.ticket_key = '' THEN EXCLUDED.ticket_key ELSE remediation_items.ticket_key END`,
			pgx.StrictNamedArgs{"engagement_id": it.EngagementID, "control_id": it.ControlID, "item_id": it.ItemID,
				"rank": it.Rank, "title": it.Title, "owner_email": strings.ToLower(it.OwnerEmail),
				"due_date": it.Due.Format("2006-01-02"), "ticket_key": it.TicketKey, "ticket_label": it.TicketLabel,
				"opened_at": it.OpenedAt}); err != nil {
			return fmt.Errorf("open remediation item %s: %w", it.ItemID, err)
		}
		return appendEvent(ctx, tx, Event{
			EngagementID: it.EngagementID, Key: it.ItemID + "/opened", Kind: EventItemOpened, Actor: "steadfast",
			Channel: ChannelWorkflow, At: it.OpenedAt,
			Detail: map[string]any{"control": it.ControlID, "ticket": it.TicketKey, "owner": it.OwnerEmail, "due": it.Due.Format("2006-01-02")},
		})
	})
}

// ChangeItem records a status change once per status. A withdrawn item is
// not changed: its gap has left the scope (WithdrawItem).
func (s *Store) ChangeItem(ctx context.Context, c ItemChange) error {
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			UPDATE remediation_items SET status = @status,
				evidence_link = CASE WHEN @evidence = '' THEN evidence_link ELSE @evidence END,
				closed_by = CASE WHEN @status IN ('verified', 'accepted') THEN @by ELSE closed_by END,
				closed_at = CASE WHEN @status IN ('verified', 'accepted') THEN @at ELSE closed_at END
			WHERE item_id = @item_id AND status <> 'withdrawn'`, pgx.StrictNamedArgs{"item_id": c.ItemID, "status": c.Status, "evidence": c.Evidence,
			"by": strings.ToLower(c.By), "at": c.At}); err != nil {
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
		SELECT engagement_id, control_id, item_id, rank, title, owner_email, due_date::timestamptz AS due, ticket_key,
			ticket_label, status, evidence_link, closed_by, closed_at, opened_at, note
		FROM remediation_items WHERE engagement_id = @engagement_id ORDER BY rank, control_id`,
		pgx.StrictNamedArgs{"engagement_id": engagementID})
	if err != nil {
		return nil, fmt.Errorf("list remediation of %s: %w", engagementID, err)
	}
	items, err := pgx.CollectRows(rows, pgx.RowToStructByName[RemediationItem])
	if err != nil {
		return nil, fmt.Errorf("list remediation of %s: %w", engagementID, err)
	}
	return items, nil
}

// ItemByLabel finds the item whose ticket carries a label (webhooks name
// tickets, not workflows).
func (s *Store) ItemByLabel(ctx context.Context, labels []string) (RemediationItem, error) {
	rows, err := s.q.Query(ctx, `
		SELECT engagement_id, control_id, item_id, rank, title, owner_email, due_date::timestamptz AS due, ticket_key,
			ticket_label, status, evidence_link, closed_by, closed_at, opened_at, note
		FROM remediation_items WHERE ticket_label = ANY(@labels) ORDER BY engagement_id, control_id LIMIT 1`,
		pgx.StrictNamedArgs{"labels": labels})
	if err != nil {
		return RemediationItem{}, fmt.Errorf("find item by label: %w", err)
	}
	it, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[RemediationItem])
	if errors.Is(err, pgx.ErrNoRows) {
		return RemediationItem{}, fmt.Errorf("find item by label %v: %w", labels, ErrNotFound)
	}
	if err != nil {
		// A database failure is not "no such item": the caller retries.
		return RemediationItem{}, fmt.Errorf("find item by label %v: %w", labels, err)
	}
	return it, nil
}

// ItemWithdrawal withdraws an item: an approved change took its control out
// of scope. By is who approved the change (empty when no lead was asked).
type ItemWithdrawal struct {
	EngagementID string
	ItemID       string
	ChangeID     string
	By           string
	Note         string
	At           time.Time
}

// WithdrawItem records an item as withdrawn, with its note, and logs it,
// only while compliance.GapWithdrawable holds: an item verified or accepted
// stays as it was. It returns the item as it stands afterwards — withdrawn
// (now, or by an earlier try of the same activity) or as it was — and
// ErrNotFound when there is no such item.
func (s *Store) WithdrawItem(ctx context.Context, w ItemWithdrawal) (RemediationItem, error) {
	var it RemediationItem
	err := pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT engagement_id, control_id, item_id, rank, title, owner_email, due_date::timestamptz AS due, ticket_key,
				ticket_label, status, evidence_link, closed_by, closed_at, opened_at, note
			FROM remediation_items WHERE item_id = @item_id AND engagement_id = @engagement_id FOR UPDATE`,
			pgx.StrictNamedArgs{"item_id": w.ItemID, "engagement_id": w.EngagementID})
		if err != nil {
			return err
		}
		it, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[RemediationItem])
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil || !compliance.GapWithdrawable(it.Status) {
			return err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE remediation_items SET status = 'withdrawn', note = @note, closed_by = @by, closed_at = @at
			WHERE item_id = @item_id`, pgx.StrictNamedArgs{"item_id": w.ItemID, "note": w.Note, "by": strings.ToLower(w.By), "at": w.At}); err != nil {
			return err
		}
		it.Status, it.Note, it.ClosedBy, it.ClosedAt = ItemWithdrawn, w.Note, strings.ToLower(w.By), &w.At
		by := strings.ToLower(w.By)
		if by == "" {
			by = "steadfast"
		}
		return appendEvent(ctx, tx, Event{
			EngagementID: w.EngagementID, Key: w.ItemID + "/withdrawn", Kind: compliance.EventItemWithdrawn,
			Actor: by, Channel: ChannelWorkflow, At: w.At,
			Detail: map[string]any{"item": w.ItemID, "control": it.ControlID, "change": w.ChangeID, "note": w.Note},
		})
	})
	if err != nil {
		return RemediationItem{}, fmt.Errorf("withdraw remediation item %s: %w", w.ItemID, err)
	}
	return it, nil
}
