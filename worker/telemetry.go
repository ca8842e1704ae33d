package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/steadfast-grc/steadfast/internal/config"
	"github.com/steadfast-grc/steadfast/internal/metrics"
)

// instrumented is a client on tc's connection that reports the SDK's metrics
// (and, with tracing on, spans) through tel; the worker made from it reports
// its own (task slots, poll latencies, sticky cache) the same way.
func instrumented(tc client.Client, cfg config.Config, logger *slog.Logger, tel *metrics.Telemetry) (client.Client, error) {
	c, err := client.NewClientFromExisting(tc, tel.ClientOptions(client.Options{
		Namespace: cfg.TemporalNamespace,
		Logger:    tlog.NewStructuredLogger(logger),
	}))
	if err != nil {
		return nil, fmt.Errorf("instrument the Temporal client: %w", err)
	}
	return c, nil
}

func shutdownTelemetry(tel *metrics.Telemetry, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := tel.Shutdown(ctx); err != nil {
		logger.Warn("flushing telemetry", "error", err)
	}
}
