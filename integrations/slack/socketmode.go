package slack

import (
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack/socketmode"
)

// Acker is the part of *socketmode.Client that HandleSocketEvent needs, so a
// test can feed it envelopes without a WebSocket.
type Acker interface {
	Ack(req socketmode.Request, payload ...any) error
}

// RunSocketMode connects to Slack over Socket Mode (for installations without
// a public URL) and feeds every interactive envelope through the same
// ParseInteraction / Dispatcher path as HTTP. It returns when ctx is done or
// the connection fails for good (e.g. a bad app token).
func RunSocketMode(ctx context.Context, sm *socketmode.Client, d *Dispatcher) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	runErr := make(chan error, 1)
	go func() { runErr <- sm.RunContext(ctx) }()
	for {
		select {
		case <-ctx.Done():
			d.Close() // shutting down: do not hold it for clicks still retrying
			return nil
		case err := <-runErr:
			d.Wait()
			if err == nil || errors.Is(err, context.Canceled) {
				return nil
			}
			return fmt.Errorf("slack socket mode: %w", err)
		case evt := <-sm.Events:
			switch evt.Type {
			case socketmode.EventTypeConnected:
				d.log().Info("slack socket mode connected")
			case socketmode.EventTypeConnectionError, socketmode.EventTypeIncomingError, socketmode.EventTypeErrorBadMessage:
				d.log().Warn("slack socket mode problem", "event", string(evt.Type))
			case socketmode.EventTypeInvalidAuth:
				d.log().Error("slack socket mode: app token rejected (needs xapp-… with connections:write)")
			default:
				HandleSocketEvent(ctx, sm, evt, d)
			}
		}
	}
}

// HandleSocketEvent acknowledges one interactive envelope and dispatches it.
// Socket Mode has no signature to check: the WebSocket was opened with the
// app token, so envelopes come from Slack. Every interactive envelope is
// acked, even a malformed one, because an unacked envelope is redelivered.
// Other event types are ignored (Steadfast subscribes to no events).
func HandleSocketEvent(ctx context.Context, client Acker, evt socketmode.Event, d *Dispatcher) {
	if evt.Type != socketmode.EventTypeInteractive || evt.Request == nil {
		return
	}
	// Ack first: it is a single WebSocket write, and the trigger ID's ~3s
	// lifetime runs from the click, not from the ack. An empty ack also
	// closes a submitted modal.
	if err := client.Ack(*evt.Request); err != nil {
		d.log().Warn("slack socket mode ack failed", "err", err, "envelope_id", evt.Request.EnvelopeID)
	}
	ins, err := ParseInteraction(evt.Request.Payload)
	switch {
	case errors.Is(err, ErrUnsupported):
		d.log().Debug("ignored Slack interaction", "reason", err.Error())
		return
	case err != nil:
		d.log().Warn("bad Slack interaction payload", "err", err, "envelope_id", evt.Request.EnvelopeID)
		return
	}
	if needsSync(ins) {
		ctx, cancel := context.WithTimeout(ctx, modalTimeout)
		defer cancel()
		_ = d.Handle(ctx, ins)
		return
	}
	d.Go(ctx, ins)
}
