package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// TestItemsAreKeyedByItem (migration 00023): a control whose first gap was
// closed gets a second item when a change's round finds it again; a retried
// open of either changes nothing but a ticket key learnt since.
func TestItemsAreKeyedByItem(t *testing.T) {
	db := testenv.Postgres(t)
	ctx := context.Background()
	r := scopeRecord(t)
	require.NoError(t, db.Store.RecordScope(ctx, r))
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	first := postgres.RemediationItem{EngagementID: r.EngagementID, ControlID: "ACC-04", ItemID: "engagement/" + r.EngagementID + "/gap/ACC-04",
		Rank: 1, Title: "Access reviews", OwnerEmail: "a@example.com", Due: at.AddDate(0, 0, 30), TicketLabel: "l1", OpenedAt: at}
	require.NoError(t, db.Store.OpenItem(ctx, first))
	require.NoError(t, db.Store.ChangeItem(ctx, postgres.ItemChange{EngagementID: r.EngagementID, ItemID: first.ItemID, Status: postgres.ItemVerified,
		Evidence: "https://e.example/1", By: "a@example.com", At: at.AddDate(0, 0, 3)}))

	again := first
	again.ItemID, again.TicketLabel, again.OpenedAt = "engagement/"+r.EngagementID+"/gap/tailoring-x/ACC-04", "l2", at.AddDate(0, 2, 0)
	require.NoError(t, db.Store.OpenItem(ctx, again))
	retried := again
	retried.TicketKey, retried.OwnerEmail = "SEC-9", "someone@example.com"
	require.NoError(t, db.Store.OpenItem(ctx, retried), "a retried activity")

	items, err := db.Store.Items(ctx, r.EngagementID)
	require.NoError(t, err)
	require.Len(t, items, 2, "one item per gap, two for the control")
	byID := map[string]postgres.RemediationItem{}
	for _, it := range items {
		byID[it.ItemID] = it
	}
	assert.Equal(t, postgres.ItemVerified, byID[first.ItemID].Status, "the first round's item stays closed")
	assert.Equal(t, postgres.ItemOpen, byID[again.ItemID].Status)
	assert.Equal(t, "SEC-9", byID[again.ItemID].TicketKey, "the retry fills in the ticket learnt since")
	assert.Equal(t, "a@example.com", byID[again.ItemID].OwnerEmail, "and changes nothing else")
}
