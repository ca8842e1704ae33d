package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"go.temporal.io/api/serviceerror"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/steadfast-grc/steadfast/internal/config"
	"github.com/steadfast-grc/steadfast/internal/refusal"
)

// debugEnv turns on --debug for every command (STEADFAST_DEBUG=1).
const debugEnv = "STEADFAST_DEBUG"

// userMessage is what a CLI user sees for err: a sentence they can act on.
// Temporal's, gRPC's and Postgres's own wording (SQLSTATEs, failure types,
// retry flags, event IDs) stays out of it; --debug prints the whole chain
// under it.
func userMessage(err error) string {
	var connect *pgconn.ConnectError
	var pg *pgconn.PgError
	switch {
	case errors.Is(err, context.Canceled):
		return "interrupted; anything already recorded stays recorded, and running the command again is safe"
	case errors.As(err, &connect):
		return "cannot reach the Postgres record (DATABASE_URL): is Postgres running? `make demo` starts a local one"
	case errors.As(err, &pg):
		return "the Postgres record could not carry this out (" + pgWhat(pg) + "); run it again with --debug for the database's detail"
	case temporalUnreachable(err):
		cfg := config.FromEnv()
		return fmt.Sprintf("cannot reach Temporal at %s (TEMPORAL_ADDRESS, namespace %s): is the server running? `make demo` starts a local one",
			cfg.TemporalAddress, cfg.TemporalNamespace)
	}
	return refusal.Clean(err.Error())
}

// pgWhat names a database refusal by its class, not its SQLSTATE.
func pgWhat(pg *pgconn.PgError) string {
	switch {
	case strings.HasPrefix(pg.Code, "23"):
		return "it conflicts with what is already recorded"
	case strings.HasPrefix(pg.Code, "42"):
		return "the record's schema does not match this version of starter; is the worker the same version?"
	case strings.HasPrefix(pg.Code, "22"):
		return "a value is out of range or badly formed"
	}
	return "the database refused it"
}

// temporalUnreachable reports a connection failure to Temporal.
func temporalUnreachable(err error) bool {
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	if errors.As(err, &unavailable) || errors.As(err, &deadline) {
		return true
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if s, ok := status.FromError(e); ok && (s.Code() == codes.Unavailable || s.Code() == codes.DeadlineExceeded) {
			return true
		}
	}
	return strings.Contains(err.Error(), "failed reaching server")
}

// debugWanted reports --debug (or STEADFAST_DEBUG=1) on the command line.
func debugWanted(args []string) bool {
	if os.Getenv(debugEnv) == "1" {
		return true
	}
	for _, a := range args {
		if a == "--debug" || a == "--debug=true" {
			return true
		}
	}
	return false
}
