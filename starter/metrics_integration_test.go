package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/integrations/slack/slackemu"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// TestWorkerMetricsScraped scrapes the real worker's /metrics after an
// engagement has opened its first question through Slack (rate-limited once)
// and a forged interactivity request was refused: the Temporal SDK's series
// and Steadfast's own must both be there, with the values the run implies.
// With OTEL_EXPORTER_OTLP_ENDPOINT set, the worker's spans reach the collector.
func TestWorkerMetricsScraped(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal, Postgres, a Slack emulator and the worker")
	}
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	emu := slackemu.New()
	defer emu.Close()
	emu.RequireToken("xoxb-test")
	emu.AddUser("maya@brightlane.io", "U01MAYACHEN")
	emu.AddUser("leo@brightlane.io", "U0LEOMARTI")
	emu.AddChannel("C0READINESS")
	emu.RateLimitNext("chat.postMessage", 1, time.Second)

	// A stand-in OTLP/HTTP collector: counts non-empty trace exports.
	var spans atomic.Int64
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.URL.Path == "/v1/traces" && len(b) > 0 {
			spans.Add(1)
		}
	}))
	defer collector.Close()

	taskQueue := "steadfast-metrics"
	w := &workerProcess{t: t, bin: buildWorker(t), addr: freeAddr(t), env: []string{
		"TEMPORAL_ADDRESS=" + tmp.Address, "DATABASE_URL=" + db.URL, "STEADFAST_TASK_QUEUE=" + taskQueue,
		"LOG_LEVEL=warn", "SLACK_BOT_TOKEN=xoxb-test", "SLACK_SIGNING_SECRET=" + testSigningSecret,
		"SLACK_API_URL=" + emu.URL(), "OTEL_EXPORTER_OTLP_ENDPOINT=" + collector.URL,
	}}
	w.env = append(w.env, "STEADFAST_HTTP_ADDR="+w.addr)
	w.start()

	spec, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	require.NoError(t, err)
	spec.Integrations.SlackChannel = "C0READINESS"
	e := &engagements{tc: tmp.Client, taskQueue: taskQueue}
	_, err = e.start(ctx, spec, "sam@steadfast.example")
	require.NoError(t, err)

	// A click whose signature does not verify is refused (and counted).
	form := url.Values{"payload": {`{"type":"block_actions"}`}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+w.addr+slack.InteractionsPath, strings.NewReader(form))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", "1")
	req.Header.Set("X-Slack-Signature", "v0=forged")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.GreaterOrEqual(t, resp.StatusCode, 400, "a forged click must be refused")

	scrape := func() string {
		resp, err := http.Get("http://" + w.addr + "/metrics")
		if err != nil {
			return ""
		}
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	want := []string{
		// The Temporal SDK, through OpenTelemetry.
		"temporal_request_total{",
		"temporal_workflow_task_execution_latency",
		"temporal_activity_execution_latency",
		// Steadfast's own.
		`steadfast_questions_opened_total{kind="`,
		`steadfast_integration_calls_total{code="200",operation="chat.postMessage",service="slack"}`,
		`steadfast_integration_calls_total{code="429",operation="chat.postMessage",service="slack"}`,
		`steadfast_integration_errors_total{code="ratelimited",service="slack"} 1`,
		`steadfast_webhooks_refused_total{code="`,
		// The process itself.
		"go_goroutines ",
	}
	var body string
	require.Eventually(t, func() bool {
		body = scrape()
		for _, s := range want {
			if !strings.Contains(body, s) {
				return false
			}
		}
		return true
	}, 2*time.Minute, 250*time.Millisecond, "missing series; worker log:\n%s", w.log)
	assert.Regexp(t, `steadfast_webhooks_refused_total\{code="4\d\d",source="slack"\} 1\n`, body)
	assert.Regexp(t, `steadfast_questions_opened_total\{kind="[a-z-]+"\} [1-9]`, body)
	assert.Contains(t, scrapeType(t, w.addr), "text/plain", "Prometheus' text format")
	// The batch exporter sends every 5 s.
	assert.Eventually(t, func() bool { return spans.Load() > 0 }, 20*time.Second, 100*time.Millisecond,
		"the worker exported no traces to OTEL_EXPORTER_OTLP_ENDPOINT")
}

func scrapeType(t *testing.T, addr string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	require.NoError(t, err)
	_ = resp.Body.Close()
	return resp.Header.Get("Content-Type")
}
