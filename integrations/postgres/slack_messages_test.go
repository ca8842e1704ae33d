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

// The compare-and-set protocol behind every owned Slack message: one lease
// holder at a time, a settled generation covers the requests before its
// claim, a lost lease is reported, and a dead holder's lease expires.
func TestSlackMessageLeaseIsACompareAndSet(t *testing.T) {
	db := testenv.Postgres(t)
	ctx := context.Background()
	rec := scopeRecord(t)
	require.NoError(t, db.Store.RecordScope(ctx, rec))
	st, id, purpose := db.Store, rec.EngagementID, "digest:owner@client.example"

	_, err := st.ClaimSlackMessage(ctx, id, purpose, 1, "a", time.Minute)
	assert.True(t, errors.Is(err, postgres.ErrNotFound), "a claim needs a request first: %v", err)

	genA, err := st.RequestSlackMessage(ctx, id, purpose)
	require.NoError(t, err)
	genB, err := st.RequestSlackMessage(ctx, id, purpose)
	require.NoError(t, err)
	assert.Equal(t, []int64{1, 2}, []int64{genA, genB})

	a, err := st.ClaimSlackMessage(ctx, id, purpose, genA, "a", time.Minute)
	require.NoError(t, err)
	assert.True(t, a.Held)
	assert.Empty(t, a.TS, "not posted yet: the holder posts")
	assert.Equal(t, int64(2), a.Wanted, "the holder renders after both requests")

	b, err := st.ClaimSlackMessage(ctx, id, purpose, genB, "b", time.Minute)
	require.NoError(t, err)
	assert.False(t, b.Held, "one holder at a time")

	ok, err := st.SettleSlackMessage(ctx, id, purpose, "b", postgres.SlackMessage{Channel: "D1", TS: "9.9"}, 2)
	require.NoError(t, err)
	assert.False(t, ok, "only the holder settles")

	ok, err = st.SettleSlackMessage(ctx, id, purpose, "a", postgres.SlackMessage{Channel: "D1", TS: "1.1"}, a.Wanted)
	require.NoError(t, err)
	assert.True(t, ok)

	b, err = st.ClaimSlackMessage(ctx, id, purpose, genB, "b", time.Minute)
	require.NoError(t, err)
	assert.False(t, b.Held, "B's request was covered by A's render: nothing to do")
	assert.GreaterOrEqual(t, b.Shown, genB)
	assert.Equal(t, postgres.SlackMessage{Channel: "D1", TS: "1.1"}, b.SlackMessage)

	// A holder that dies keeps the message only until its lease expires;
	// when it comes back, its settle fails, so it knows to deliver again.
	genC, err := st.RequestSlackMessage(ctx, id, purpose)
	require.NoError(t, err)
	c, err := st.ClaimSlackMessage(ctx, id, purpose, genC, "c", 50*time.Millisecond)
	require.NoError(t, err)
	require.True(t, c.Held)
	time.Sleep(100 * time.Millisecond)
	d, err := st.ClaimSlackMessage(ctx, id, purpose, genC, "d", time.Minute)
	require.NoError(t, err)
	assert.True(t, d.Held, "an expired lease is taken over")
	assert.Equal(t, "1.1", d.TS, "and the taker updates the posted message")
	ok, err = st.SettleSlackMessage(ctx, id, purpose, "c", c.SlackMessage, c.Wanted)
	require.NoError(t, err)
	assert.False(t, ok, "the late holder learns it lost the lease")

	// Releasing lets the next delivery in at once.
	require.NoError(t, st.ReleaseSlackMessage(ctx, id, purpose, "d"))
	e, err := st.ClaimSlackMessage(ctx, id, purpose, genC, "e", time.Minute)
	require.NoError(t, err)
	assert.True(t, e.Held)
}
