package activities

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"time"

	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/integrations/slack"
)

// ownedLease bounds how long one delivery may hold an owned message while
// it renders and talks to Slack. It is longer than deliveryOptions'
// StartToCloseTimeout (30s), so a live holder never loses it; a holder
// killed mid-call delays the next delivery by at most this long.
const ownedLease = 45 * time.Second

// Waiting for another delivery's lease: poll from ownedPollMin, doubling
// to ownedPollMax, each wait jittered so a crowd of waiters does not poll in
// step. Each poll is one short statement; no connection is held in between.
const (
	ownedPollMin = 20 * time.Millisecond
	ownedPollMax = 200 * time.Millisecond
)

// ownedMessage is one message Steadfast keeps up to date in Slack.
type ownedMessage struct {
	engagementID string
	purpose      string
	// open returns the channel to post in; called only when the message
	// has not been posted yet.
	open func(ctx context.Context) (string, error)
	// render builds the message from the records as they are now; it runs
	// after the lease is taken, so it sees every change requested before.
	render func(ctx context.Context) (slack.Message, error)
}

// deliver makes the message in Slack show at least the state committed
// before the call, with no transaction open across a Slack call. Of the
// deliveries racing for one message, one at a time holds the row's lease,
// renders and posts (first time) or updates; the others wait until a render
// that started after their request is shown, and return without calling
// Slack. So an owner gets one DM however many prompts open at once, and the
// last update in Slack is always the newest render.
func (a *Activities) deliver(ctx context.Context, m ownedMessage) error {
	gen, err := a.Store.RequestSlackMessage(ctx, m.engagementID, m.purpose)
	if err != nil {
		return err
	}
	token, err := leaseToken()
	if err != nil {
		return err
	}
	wait := ownedPollMin
	for {
		c, err := a.Store.ClaimSlackMessage(ctx, m.engagementID, m.purpose, gen, token, ownedLease)
		if err != nil {
			return err
		}
		if c.Shown >= gen {
			return nil
		}
		if !c.Held {
			if err := sleep(ctx, wait/2+mrand.N(wait)); err != nil {
				return fmt.Errorf("wait for %s: %w", m.purpose, err)
			}
			wait = min(2*wait, ownedPollMax)
			continue
		}
		sent, err := a.send(ctx, m, c.SlackMessage)
		if err != nil {
			// Let the next delivery try now rather than when the lease
			// expires; the release must run even if ctx is done.
			if rerr := a.Store.ReleaseSlackMessage(context.WithoutCancel(ctx), m.engagementID, m.purpose, token); rerr != nil {
				return fmt.Errorf("%w (and %v)", err, rerr)
			}
			return err
		}
		settled, err := a.Store.SettleSlackMessage(ctx, m.engagementID, m.purpose, token, sent, c.Wanted)
		if err != nil {
			return err
		}
		if settled {
			return nil // c.Wanted >= gen: this render covered our request
		}
		// The lease expired under us and another delivery took it: what we
		// sent may have overwritten its newer render, so ask for one more.
		if gen, err = a.Store.RequestSlackMessage(ctx, m.engagementID, m.purpose); err != nil {
			return err
		}
		wait = ownedPollMin
	}
}

// send renders the message and posts it, or updates the one posted before.
func (a *Activities) send(ctx context.Context, m ownedMessage, cur postgres.SlackMessage) (postgres.SlackMessage, error) {
	msg, err := m.render(ctx)
	if err != nil {
		return postgres.SlackMessage{}, err
	}
	if cur.TS != "" {
		if err := a.Slack.Update(ctx, cur.Channel, cur.TS, msg); err != nil {
			return postgres.SlackMessage{}, slackError("update "+m.purpose, err)
		}
		return cur, nil
	}
	channel, err := m.open(ctx)
	if err != nil {
		return postgres.SlackMessage{}, err
	}
	ts, err := a.Slack.Post(ctx, channel, msg)
	if err != nil {
		return postgres.SlackMessage{}, slackError("post "+m.purpose, err)
	}
	return postgres.SlackMessage{Channel: channel, TS: ts}, nil
}

func leaseToken() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("lease token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
