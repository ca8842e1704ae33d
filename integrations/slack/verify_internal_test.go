package slack

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	goslack "github.com/slack-go/slack"
)

const benchSecret = "bench-signing-secret"

// The five-minute window is enforced twice: by verifyAndParse and by slack-go.
// This pins slack-go's half so a library change that drops it is noticed.
func TestSecretsVerifierEnforcesFiveMinutes(t *testing.T) {
	body := []byte("payload=%7B%7D")
	for _, tc := range []struct {
		age  time.Duration
		want error
	}{
		{-6 * time.Minute, goslack.ErrExpiredTimestamp},
		{6 * time.Minute, goslack.ErrExpiredTimestamp},
		{4 * time.Minute, nil},
	} {
		h := http.Header{}
		ts, sig := Sign(benchSecret, time.Now().Add(-tc.age), body)
		h.Set("X-Slack-Request-Timestamp", ts)
		h.Set("X-Slack-Signature", sig)
		_, err := goslack.NewSecretsVerifier(h, benchSecret)
		if !errors.Is(err, tc.want) {
			t.Errorf("age %s: got %v, want %v", tc.age, err, tc.want)
		}
		// Our own check agrees, independently of slack-go.
		_, err = verifyAndParse(benchSecret, h, body, time.Now())
		var ua *unauthorizedError
		if (tc.want != nil) != errors.As(err, &ua) {
			t.Errorf("age %s: verifyAndParse gave %v", tc.age, err)
		}
	}
}

const typicalPayload = `{"type":"block_actions","user":{"id":"U0ALICE","username":"alice","team_id":"T0EMU"},"api_app_id":"A0EMU","token":"legacy","container":{"type":"message","message_ts":"1767225600.000001","channel_id":"DU0ALICE","is_ephemeral":false},"trigger_id":"1767225601.42.abcdef","team":{"id":"T0EMU","domain":"client"},"channel":{"id":"DU0ALICE","name":"directmessage"},"message":{"type":"message","ts":"1767225600.000001","text":"Steadfast: 2 open question(s) for Alice","blocks":[{"type":"header","text":{"type":"plain_text","text":"Questions from Steadfast"}},{"type":"section","text":{"type":"mrkdwn","text":"*Control status: CC6.1 Access reviews*\nIs the quarterly access review in place?"}},{"type":"context","elements":[{"type":"mrkdwn","text":"Due <!date^1773421200^{date_short_pretty} {time}|Fri 13 Mar 2026 17:00 GMT>"}]},{"type":"actions","block_id":"prompt:prompt/eng-1/cc6.1-status","elements":[{"type":"button","action_id":"answer:implemented","value":"implemented","text":{"type":"plain_text","text":"Implemented"}},{"type":"button","action_id":"answer:partial","value":"partial","text":{"type":"plain_text","text":"Partly"}},{"type":"button","action_id":"note:prompt/eng-1/cc6.1-status","value":"{\"q\":\"Is the quarterly access review in place?\"}","text":{"type":"plain_text","text":"Add note / link"}}]}]},"response_url":"https://hooks.slack.com/actions/T0EMU/1/x","actions":[{"type":"button","action_id":"answer:partial","block_id":"prompt:prompt/eng-1/cc6.1-status","text":{"type":"plain_text","text":"Partly"},"value":"partial","action_ts":"1767225601.000042"}]}`

// BenchmarkVerifyAndParse measures what the HTTP handler does before it acks:
// HMAC verification over the raw body, form decoding and payload parsing.
func BenchmarkVerifyAndParse(b *testing.B) {
	body := []byte(url.Values{"payload": {typicalPayload}}.Encode())
	h := http.Header{}
	ts, sig := Sign(benchSecret, time.Now(), body)
	h.Set("X-Slack-Request-Timestamp", ts)
	h.Set("X-Slack-Signature", sig)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		ins, err := verifyAndParse(benchSecret, h, body, time.Now())
		if err != nil || len(ins) != 1 || ins[0].Choice != "partial" {
			b.Fatalf("got %v %v", ins, err)
		}
	}
}
