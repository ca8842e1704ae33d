package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Event is one entry in an engagement's append-only log.
type Event struct {
	ID           int64          `json:"id"`
	EngagementID string         `json:"engagement_id"`
	Key          string         `json:"key"`
	Kind         string         `json:"kind"`
	Actor        string         `json:"actor"`
	Channel      string         `json:"channel"`
	Detail       map[string]any `json:"detail"`
	At           time.Time      `json:"at"`
}

// AppendEvent logs an event once: a second append with the same key is a no-op.
func (s *Store) AppendEvent(ctx context.Context, e Event) error {
	return appendEvent(ctx, s.pool, e)
}

// execer is what both a pool and a transaction offer.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

func appendEvent(ctx context.Context, db execer, e Event) error {
	detail, err := json.Marshal(e.Detail)
	if err != nil {
		return fmt.Errorf("encode event detail: %w", err)
	}
	if e.Detail == nil {
		detail = []byte("{}")
	}
	if _, err := db.Exec(ctx, `
		INSERT INTO engagement_events (engagement_id, event_key, kind, actor, channel, detail, occurred_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (engagement_id, event_key) DO NOTHING`,
		e.EngagementID, e.Key, e.Kind, e.Actor, e.Channel, detail, e.At); err != nil {
		return fmt.Errorf("append %s event to %s: %w", e.Kind, e.EngagementID, err)
	}
	return nil
}

// Events lists an engagement's log, oldest first.
func (s *Store) Events(ctx context.Context, engagementID string) ([]Event, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id, engagement_id, event_key, kind, actor, channel, detail, occurred_at
		FROM engagement_events WHERE engagement_id = $1 ORDER BY occurred_at, id`, engagementID)
	if err != nil {
		return nil, fmt.Errorf("list events of %s: %w", engagementID, err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Event, error) {
		var e Event
		err := row.Scan(&e.ID, &e.EngagementID, &e.Key, &e.Kind, &e.Actor, &e.Channel, &e.Detail, &e.At)
		return e, err
	})
}
