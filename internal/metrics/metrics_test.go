package metrics

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	goslack "github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
)

// scrape sets up telemetry, runs record, and returns what /metrics serves.
func scrape(t *testing.T, record func(*Telemetry)) string {
	t.Helper()
	tel, err := Setup(context.Background(), "test", slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	record(tel)
	rec := httptest.NewRecorder()
	tel.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	return rec.Body.String()
}

func TestDomainAndSDKSeries(t *testing.T) {
	body := scrape(t, func(tel *Telemetry) {
		ctx := context.Background()
		QuestionOpened(ctx, "evidence")
		QuestionOpened(ctx, "evidence")
		QuestionAnswered(ctx, "slack")
		LadderStep(ctx, "lead")
		Escalated(ctx, "gap")
		SlackError(&goslack.RateLimitedError{RetryAfter: time.Second})
		SlackError(goslack.SlackErrorResponse{Err: "channel_not_found"})
		SlackError(errors.New("dial tcp: refused"))
		SlackError(nil)
		WebhookRefused(ctx, ServiceJira, http.StatusUnauthorized)
		h := tel.ClientOptions(client.Options{}).MetricsHandler
		h.Counter("temporal_request").Inc(1)
		h.Timer("temporal_activity_execution_latency").Record(300 * time.Millisecond)
	})
	hasAll(t, body, []string{
		`steadfast_questions_opened_total{kind="evidence"} 2`,
		`steadfast_questions_answered_total{via="slack"} 1`,
		`steadfast_escalations_sent_total{rung="lead"} 1`,
		`steadfast_problems_escalated_total{kind="gap"} 1`,
		`steadfast_integration_errors_total{code="ratelimited",service="slack"} 1`,
		`steadfast_integration_errors_total{code="channel_not_found",service="slack"} 1`,
		`steadfast_integration_errors_total{code="transport",service="slack"} 1`,
		`steadfast_webhooks_refused_total{code="401",source="jira"} 1`,
		// The SDK's counters are monotonic, its timers histograms in seconds
		// with buckets that can tell 300 ms from 1 s.
		"# TYPE temporal_request_total counter",
		`temporal_activity_execution_latency_seconds_bucket{le="0.25"} 0`,
		`temporal_activity_execution_latency_seconds_bucket{le="0.5"} 1`,
		"go_goroutines ",
	})
}

func TestTransportCountsCallsByOperationAndCode(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "missing") {
			http.Error(w, "no", http.StatusNotFound)
			return
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	body := scrape(t, func(*Telemetry) {
		get := func(service, path string) {
			c := &http.Client{Transport: Transport(service, nil)}
			resp, err := c.Get(srv.URL + path)
			require.NoError(t, err)
			_ = resp.Body.Close()
		}
		get(ServiceSlack, "/api/chat.postMessage")
		get(ServiceJira, "/rest/api/2/issue/ACC-123")
		get(ServiceJira, "/rest/api/2/issue/missing-1")
		c := &http.Client{Transport: Transport(ServiceJira, nil)}
		_, err := c.Get("http://127.0.0.1:1/rest/api/2/search")
		require.Error(t, err)
	})
	hasAll(t, body, []string{
		`steadfast_integration_calls_total{code="200",operation="chat.postMessage",service="slack"} 1`,
		// Issue keys never become labels.
		`steadfast_integration_calls_total{code="200",operation="GET issue",service="jira"} 1`,
		`steadfast_integration_calls_total{code="404",operation="GET issue",service="jira"} 1`,
		`steadfast_integration_calls_total{code="transport",operation="GET search",service="jira"} 1`,
		`steadfast_integration_errors_total{code="404",service="jira"} 1`,
		`steadfast_integration_errors_total{code="transport",service="jira"} 1`,
		`steadfast_integration_duration_seconds_count{code="200",operation="chat.postMessage",service="slack"} 1`,
	})
	assert.NotContains(t, body, "ACC-123")
	assert.NotContains(t, body, `steadfast_integration_errors_total{code="200"`)
}

func TestCountRefusalsLeavesTheAnswerAlone(t *testing.T) {
	body := scrape(t, func(*Telemetry) {
		h := CountRefusals(ServiceSlack, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("X-Signature") == "" {
				http.Error(w, "bad signature", http.StatusUnauthorized)
				return
			}
			_, _ = w.Write([]byte("ok"))
		}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/slack/interactions", nil))
		assert.Equal(t, http.StatusUnauthorized, rec.Code)
		assert.Contains(t, rec.Body.String(), "bad signature")
		req := httptest.NewRequest(http.MethodPost, "/slack/interactions", nil)
		req.Header.Set("X-Signature", "v0=ok")
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.Equal(t, http.StatusOK, rec.Code)
	})
	hasAll(t, body, []string{`steadfast_webhooks_refused_total{code="401",source="slack"} 1`})
	assert.NotContains(t, body, `code="200",source="slack"`)
}

// hasAll reports each missing line, and Steadfast's series for context,
// rather than the whole scrape.
func hasAll(t *testing.T, body string, want []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			var ours []string
			for _, l := range strings.Split(body, "\n") {
				if strings.HasPrefix(l, "steadfast_") || strings.HasPrefix(l, "temporal_") {
					ours = append(ours, l)
				}
			}
			t.Errorf("missing %s\nSteadfast and SDK series:\n%s", w, strings.Join(ours, "\n"))
		}
	}
}
