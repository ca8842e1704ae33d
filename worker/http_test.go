package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/integrations/jira"
	"github.com/steadfast-grc/steadfast/internal/httpserve"
)

type countSink struct{ n atomic.Int64 }

func (s *countSink) IssueChanged(context.Context, jira.IssueEvent) error { s.n.Add(1); return nil }

// The Jira webhook as the worker mounts it: a delivery without a signature
// header is refused before its body is read, whatever the body's pace; a
// signed one still reaches the sink.
func TestJiraWebhookIsGuarded(t *testing.T) {
	const secret = "guard-test-secret"
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	sink := &countSink{}
	mux := http.NewServeMux()
	mux.Handle("POST "+jira.WebhookPath, jiraGuard(quiet).Wrap(jira.NewWebhookHandler(secret, sink, quiet)))
	srv := httpserve.New("127.0.0.1:0", mux, httpserve.DefaultLimits(), quiet)
	require.NoError(t, srv.Listen())
	go func() { _ = srv.Serve() }()
	defer func() { _ = srv.Shutdown(context.Background()) }()

	c, err := net.Dial("tcp", srv.Addr())
	require.NoError(t, err)
	defer func() { _ = c.Close() }()
	_, err = fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: w\r\nContent-Length: 5000\r\n\r\n{", jira.WebhookPath)
	require.NoError(t, err)
	start := time.Now()
	require.NoError(t, c.SetReadDeadline(start.Add(3*time.Second)))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Less(t, time.Since(start), time.Second)

	body := []byte(`{"webhookEvent":"jira:issue_updated","issue":{"key":"SEC-1","fields":{"labels":["x"],"status":{"name":"Done","statusCategory":{"key":"done"}}}}}`)
	req, _ := http.NewRequest(http.MethodPost, "http://"+srv.Addr()+jira.WebhookPath, bytes.NewReader(body))
	req.Header.Set("X-Hub-Signature", jira.Sign(secret, body))
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.EqualValues(t, 1, sink.n.Load())
}
