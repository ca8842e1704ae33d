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

// AccessChannel is the channel migration 00020's triggers notify with a
// person's email when their web access may have shrunk: a session ended,
// an auditor's invitation changed or withdrawn.
const AccessChannel = "web_access_changed"

// ChangeListener is what ListenChanges calls: Ready once listening,
// Changed with each engagement ID notified on ChangesChannel, and
// AccessChanged (when set) with each email notified on AccessChannel.
type ChangeListener struct {
	Ready         func()
	Changed       func(engagementID string)
	AccessChanged func(email string)
}

// ListenChanges listens on ChangesChannel (and AccessChannel, when the
// listener takes it) over a connection of its own, outside the pool (a
// LISTEN holds its connection for as long as it listens), calls Ready once
// listening and then the listener's function for each notification, until
// ctx ends or the connection fails. A caller that must not miss a change
// re-reads what it watches in Ready: a change committed before LISTEN took
// effect sends no notification.
func (s *Store) ListenChanges(ctx context.Context, l ChangeListener) error {
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
	if l.AccessChanged != nil {
		if _, err := conn.Exec(ctx, "LISTEN "+AccessChannel); err != nil {
			return fmt.Errorf("listen for web access changes: %w", err)
		}
	}
	l.Ready()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("wait for engagement changes: %w", err)
		}
		if n.Channel == AccessChannel {
			l.AccessChanged(n.Payload)
			continue
		}
		l.Changed(n.Payload)
	}
}
