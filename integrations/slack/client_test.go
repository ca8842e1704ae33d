package slack_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/integrations/slack/slackemu"
)

func TestLookupUserByEmailIsCached(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()

	id, err := e.client.LookupUserByEmail(ctx, aliceEmail)
	require.NoError(t, err)
	assert.Equal(t, aliceID, id)

	id, err = e.client.LookupUserByEmail(ctx, " Alice@Client.Example ")
	require.NoError(t, err)
	assert.Equal(t, aliceID, id)
	assert.Equal(t, 1, e.emu.CallCount("users.lookupByEmail"), "second lookup must come from the cache")

	e.client.ForgetUser(aliceEmail)
	_, err = e.client.LookupUserByEmail(ctx, aliceEmail)
	require.NoError(t, err)
	assert.Equal(t, 2, e.emu.CallCount("users.lookupByEmail"))
}

func TestUnknownEmailIsPermanentAndNotCached(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()

	_, err := e.client.LookupUserByEmail(ctx, "ghost@client.example")
	require.Error(t, err)
	assert.True(t, slack.IsPermanent(err))
	assert.True(t, slack.IsUnreachable(err))
	assert.Equal(t, "users_not_found", slack.ErrorCode(err))
	assert.Contains(t, err.Error(), "ghost@client.example")
	_, retry := slack.RetryAfter(err)
	assert.False(t, retry)

	// The person joins Slack: the next attempt finds them (errors are not cached).
	e.emu.AddUser("ghost@client.example", "U0GHOST")
	id, err := e.client.LookupUserByEmail(ctx, "ghost@client.example")
	require.NoError(t, err)
	assert.Equal(t, "U0GHOST", id)
	assert.Equal(t, 2, e.emu.CallCount("users.lookupByEmail"))
}

func TestRateLimitSurfacesRetryAfter(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.emu.RateLimitNext("chat.postMessage", 1, 7*time.Second)

	_, err := e.client.Post(ctx, engChannel, slack.Message{Text: "hello"})
	require.Error(t, err)
	d, ok := slack.RetryAfter(err)
	require.True(t, ok, "a 429 must surface as RetryAfter: %v", err)
	assert.Equal(t, 7*time.Second, d)
	assert.False(t, slack.IsPermanent(err))
	assert.Empty(t, e.emu.Messages(), "a rate-limited post must not be recorded as posted")

	ts, err := e.client.Post(ctx, engChannel, slack.Message{Text: "hello"})
	require.NoError(t, err)
	assert.NotEmpty(t, ts)
	calls := e.emu.Calls("chat.postMessage")
	require.Len(t, calls, 2)
	assert.Equal(t, http.StatusTooManyRequests, calls[0].Status)
	assert.Equal(t, http.StatusOK, calls[1].Status)
}

func TestErrorClassification(t *testing.T) {
	ctx := context.Background()
	t.Run("channel_not_found is permanent", func(t *testing.T) {
		e := newEnv(t)
		_, err := e.client.Post(ctx, "C0NOWHERE", slack.Message{Text: "x"})
		require.Error(t, err)
		assert.Equal(t, "channel_not_found", slack.ErrorCode(err))
		assert.True(t, slack.IsPermanent(err))
		assert.False(t, slack.IsUnreachable(err))
		assert.Contains(t, err.Error(), "post Slack message to C0NOWHERE")
	})
	t.Run("invalid_auth is permanent and the token is not in the error", func(t *testing.T) {
		e := newEnv(t)
		bad := slack.New(slack.Config{BotToken: "xoxb-wrong-secret-value", APIURL: e.emu.URL()})
		_, err := bad.Post(ctx, engChannel, slack.Message{Text: "x"})
		require.Error(t, err)
		assert.Equal(t, "invalid_auth", slack.ErrorCode(err))
		assert.True(t, slack.IsPermanent(err))
		assert.NotContains(t, err.Error(), "wrong-secret")
	})
	t.Run("permanent codes", func(t *testing.T) {
		for _, code := range []string{"users_not_found", "not_in_channel", "account_inactive", "token_revoked",
			"missing_scope", "invalid_blocks", "msg_too_long", "no_permission", "is_archived", "user_not_found",
			"some_future_code"} {
			e := newEnv(t)
			e.emu.FailNext("chat.postMessage", 1, code)
			_, err := e.client.Post(ctx, engChannel, slack.Message{Text: "x"})
			require.Error(t, err)
			assert.True(t, slack.IsPermanent(err), code)
		}
	})
	t.Run("transient codes", func(t *testing.T) {
		for _, code := range []string{"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"} {
			e := newEnv(t)
			e.emu.FailNext("chat.update", 1, code)
			err := e.client.Update(ctx, engChannel, "1.000001", slack.Message{Text: "x"})
			require.Error(t, err)
			assert.False(t, slack.IsPermanent(err), code)
		}
	})
	t.Run("5xx and transport errors are not permanent", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "<html>down</html>", http.StatusBadGateway)
		}))
		defer srv.Close()
		c := slack.New(slack.Config{BotToken: testToken, APIURL: srv.URL})
		_, err := c.OpenDM(ctx, aliceID)
		require.Error(t, err)
		assert.False(t, slack.IsPermanent(err))

		srv.Close()
		_, err = c.OpenDM(ctx, aliceID)
		require.Error(t, err)
		assert.False(t, slack.IsPermanent(err))
	})
	t.Run("404 from a wrong API URL is permanent", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		defer srv.Close()
		c := slack.New(slack.Config{BotToken: testToken, APIURL: srv.URL + "/"})
		_, err := c.OpenDM(ctx, aliceID)
		require.Error(t, err)
		assert.True(t, slack.IsPermanent(err))
	})
	t.Run("bad input is permanent without a call", func(t *testing.T) {
		e := newEnv(t)
		_, err := e.client.Post(ctx, "", slack.Message{Text: "x"})
		assert.True(t, slack.IsPermanent(err))
		assert.Zero(t, e.emu.CallCount(""))
	})
	assert.False(t, slack.IsPermanent(nil))
}

func TestPostUpdateAndEphemeral(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	m := e.postDigest(t)
	assert.Equal(t, slackemu.DMChannel(aliceID), m.Channel)

	// The owner answers; the workflow side re-renders and updates the same message.
	ps := samplePrompts()
	ps[0].Answer = &slack.AnswerView{Choice: "partial", By: aliceID, Channel: "slack", Note: "two teams left", At: time.Now()}
	require.NoError(t, e.client.Update(ctx, m.Channel, m.TS, slack.DigestMessage("Alice", ps)))
	require.NoError(t, e.client.PostEphemeral(ctx, m.Channel, aliceID, "Already answered"))

	assert.Len(t, e.emu.Messages(), 1, "posted once")
	assert.Len(t, e.emu.Updates(), 1, "updated once")
	cur, _ := e.emu.Message(m.Channel, m.TS)
	assert.Contains(t, string(cur.Blocks), "Recorded: *Partly*")
	assert.NotContains(t, string(cur.Blocks), `"answer:partial"`, "answered prompt has no buttons")
	eph := e.emu.Ephemerals()
	require.Len(t, eph, 1)
	assert.Equal(t, aliceID, eph[0].User)

	// Updating a message that does not exist is permanent (message_not_found).
	err := e.client.Update(ctx, m.Channel, "999.000000", slack.Message{Text: "x"})
	assert.True(t, slack.IsPermanent(err))

	for _, c := range e.emu.Calls("") {
		assert.NotContains(t, c.Form.Encode(), testToken, "emulator must not record the token")
	}
}

func TestUserEmail(t *testing.T) {
	e := newEnv(t)
	email, err := e.client.UserEmail(context.Background(), leadID)
	require.NoError(t, err)
	assert.Equal(t, leadEmail, email)
	_, err = e.client.UserEmail(context.Background(), "U0NOBODY")
	assert.True(t, slack.IsUnreachable(err))
}

func TestConfigNeverPrintsSecrets(t *testing.T) {
	cfg := slack.Config{BotToken: "xoxb-secret1", SigningSecret: "secret2", AppToken: "xapp-secret3", APIURL: "http://x/"}
	var b strings.Builder
	b.WriteString(cfg.String())
	b.WriteString(cfg.LogValue().String())
	for _, s := range []string{"secret1", "secret2", "secret3"} {
		assert.NotContains(t, b.String(), s)
	}
	assert.True(t, cfg.Enabled())
	assert.False(t, slack.Config{}.Enabled())
	_, err := slack.New(slack.Config{BotToken: "xoxb-x"}).NewSocketMode()
	assert.ErrorIs(t, err, slack.ErrInvalidInput)
}

func TestCheckChannel(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	require.NoError(t, e.client.CheckChannel(ctx, engChannel))

	e.emu.AddVisibleChannel("C0PUBLIC")
	err := e.client.CheckChannel(ctx, "C0PUBLIC")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "/invite @Steadfast")
	assert.True(t, slack.IsPermanent(err))
	_, err = e.client.Post(ctx, "C0PUBLIC", slack.Message{Text: "x"})
	assert.Equal(t, "not_in_channel", slack.ErrorCode(err))

	err = e.client.CheckChannel(ctx, "C0SECRET")
	assert.Equal(t, "channel_not_found", slack.ErrorCode(err))
}
