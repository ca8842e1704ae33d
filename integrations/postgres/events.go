package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Event is one entry in an engagement's append-only log.
type Event struct {
	ID           int64          `json:"id" db:"id"`
	EngagementID string         `json:"engagement_id" db:"engagement_id"`
	Key          string         `json:"key" db:"event_key"`
	Kind         string         `json:"kind" db:"kind"`
	Actor        string         `json:"actor" db:"actor"`
	Channel      string         `json:"channel" db:"channel"`
	Detail       map[string]any `json:"detail" db:"detail"`
	At           time.Time      `json:"at" db:"occurred_at"`
}

// AppendEvent logs an event once: a second append with the same key is a no-op.
func (s *Store) AppendEvent(ctx context.Context, e Event) error {
	return appendEvent(ctx, s.q, e)
}

func appendEvent(ctx context.Context, db Querier, e Event) error {
	detail, err := json.Marshal(e.Detail)
	if err != nil {
		return fmt.Errorf("encode event detail: %w", err)
	}
	if e.Detail == nil {
		detail = []byte("{}")
	}
	if _, err := db.Exec(ctx, `
		INSERT INTO engagement_events (engagement_id, event_key, kind, actor, channel, detail, occurred_at)
		VALUES (@engagement_id, @event_key, @kind, @actor, @channel, @detail, @occurred_at)
		ON CONFLICT (engagement_id, event_key) DO NOTHING`,
		pgx.StrictNamedArgs{"engagement_id": e.EngagementID, "event_key": e.Key, "kind": e.Kind, "actor": e.Actor,
			"channel": e.Channel, "detail": detail, "occurred_at": e.At}); err != nil {
		return fmt.Errorf("append %s event to %s: %w", e.Kind, e.EngagementID, err)
	}
	return nil
}

// Events lists an engagement's log, oldest first.
func (s *Store) Events(ctx context.Context, engagementID string) ([]Event, error) {
	rows, err := s.q.Query(ctx, `
		SELECT id, engagement_id, event_key, kind, actor, channel, detail, occurred_at
		FROM engagement_events WHERE engagement_id = $1 ORDER BY occurred_at, id`, engagementID)
	if err != nil {
		return nil, fmt.Errorf("list events of %s: %w", engagementID, err)
	}
	events, err := pgx.CollectRows(rows, pgx.RowToStructByName[Event])
	if err != nil {
		return nil, fmt.Errorf("list events of %s: %w", engagementID, err)
	}
	return events, nil
}
