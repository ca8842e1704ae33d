package slack_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/steadfast-grc/steadfast/integrations/slack"
)

func TestCheckHeadersLooksAtHeadersAlone(t *testing.T) {
	now := time.Now()
	signed := func(at time.Time) http.Header {
		ts, sig := slack.Sign(testSecret, at, []byte("payload=%7B%7D"))
		return http.Header{"X-Slack-Request-Timestamp": {ts}, "X-Slack-Signature": {sig}}
	}
	assert.NoError(t, slack.CheckHeaders(signed(now), now))
	assert.NoError(t, slack.CheckHeaders(signed(now.Add(-4*time.Minute)), now))

	for name, h := range map[string]http.Header{
		"none":              {},
		"no signature":      {"X-Slack-Request-Timestamp": signed(now)["X-Slack-Request-Timestamp"]},
		"no timestamp":      {"X-Slack-Signature": signed(now)["X-Slack-Signature"]},
		"stale":             signed(now.Add(-6 * time.Minute)),
		"from the future":   signed(now.Add(6 * time.Minute)),
		"no v0= prefix":     {"X-Slack-Request-Timestamp": signed(now)["X-Slack-Request-Timestamp"], "X-Slack-Signature": {strings.TrimPrefix(signed(now).Get("X-Slack-Signature"), "v0=")}},
		"short signature":   {"X-Slack-Request-Timestamp": signed(now)["X-Slack-Request-Timestamp"], "X-Slack-Signature": {"v0=abcd"}},
		"not hex":           {"X-Slack-Request-Timestamp": signed(now)["X-Slack-Request-Timestamp"], "X-Slack-Signature": {"v0=" + strings.Repeat("zz", 32)}},
		"timestamp not int": {"X-Slack-Request-Timestamp": {"soon"}, "X-Slack-Signature": signed(now)["X-Slack-Signature"]},
	} {
		assert.Error(t, slack.CheckHeaders(h, now), name)
	}
}
