package main

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/steadfast-grc/steadfast/internal/refusal"
)

// Issue 12 item 7: raw gRPC, SQL and Temporal errors reached CLI users.
func TestUserMessageHidesInternalDetail(t *testing.T) {
	pg := fmt.Errorf("add evidence: %w", &pgconn.PgError{Code: "23503", Message: `insert or update on table "evidence" violates foreign key constraint "evidence_corrects_fkey"`})
	msg := userMessage(pg)
	assert.NotContains(t, msg, "SQLSTATE")
	assert.NotContains(t, msg, "23503")
	assert.NotContains(t, msg, "fkey")
	assert.Contains(t, msg, "conflicts with what is already recorded")
	assert.Contains(t, msg, "--debug")

	app := fmt.Errorf("decide gap ACC-01 of brightlane: %w", temporal.NewApplicationError("a reason is required: say why, for the record", "errorString"))
	assert.Equal(t, "decide gap ACC-01 of brightlane: a reason is required: say why, for the record", userMessage(app))

	assert.Equal(t, "x: the record", refusal.Clean("x: activity error (type: RecordGapDecision, scheduledEventID: 11, startedEventID: 12, identity: 1@host): the record"))
	assert.Equal(t, "no", refusal.Clean("rpc error: code = InvalidArgument desc = no"))
}

func TestUnreachableTemporalIsOneSentence(t *testing.T) {
	t.Setenv("TEMPORAL_ADDRESS", "127.0.0.1:1")
	t.Setenv("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
	var out bytes.Buffer
	for _, args := range [][]string{{"status", "brightlane"}, {"gaps", "brightlane"}} {
		root := newRootCmd()
		root.SetOut(&out)
		root.SetErr(&out)
		root.SetArgs(args)
		err := root.ExecuteContext(context.Background())
		require.Error(t, err, args)
		msg := userMessage(err)
		assert.Regexp(t, `^cannot reach (Temporal at 127.0.0.1:1|the Postgres record)`, msg, "%v: %v", args, err)
		assert.NotContains(t, msg, "rpc error")
		assert.NotContains(t, msg, "dial tcp")
	}
}
