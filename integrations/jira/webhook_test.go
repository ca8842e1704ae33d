package jira_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/integrations/jira"
	"github.com/steadfast-grc/steadfast/integrations/jira/jiraemu"
)

const webhookSecret = "whsec-0123456789abcdef-never-logged"

type fakeSink struct {
	mu   sync.Mutex
	got  []jira.IssueEvent
	fail error
}

func (s *fakeSink) IssueChanged(_ context.Context, ev jira.IssueEvent) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	s.got = append(s.got, ev)
	return nil
}

func (s *fakeSink) events() []jira.IssueEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]jira.IssueEvent(nil), s.got...)
}

type webhookEnv struct {
	*env
	sink *fakeSink
	srv  *httptest.Server
	logs *syncBuffer
	key  string
}

func newWebhookEnv(t *testing.T) *webhookEnv {
	t.Helper()
	e := newEnv(t)
	key, _, err := e.client.FindOrCreate(context.Background(), gapTicket())
	require.NoError(t, err)
	sink := &fakeSink{}
	logs := &syncBuffer{}
	mux := http.NewServeMux()
	mux.Handle(jira.WebhookPath, jira.NewWebhookHandler(webhookSecret, sink, slog.New(slog.NewTextHandler(logs, nil))))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &webhookEnv{env: e, sink: sink, srv: srv, logs: logs, key: key}
}

func (w *webhookEnv) post(t *testing.T, req *http.Request) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	return resp.StatusCode
}

func TestWebhookDeliversSignedIssueUpdateOnce(t *testing.T) {
	w := newWebhookEnv(t)
	require.True(t, w.emu.SetCategory(w.key, "done"))
	url := w.srv.URL + jira.WebhookPath

	status, err := w.emu.PostWebhook(url, webhookSecret, "wh-1", w.key, "jira:issue_updated")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, status)
	got := w.sink.events()
	require.Len(t, got, 1)
	ev := got[0]
	is, ok := w.emu.Issue(w.key)
	require.True(t, ok)
	assert.Regexp(t, `^jira:`+w.key+`:changelog:\d+$`, ev.WebhookID, "the ID comes from the signed body")
	assert.Equal(t, "jira:issue_updated", ev.Event)
	assert.Equal(t, w.key, ev.IssueKey)
	assert.Equal(t, "Done", ev.Status)
	assert.Equal(t, "done", ev.Category)
	assert.Equal(t, is.Labels, ev.Labels)
	assert.Contains(t, ev.Labels, label)
	assert.WithinDuration(t, time.Now(), ev.At, time.Minute)

	// Jira retries a delivery about the same change: not delivered twice.
	status, err = w.emu.PostWebhook(url, webhookSecret, "wh-1", w.key, "jira:issue_updated")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, status)
	assert.Len(t, w.sink.events(), 1)

	// A new change is.
	require.True(t, w.emu.SetCategory(w.key, "indeterminate"))
	_, err = w.emu.PostWebhook(url, webhookSecret, "wh-2", w.key, "jira:issue_updated")
	require.NoError(t, err)
	require.Len(t, w.sink.events(), 2)
	assert.Equal(t, "indeterminate", w.sink.events()[1].Category)
	assert.NotEqual(t, ev.WebhookID, w.sink.events()[1].WebhookID)
	assert.NotContains(t, w.logs.String(), webhookSecret)
}

// The de-duplication header is not signed, so a replay of a signed body
// with a header of the sender's choosing is still the same delivery.
func TestWebhookReplayWithAnotherHeaderIsDeduplicated(t *testing.T) {
	w := newWebhookEnv(t)
	require.True(t, w.emu.SetCategory(w.key, "done"))
	url := w.srv.URL + jira.WebhookPath
	body, err := w.emu.WebhookPayload(w.key, "jira:issue_updated")
	require.NoError(t, err)
	for _, header := range []string{"wh-original", "wh-replay-1", "", "wh-replay-2"} {
		req, err := jiraemu.WebhookRequest(url, webhookSecret, header, body)
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, w.post(t, req))
	}
	assert.Len(t, w.sink.events(), 1, "one signed body, one delivery, whatever the header says")
}

func TestWebhookRefusesForgedRequests(t *testing.T) {
	w := newWebhookEnv(t)
	url := w.srv.URL + jira.WebhookPath
	body, err := w.emu.WebhookPayload(w.key, "jira:issue_updated")
	require.NoError(t, err)

	for name, mut := range map[string]func(*http.Request){
		"missing signature": func(r *http.Request) { r.Header.Del("X-Hub-Signature") },
		"wrong secret":      func(r *http.Request) { r.Header.Set("X-Hub-Signature", jira.Sign("guess", body)) },
		"sha1":              func(r *http.Request) { r.Header.Set("X-Hub-Signature", "sha1=abcdef") },
		"not hex":           func(r *http.Request) { r.Header.Set("X-Hub-Signature", "sha256=zz") },
		"body changed": func(r *http.Request) {
			forged := bytes.Replace(body, []byte(`"new"`), []byte(`"done"`), 1)
			r.Body = http.NoBody
			r2, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(forged))
			*r = *r2.WithContext(context.Background())
			r.Header.Set("X-Hub-Signature", jira.Sign(webhookSecret, body))
		},
	} {
		t.Run(name, func(t *testing.T) {
			req, err := jiraemu.WebhookRequest(url, webhookSecret, "wh-"+name, body)
			require.NoError(t, err)
			mut(req)
			assert.Equal(t, http.StatusUnauthorized, w.post(t, req))
		})
	}
	assert.Empty(t, w.sink.events())

	// A forged request does not poison the identifier: the real delivery
	// with that ID still goes through.
	req, _ := jiraemu.WebhookRequest(url, webhookSecret, "wh-missing signature", body)
	assert.Equal(t, http.StatusOK, w.post(t, req))
	assert.Len(t, w.sink.events(), 1)

	// No secret configured: everything is refused.
	open := httptest.NewServer(jira.NewWebhookHandler("", w.sink, nil))
	defer open.Close()
	req, _ = jiraemu.WebhookRequest(open.URL, "", "wh-x", body)
	assert.Equal(t, http.StatusUnauthorized, w.post(t, req))
	assert.Len(t, w.sink.events(), 1)
}

func TestWebhookSinkFailureMakesJiraRetry(t *testing.T) {
	w := newWebhookEnv(t)
	url := w.srv.URL + jira.WebhookPath
	w.sink.fail = errors.New("temporal unavailable")
	status, err := w.emu.PostWebhook(url, webhookSecret, "wh-9", w.key, "jira:issue_updated")
	require.NoError(t, err)
	assert.Equal(t, http.StatusInternalServerError, status)

	w.sink.mu.Lock()
	w.sink.fail = nil
	w.sink.mu.Unlock()
	status, err = w.emu.PostWebhook(url, webhookSecret, "wh-9", w.key, "jira:issue_updated")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, status)
	assert.Len(t, w.sink.events(), 1, "the retry reached the sink")
}

func TestWebhookIgnoresOtherEventsAndRejectsJunk(t *testing.T) {
	w := newWebhookEnv(t)
	url := w.srv.URL + jira.WebhookPath
	send := func(id string, body []byte) int {
		req, err := jiraemu.WebhookRequest(url, webhookSecret, id, body)
		require.NoError(t, err)
		return w.post(t, req)
	}
	assert.Equal(t, http.StatusOK, send("c1", []byte(`{"webhookEvent":"comment_created","comment":{"id":"1"}}`)))
	assert.Equal(t, http.StatusOK, send("c2", []byte(`{"webhookEvent":"jira:issue_deleted","issue":{"key":"SEC-1"}}`)))
	assert.Equal(t, http.StatusBadRequest, send("c3", []byte(`{"webhookEvent":"jira:issue_updated"}`)))
	assert.Equal(t, http.StatusBadRequest, send("c4", []byte(`not json`)))
	assert.Equal(t, http.StatusRequestEntityTooLarge, send("c5", bytes.Repeat([]byte(" "), 1<<20+1)))
	assert.Empty(t, w.sink.events())

	// Without a changelog the event and its timestamp name the delivery,
	// stable across retries.
	body, _ := w.emu.WebhookPayload(w.key, "jira:issue_created")
	assert.Equal(t, http.StatusOK, send("", body))
	assert.Equal(t, http.StatusOK, send("other", body))
	got := w.sink.events()
	require.Len(t, got, 1)
	assert.Regexp(t, `^jira:`+w.key+`:issue_created:\d+$`, got[0].WebhookID)

	// Without either, the body's SHA-256.
	ev, err := jira.ParseWebhook([]byte(`{"webhookEvent":"jira:issue_updated","issue":{"key":"SEC-3","fields":{"status":{"name":"Done","statusCategory":{"key":"done"}}}}}`))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(ev.WebhookID, "sha256:"), ev.WebhookID)

	resp, err := http.Get(url)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}

func BenchmarkWebhookVerifyAndParse(b *testing.B) {
	emu := jiraemu.New()
	defer emu.Close()
	c, err := jira.New(jira.Config{BaseURL: emu.URL(), Email: jiraemu.Email, APIToken: jiraemu.APIToken})
	require.NoError(b, err)
	key, _, err := c.FindOrCreate(context.Background(), gapTicket())
	require.NoError(b, err)
	body, err := emu.WebhookPayload(key, "jira:issue_updated")
	require.NoError(b, err)
	sig := jira.Sign(webhookSecret, body)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := jira.Verify(webhookSecret, sig, body); err != nil {
			b.Fatal(err)
		}
		if _, err := jira.ParseWebhook(body); err != nil {
			b.Fatal(err)
		}
	}
}
