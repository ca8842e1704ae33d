// Package postgres keeps Steadfast's records: engagements, their scope and
// plan, decisions and the append-only event log an auditor can sample. Every
// write is an upsert or an insert keyed by a derived key, so a retried
// activity never duplicates a row.
package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultMaxConns is the pool size unless DATABASE_URL sets pool_max_conns.
const DefaultMaxConns = 20

// Querier is what the store's statements run on: the pool, or a
// transaction (Begin on a transaction opens a savepoint, so a method that
// needs its own transaction nests inside a caller's).
type Querier interface {
	Begin(ctx context.Context) (pgx.Tx, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Store is the Postgres-backed record of every engagement. Its methods run
// on q: the pool, or inside WithTx a transaction.
type Store struct {
	pool *pgxpool.Pool
	q    Querier
}

// WithTx runs fn with a Store whose every method runs in one transaction,
// committed when fn returns nil and rolled back otherwise, so a use case
// can compose several records atomically. Nothing slow (no Slack or Jira
// call) belongs inside fn: the transaction holds a pooled connection.
func (s *Store) WithTx(ctx context.Context, fn func(tx *Store) error) error {
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		return fn(&Store{pool: s.pool, q: tx})
	})
}

// Open connects to Postgres and checks the connection.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's parse errors can echo the URL, password included.
		return nil, fmt.Errorf("parse DATABASE_URL: invalid connection string")
	}
	// pgx defaults to max(4, CPUs) connections, which a worker running
	// dozens of activities at once (each prompt's digest write holds one
	// while it talks to Slack) exhausts on a small machine. The URL's own
	// pool_max_conns wins.
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = DefaultMaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to postgres at %s:%d/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	return &Store{pool: pool, q: pool}, nil
}

// Migrate brings the schema up to date (see Migrate).
func (s *Store) Migrate(ctx context.Context) error { return Migrate(ctx, s.pool) }

// Pool exposes the pool for tests and tools that read the records directly.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close releases the connections.
func (s *Store) Close() { s.pool.Close() }
