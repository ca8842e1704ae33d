package main

import (
	"github.com/steadfast-grc/steadfast/internal/identity"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/config"
	"github.com/steadfast-grc/steadfast/internal/engagement"
)

// The CLI is a thin adapter over internal/engagement: each command parses
// its flags, builds the caller's Actor, calls one service method and
// prints what it returns. What a command needs is opened for it alone, so
// reading the record works without Temporal and a query without Postgres.

// needs says what a command's service must be connected to.
type needs int

const (
	needTemporal needs = 1 << iota
	needStore
)

// openService connects what n asks for; close releases it.
func openService(cmd *cobra.Command, n needs) (_ *engagement.Service, _ func(), err error) {
	cfg := config.FromEnv()
	// svc is not a named result: the error returns below set those to nil
	// before the deferred close runs.
	svc := &engagement.Service{TaskQueue: cfg.TaskQueue}
	close := func() {
		if svc.Temporal != nil {
			svc.Temporal.Close()
		}
		if svc.Store != nil {
			svc.Store.Close()
		}
	}
	defer func() {
		if err != nil {
			close()
		}
	}()
	if n&needStore != 0 {
		if svc.Store, err = postgres.Open(cmd.Context(), cfg.DatabaseURL); err != nil {
			return nil, nil, err
		}
	}
	if n&needTemporal != 0 {
		if svc.Temporal, err = cfg.DialTemporal(cfg.Logger()); err != nil {
			return nil, nil, err
		}
	}
	return svc, close, nil
}

// cliActor is who acts through the CLI: the person named with --as, and the
// operator at the keyboard, recorded as exactly that (identity.CLIActor).
func cliActor(person string) compliance.Actor { return identity.CLIActor(person) }
