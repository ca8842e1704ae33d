package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// SlackMessage is a message Steadfast posted and keeps up to date. An empty
// TS means it has not been posted yet.
type SlackMessage struct {
	Channel string `db:"channel"`
	TS      string `db:"ts"`
}

// Owned Slack messages (an owner's digest, a day's reminder, an escalation)
// are kept without a transaction open across the Slack call: a delivery
// asks for a generation (RequestSlackMessage), takes a short row lease with
// one compare-and-set (ClaimSlackMessage), renders and talks to Slack with
// no connection held, then records what it showed and drops the lease with
// a second compare-and-set (SettleSlackMessage). Deliveries that find their
// generation already shown are done without calling Slack, so thirty
// prompts for one owner opened at once cost a few Slack calls, not thirty.

// SlackClaim is what ClaimSlackMessage found.
type SlackClaim struct {
	SlackMessage
	// Wanted is the newest generation asked for; a holder renders after
	// claiming, so what it shows covers every generation up to Wanted.
	Wanted int64 `db:"wanted"`
	// Shown is the newest generation the message in Slack reflects.
	Shown int64 `db:"shown"`
	// Held says the caller now holds the lease and must settle or release.
	Held bool `db:"held"`
}

// RequestSlackMessage records that the message for purpose must show the
// current state and returns the generation to wait for. Call it after the
// change to show is committed: any render that starts later includes it.
func (s *Store) RequestSlackMessage(ctx context.Context, engagementID, purpose string) (int64, error) {
	var gen int64
	err := s.q.QueryRow(ctx, `
		INSERT INTO slack_messages (engagement_id, purpose, channel, ts, wanted)
		VALUES (@engagement_id, @purpose, '', '', 1)
		ON CONFLICT (engagement_id, purpose) DO UPDATE SET wanted = slack_messages.wanted + 1
		RETURNING wanted`,
		pgx.StrictNamedArgs{"engagement_id": engagementID, "purpose": purpose}).Scan(&gen)
	if err != nil {
		return 0, fmt.Errorf("request slack message %s: %w", purpose, err)
	}
	return gen, nil
}

// ClaimSlackMessage takes the lease on the message for purpose when
// generation gen is not shown yet and nobody else holds a live lease. It
// always reports the message's state; Held says whether the caller got the
// lease. A lease outlives its holder by at most lease, so a worker killed
// mid-delivery delays the next one, it does not block it.
func (s *Store) ClaimSlackMessage(ctx context.Context, engagementID, purpose string, gen int64, token string, lease time.Duration) (SlackClaim, error) {
	rows, err := s.q.Query(ctx, `
		WITH claimed AS (
			UPDATE slack_messages SET lease_token = @token, lease_until = now() + make_interval(secs => @lease_seconds)
			WHERE engagement_id = @engagement_id AND purpose = @purpose AND shown < @gen
				AND (lease_token = '' OR lease_until < now())
			RETURNING channel, ts, wanted, shown, true AS held
		)
		SELECT channel, ts, wanted, shown, held FROM claimed
		UNION ALL
		SELECT channel, ts, wanted, shown, false AS held FROM slack_messages
		WHERE engagement_id = @engagement_id AND purpose = @purpose AND NOT EXISTS (SELECT 1 FROM claimed)`,
		pgx.StrictNamedArgs{"engagement_id": engagementID, "purpose": purpose, "gen": gen, "token": token, "lease_seconds": lease.Seconds()})
	if err != nil {
		return SlackClaim{}, fmt.Errorf("claim slack message %s: %w", purpose, err)
	}
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[SlackClaim])
	if errors.Is(err, pgx.ErrNoRows) {
		return SlackClaim{}, fmt.Errorf("claim slack message %s (never requested): %w", purpose, ErrNotFound)
	}
	if err != nil {
		return SlackClaim{}, fmt.Errorf("claim slack message %s: %w", purpose, err)
	}
	return c, nil
}

// SettleSlackMessage stores the message the lease holder posted or updated,
// records that it shows generation shown, and drops the lease: a
// compare-and-set on token. False means the lease was lost (it expired and
// another delivery took it), so what the caller sent may have overwritten a
// newer render: the caller must ask for a new generation and deliver again.
func (s *Store) SettleSlackMessage(ctx context.Context, engagementID, purpose, token string, m SlackMessage, shown int64) (bool, error) {
	tag, err := s.q.Exec(ctx, `
		UPDATE slack_messages SET channel = @channel, ts = @ts, shown = GREATEST(shown, @shown),
			lease_token = '', lease_until = NULL, updated_at = now()
		WHERE engagement_id = @engagement_id AND purpose = @purpose AND lease_token = @token`,
		pgx.StrictNamedArgs{"engagement_id": engagementID, "purpose": purpose, "token": token,
			"channel": m.Channel, "ts": m.TS, "shown": shown})
	if err != nil {
		return false, fmt.Errorf("settle slack message %s: %w", purpose, err)
	}
	return tag.RowsAffected() == 1, nil
}

// ReleaseSlackMessage drops the caller's lease without recording anything,
// after Slack refused or failed, so the next delivery need not wait for it
// to expire.
func (s *Store) ReleaseSlackMessage(ctx context.Context, engagementID, purpose, token string) error {
	if _, err := s.q.Exec(ctx, `
		UPDATE slack_messages SET lease_token = '', lease_until = NULL
		WHERE engagement_id = @engagement_id AND purpose = @purpose AND lease_token = @token`,
		pgx.StrictNamedArgs{"engagement_id": engagementID, "purpose": purpose, "token": token}); err != nil {
		return fmt.Errorf("release slack message %s: %w", purpose, err)
	}
	return nil
}

// WithSlackMessage runs fn under a transaction-scoped advisory lock on the
// message for purpose, handing it the message posted so far (nil if none)
// and storing what fn returns.
//
// Do not call Slack from fn: it holds a pooled connection and a
// transaction open for as long as fn runs, which starves the pool when many
// prompts open at once. Activities deliver through RequestSlackMessage,
// ClaimSlackMessage and SettleSlackMessage; this stays for fn that do not
// leave the process, and as the baseline of BenchmarkSlowSlackFanOut.
func (s *Store) WithSlackMessage(ctx context.Context, engagementID, purpose string, fn func(existing *SlackMessage) (SlackMessage, error)) error {
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		key := pgx.StrictNamedArgs{"key": engagementID + "|" + purpose}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(@key, 0))`, key); err != nil {
			return fmt.Errorf("lock slack message %s: %w", purpose, err)
		}
		args := pgx.StrictNamedArgs{"engagement_id": engagementID, "purpose": purpose}
		rows, err := tx.Query(ctx, `SELECT channel, ts FROM slack_messages
			WHERE engagement_id = @engagement_id AND purpose = @purpose AND ts <> ''`, args)
		if err != nil {
			return fmt.Errorf("read slack message %s: %w", purpose, err)
		}
		var existing *SlackMessage
		m, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[SlackMessage])
		switch {
		case err == nil:
			existing = &m
		case !errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("read slack message %s: %w", purpose, err)
		}
		got, err := fn(existing)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO slack_messages (engagement_id, purpose, channel, ts) VALUES (@engagement_id, @purpose, @channel, @ts)
			ON CONFLICT (engagement_id, purpose) DO UPDATE SET channel = EXCLUDED.channel, ts = EXCLUDED.ts, updated_at = now()`,
			pgx.StrictNamedArgs{"engagement_id": engagementID, "purpose": purpose, "channel": got.Channel, "ts": got.TS}); err != nil {
			return fmt.Errorf("store slack message %s: %w", purpose, err)
		}
		return nil
	})
}
