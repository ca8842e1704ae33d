// Package testenv gives integration tests the real components: a Temporal
// dev server started from the pinned CLI, and a fresh Postgres database per
// test. In CI (CI=true) a missing component fails the test with a message
// saying how to get it; elsewhere the test is skipped with that message.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/workflows/searchattr"
)

// DefaultDatabaseURL is the server tests create their databases on.
const DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// missing fails in CI and skips elsewhere, always saying how to fix it.
func missing(t testing.TB, what, how string, err error) {
	t.Helper()
	msg := fmt.Sprintf("%s is not available (%v); %s", what, err, how)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// Database is a fresh, migrated database for one test.
type Database struct {
	URL   string
	Store *postgres.Store
}

// Postgres creates an empty database on TEST_DATABASE_URL's server, applies
// the migrations and drops it when the test ends.
func Postgres(t testing.TB) Database {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		base = DefaultDatabaseURL
	}
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		missing(t, "Postgres at TEST_DATABASE_URL", "run `make test` (it starts the local server) or set TEST_DATABASE_URL", err)
	}
	defer func() { _ = admin.Close(ctx) }()

	name := "steadfast_test_" + randomHex(6)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			return
		}
		defer func() { _ = conn.Close(ctx) }()
		_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse TEST_DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	store, err := postgres.Open(ctx, u.String())
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(store.Close)
	if err := store.Migrate(ctx); err != nil {
		t.Fatalf("migrate test database: %v", err)
	}
	return Database{URL: u.String(), Store: store}
}

// Temporal is a running server and a client connected to it in Namespace.
type Temporal struct {
	Address   string
	Namespace string
	Client    client.Client
}

// DevServer starts a Temporal dev server for the test from the pinned CLI
// (STEADFAST_TEMPORAL_CLI, else bin/temporal, else temporal on PATH) and
// stops it when the test ends. With STEADFAST_TEST_TEMPORAL_ADDRESS set it
// starts nothing and uses that server instead, in a namespace of the test's
// own (see External).
func DevServer(t testing.TB) Temporal {
	t.Helper()
	if addr := os.Getenv(ExternalAddressEnv); addr != "" {
		return External(t, addr)
	}
	return DevServerWith(t)
}

// DevServerWith is DevServer with extra `temporal server start-dev`
// arguments, e.g. a dynamic-config value that makes Temporal suggest
// continue-as-new after a few events.
func DevServerWith(t testing.TB, extraArgs ...string) Temporal {
	t.Helper()
	cli, err := temporalCLI()
	if err != nil {
		missing(t, "the Temporal CLI", "run `make tools` to build the pinned one into bin/temporal, or set STEADFAST_TEMPORAL_CLI", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	srv, err := testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		ExistingPath: cli,
		LogLevel:     "error",
		// Steadfast's search attributes, which the workflows set.
		ExtraArgs:     append(searchattr.Args(), extraArgs...),
		ClientOptions: &client.Options{Namespace: "default", Logger: tlog.NewStructuredLogger(logger)},
		Stdout:        io.Discard,
		Stderr:        io.Discard,
	})
	if err != nil {
		t.Fatalf("start Temporal dev server from %s: %v", cli, err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	c := srv.Client()
	return Temporal{Address: srv.FrontendHostPort(), Namespace: "default", Client: c}
}

func temporalCLI() (string, error) {
	if p := os.Getenv("STEADFAST_TEMPORAL_CLI"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("STEADFAST_TEMPORAL_CLI=%s: %w", p, err)
		}
		return p, nil
	}
	if root, err := RepoRoot(); err == nil {
		p := filepath.Join(root, "bin", "temporal")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return exec.LookPath("temporal")
}

// RepoRoot finds the module root by walking up to go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
