package slackemu_test

import (
	"context"
	"errors"
	"testing"
	"time"

	goslack "github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/integrations/slack/slackemu"
)

func TestEmulatorBehaviour(t *testing.T) {
	emu := slackemu.New()
	defer emu.Close()
	emu.AddUser("a@x.example", "U0A")
	emu.AddChannel("C1")
	api := goslack.New("xoxb-t", goslack.OptionAPIURL(emu.URL()))
	ctx := context.Background()

	// Unique, increasing ts even within one second.
	_, ts1, err := api.PostMessageContext(ctx, "C1", goslack.MsgOptionText("one", false))
	require.NoError(t, err)
	_, ts2, err := api.PostMessageContext(ctx, "C1", goslack.MsgOptionText("two", false))
	require.NoError(t, err)
	assert.Less(t, ts1, ts2)

	// 429s count down, then calls succeed.
	emu.RateLimitNext("chat.postMessage", 2, 1500*time.Millisecond)
	for range 2 {
		_, _, err = api.PostMessageContext(ctx, "C1", goslack.MsgOptionText("x", false))
		var rl *goslack.RateLimitedError
		require.True(t, errors.As(err, &rl), "%v", err)
		assert.Equal(t, 2*time.Second, rl.RetryAfter, "Retry-After is whole seconds, rounded up")
	}
	_, _, err = api.PostMessageContext(ctx, "C1", goslack.MsgOptionText("x", false))
	require.NoError(t, err)

	// Duplicate block IDs are invalid_blocks, as in Slack.
	dup := goslack.NewActionBlock("b", goslack.NewButtonBlockElement("a", "v", goslack.NewTextBlockObject("plain_text", "x", false, false)))
	_, _, err = api.PostMessageContext(ctx, "C1", goslack.MsgOptionBlocks(dup, dup))
	assert.EqualError(t, err, "invalid_blocks")

	// Trigger IDs are single-use.
	view := goslack.ModalViewRequest{Type: goslack.VTModal, Title: goslack.NewTextBlockObject("plain_text", "t", false, false)}
	_, err = api.OpenViewContext(ctx, "trig-1", view)
	require.NoError(t, err)
	_, err = api.OpenViewContext(ctx, "trig-1", view)
	assert.EqualError(t, err, "exchanged_trigger_id")

	assert.Equal(t, 6, emu.CallCount("chat.postMessage"), "2 posts, 2 rate-limited, 1 post, 1 invalid")
	assert.Len(t, emu.Messages(), 3)
	for _, c := range emu.Calls("") {
		assert.Empty(t, c.Form.Get("token"))
	}
}
