package slack

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	goslack "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/steadfast-grc/steadfast/internal/metrics"
)

// Config holds what the worker reads from the environment
// (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN, SLACK_API_URL).
// Its String and LogValue redact the secrets so a logged Config is safe.
type Config struct {
	BotToken      string // xoxb-…: Web API calls
	SigningSecret string // verifies HTTP interactivity requests
	AppToken      string // xapp-… with connections:write: Socket Mode only
	APIURL        string // tests and emulators; empty means https://slack.com/api/
}

// Enabled reports whether Slack is configured at all; without a bot token the
// worker falls back to the CLI for answers.
func (c Config) Enabled() bool { return c.BotToken != "" }

func (c Config) String() string {
	return fmt.Sprintf("slack.Config{BotToken:%s SigningSecret:%s AppToken:%s APIURL:%q}",
		redact(c.BotToken), redact(c.SigningSecret), redact(c.AppToken), c.APIURL)
}

// LogValue keeps secrets out of structured logs.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("bot_token", redact(c.BotToken)),
		slog.String("signing_secret", redact(c.SigningSecret)),
		slog.String("app_token", redact(c.AppToken)),
		slog.String("api_url", c.APIURL),
	)
}

func redact(s string) string {
	if s == "" {
		return "unset"
	}
	return "set"
}

// httpTimeout bounds one Web API call. Activities have their own
// StartToClose timeout; this keeps a hung connection from using all of it.
const httpTimeout = 15 * time.Second

// Client wraps slack-go with the calls Steadfast makes. It is safe for
// concurrent use. Retries are left to the caller (a Temporal activity), so
// slack-go's own retry is off and every error is returned at once for
// RetryAfter / IsPermanent to classify.
type Client struct {
	api      *goslack.Client
	appToken string
	// users caches email → user ID. A Slack user ID never changes for a
	// person in a workspace, and owners are few, so the cache is unbounded;
	// ForgetUser drops an entry when Slack later says the ID is dead.
	users sync.Map
}

// New builds a Client. It makes no network call.
func New(cfg Config) *Client {
	opts := []goslack.Option{
		goslack.OptionHTTPClient(&http.Client{Timeout: httpTimeout, Transport: metrics.Transport(metrics.ServiceSlack, nil)}),
	}
	if cfg.APIURL != "" {
		u := cfg.APIURL
		if !strings.HasSuffix(u, "/") { // slack-go appends method names directly
			u += "/"
		}
		opts = append(opts, goslack.OptionAPIURL(u))
	}
	if cfg.AppToken != "" {
		opts = append(opts, goslack.OptionAppLevelToken(cfg.AppToken))
	}
	return &Client{api: goslack.New(cfg.BotToken, opts...), appToken: cfg.AppToken}
}

// API exposes the underlying slack-go client for calls this package does not wrap.
func (c *Client) API() *goslack.Client { return c.api }

// NewSocketMode returns a Socket Mode client on the same API URL and tokens.
// Pass it to RunSocketMode.
func (c *Client) NewSocketMode(opts ...socketmode.Option) (*socketmode.Client, error) {
	if !strings.HasPrefix(c.appToken, "xapp-") {
		return nil, fmt.Errorf("socket mode needs an app-level token (xapp-…, scope connections:write) in SLACK_APP_TOKEN: %w", ErrInvalidInput)
	}
	return socketmode.New(c.api, opts...), nil
}

// LookupUserByEmail resolves an owner's email to a Slack user ID
// (users.lookupByEmail; needs users:read and users:read.email). Successful
// lookups are cached; errors are not, so a person who joins Slack later is
// found on the next attempt.
func (c *Client) LookupUserByEmail(ctx context.Context, email string) (string, error) {
	key := strings.ToLower(strings.TrimSpace(email))
	if key == "" {
		return "", fmt.Errorf("look up Slack user: empty email: %w", ErrInvalidInput)
	}
	if id, ok := c.users.Load(key); ok {
		return id.(string), nil
	}
	u, err := c.api.GetUserByEmailContext(ctx, key)
	if err != nil {
		return "", fmt.Errorf("look up Slack user by email %s: %w", key, err)
	}
	if u.ID == "" {
		return "", fmt.Errorf("look up Slack user by email %s: Slack returned no user ID", key)
	}
	c.users.Store(key, u.ID)
	return u.ID, nil
}

// ForgetUser drops a cached lookup, e.g. after Slack reports the user
// inactive, so the next attempt asks Slack again.
func (c *Client) ForgetUser(email string) {
	c.users.Delete(strings.ToLower(strings.TrimSpace(email)))
}

// UserEmail returns the email on a Slack user's profile (users.info; needs
// users:read.email). The Answerer uses it to map a clicker or a reassignment
// target back to the person records, which are keyed by email.
func (c *Client) UserEmail(ctx context.Context, userID string) (string, error) {
	if userID == "" {
		return "", fmt.Errorf("look up Slack user email: empty user ID: %w", ErrInvalidInput)
	}
	u, err := c.api.GetUserInfoContext(ctx, userID)
	if err != nil {
		return "", fmt.Errorf("look up email of Slack user %s: %w", userID, err)
	}
	if u.Profile.Email == "" {
		return "", fmt.Errorf("look up email of Slack user %s: profile has no email (is users:read.email granted?)", userID)
	}
	return u.Profile.Email, nil
}

// OpenDM opens (or resumes) the bot's direct-message channel with a user
// (conversations.open; needs im:write). Slack returns the same channel ID on
// every call, so it is safe to repeat.
func (c *Client) OpenDM(ctx context.Context, userID string) (string, error) {
	if userID == "" {
		return "", fmt.Errorf("open Slack DM: empty user ID: %w", ErrInvalidInput)
	}
	ch, _, _, err := c.api.OpenConversationContext(ctx, &goslack.OpenConversationParameters{Users: []string{userID}})
	if err != nil {
		return "", fmt.Errorf("open Slack DM with %s: %w", userID, err)
	}
	if ch == nil || ch.ID == "" {
		return "", fmt.Errorf("open Slack DM with %s: Slack returned no channel", userID)
	}
	return ch.ID, nil
}

// CheckChannel confirms the bot can post in an engagement channel
// (conversations.info; needs channels:read, or groups:read for a private
// channel). Call it when an engagement is configured, so "invite
// @Steadfast to #channel" is said up front rather than at the first
// escalation. A channel the bot cannot see is channel_not_found (permanent).
func (c *Client) CheckChannel(ctx context.Context, channelID string) error {
	if channelID == "" {
		return fmt.Errorf("check Slack channel: empty channel ID: %w", ErrInvalidInput)
	}
	ch, err := c.api.GetConversationInfoContext(ctx, &goslack.GetConversationInfoInput{ChannelID: channelID})
	if err != nil {
		return fmt.Errorf("check Slack channel %s: %w", channelID, err)
	}
	if !ch.IsMember && !ch.IsIM {
		return fmt.Errorf("check Slack channel %s (#%s): the Steadfast bot is not a member; invite it with /invite @Steadfast: %w",
			channelID, ch.Name, goslack.SlackErrorResponse{Err: "not_in_channel"})
	}
	return nil
}

// Message is one Slack message: Text is the notification and accessibility
// fallback, Blocks the Block Kit body. Build it with DigestMessage,
// ReminderMessage or EscalationMessage.
type Message struct {
	Text   string
	Blocks []goslack.Block
}

func (m Message) options() []goslack.MsgOption {
	// escape=false: the builders already escaped user-supplied text.
	// An empty Blocks slice on Update clears the old buttons, which is what
	// an update to plain text should do.
	return []goslack.MsgOption{
		goslack.MsgOptionText(m.Text, false),
		goslack.MsgOptionBlocks(m.Blocks...),
	}
}

// Post sends msg to channel (a channel ID, or a DM ID from OpenDM) and
// returns its ts. Store the ts before anything else: a retried activity must
// Update that message instead of posting a second one.
func (c *Client) Post(ctx context.Context, channel string, msg Message) (string, error) {
	if channel == "" {
		return "", fmt.Errorf("post Slack message: empty channel: %w", ErrInvalidInput)
	}
	_, ts, err := c.api.PostMessageContext(ctx, channel, msg.options()...)
	if err != nil {
		return "", fmt.Errorf("post Slack message to %s: %w", channel, err)
	}
	return ts, nil
}

// Update replaces the message at (channel, ts) with msg (chat.update). It is
// idempotent: updating to the same content twice is harmless.
func (c *Client) Update(ctx context.Context, channel, ts string, msg Message) error {
	if channel == "" || ts == "" {
		return fmt.Errorf("update Slack message: channel and ts are required: %w", ErrInvalidInput)
	}
	if _, _, _, err := c.api.UpdateMessageContext(ctx, channel, ts, msg.options()...); err != nil {
		return fmt.Errorf("update Slack message %s in %s: %w", ts, channel, err)
	}
	return nil
}

// PostEphemeral shows text to one user in a channel (chat.postEphemeral).
// Used to tell a clicker why their answer was not recorded.
func (c *Client) PostEphemeral(ctx context.Context, channel, userID, text string) error {
	if channel == "" || userID == "" {
		return fmt.Errorf("post ephemeral Slack message: channel and user are required: %w", ErrInvalidInput)
	}
	if _, err := c.api.PostEphemeralContext(ctx, channel, userID, goslack.MsgOptionText(text, true)); err != nil {
		return fmt.Errorf("post ephemeral Slack message to %s in %s: %w", userID, channel, err)
	}
	return nil
}

// OpenModal opens m for the user whose click produced triggerID (views.open).
// Trigger IDs expire about three seconds after the click and are single-use,
// so this is never retried.
func (c *Client) OpenModal(ctx context.Context, triggerID string, m Modal) error {
	if triggerID == "" {
		return fmt.Errorf("open Slack modal: empty trigger ID: %w", ErrInvalidInput)
	}
	view, err := m.View()
	if err != nil {
		return fmt.Errorf("open Slack modal for prompt %s: %w", m.PromptID, err)
	}
	if _, err := c.api.OpenViewContext(ctx, triggerID, view); err != nil {
		return fmt.Errorf("open Slack modal for prompt %s: %w", m.PromptID, err)
	}
	return nil
}
