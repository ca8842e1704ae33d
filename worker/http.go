package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/steadfast-grc/steadfast/integrations/jira"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/internal/httpserve"
)

// The webhook endpoints' guard (httpserve.BodyGuard). A signed Slack or Jira
// delivery is a few KB (a Jira issue at most a few hundred) and arrives in
// milliseconds; the limits leave wide room for that and none for a client
// that trickles a body.
const (
	webhookMaxBody     = 1 << 20 // the handlers' own cap as well
	webhookBodyTimeout = 5 * time.Second
	// webhookSlots bounds the bodies read at once. It is well below the
	// server's connection cap (httpserve.DefaultLimits().MaxConns), so
	// /healthz and new deliveries always find a connection.
	webhookSlots = 128
)

// routes are the worker's HTTP endpoints. Every endpoint that changes state
// (Slack interactivity, Jira webhooks) will verify its request before acting.
func routes(store *postgres.Store) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := store.Pool().Ping(ctx); err != nil {
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	return mux
}

// slackGuard refuses Slack interactivity without fresh, well-formed
// signature headers before reading its body.
func slackGuard(logger *slog.Logger) httpserve.BodyGuard {
	return httpserve.BodyGuard{Name: "Slack interaction", Check: slack.CheckHeaders,
		MaxBody: webhookMaxBody, BodyTimeout: webhookBodyTimeout, Slots: webhookSlots, Logger: logger}
}

// jiraGuard refuses Jira webhooks without a well-formed signature header
// before reading their body.
func jiraGuard(logger *slog.Logger) httpserve.BodyGuard {
	check := func(h http.Header, _ time.Time) error { return jira.CheckSignatureHeader(h) }
	return httpserve.BodyGuard{Name: "Jira webhook", Check: check,
		MaxBody: webhookMaxBody, BodyTimeout: webhookBodyTimeout, Slots: webhookSlots, Logger: logger}
}
