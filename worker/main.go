// Command worker runs Steadfast's Temporal worker: it applies the database
// migrations, registers every workflow and activity, serves the HTTP
// endpoints (health now; Slack and Jira webhooks later) and polls the task
// queue until interrupted.
//
// Configuration comes from the environment; run `worker --help` for the list.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.temporal.io/sdk/worker"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/integrations/jira"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/internal/answers"
	"github.com/steadfast-grc/steadfast/internal/config"
	"github.com/steadfast-grc/steadfast/internal/httpserve"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/metrics"
	"github.com/steadfast-grc/steadfast/internal/reports"
	"github.com/steadfast-grc/steadfast/internal/tickets"
	"github.com/steadfast-grc/steadfast/workflows"
	"github.com/steadfast-grc/steadfast/workflows/searchattr"
)

const usage = `Usage: worker

Runs the Steadfast worker. Settings come from the environment:

  TEMPORAL_ADDRESS      Temporal frontend host:port (default localhost:7233)
  TEMPORAL_NAMESPACE    Temporal namespace (default "default")
  TEMPORAL_API_KEY      API key for Temporal Cloud (optional)
  TEMPORAL_TLS_CERT     client certificate file for mTLS (optional)
  TEMPORAL_TLS_KEY      client key file for mTLS (optional)
  STEADFAST_TASK_QUEUE  task queue to poll (default "steadfast")
  DATABASE_URL          Postgres URL (default postgres://postgres@127.0.0.1:5432/steadfast?sslmode=disable)
  STEADFAST_HTTP_ADDR   address for /healthz and webhooks (default :8080)
  LOG_LEVEL             debug, info, warn or error (default info)
  LOG_FORMAT            text or json (default text)
  SLACK_BOT_TOKEN       Slack bot token; without it prompts are answered with the CLI
  SLACK_SIGNING_SECRET  verifies Slack interactivity posted to /slack/interactions
  SLACK_APP_TOKEN       app-level token: take interactivity over Socket Mode instead
  SLACK_API_URL         Slack API base URL (tests point it at an emulator)
  STEADFAST_ACTOR_KEY   shared secret (32+ bytes) attesting who answered in Slack or the web;
                        required with Slack, shared by every worker and web process
  JIRA_BASE_URL         Jira site; without it remediation items live in Postgres only
  JIRA_EMAIL, JIRA_API_TOKEN   Jira Cloud credentials
  JIRA_PAT              Jira Data Center personal access token (instead of the above)
  JIRA_WEBHOOK_SECRET   verifies Jira webhooks posted to /jira/webhook
  OTEL_EXPORTER_OTLP_ENDPOINT  OTLP/HTTP collector for traces (optional); metrics are at /metrics
  STEADFAST_STICKY_CACHE_SIZE  workflows kept in memory between tasks (default 10000); bounds
                        the worker's memory, an evicted workflow is replayed (README "Capacity")
  STEADFAST_WORKFLOW_TASK_SLOTS, STEADFAST_ACTIVITY_SLOTS  tasks run at once (default 1000 each)
`

func main() {
	flag.Usage = func() { fmt.Fprint(flag.CommandLine.Output(), usage) }
	flag.Parse()
	cfg := config.FromEnv()
	logger := cfg.Logger()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, logger); err != nil {
		logger.Error("worker stopped", "error", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg config.Config, logger *slog.Logger) error {
	if err := cfg.CheckActorKey(); err != nil {
		return err
	}
	tuning, err := config.WorkerTuningFromEnv()
	if err != nil {
		return err
	}
	tel, err := metrics.Setup(ctx, "steadfast-worker", logger)
	if err != nil {
		return err
	}
	defer shutdownTelemetry(tel, logger)
	store, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		return err
	}
	logger.Info("database migrated")

	tc, err := cfg.DialTemporal(logger)
	if err != nil {
		return err
	}
	defer tc.Close()
	if tc, err = instrumented(tc, cfg, logger, tel); err != nil {
		return err
	}
	defer tc.Close()

	acts := &activities.Activities{Store: store, Temporal: tc, Drift: reports.NewDriftCache()}
	mux := routes(store)
	// Everything an unauthenticated client can make the HTTP side log goes
	// through httpLog, which a flood of refused requests cannot turn into a
	// flood of log lines.
	httpLog := httpserve.LimitedLogger(ctx, logger, httpserve.DefaultLogLimits())
	mux.Handle("GET /metrics", tel.Handler())
	if cfg.SlackBotToken != "" {
		sc := slack.New(slack.Config{BotToken: cfg.SlackBotToken, SigningSecret: cfg.SlackSigningSecret, AppToken: cfg.SlackAppToken, APIURL: cfg.SlackAPIURL})
		acts.Slack = sc
		answerer := &answers.SlackAnswerer{Service: &answers.Service{Temporal: tc}, Store: store, Slack: sc, Key: cfg.ActorKey}
		acts.Clicks = answerer
		dispatcher := slack.NewDispatcher(answerer, sc, httpLog)
		// Every verified click is handed to Temporal (one SlackClick
		// workflow per click) and recorded there, durably.
		dispatcher.SetQueue(&answers.ClickInbox{Temporal: tc, Key: cfg.ActorKey, TaskQueue: cfg.TaskQueue})
		defer dispatcher.Close() // abandons clicks still waiting to be queued, telling their clickers
		if cfg.SlackSigningSecret != "" {
			mux.Handle("POST "+slack.InteractionsPath, metrics.CountRefusals(metrics.ServiceSlack, slackGuard(httpLog).Wrap(slack.NewInteractionHandler(cfg.SlackSigningSecret, dispatcher))))
		}
		if cfg.SlackAppToken != "" {
			sm, err := sc.NewSocketMode()
			if err != nil {
				return fmt.Errorf("start Slack Socket Mode: %w", err)
			}
			go func() {
				if err := slack.RunSocketMode(ctx, sm, dispatcher); err != nil && ctx.Err() == nil {
					logger.Error("Slack Socket Mode stopped", "error", err)
				}
			}()
		}
		logger.Info("Slack enabled", "http_interactivity", cfg.SlackSigningSecret != "", "socket_mode", cfg.SlackAppToken != "")
	} else {
		logger.Info("Slack not configured: prompts are answered with `starter answer`")
	}

	if cfg.Jira.Enabled() {
		jc, err := jira.New(cfg.Jira, jira.WithLogger(logger), jira.WithTransport(metrics.Transport(metrics.ServiceJira, nil)))
		if err != nil {
			return fmt.Errorf("configure Jira: %w", err)
		}
		acts.Jira = jc
		if cfg.Jira.WebhookSecret != "" {
			mux.Handle("POST "+jira.WebhookPath, metrics.CountRefusals(metrics.ServiceJira, jiraGuard(httpLog).Wrap(jira.NewWebhookHandler(cfg.Jira.WebhookSecret, &tickets.Sink{Temporal: tc, Store: store}, httpLog))))
		}
		logger.Info("Jira enabled", "jira", cfg.Jira, "webhook", cfg.Jira.WebhookSecret != "")
	}

	// The workflows set Steadfast's search attributes; a namespace without
	// them refuses those workflows' tasks. Register them where the operator
	// API allows (a dev server, a self-hosted cluster); on Temporal Cloud
	// they are registered once by hand (README "Search attributes").
	sactx, sacancel := context.WithTimeout(ctx, 30*time.Second)
	if err := searchattr.Ensure(sactx, tc, cfg.TemporalNamespace); err != nil {
		logger.Warn("could not register search attributes; register them as the README says", "error", err)
	}
	sacancel()

	// Every decision's actor is verified before its validator runs.
	opts := worker.Options{Interceptors: identity.Interceptors(cfg.ActorKey)}
	tuning.Apply(&opts)
	w := worker.New(tc, cfg.TaskQueue, opts)
	workflows.Register(w, acts)

	// Timeouts, a connection cap and guarded webhook bodies: see internal/httpserve.
	srv := httpserve.New(cfg.HTTPAddr, mux, httpserve.DefaultLimits(), httpLog)
	if err := srv.Listen(); err != nil {
		return err
	}
	httpErr := make(chan error, 1)
	go func() {
		if err := srv.Serve(); err != nil {
			httpErr <- err
		}
	}()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()

	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker on task queue %s: %w", cfg.TaskQueue, err)
	}
	defer w.Stop()
	logger.Info("worker running", "task_queue", cfg.TaskQueue, "sticky_cache", tuning.StickyCacheSize, "temporal", cfg.TemporalAddress, "http", srv.Addr(), "http_max_conns", srv.Limits().MaxConns)
	select {
	case <-ctx.Done():
		logger.Info("shutting down")
		return nil
	case err := <-httpErr:
		return err
	}
}
