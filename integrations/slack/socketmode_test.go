package slack_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/slack-go/slack/socketmode"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/integrations/slack"
)

type fakeAcker struct {
	mu    sync.Mutex
	acked []string
}

func (f *fakeAcker) Ack(req socketmode.Request, _ ...any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.acked = append(f.acked, req.EnvelopeID)
	return nil
}

func envelope(id string, payload []byte) socketmode.Event {
	return socketmode.Event{
		Type:    socketmode.EventTypeInteractive,
		Request: &socketmode.Request{Type: socketmode.RequestTypeInteractive, EnvelopeID: id, Payload: json.RawMessage(payload)},
	}
}

func TestSocketModeEnvelopeIsAckedAndDispatched(t *testing.T) {
	e := newEnv(t)
	m := e.postDigest(t)
	payload, err := e.emu.ClickPayload(m, aliceID, "answer:implemented")
	require.NoError(t, err)
	acker := &fakeAcker{}

	slack.HandleSocketEvent(context.Background(), acker, envelope("env-1", payload), e.disp)
	in := e.ans.next(t)
	assert.Equal(t, []string{"env-1"}, acker.acked)
	assert.Equal(t, "prompt/eng-1/cc6.1-status", in.PromptID)
	assert.Equal(t, "implemented", in.Choice)
	assert.Equal(t, aliceID, in.SlackUserID)

	// The same click over HTTP and Socket Mode is the same delivery.
	parsed, err := slack.ParseInteraction(payload)
	require.NoError(t, err)
	assert.Equal(t, parsed[0].DeliveryID, in.DeliveryID)

	// The note button opens the modal before HandleSocketEvent returns.
	note, err := e.emu.ClickPayload(m, aliceID, "note:prompt/eng-1/cc6.1-status")
	require.NoError(t, err)
	slack.HandleSocketEvent(context.Background(), acker, envelope("env-2", note), e.disp)
	assert.Len(t, e.emu.Views(), 1)

	// Malformed envelopes are still acked (else Slack redelivers) and go nowhere.
	slack.HandleSocketEvent(context.Background(), acker, envelope("env-3", []byte(`{"type":`)), e.disp)
	// Non-interactive events are not ours to ack.
	slack.HandleSocketEvent(context.Background(), acker, socketmode.Event{Type: socketmode.EventTypeHello}, e.disp)
	e.disp.Wait()
	assert.Equal(t, []string{"env-1", "env-2", "env-3"}, acker.acked)
	assert.Len(t, e.ans.received(), 1)
}
