package slack_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/integrations/slack/slackemu"
)

const (
	testToken  = "xoxb-test-token-never-logged"
	testSecret = "8f742231b10e8888abcd99yyyzzz85a5"
	aliceEmail = "alice@client.example"
	aliceID    = "U0ALICE"
	leadEmail  = "lead@client.example"
	leadID     = "U0LEAD"
	engChannel = "C0ENGAGE"
)

// fakeAnswerer records what reaches it and answers with a fixed outcome.
type fakeAnswerer struct {
	mu      sync.Mutex
	got     []slack.Interaction
	outcome slack.Outcome
	err     error
	calls   chan slack.Interaction
}

func newFakeAnswerer() *fakeAnswerer {
	return &fakeAnswerer{outcome: slack.Outcome{Accepted: true}, calls: make(chan slack.Interaction, 100)}
}

func (f *fakeAnswerer) Answer(_ context.Context, in slack.Interaction) (slack.Outcome, error) {
	f.mu.Lock()
	f.got = append(f.got, in)
	out, err := f.outcome, f.err
	f.mu.Unlock()
	f.calls <- in
	return out, err
}

func (f *fakeAnswerer) received() []slack.Interaction {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]slack.Interaction(nil), f.got...)
}

// next waits for the Answerer to be called.
func (f *fakeAnswerer) next(t *testing.T) slack.Interaction {
	t.Helper()
	select {
	case in := <-f.calls:
		return in
	case <-time.After(5 * time.Second):
		t.Fatal("the Answerer was not called")
		return slack.Interaction{}
	}
}

type env struct {
	emu     *slackemu.Emulator
	client  *slack.Client
	ans     *fakeAnswerer
	disp    *slack.Dispatcher
	handler http.Handler
	logs    *bytes.Buffer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	emu := slackemu.New()
	t.Cleanup(emu.Close)
	emu.RequireToken(testToken)
	emu.AddUser(aliceEmail, aliceID)
	emu.AddUser(leadEmail, leadID)
	emu.AddChannel(engChannel)
	logs := &bytes.Buffer{}
	logger := slog.New(slog.NewTextHandler(&syncWriter{w: logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client := slack.New(slack.Config{BotToken: testToken, SigningSecret: testSecret, APIURL: emu.URL()})
	ans := newFakeAnswerer()
	d := slack.NewDispatcher(ans, client, logger)
	t.Cleanup(d.Close)
	return &env{emu: emu, client: client, ans: ans, disp: d, handler: slack.NewInteractionHandler(testSecret, d), logs: logs}
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// post sends body to the handler signed at ts (or unsigned when secret is "").
func (e *env) post(t *testing.T, secret string, ts time.Time, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, slack.InteractionsPath, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if secret != "" {
		slack.SignRequest(r, secret, ts, body)
	}
	w := httptest.NewRecorder()
	e.handler.ServeHTTP(w, r)
	return w
}

func samplePrompts() []slack.PromptView {
	due := time.Date(2026, 3, 13, 17, 0, 0, 0, time.UTC)
	return []slack.PromptView{
		{
			PromptID: "prompt/eng-1/cc6.1-status", Kind: "control-status",
			Question: "Is the quarterly access review in place?", Why: "CC6.1 is sampled quarterly.",
			Subject: "CC6.1 Access reviews", Due: due, TimeZone: "Europe/London",
			Choices: []slack.Choice{{"implemented", "Implemented"}, {"partial", "Partly"}, {"missing", "Not yet"}},
		},
		{
			PromptID: "prompt/eng-1/a.8.32-evidence", Kind: "evidence",
			Question: "Upload this quarter's change approvals.", Subject: "A.8.32 Change management",
			Due: due, TimeZone: "Europe/London", NeedsLink: true,
			Choices: []slack.Choice{{"done", "Done"}},
		},
		{
			PromptID: "prompt/eng-1/cc7.2-status", Kind: "control-status", Question: "Is alerting on?",
			Subject: "CC7.2 Monitoring", Due: due,
			Choices: []slack.Choice{{"implemented", "Implemented"}},
			Answer:  &slack.AnswerView{Choice: "implemented", By: aliceID, Channel: "slack", At: due.Add(-time.Hour)},
		},
		{
			PromptID: "prompt/eng-1/cc8.1-status", Kind: "control-status", Question: "Change tickets?",
			Subject: "CC8.1 Change", Due: due, Expired: true,
			Choices: []slack.Choice{{"implemented", "Implemented"}},
		},
	}
}

// postDigest opens Alice's DM and posts the digest, returning the message.
func (e *env) postDigest(t *testing.T) slackemu.Message {
	t.Helper()
	ctx := context.Background()
	uid, err := e.client.LookupUserByEmail(ctx, aliceEmail)
	require.NoError(t, err)
	ch, err := e.client.OpenDM(ctx, uid)
	require.NoError(t, err)
	ts, err := e.client.Post(ctx, ch, slack.DigestMessage("Alice", samplePrompts()))
	require.NoError(t, err)
	m, ok := e.emu.Message(ch, ts)
	require.True(t, ok)
	return m
}
