package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/integrations/slack/slackemu"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

const testSigningSecret = "test-signing-secret"

// testActorKey is the STEADFAST_ACTOR_KEY the tests' workers share.
const testActorKey = "test-actor-key-0123456789abcdef-0123456789"

// TestSlackPromptEndToEnd runs the scope sign-off through Slack: the real
// worker process, with the real slack-go client pointed at the emulator,
// posts the lead's digest (after a 429), and signed clicks posted to the
// worker's interactivity endpoint answer it.
func TestSlackPromptEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal, Postgres, a Slack emulator and the worker")
	}
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	emu := slackemu.New()
	defer emu.Close()
	emu.RequireToken("xoxb-test")
	emu.AddUser("maya@brightlane.io", "U01MAYACHEN")
	emu.AddUser("leo@brightlane.io", "U0LEOMARTI")
	emu.AddChannel("C0READINESS")
	// Slack rate-limits the first post; the digest must arrive after the
	// delay Slack asked for, and only once.
	emu.RateLimitNext("chat.postMessage", 1, 2*time.Second)

	taskQueue := "steadfast-slack"
	w := &workerProcess{t: t, bin: buildWorker(t), addr: freeAddr(t), env: []string{
		"TEMPORAL_ADDRESS=" + tmp.Address, "DATABASE_URL=" + db.URL, "STEADFAST_TASK_QUEUE=" + taskQueue,
		"LOG_LEVEL=warn", "SLACK_BOT_TOKEN=xoxb-test", "STEADFAST_ACTOR_KEY=" + testActorKey, "SLACK_SIGNING_SECRET=" + testSigningSecret,
		"SLACK_API_URL=" + emu.URL(),
	}}
	w.env = append(w.env, "STEADFAST_HTTP_ADDR="+w.addr)
	w.start()

	spec, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	require.NoError(t, err)
	spec.Integrations.SlackChannel = "C0READINESS"
	e := &engagements{tc: tmp.Client, taskQueue: taskQueue}
	run, err := e.start(ctx, spec, "sam@steadfast.example")
	require.NoError(t, err)

	dm := slackemu.DMChannel("U01MAYACHEN")
	var digest slackemu.Message
	require.Eventually(t, func() bool {
		for _, m := range emu.Messages() {
			if m.Channel == dm {
				digest = m
				return true
			}
		}
		return false
	}, time.Minute, 100*time.Millisecond, "no digest posted to the lead; worker log:\n%s", w.log)
	assert.Contains(t, string(digest.Blocks), "scope-signoff")

	posts := emu.Calls("chat.postMessage")
	require.GreaterOrEqual(t, len(posts), 2)
	assert.Equal(t, http.StatusTooManyRequests, posts[0].Status)
	assert.Equal(t, http.StatusOK, posts[1].Status)
	assert.GreaterOrEqual(t, posts[1].At.Sub(posts[0].At), 2*time.Second, "the retry honoured Retry-After")
	assert.Len(t, emu.Messages(), 1, "one digest, not a second one after the retry")
	assert.Equal(t, 1, emu.CallCount("chat.postMessage")-1, "one 429, then one post")

	endpoint := "http://" + w.addr + slack.InteractionsPath
	post := func(body []byte, sign func(*http.Request)) int {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		sign(req)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	signedAt := func(at time.Time, body []byte) func(*http.Request) {
		return func(r *http.Request) { slack.SignRequest(r, testSigningSecret, at, body) }
	}

	approve, err := emu.ClickPayload(digest, "U01MAYACHEN", slack.ActionAnswerPrefix+workflows.DecisionApprove)
	require.NoError(t, err)
	body := slackemu.FormBody(approve)

	// Forged, unsigned and stale requests are refused and change nothing.
	assert.Equal(t, http.StatusUnauthorized, post(body, func(r *http.Request) { slack.SignRequest(r, "wrong-secret", time.Now(), body) }))
	assert.Equal(t, http.StatusUnauthorized, post(body, func(*http.Request) {}))
	assert.Equal(t, http.StatusUnauthorized, post(body, signedAt(time.Now().Add(-6*time.Minute), body)))
	tampered := bytes.Replace(body, []byte("approve"), []byte("reject"), 1)
	assert.Equal(t, http.StatusUnauthorized, post(tampered, signedAt(time.Now(), body)))
	time.Sleep(300 * time.Millisecond)
	open, err := db.Store.Prompts(ctx, postgres.PromptFilter{EngagementID: spec.ID, Status: postgres.PromptOpen})
	require.NoError(t, err)
	require.Len(t, open, 1, "refused requests answered nothing")
	assert.Empty(t, emu.Updates())

	// A control owner's click is refused by the workflow's validator and the
	// refusal is shown to them.
	leoClick, err := emu.ClickPayload(digest, "U0LEOMARTI", slack.ActionAnswerPrefix+workflows.DecisionApprove)
	require.NoError(t, err)
	leoBody := slackemu.FormBody(leoClick)
	assert.Equal(t, http.StatusOK, post(leoBody, signedAt(time.Now(), leoBody)))
	require.Eventually(t, func() bool {
		for _, m := range emu.Ephemerals() {
			if m.User == "U0LEOMARTI" && strings.Contains(m.Text, "may not answer") {
				return true
			}
		}
		return false
	}, 30*time.Second, 100*time.Millisecond, "the refusal was not shown to the clicker; ephemerals: %+v\nworker log:\n%s", emu.Ephemerals(), w.log)

	// The lead's click, delivered twice (Slack retries), records one answer.
	now := time.Now()
	assert.Equal(t, http.StatusOK, post(body, signedAt(now, body)))
	assert.Equal(t, http.StatusOK, post(body, signedAt(now, body)))

	// The approved scope moves the engagement on to the gap assessment.
	require.Eventually(t, func() bool {
		st, err := e.status(ctx, spec.ID)
		return err == nil && st.Phase == compliance.PhaseGapAssessment
	}, time.Minute, 100*time.Millisecond, "the engagement did not move on; worker log:\n%s", w.log)

	answered, err := db.Store.Prompts(ctx, postgres.PromptFilter{EngagementID: spec.ID, Status: postgres.PromptAnswered})
	require.NoError(t, err)
	require.Len(t, answered, 1)
	p := answered[0]
	assert.Equal(t, postgres.PromptAnswered, p.Status)
	assert.Equal(t, "approve", p.AnswerChoice)
	assert.Equal(t, "maya@brightlane.io", p.AnsweredBy)
	assert.Equal(t, postgres.ChannelSlack, p.AnsweredVia)
	assert.True(t, strings.HasPrefix(p.UpdateID, "slack/"), p.UpdateID)

	events, err := db.Store.Events(ctx, spec.ID)
	require.NoError(t, err)
	n := 0
	for _, ev := range events {
		if ev.Kind == postgres.EventPromptAnswered {
			n++
		}
	}
	assert.Equal(t, 1, n, "one answer recorded for two deliveries")

	// The digest was updated in place to show what was recorded.
	require.Eventually(t, func() bool {
		for _, u := range emu.Updates() {
			if u.Channel == digest.Channel && u.TS == digest.TS && strings.Contains(string(u.Blocks), "maya@brightlane.io") {
				return true
			}
		}
		return false
	}, 30*time.Second, 100*time.Millisecond, "digest not updated; updates: %d\nworker log:\n%s", len(emu.Updates()), w.log)
	inDM := 0
	for _, m := range emu.Messages() {
		if m.Channel == digest.Channel {
			inDM++
		}
	}
	assert.Equal(t, 1, inDM, "still one message to the lead: the digest was updated, not re-posted")
	_ = run
}
