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

// TestWithdrawItem (migration 00024): an open item is withdrawn with its
// note, its approver and the time, once (a retry changes nothing and logs
// nothing twice); a verified item stays verified; a withdrawn item is not
// closed afterwards; an unknown item is ErrNotFound.
func TestWithdrawItem(t *testing.T) {
	db := testenv.Postgres(t)
	ctx := context.Background()
	r := scopeRecord(t)
	require.NoError(t, db.Store.RecordScope(ctx, r))
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	open := postgres.RemediationItem{EngagementID: r.EngagementID, ControlID: "GOV-07", ItemID: "engagement/" + r.EngagementID + "/gap/GOV-07",
		Rank: 2, Title: "Org chart", OwnerEmail: "o@example.com", Due: at.AddDate(0, 0, 30), TicketKey: "SEC-2", TicketLabel: "l2", OpenedAt: at}
	closed := postgres.RemediationItem{EngagementID: r.EngagementID, ControlID: "ACC-04", ItemID: "engagement/" + r.EngagementID + "/gap/ACC-04",
		Rank: 1, Title: "Access reviews", OwnerEmail: "a@example.com", Due: at.AddDate(0, 0, 30), TicketLabel: "l1", OpenedAt: at}
	require.NoError(t, db.Store.OpenItem(ctx, open))
	require.NoError(t, db.Store.OpenItem(ctx, closed))
	require.NoError(t, db.Store.ChangeItem(ctx, postgres.ItemChange{EngagementID: r.EngagementID, ItemID: closed.ItemID, Status: postgres.ItemVerified,
		Evidence: "https://e.example/1", By: "a@example.com", At: at.AddDate(0, 0, 3)}))

	when := at.AddDate(0, 0, 5)
	w := postgres.ItemWithdrawal{EngagementID: r.EngagementID, ItemID: open.ItemID, ChangeID: "tailoring-abc", By: "Lead@Example.com",
		Note: "Withdrawn: tailoring-abc (approved by lead@example.com) took GOV-07 out of scope", At: when}
	it, err := db.Store.WithdrawItem(ctx, w)
	require.NoError(t, err)
	assert.Equal(t, postgres.ItemWithdrawn, it.Status)
	assert.Equal(t, "SEC-2", it.TicketKey, "the ticket to close is returned")
	again, err := db.Store.WithdrawItem(ctx, w)
	require.NoError(t, err, "a retried activity")
	assert.Equal(t, postgres.ItemWithdrawn, again.Status)

	it, err = db.Store.WithdrawItem(ctx, postgres.ItemWithdrawal{EngagementID: r.EngagementID, ItemID: closed.ItemID, ChangeID: "tailoring-abc", At: when})
	require.NoError(t, err)
	assert.Equal(t, postgres.ItemVerified, it.Status, "a closed gap stays as it is")

	require.NoError(t, db.Store.ChangeItem(ctx, postgres.ItemChange{EngagementID: r.EngagementID, ItemID: open.ItemID, Status: postgres.ItemVerified,
		Evidence: "https://e.example/late", By: "o@example.com", At: when.Add(time.Hour)}))
	_, err = db.Store.WithdrawItem(ctx, postgres.ItemWithdrawal{EngagementID: r.EngagementID, ItemID: "engagement/x/gap/none", At: when})
	require.ErrorIs(t, err, postgres.ErrNotFound)

	items, err := db.Store.Items(ctx, r.EngagementID)
	require.NoError(t, err)
	byID := map[string]postgres.RemediationItem{}
	for _, it := range items {
		byID[it.ItemID] = it
	}
	got := byID[open.ItemID]
	assert.Equal(t, postgres.ItemWithdrawn, got.Status, "a withdrawn item is not closed afterwards")
	assert.Equal(t, w.Note, got.Note)
	assert.Equal(t, "lead@example.com", got.ClosedBy)
	require.NotNil(t, got.ClosedAt)
	assert.True(t, got.ClosedAt.Equal(when))
	assert.Empty(t, got.EvidenceLink)
	assert.Equal(t, postgres.ItemVerified, byID[closed.ItemID].Status)
	assert.Empty(t, byID[closed.ItemID].Note)

	events, err := db.Store.Events(ctx, r.EngagementID)
	require.NoError(t, err)
	n := 0
	for _, e := range events {
		if e.Kind == "remediation-withdrawn" {
			n++
			assert.Equal(t, "tailoring-abc", e.Detail["change"])
			assert.Equal(t, "lead@example.com", e.Actor)
		}
	}
	assert.Equal(t, 1, n, "logged once")
}
