package main

import (
	"context"
	"net/http"
	"time"

	"github.com/steadfast-grc/steadfast/integrations/postgres"
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
