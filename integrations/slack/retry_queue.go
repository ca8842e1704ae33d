package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// Queue keeps a verified click durably until it is recorded: Steadfast's
// is internal/answers.ClickInbox, which starts one Temporal workflow per
// click (its workflow ID is the click's DeliveryID, so a redelivered click
// finds the first one). With a Queue set, the Dispatcher records nothing
// itself: it hands each answer, note or reassignment to the Queue, and the
// HTTP handler does so before it acknowledges Slack, so an acknowledged
// click is in Temporal before the worker could crash.
type Queue interface {
	// Enqueue keeps in. told says the clicker has already been told the
	// click is delayed, so the queue must say when it lands.
	Enqueue(ctx context.Context, in Interaction, told bool) error
}

// SetQueue makes the Dispatcher hand answers to q instead of the Answerer.
// Call it before the Dispatcher handles anything.
func (d *Dispatcher) SetQueue(q Queue) { d.queue = q }

// HasQueue reports whether answers go to a Queue.
func (d *Dispatcher) HasQueue() bool { return d.queue != nil }

// SealedClick is a click as the Slack handler verified it, with a seal
// made with the worker's actor key (STEADFAST_ACTOR_KEY). The activity
// that records a queued click opens the seal first: a click that reached
// Temporal any other way (a client with Temporal credentials starting the
// workflow itself) is refused, so the queue cannot be used to act as
// someone in Slack. The fields Slack hands out as short-lived
// capabilities (response_url, trigger_id) are dropped before sealing:
// they would otherwise sit in workflow history.
type SealedClick struct {
	Click Interaction
	Seal  string
}

// ErrBadSeal refuses a queued click whose seal does not hold.
var ErrBadSeal = errors.New("this click was not sealed by Steadfast's Slack handler, so it is not recorded")

// SealClick seals in with key.
func SealClick(key []byte, in Interaction) SealedClick {
	in.ResponseURL, in.TriggerID, in.Modal = "", "", nil
	return SealedClick{Click: in, Seal: sealOf(key, in)}
}

// Open returns the click if its seal holds for key.
func (c SealedClick) Open(key []byte) (Interaction, error) {
	if len(key) == 0 || c.Seal == "" || !hmac.Equal([]byte(sealOf(key, c.Click)), []byte(c.Seal)) {
		return Interaction{}, ErrBadSeal
	}
	return c.Click, nil
}

// sealOf is an HMAC over the click's JSON (field order is the struct's, so
// the same click always encodes the same way, also after a trip through
// Temporal's JSON payloads), under a label no actor attestation uses.
func sealOf(key []byte, in Interaction) string {
	if len(in.FileIDs) == 0 {
		in.FileIDs = nil // [] and null are the same click
	}
	b, err := json.Marshal(in)
	if err != nil {
		return "" // an Interaction is plain strings: cannot happen
	}
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "steadfast-slack-click-v1\n")
	m.Write(b)
	return hex.EncodeToString(m.Sum(nil))
}

// TellClicker shows text to the person who clicked, only to them: in the
// channel of the clicked message, or — for modal submissions, which have no
// channel — in their DM with the bot.
func (c *Client) TellClicker(ctx context.Context, in Interaction, text string) error {
	ch := in.Channel
	if ch == "" {
		var err error
		if ch, err = c.OpenDM(ctx, in.SlackUserID); err != nil {
			return err
		}
	}
	return c.PostEphemeral(ctx, ch, in.SlackUserID, text)
}

// Transient reports whether an Answerer's or a Queue's error is worth
// retrying (Postgres or Temporal unreachable), rather than a payload
// Steadfast does not handle or a Slack call that will never succeed.
func Transient(err error) bool { return transient(err) }
