// Package config reads Steadfast's settings from the environment and builds
// the clients every binary needs. Secrets are read here and never logged.
package config

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/steadfast-grc/steadfast/integrations/jira"
)

// Config is every setting, with its environment variable.
type Config struct {
	TemporalAddress   string // TEMPORAL_ADDRESS
	TemporalNamespace string // TEMPORAL_NAMESPACE
	TemporalAPIKey    string // TEMPORAL_API_KEY (secret)
	TemporalTLSCert   string // TEMPORAL_TLS_CERT (file)
	TemporalTLSKey    string // TEMPORAL_TLS_KEY (file)
	TaskQueue         string // STEADFAST_TASK_QUEUE
	DatabaseURL       string // DATABASE_URL (secret: may hold a password)
	HTTPAddr          string // STEADFAST_HTTP_ADDR
	LogLevel          string // LOG_LEVEL
	LogFormat         string // LOG_FORMAT
	// Slack is off unless SLACK_BOT_TOKEN is set.
	SlackBotToken      string // SLACK_BOT_TOKEN (secret)
	SlackSigningSecret string // SLACK_SIGNING_SECRET (secret): verifies HTTP interactivity
	SlackAppToken      string // SLACK_APP_TOKEN (secret): Socket Mode, for installs without a public URL
	SlackAPIURL        string // SLACK_API_URL: only to point at an emulator
	// ActorKey attests Slack and web actors (STEADFAST_ACTOR_KEY, secret).
	ActorKey ActorKey
	// Jira is off unless JIRA_BASE_URL is set: JIRA_EMAIL + JIRA_API_TOKEN
	// (Cloud) or JIRA_PAT (Data Center), and JIRA_WEBHOOK_SECRET.
	Jira jira.Config
}

// Defaults for a local stack.
const (
	DefaultTemporalAddress = "localhost:7233"
	DefaultNamespace       = "default"
	DefaultTaskQueue       = "steadfast"
	DefaultDatabaseURL     = "postgres://postgres@127.0.0.1:5432/steadfast?sslmode=disable"
	DefaultHTTPAddr        = ":8080"
)

// FromEnv reads the configuration, applying defaults.
func FromEnv() Config {
	return Config{
		TemporalAddress:   env("TEMPORAL_ADDRESS", DefaultTemporalAddress),
		TemporalNamespace: env("TEMPORAL_NAMESPACE", DefaultNamespace),
		TemporalAPIKey:    os.Getenv("TEMPORAL_API_KEY"),
		TemporalTLSCert:   os.Getenv("TEMPORAL_TLS_CERT"),
		TemporalTLSKey:    os.Getenv("TEMPORAL_TLS_KEY"),
		TaskQueue:         env("STEADFAST_TASK_QUEUE", DefaultTaskQueue),
		DatabaseURL:       env("DATABASE_URL", DefaultDatabaseURL),
		HTTPAddr:          env("STEADFAST_HTTP_ADDR", DefaultHTTPAddr),
		LogLevel:          env("LOG_LEVEL", "info"),
		LogFormat:         env("LOG_FORMAT", "text"),

		SlackBotToken:      os.Getenv("SLACK_BOT_TOKEN"),
		SlackSigningSecret: os.Getenv("SLACK_SIGNING_SECRET"),
		SlackAppToken:      os.Getenv("SLACK_APP_TOKEN"),
		SlackAPIURL:        os.Getenv("SLACK_API_URL"),
		ActorKey:           actorKeyFromEnv(),
		Jira:               jira.ConfigFromEnv(os.Getenv),
	}
}

func env(key, def string) string {
	if v := strings.TrimSpace(os.Getenv(key)); v != "" {
		return v
	}
	return def
}

// Logger builds the process's structured logger.
func (c Config) Logger() *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// DialTemporal connects to Temporal with the configured namespace and
// credentials (API key for Temporal Cloud, or mTLS files).
func (c Config) DialTemporal(logger *slog.Logger) (client.Client, error) {
	opts := client.Options{
		HostPort:  c.TemporalAddress,
		Namespace: c.TemporalNamespace,
		Logger:    tlog.NewStructuredLogger(logger),
	}
	switch {
	case c.TemporalTLSCert != "" || c.TemporalTLSKey != "":
		cert, err := tls.LoadX509KeyPair(c.TemporalTLSCert, c.TemporalTLSKey)
		if err != nil {
			return nil, fmt.Errorf("load TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY: %w", err)
		}
		opts.ConnectionOptions.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	case c.TemporalAPIKey != "":
		opts.Credentials = client.NewAPIKeyStaticCredentials(c.TemporalAPIKey)
		opts.ConnectionOptions.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	cl, err := client.Dial(opts)
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s (namespace %s): %w; is the server running? `make demo` starts a local one", c.TemporalAddress, c.TemporalNamespace, err)
	}
	return cl, nil
}
