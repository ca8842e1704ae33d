package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// A use case composes store methods in one transaction: each method's own
// transaction nests inside it, so either every record is written or none.
func TestWithTxComposesRecordsAtomically(t *testing.T) {
	db := testenv.Postgres(t)
	ctx := context.Background()
	r := scopeRecord(t)
	at := time.Date(2027, 3, 4, 10, 0, 0, 0, time.UTC)
	phase := postgres.PhaseChange{EngagementID: r.EngagementID, Phase: "gap-assessment", Revision: 1, Actor: "steadfast", At: at}

	stop := errors.New("the use case fails after both writes")
	err := db.Store.WithTx(ctx, func(tx *postgres.Store) error {
		require.NoError(t, tx.RecordScope(ctx, r))
		require.NoError(t, tx.RecordPhase(ctx, phase))
		got, err := tx.Engagement(ctx, r.EngagementID)
		require.NoError(t, err)
		assert.Equal(t, "gap-assessment", got.Phase, "reads inside the transaction see its writes")
		return stop
	})
	require.ErrorIs(t, err, stop)
	_, err = db.Store.Engagement(ctx, r.EngagementID)
	require.ErrorIs(t, err, postgres.ErrNotFound, "nothing of a failed use case is written")
	assert.Equal(t, 0, count(t, db, `SELECT count(*) FROM engagement_events`))

	require.NoError(t, db.Store.WithTx(ctx, func(tx *postgres.Store) error {
		if err := tx.RecordScope(ctx, r); err != nil {
			return err
		}
		return tx.RecordPhase(ctx, phase)
	}))
	got, err := db.Store.Engagement(ctx, r.EngagementID)
	require.NoError(t, err)
	assert.Equal(t, "gap-assessment", got.Phase)
}
