// Command web serves Steadfast to people in a browser: leads, delegates,
// consultants and sponsors see their engagements, owners answer their
// questions, invited auditors use the auditor's room. It reads and acts
// only through internal/engagement, so every rule is the one the CLI and
// Slack obey, and its actions are attested as channel "web" with the key
// the worker verifies.
//
// Configuration comes from the environment; run `web --help` for the list.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/steadfast-grc/steadfast/integrations/blob"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/config"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/evidencepack"
	"github.com/steadfast-grc/steadfast/internal/httpserve"
)

const usage = `Usage: web

Serves Steadfast's web interface. Settings come from the environment:

  WEB_ADDR              address to listen on (default 127.0.0.1:8090)
  WEB_BASE_URL          address browsers use, for sign-in links and OIDC (default http://localhost:8090)
  WEB_INSECURE_COOKIES  true drops the cookies' Secure flag (plain HTTP other than localhost only)
  OIDC_ISSUER           the client's OpenID Connect provider; sign-in links work without it
  OIDC_CLIENT_ID, OIDC_CLIENT_SECRET   this web's client at that provider
  SLACK_BOT_TOKEN, SLACK_API_URL   as for the worker: the sign-in page offers links by Slack DM
  STEADFAST_ACTOR_KEY   shared secret (32+ bytes) attesting web actions; the worker's key
  STEADFAST_PACK_KEY_FILE  evidence pack signing key (optional: offers the pack download)
  TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_CERT/KEY   as for the worker
  DATABASE_URL          Postgres URL (as for the worker)
  LOG_LEVEL, LOG_FORMAT as for the worker
`

func main() {
	flag.Usage = func() { fmt.Fprint(flag.CommandLine.Output(), usage) }
	flag.Parse()
	cfg, wcfg := config.FromEnv(), config.WebFromEnv()
	logger := cfg.Logger()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, wcfg, logger); err != nil {
		logger.Error("web stopped", "error", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg config.Config, wcfg config.Web, logger *slog.Logger) error {
	if err := wcfg.Check(cfg); err != nil {
		return err
	}
	store, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		return err
	}
	tc, err := cfg.DialTemporal(logger)
	if err != nil {
		return err
	}
	defer tc.Close()
	srv := &Server{
		Svc:           &engagement.Service{Temporal: tc, Store: store, TaskQueue: cfg.TaskQueue},
		ActorKey:      cfg.ActorKey,
		BaseURL:       wcfg.BaseURL,
		SecureCookies: !wcfg.InsecureCookies,
		Log:           logger,
		Slack:         slackFromConfig(cfg.SlackBotToken, cfg.SlackAPIURL),
	}
	// The browser's upload cap is the evidence store's (STEADFAST_EVIDENCE_MAX_BYTES).
	if v := os.Getenv(blob.EnvMaxSize); v != "" {
		if srv.MaxUpload, err = strconv.ParseInt(v, 10, 64); err != nil || srv.MaxUpload <= 0 {
			return fmt.Errorf("%s=%q is not a positive number of bytes", blob.EnvMaxSize, v)
		}
	}
	if key, _, err := evidencepack.KeyFromEnv(); err == nil {
		srv.PackKey = key
	} else if !errors.Is(err, evidencepack.ErrNoKey) {
		return err
	}
	if wcfg.OIDCIssuer != "" {
		if srv.OIDC, err = NewOIDC(ctx, wcfg.OIDCIssuer, wcfg.OIDCClientID, wcfg.OIDCClientSecret, wcfg.BaseURL); err != nil {
			return err
		}
	}
	httpLog := httpserve.LimitedLogger(ctx, logger, httpserve.DefaultLogLimits())
	hs := httpserve.New(wcfg.Addr, srv.Handler(), webLimits(), httpLog)
	if err := hs.Listen(); err != nil {
		return err
	}
	logger.Info("web listening", "addr", hs.Addr(), "url", wcfg.BaseURL, "oidc", srv.OIDC != nil)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve() }()
	select {
	case err := <-errc:
		srv.Close()
		return err
	case <-ctx.Done():
	}
	srv.Close() // open pages' streams end; their browsers reconnect to the next web
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return hs.Shutdown(shut)
}

// webLimits are the worker's limits with room for the pages that sample a
// year of evidence or build the evidence pack.
func webLimits() httpserve.Limits {
	l := httpserve.DefaultLimits()
	l.WriteTimeout = 60 * time.Second
	l.IdleTimeout = 60 * time.Second
	return l
}
