package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ChangesChannel is the notification channel migration 00015's triggers
// notify with an engagement's ID whenever a page of it would show
// something new (an event appended, a prompt opened, answered or
// escalated), whichever process wrote it.
const ChangesChannel = "engagement_changed"

// ListenChanges listens on ChangesChannel over a connection of its own,
// outside the pool (a LISTEN holds its connection for as long as it
// listens), calls ready once listening and then changed with each
// engagement ID notified, until ctx ends or the connection fails. A caller
// that must not miss a change re-reads what it watches in ready: a change
// committed before LISTEN took effect sends no notification.
func (s *Store) ListenChanges(ctx context.Context, ready func(), changed func(engagementID string)) error {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("connect to listen for engagement changes: %w", err)
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = conn.Close(closeCtx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+ChangesChannel); err != nil {
		return fmt.Errorf("listen for engagement changes: %w", err)
	}
	ready()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("wait for engagement changes: %w", err)
		}
		changed(n.Payload)
	}
}
